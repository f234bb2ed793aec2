/**
 * @module Where a model may edit an agent: the lines strictly between a line containing
 * `EVOLVE-BLOCK-START` and the next line containing `EVOLVE-BLOCK-END` (OpenEvolve's markers).
 * When no file of the agent has a marker, every line of every file may change.
 */
import type { AgentFiles } from '../core/types.js';
import { EVOLVE_BLOCK_END, EVOLVE_BLOCK_START } from './evolve-annotations.js';

/** A range of 0-based line indices, `end` exclusive. */
export interface LineRange {
  start: number;
  end: number;
}

/** Editable ranges of one file's text; null when the file has no markers at all. */
export function evolveBlockRanges(content: string): LineRange[] | null {
  const lines = content.split('\n');
  const ranges: LineRange[] = [];
  let openedAt: number | null = null;
  let sawMarker = false;
  lines.forEach((line, index) => {
    if (line.includes(EVOLVE_BLOCK_START)) {
      sawMarker = true;
      openedAt = index;
    } else if (line.includes(EVOLVE_BLOCK_END)) {
      sawMarker = true;
      if (openedAt !== null) ranges.push({ start: openedAt + 1, end: index });
      openedAt = null;
    }
  });
  return sawMarker ? ranges : null;
}

/** Source files, the only ones whose markers count (a README may mention the markers). */
const CODE_FILE = /\.(ts|mts|cts|tsx|js|mjs|cjs|jsx)$/;

/** True for TypeScript and JavaScript files. */
export function isCodeFile(file: string): boolean {
  return CODE_FILE.test(file);
}

/** The editable ranges of every file that may change, by path. */
export function editableRegions(files: AgentFiles): Map<string, LineRange[]> {
  const marked = new Map<string, LineRange[]>();
  for (const [file, content] of Object.entries(files)) {
    if (!isCodeFile(file)) continue;
    const ranges = evolveBlockRanges(content);
    if (ranges !== null) marked.set(file, ranges);
  }
  if (marked.size > 0) return marked;
  const all = new Map<string, LineRange[]>();
  for (const [file, content] of Object.entries(files)) {
    all.set(file, [{ start: 0, end: content.split('\n').length }]);
  }
  return all;
}

/** True when the agent marks EVOLVE-BLOCK regions (else whole files are editable). */
export function hasEvolveBlocks(files: AgentFiles): boolean {
  return Object.entries(files).some(([file, content]) => isCodeFile(file) && evolveBlockRanges(content) !== null);
}

/** Describes ranges for people and models, e.g. `lines 13–29`. */
export function describeRanges(ranges: readonly LineRange[]): string {
  if (ranges.length === 0) return 'no complete EVOLVE-BLOCK';
  return ranges.map((range) => `lines ${range.start + 1}–${range.end}`).join(', ');
}
