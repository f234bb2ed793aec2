/**
 * @param {number[]} digits
 * @param {number} inputBase
 * @param {number} outputBase
 * @returns {number[]}
 */
export function convert(digits, inputBase, outputBase) {
  throw new Error('not implemented');
}
