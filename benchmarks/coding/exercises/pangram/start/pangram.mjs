/**
 * @param {string} sentence
 * @returns {boolean}
 */
export function isPangram(sentence) {
  throw new Error('not implemented');
}
