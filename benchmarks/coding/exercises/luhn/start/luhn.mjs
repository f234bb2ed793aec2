/**
 * @param {string} number
 * @returns {boolean}
 */
export function valid(number) {
  throw new Error('not implemented');
}
