/**
 * @param {number} number
 * @returns {number}
 */
export function steps(number) {
  if (!Number.isInteger(number) || number < 1) throw new Error('Only positive integers are allowed');
  let count = 0;
  let current = number;
  while (current !== 1) {
    current = current % 2 === 0 ? current / 2 : 3 * current + 1;
    count++;
  }
  return count;
}
