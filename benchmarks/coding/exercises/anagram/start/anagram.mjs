/**
 * @param {string} subject
 * @param {string[]} candidates
 * @returns {string[]}
 */
export function findAnagrams(subject, candidates) {
  throw new Error('not implemented');
}
