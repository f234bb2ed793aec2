/**
 * @module SEARCH/REPLACE edits, the form models write diffs in (aider, OpenEvolve, ShinkaEvolve):
 * ```
 * optimizer.ts
 * <<<<<<< SEARCH
 * const CROSSOVER_RATE = 0.9;
 * =======
 * const CROSSOVER_RATE = 0.7;
 * >>>>>>> REPLACE
 * ```
 * optionally inside a fenced block, with an optional file path on the line before. Applying is
 * tolerant of whitespace and indentation (lines are compared trimmed, with runs of spaces
 * collapsed, when the exact text is not found; the replacement is re-indented to the match), and
 * strict about everything else: a SEARCH must match exactly one place, inside an editable region
 * (`edit-regions.ts`). An empty SEARCH adds the REPLACE lines at the end of the file's last
 * EVOLVE-BLOCK (aider, ShinkaEvolve). A failure says why and shows the nearest lines, so a model
 * can fix its edit.
 */
import type { AgentFiles } from '../core/types.js';
import {
  describeRanges,
  EVOLVE_BLOCK_END,
  EVOLVE_BLOCK_START,
  editableRegions,
  type LineRange,
  markerOnLine,
} from './edit-regions.js';

/** One edit. */
export interface SearchReplaceBlock {
  /** The path written before the block, if any. */
  file: string | null;
  search: string;
  replace: string;
}

