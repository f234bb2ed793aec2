/**
 * @param {number} year
 * @returns {boolean}
 */
export function isLeap(year) {
  throw new Error('not implemented');
}
