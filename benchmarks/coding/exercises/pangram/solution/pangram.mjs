/**
 * @param {string} sentence
 * @returns {boolean}
 */
export function isPangram(sentence) {
  const letters = new Set(sentence.toLowerCase().replace(/[^a-z]/g, ''));
  return letters.size === 26;
}
