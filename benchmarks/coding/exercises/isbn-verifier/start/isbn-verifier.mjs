/**
 * @param {string} isbn
 * @returns {boolean}
 */
export function isValid(isbn) {
  throw new Error('not implemented');
}
