/**
 * @param {string} phrase
 * @returns {string}
 */
export function parse(phrase) {
  return phrase
    .split(/[\s-]+/)
    .map((word) => word.replace(/[^A-Za-z]/g, ''))
    .filter((word) => word.length > 0)
    .map((word) => word[0].toUpperCase())
    .join('');
}
