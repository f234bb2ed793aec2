/**
 * @module Built-in feature descriptors of an agent (OpenEvolve's defaults, MAP-Elites' default
 * grid axes): code length and edit-distance diversity from the seed, computed when a node is
 * recorded and stored in its private metrics (`codeLength`, `diversity`), and the candidate
 * features selectors see. This is the default `CandidateDescriber` of every selector kind.
 */
import type { AgentFiles, AgentNode } from '../core/types.js';
import type { CandidateDescriber } from './types.js';

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

/** The built-in code features stored with every node. */
const CODE_FEATURES = ['codeLength', 'diversity'] as const;

/**
 * A node's candidate features: every finite numeric public metric, then `codeLength` and
 * `diversity` from its private metrics.
 */
export function candidateFeatures(node: Pick<AgentNode, 'publicMetrics' | 'privateMetrics'>): Record<string, number> {
  const features: Record<string, number> = {};
  for (const [name, value] of Object.entries(node.publicMetrics)) {
    if (typeof value === 'number' && Number.isFinite(value)) features[name] = value;
  }
  for (const name of CODE_FEATURES) {
    const value = node.privateMetrics[name];
    if (typeof value === 'number' && Number.isFinite(value)) features[name] = value;
  }
  return features;
}

/**
 * The default describer: `agentFeatures` of each recorded node against the seed agent (whose source
 * it reads once, on the first call, and keeps), and `candidateFeatures`. One per campaign run.
 */
export function codeFeatureDescriber(): CandidateDescriber {
  let seedSource: string | null = null;
  return {
    async describe(files, seedFiles) {
      seedSource ??= concatenateFiles(await seedFiles());
      return agentFeatures(files, seedSource);
    },
    features: candidateFeatures,
  };
}
