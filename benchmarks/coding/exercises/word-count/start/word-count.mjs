/**
 * @param {string} phrase
 * @returns {Record<string, number>}
 */
export function countWords(phrase) {
  throw new Error('not implemented');
}
