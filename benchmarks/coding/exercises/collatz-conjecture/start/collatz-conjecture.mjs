/**
 * @param {number} number
 * @returns {number}
 */
export function steps(number) {
  throw new Error('not implemented');
}