const SEARCH_MARKER = /^\s*<{5,9}\s*SEARCH\s*$/;
const DIVIDER_MARKER = /^\s*={5,9}\s*$/;
const REPLACE_MARKER = /^\s*>{5,9}\s*REPLACE\s*$/;
const FENCE = /^\s*(```|~~~)/;
const PATH_LINE = /^[\w@.\-/]+\.[A-Za-z0-9]+$/;

/** What `parseSearchReplace` found. */
export interface ParsedEdits {
  blocks: SearchReplaceBlock[];
  /** Blocks that were opened but not closed properly, described for the model. */
  malformed: string[];
}

/** Finds every SEARCH/REPLACE block in a model's answer. */
export function parseSearchReplace(answer: string): ParsedEdits {
  const lines = answer.replace(/\r\n/g, '\n').split('\n');
  const blocks: SearchReplaceBlock[] = [];
  const malformed: string[] = [];
  let index = 0;
  while (index < lines.length) {
    if (!SEARCH_MARKER.test(lines[index] ?? '')) {
      index++;
      continue;
    }
    const opened = index;
    const file = pathBefore(lines, opened);
    const search: string[] = [];
    index++;
    while (
      index < lines.length &&
      !DIVIDER_MARKER.test(lines[index] ?? '') &&
      !SEARCH_MARKER.test(lines[index] ?? '')
    ) {
      search.push(lines[index] ?? '');
      index++;
    }
    if (index >= lines.length || !DIVIDER_MARKER.test(lines[index] ?? '')) {
      malformed.push(`the block opened at line ${opened + 1} of your answer has no ======= line`);
      continue;
    }
    index++;
    const replace: string[] = [];
    while (
      index < lines.length &&
      !REPLACE_MARKER.test(lines[index] ?? '') &&
      !SEARCH_MARKER.test(lines[index] ?? '')
    ) {
      replace.push(lines[index] ?? '');
      index++;
    }
    if (index >= lines.length || !REPLACE_MARKER.test(lines[index] ?? '')) {
      malformed.push(`the block opened at line ${opened + 1} of your answer has no >>>>>>> REPLACE line`);
      continue;
    }
    index++;
    blocks.push({ file, search: search.join('\n'), replace: replace.join('\n') });
  }
  return { blocks, malformed };
}

/** A file path on the nearest non-blank, non-fence line before a block, if it looks like one. */
function pathBefore(lines: readonly string[], opened: number): string | null {
  for (let index = opened - 1; index >= 0 && index >= opened - 3; index--) {
    const raw = (lines[index] ?? '').trim();
    if (raw === '') continue;
    if (FENCE.test(raw)) {
      // A fence's info string may carry the path: ```ts optimizer.ts or ```optimizer.ts
      const info =
        raw
          .replace(/^(```|~~~)/, '')
          .trim()
          .split(/\s+/)
          .pop() ?? '';
      if (PATH_LINE.test(info)) return info;
      continue;
    }
    const cleaned = raw
      .replace(/^(#+\s*|file:\s*|path:\s*|\*\*)/i, '')
      .replace(/\*\*$/, '')
      .replace(/^`|`$/g, '')
      .replace(/:$/, '')
      .trim();
    return PATH_LINE.test(cleaned) ? cleaned.replace(/^\.\//, '') : null;
  }
  return null;
}

/** The result of applying edits. */
export type ApplyResult =
  | { ok: true; files: AgentFiles; changed: string[] }
  /** One message per failing block, written for the model. */
  | { ok: false; errors: string[] };

interface Match {
  file: string;
  /** First matched line (0-based). */
  line: number;
  length: number;
  exact: boolean;
}

/**
 * Applies `blocks` in order (each sees the previous ones' result) to a copy of `files`. Atomic:
 * when any block fails, nothing is applied and every failure is reported.
 */
export function applySearchReplace(files: AgentFiles, blocks: readonly SearchReplaceBlock[]): ApplyResult {
  const working: AgentFiles = { ...files };
  const errors: string[] = [];
  const changed = new Set<string>();
  blocks.forEach((block, blockIndex) => {
    const label = `Edit ${blockIndex + 1}${block.file ? ` (${block.file})` : ''}`;
    const outcome = applyOne(working, block);
    if ('error' in outcome) errors.push(`${label}: ${outcome.error}`);
    else changed.add(outcome.file);
  });
  if (errors.length > 0) return { ok: false, errors };
  const really = [...changed].filter((file) => working[file] !== files[file]);
  return { ok: true, files: working, changed: really };
}

/** Applies one block to `working` in place; returns the changed file, or why it cannot apply. */
function applyOne(working: AgentFiles, block: SearchReplaceBlock): { file: string } | { error: string } {
  const regions = editableRegions(working);
  const { searchLines, replaceLines } = withoutSharedMarkerLines(
    trimBlankEnds(block.search.replace(/\r\n/g, '\n').split('\n')),
    trimBlankEnds(block.replace.replace(/\r\n/g, '\n').split('\n')),
    block.file ?? '',
  );
  let candidates: string[];
  if (block.file !== null) {
    const file = normalizePath(block.file);
    if (!Object.hasOwn(working, file)) {
      return {
        error: `there is no file "${block.file}" in the agent. Its editable files are: ${[...regions.keys()].join(', ')}.`,
      };
    }
    candidates = [file];
  } else {
    candidates = Object.keys(working).sort();
  }
  if (searchLines.length === 0) return insertAtBlockEnd(working, block, candidates, regions, replaceLines);
  const all: Match[] = [];
  for (const exact of [true, false]) {
    for (const file of candidates) all.push(...findMatches(file, working[file] ?? '', searchLines, exact));
    if (all.length > 0) break;
  }
  if (all.length === 0) return { error: noMatchMessage(working, candidates, regions, searchLines) };
  const inside = all.filter((match) => insideRegions(match, regions.get(match.file)));
  if (inside.length === 0) {
    const first = all[0] as Match;
    const ranges = regions.get(first.file);
    return {
      error:
        `the SEARCH text is found at ${first.file} ${lineSpan(first.line, first.length)}, which is outside the ` +
        `editable region${ranges && ranges.length !== 1 ? 's' : ''} (${ranges ? describeRanges(ranges) : `${first.file} has no EVOLVE-BLOCK`}). ` +
        `Only code between ${EVOLVE_BLOCK_START} and ${EVOLVE_BLOCK_END} may change.`,
    };
  }
  if (inside.length > 1) {
    const places = inside.map((match) => `${match.file} line ${match.line + 1}`).join(', ');
    return {
      error: `the SEARCH text matches ${inside.length} places (${places}). Include more surrounding lines so that it matches exactly one.`,
    };
  }
  const match = inside[0] as Match;
  const markerError = replaceMarkerError(match.file, replaceLines);
  if (markerError !== null) return { error: markerError };
  const content = working[match.file] ?? '';
  const fileLines = content.split('\n');
  const replacement = match.exact ? replaceLines : reindent(replaceLines, searchLines, fileLines.slice(match.line));
  fileLines.splice(match.line, match.length, ...replacement);
  working[match.file] = fileLines.join('\n');
  return { file: match.file };
}

/**
 * Models often quote the marker line next to their edit in both SEARCH and REPLACE, unchanged
 * (ShinkaEvolve strips markers from patches for this reason). Such identical marker lines at the
 * start or end of both parts are dropped, so the edit applies to the block's code and the marker
 * stays as it is; a SEARCH made only of marker lines is kept as written (and refused).
 */
function withoutSharedMarkerLines(
  searchLines: string[],
  replaceLines: string[],
  file: string,
): { searchLines: string[]; replaceLines: string[] } {
  let search = searchLines;
  let replace = replaceLines;
  const shared = (first: string | undefined, second: string | undefined): boolean =>
    first !== undefined && second !== undefined && markerOnLine(file, first) !== null && first.trim() === second.trim();
  while (search.length > 1 && shared(search[0], replace[0])) {
    search = search.slice(1);
    replace = replace.slice(1);
  }
  while (search.length > 1 && shared(search[search.length - 1], replace[replace.length - 1])) {
    search = search.slice(0, -1);
    replace = replace.slice(0, -1);
  }
  return { searchLines: search, replaceLines: replace };
}

/** Why a REPLACE part may not be used in `file`: a line that would read as a marker there. */
function replaceMarkerError(file: string, replaceLines: readonly string[]): string | null {
  if (!replaceLines.some((line) => markerOnLine(file, line) !== null)) return null;
  return `the REPLACE part contains an ${EVOLVE_BLOCK_START}/${EVOLVE_BLOCK_END} marker. Markers may not be added, moved or removed; edit only the code between them.`;
}

/**
 * An empty SEARCH inserts the REPLACE lines at the end of an EVOLVE-BLOCK, just before its END
 * line (the aider / ShinkaEvolve convention for additions): the last block of the named file, or
 * of the only marked file when no file is named. In a tree without markers, at the end of the file.
 */
function insertAtBlockEnd(
  working: AgentFiles,
  block: SearchReplaceBlock,
  candidates: readonly string[],
  regions: Map<string, LineRange[]>,
  replaceLines: readonly string[],
): { file: string } | { error: string } {
  const editable = candidates.filter((file) => (regions.get(file)?.length ?? 0) > 0);
  if (editable.length !== 1) {
    const where =
      block.file !== null
        ? `${block.file} has no complete EVOLVE-BLOCK to add to`
        : editable.length === 0
          ? 'no file has a complete EVOLVE-BLOCK to add to'
          : `it could go into any of ${editable.join(', ')}`;
    return {
      error: `the SEARCH part is empty, which adds the REPLACE lines at the end of an EVOLVE-BLOCK, but ${where}. Put the file's path on the line before the block, or quote the existing lines you want to change (copied from the code) in SEARCH.`,
    };
  }
  const file = editable[0] as string;
  if (replaceLines.length === 0) return { file };
  const markerError = replaceMarkerError(file, replaceLines);
  if (markerError !== null) return { error: markerError };
  const ranges = regions.get(file) as LineRange[];
  const last = ranges[ranges.length - 1] as LineRange;
  const fileLines = (working[file] ?? '').split('\n');
  // A file without markers ends with a newline: add before the empty last "line", not after it.
  const at = last.end === fileLines.length && fileLines[fileLines.length - 1] === '' ? last.end - 1 : last.end;
  fileLines.splice(at, 0, ...replaceLines);
  working[file] = fileLines.join('\n');
  return { file };
}

function lineSpan(start: number, length: number): string {
  return length === 1 ? `line ${start + 1}` : `lines ${start + 1}–${start + length}`;
}

function normalizePath(file: string): string {
  return file.replace(/^\.\//, '');
}

function trimBlankEnds(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && (lines[start] ?? '').trim() === '') start++;
  while (end > start && (lines[end - 1] ?? '').trim() === '') end--;
  return lines.slice(start, end);
}

/** Lines compared when whitespace is tolerated: trimmed, inner runs of whitespace as one space. */
function loose(line: string): string {
  return line.trim().replace(/\s+/g, ' ');
}

function findMatches(file: string, content: string, searchLines: readonly string[], exact: boolean): Match[] {
  const fileLines = content.split('\n');
  const wanted = exact ? searchLines : searchLines.map(loose);
  const matches: Match[] = [];
  for (let start = 0; start + wanted.length <= fileLines.length; start++) {
    let same = true;
    for (let offset = 0; offset < wanted.length; offset++) {
      const line = fileLines[start + offset] ?? '';
      if ((exact ? line : loose(line)) !== wanted[offset]) {
        same = false;
        break;
      }
    }
    if (same) matches.push({ file, line: start, length: wanted.length, exact });
  }
  return matches;
}

function insideRegions(match: Match, ranges: readonly LineRange[] | undefined): boolean {
  if (!ranges) return false;
  return ranges.some((range) => match.line >= range.start && match.line + match.length <= range.end);
}

function leadingWhitespace(line: string): string {
  return /^\s*/.exec(line)?.[0] ?? '';
}

/** Shifts the replacement by the indentation difference between the SEARCH and the matched lines. */
function reindent(
  replaceLines: readonly string[],
  searchLines: readonly string[],
  matched: readonly string[],
): string[] {
  const firstIndex = searchLines.findIndex((line) => line.trim() !== '');
  if (firstIndex < 0) return [...replaceLines];
  const searchIndent = leadingWhitespace(searchLines[firstIndex] ?? '');
  const fileIndent = leadingWhitespace(matched[firstIndex] ?? '');
  if (searchIndent === fileIndent) return [...replaceLines];
  if (fileIndent.startsWith(searchIndent)) {
    const extra = fileIndent.slice(searchIndent.length);
    return replaceLines.map((line) => (line.trim() === '' ? line : extra + line));
  }
  if (searchIndent.startsWith(fileIndent)) {
    const remove = searchIndent.length - fileIndent.length;
    return replaceLines.map((line) => {
      const indent = leadingWhitespace(line);
      return line.slice(Math.min(remove, indent.length));
    });
  }
  return replaceLines.map((line) =>
    line.startsWith(searchIndent) ? fileIndent + line.slice(searchIndent.length) : line,
  );
}

/** Character-bigram (Dice) similarity of two lines, in [0, 1]. */
function similarity(a: string, b: string): number {
  const left = loose(a);
  const right = loose(b);
  if (left === right) return 1;
  if (left.length < 2 || right.length < 2) return 0;
  const counts = new Map<string, number>();
  for (let index = 0; index < left.length - 1; index++) {
    const pair = left.slice(index, index + 2);
    counts.set(pair, (counts.get(pair) ?? 0) + 1);
  }
  let shared = 0;
  for (let index = 0; index < right.length - 1; index++) {
    const pair = right.slice(index, index + 2);
    const count = counts.get(pair) ?? 0;
    if (count > 0) {
      shared++;
      counts.set(pair, count - 1);
    }
  }
  return (2 * shared) / (left.length - 1 + right.length - 1);
}

/** The best-matching window of the candidates' editable lines, shown with line numbers. */
function noMatchMessage(
  working: AgentFiles,
  candidates: readonly string[],
  regions: Map<string, LineRange[]>,
  searchLines: readonly string[],
): string {
  let best: { file: string; line: number; score: number } | null = null;
  for (const file of candidates) {
    const fileLines = (working[file] ?? '').split('\n');
    const ranges = regions.get(file) ?? [{ start: 0, end: fileLines.length }];
    for (const range of ranges) {
      const last = Math.max(range.start, range.end - searchLines.length);
      for (let start = range.start; start <= last; start++) {
        let total = 0;
        for (let offset = 0; offset < searchLines.length; offset++) {
          total += similarity(searchLines[offset] ?? '', fileLines[start + offset] ?? '');
        }
        const score = total / searchLines.length;
        if (best === null || score > best.score) best = { file, line: start, score };
      }
    }
  }
  const head = `the SEARCH text (${searchLines.length} line${searchLines.length === 1 ? '' : 's'}) matches nothing${
    candidates.length === 1 ? ` in ${candidates[0]}` : ''
  }, even ignoring whitespace.`;
  if (best === null || best.score < 0.2) {
    return `${head} Copy the lines to change exactly from the current code, inside the EVOLVE-BLOCK regions.`;
  }
  const fileLines = (working[best.file] ?? '').split('\n');
  const from = Math.max(0, best.line - 1);
  const to = Math.min(fileLines.length, best.line + searchLines.length + 1);
  const width = String(to).length;
  const shown = [];
  for (let index = from; index < to; index++) {
    const offset = index - best.line;
    const expected = offset >= 0 && offset < searchLines.length ? searchLines[offset] : undefined;
    const differs = expected !== undefined && loose(expected) !== loose(fileLines[index] ?? '');
    shown.push(`${differs ? '!' : ' '} ${String(index + 1).padStart(width)} | ${fileLines[index] ?? ''}`);
  }
  return (
    `${head} The nearest lines are ${best.file} ${best.line + 1}–${best.line + searchLines.length} ` +
    `(similarity ${best.score.toFixed(2)}; lines marked ! differ from your SEARCH):\n${shown.join('\n')}\n` +
    'Copy the SEARCH lines exactly from the current code.'
  );
}
