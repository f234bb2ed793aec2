/**
 * @param {number[]} array sorted ascending
 * @param {number} value
 * @returns {number}
 */
export function find(array, value) {
  let low = 0;
  let high = array.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const current = array[middle];
    if (current === value) return middle;
    if (current < value) low = middle + 1;
    else high = middle - 1;
  }
  throw new Error('value not in array');
}
