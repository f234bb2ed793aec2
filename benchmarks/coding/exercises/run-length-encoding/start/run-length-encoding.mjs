/**
 * @param {string} text
 * @returns {string}
 */
export function encode(text) {
  throw new Error('not implemented');
}

/**
 * @param {string} text
 * @returns {string}
 */
export function decode(text) {
  throw new Error('not implemented');
}
