/**
 * @param {number[]} array sorted ascending
 * @param {number} value
 * @returns {number}
 */
export function find(array, value) {
  throw new Error('not implemented');
}
