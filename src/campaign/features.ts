/**
 * @module Built-in feature descriptors of an agent for MAP-Elites (OpenEvolve's defaults): code
 * length and edit-distance diversity, computed when a node is recorded and stored in its private
 * metrics (`codeLength`, `diversity`).
 */
import type { AgentFiles } from '../core/types.js';

/** The agent's source as one string, files in path order (stable for the same tree). */
export function concatenateFiles(files: AgentFiles): string {
  return Object.keys(files)
    .sort()
    .map((name) => `// ${name}\n${files[name]}`)
    .join('\n');
}

/** Largest DP table computed character by character; longer changed regions are compared by line. */
const CHARACTER_CELLS = 4_000_000;

/**
 * Levenshtein distance between two strings, after removing their common prefix and suffix (so a
 * small edit in a large file costs little). When the changed regions are too large for a
 * character table, the distance is computed over lines and scaled by the mean line length.
 */
export function editDistance(a: string, b: string): number {
  let start = 0;
  const shorter = Math.min(a.length, b.length);
  while (start < shorter && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--;
    endB--;
  }
  const left = a.slice(start, endA);
  const right = b.slice(start, endB);
  if (left.length === 0 || right.length === 0) return Math.max(left.length, right.length);
  if (left.length * right.length <= CHARACTER_CELLS) return levenshtein([...left], [...right]);
  const linesLeft = left.split('\n');
  const linesRight = right.split('\n');
  const meanLine = (left.length + right.length) / (linesLeft.length + linesRight.length);
  return Math.round(levenshtein(linesLeft, linesRight) * meanLine);
}

function levenshtein<T>(left: readonly T[], right: readonly T[]): number {
  let previous = new Int32Array(right.length + 1);
  let current = new Int32Array(right.length + 1);
  for (let column = 0; column <= right.length; column++) previous[column] = column;
  for (let row = 1; row <= left.length; row++) {
    current[0] = row;
    const item = left[row - 1];
    for (let column = 1; column <= right.length; column++) {
      const substitution = (previous[column - 1] as number) + (item === right[column - 1] ? 0 : 1);
      const deletion = (previous[column] as number) + 1;
      const insertion = (current[column - 1] as number) + 1;
      current[column] = Math.min(substitution, deletion, insertion);
    }
    [previous, current] = [current, previous];
  }
  return previous[right.length] as number;
}

/** `codeLength` (characters of all files) and `diversity` (edit distance from the seed agent). */
export function agentFeatures(files: AgentFiles, seedSource: string): { codeLength: number; diversity: number } {
  const source = concatenateFiles(files);
  return { codeLength: source.length, diversity: editDistance(source, seedSource) };
}
