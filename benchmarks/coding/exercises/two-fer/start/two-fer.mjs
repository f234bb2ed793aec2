/**
 * @param {string} [name]
 * @returns {string}
 */
export function twoFer(name) {
  throw new Error('not implemented');
}
