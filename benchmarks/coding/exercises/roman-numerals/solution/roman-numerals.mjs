const SYMBOLS = [
  [1000, 'M'],
  [900, 'CM'],
  [500, 'D'],
  [400, 'CD'],
  [100, 'C'],
  [90, 'XC'],
  [50, 'L'],
  [40, 'XL'],
  [10, 'X'],
  [9, 'IX'],
  [5, 'V'],
  [4, 'IV'],
  [1, 'I'],
];

/**
 * @param {number} number
 * @returns {string}
 */
export function toRoman(number) {
  if (!Number.isInteger(number) || number < 1 || number > 3999) {
    throw new RangeError('number must be an integer from 1 to 3999');
  }
  let rest = number;
  let result = '';
  for (const [value, symbol] of SYMBOLS) {
    while (rest >= value) {
      result += symbol;
      rest -= value;
    }
  }
  return result;
}

const VALUES = { I: 1, V: 5, X: 10, L: 50, C: 100, D: 500, M: 1000 };

/**
 * @param {string} numeral
 * @returns {number}
 */
export function fromRoman(numeral) {
  if (typeof numeral !== 'string' || !/^[IVXLCDM]+$/.test(numeral)) throw new Error(`invalid numeral: ${numeral}`);
  let total = 0;
  for (let index = 0; index < numeral.length; index++) {
    const value = VALUES[numeral[index]];
    const next = VALUES[numeral[index + 1]] ?? 0;
    total += value < next ? -value : value;
  }
  if (total < 1 || total > 3999 || toRoman(total) !== numeral) throw new Error(`invalid numeral: ${numeral}`);
  return total;
}
