const isBase = (base) => Number.isInteger(base) && base >= 2;

/**
 * @param {number[]} digits
 * @param {number} inputBase
 * @param {number} outputBase
 * @returns {number[]}
 */
export function convert(digits, inputBase, outputBase) {
  if (!isBase(inputBase)) throw new Error('Wrong input base');
  if (!isBase(outputBase)) throw new Error('Wrong output base');
  if (digits.some((digit) => !Number.isInteger(digit) || digit < 0 || digit >= inputBase)) {
    throw new Error('Input has wrong format');
  }
  let value = 0n;
  for (const digit of digits) value = value * BigInt(inputBase) + BigInt(digit);
  if (value === 0n) return [0];
  const result = [];
  const base = BigInt(outputBase);
  while (value > 0n) {
    result.unshift(Number(value % base));
    value /= base;
  }
  return result;
}
