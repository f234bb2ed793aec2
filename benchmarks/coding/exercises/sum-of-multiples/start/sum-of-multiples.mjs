/**
 * @param {number[]} factors
 * @param {number} limit
 * @returns {number}
 */
export function sum(factors, limit) {
  throw new Error('not implemented');
}
