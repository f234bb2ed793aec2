/**
 * @param {string} phrase
 * @returns {string}
 */
export function parse(phrase) {
  throw new Error('not implemented');
}
