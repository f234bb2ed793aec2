const sorted = (word) => [...word.toLowerCase()].sort().join('');

/**
 * @param {string} subject
 * @param {string[]} candidates
 * @returns {string[]}
 */
export function findAnagrams(subject, candidates) {
  const lower = subject.toLowerCase();
  const key = sorted(subject);
  return candidates.filter((candidate) => candidate.toLowerCase() !== lower && sorted(candidate) === key);
}
