/**
 * @param {string} plainText
 * @returns {string}
 */
export function encode(plainText) {
  throw new Error('not implemented');
}

/**
 * @param {string} cipherText
 * @returns {string}
 */
export function decode(cipherText) {
  throw new Error('not implemented');
}
