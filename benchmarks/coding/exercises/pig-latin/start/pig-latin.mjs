/**
 * @param {string} phrase
 * @returns {string}
 */
export function translate(phrase) {
  throw new Error('not implemented');
}
