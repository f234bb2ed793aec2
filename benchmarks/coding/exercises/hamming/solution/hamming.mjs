/**
 * @param {string} left
 * @param {string} right
 * @returns {number}
 */
export function distance(left, right) {
  if (left.length !== right.length) throw new Error('strands must be of equal length');
  let count = 0;
  for (let index = 0; index < left.length; index++) {
    if (left[index] !== right[index]) count++;
  }
  return count;
}
