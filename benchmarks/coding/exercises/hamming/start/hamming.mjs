/**
 * @param {string} left
 * @param {string} right
 * @returns {number}
 */
export function distance(left, right) {
  throw new Error('not implemented');
}
