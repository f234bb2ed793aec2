/**
 * @param {number} number
 * @returns {string}
 */
export function convert(number) {
  throw new Error('not implemented');
}
