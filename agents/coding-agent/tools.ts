/**
 * @module The agent's tools: `bash` (a shell command in the work directory, with a timeout and
 * capped output; see shell.ts), `view` (a file with line numbers,
 * or a directory listing), `edit` (exact text replacement that must match exactly once), `create`
 * (write a whole file). `view`, `edit` and `create` refuse paths outside the work directory,
 * symbolic links included. Every tool returns a `ToolResult` whose text is written for the model:
 * what happened, and on failure what to do next.
 */
import { mkdir, readdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Replacement, ToolCall } from './protocol.js';
import { runBash } from './shell.js';
import { capOutput, type ToolResult } from './tool-result.js';

export type { ToolResult } from './tool-result.js';

/** Where and how long tools may run. */
export interface ToolContext {
  workDir: string;
  /** A bash command is killed after this many milliseconds, unless the call asks for another timeout. */
  commandTimeoutMs: number;
  /** No command runs longer than this (the time left in the run). */
  timeLeftMs: number;
  /** Aborting kills a running command. */
  signal?: AbortSignal;
}

/** Most lines `view` shows without a range. */
export const VIEW_LINE_LIMIT = 400;
/** Longest accepted `create` or resulting `edit` file. */
const FILE_SIZE_LIMIT = 1024 * 1024;

/** Runs one tool call (not `finish`, which the loop handles). */
export async function runTool(call: Exclude<ToolCall, { tool: 'finish' }>, context: ToolContext): Promise<ToolResult> {
  switch (call.tool) {
    case 'bash':
      return runBash(
        call.command,
        context.workDir,
        Math.min(
          context.timeLeftMs,
          call.timeoutSeconds !== undefined ? call.timeoutSeconds * 1000 : context.commandTimeoutMs,
        ),
        context.signal,
      );
    case 'view':
      return viewPath(context.workDir, call.path, call.startLine, call.endLine);
    case 'edit':
      return editFile(context.workDir, call.path, call.replacements);
    case 'create':
      return createFile(context.workDir, call.path, call.content);
  }
}

/** Shows a file with line numbers (a range, or the first VIEW_LINE_LIMIT lines), or lists a directory. */
export async function viewPath(
  workDir: string,
  path: string,
  startLine?: number,
  endLine?: number,
): Promise<ToolResult> {
  const target = await resolveInside(workDir, path);
  if (typeof target !== 'string') return target.refusal;
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(target);
  } catch {
    return refuse(`${path} does not exist.${await siblingsHint(workDir, target)}`, `${path}: not found`);
  }
  if (info.isDirectory()) {
    const entries = await readdir(target, { withFileTypes: true });
    const names = entries
      .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name))
      .sort()
      .slice(0, 500);
    return {
      ok: true,
      output: names.length ? names.join('\n') : '(empty directory)',
      summary: `${path}: ${names.length} entries`,
    };
  }
  const text = await readFile(target, 'utf8');
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  const first = Math.max(1, startLine ?? 1);
  const last = Math.min(lines.length, endLine ?? (startLine !== undefined ? lines.length : VIEW_LINE_LIMIT));
  if (lines.length === 0) return { ok: true, output: `${path} is empty.`, summary: `${path}: empty` };
  if (first > lines.length) {
    return refuse(
      `${path} has ${lines.length} line(s); line ${first} does not exist.`,
      `${path}: line ${first} past the end`,
    );
  }
  const width = String(last).length;
  const shown = lines
    .slice(first - 1, last)
    .map((line, offset) => `${String(first + offset).padStart(width)}| ${line}`);
  const note =
    last < lines.length || first > 1
      ? `\n[lines ${first}-${last} of ${lines.length}; view another range with \`\`\`tool view ${path} START-END]`
      : '';
  return {
    ok: true,
    output: capOutput(shown.join('\n') + note, 0),
    summary: `${path}: lines ${first}-${last} of ${lines.length}`,
  };
}

/**
 * Applies `replacements` in order to the file at `path`: each SEARCH text must occur exactly once
 * in the file as it is after the previous pairs. A SEARCH that is not found exactly is retried
 * ignoring trailing whitespace on each line. Nothing is written unless every pair applies.
 */
export async function editFile(
  workDir: string,
  path: string,
  replacements: readonly Replacement[],
): Promise<ToolResult> {
  const target = await resolveInside(workDir, path);
  if (typeof target !== 'string') return target.refusal;
  let text: string;
  try {
    text = await readFile(target, 'utf8');
  } catch {
    return refuse(
      `${path} does not exist, so there is nothing to edit. To write a new file use \`\`\`tool create ${path}.${await siblingsHint(workDir, target)}`,
      `${path}: not found`,
    );
  }
  const changedLines: string[] = [];
  for (const [index, pair] of replacements.entries()) {
    const label = replacements.length > 1 ? `SEARCH #${index + 1}` : 'The SEARCH text';
    const found = locate(text, pair.search);
    if (found.count === 0) {
      return refuse(
        `${label} was not found in ${path}; nothing was changed. The SEARCH part must be an exact copy of lines in the file (view it first).${nearestLines(text, pair.search)}`,
        `${path}: ${label} not found`,
      );
    }
    if (found.count > 1) {
      return refuse(
        `${label} occurs ${found.count} times in ${path} (lines ${found.lines.join(', ')}); nothing was changed. Include more surrounding lines so that it matches exactly once.`,
        `${path}: ${label} matches ${found.count} times`,
      );
    }
    const replacement = found.trimmed ? trimTrailing(pair.replace) : pair.replace;
    text = text.slice(0, found.start) + replacement + text.slice(found.end);
    const line = lineOf(text, found.start);
    const count = Math.max(1, replacement.split('\n').length);
    changedLines.push(count > 1 ? `${line}-${line + count - 1}` : String(line));
  }
  if (text.length > FILE_SIZE_LIMIT)
    return refuse(`The edit would make ${path} larger than 1 MiB; nothing was changed.`, `${path}: too large`);
  await writeFile(target, text);
  return {
    ok: true,
    output: `Edited ${path}: ${replacements.length} replacement(s), now at line(s) ${changedLines.join(', ')}.`,
    summary: `${path}: ${replacements.length} replacement(s) at line(s) ${changedLines.join(', ')}`,
  };
}

/** Creates (or overwrites) the file at `path`, creating its parent directories. */
export async function createFile(workDir: string, path: string, content: string): Promise<ToolResult> {
  const target = await resolveInside(workDir, path);
  if (typeof target !== 'string') return target.refusal;
  if (content.length > FILE_SIZE_LIMIT)
    return refuse(`The content for ${path} is larger than 1 MiB; nothing was written.`, `${path}: too large`);
  let existed = false;
  try {
    const info = await stat(target);
    if (info.isDirectory())
      return refuse(`${path} is a directory; write to a file path inside it.`, `${path}: is a directory`);
    existed = true;
  } catch {
    // A new file.
  }
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, content);
  const lines = content === '' ? 0 : content.split('\n').length - (content.endsWith('\n') ? 1 : 0);
  const verb = existed ? 'Overwrote' : 'Created';
  return {
    ok: true,
    output: `${verb} ${path} (${lines} line(s)).`,
    summary: `${verb.toLowerCase()} ${path}, ${lines} line(s)`,
  };
}

/**
 * The absolute path of `path` when it lies inside `workDir` (after following symbolic links of
 * the part that exists), or a refusal.
 */
export async function resolveInside(workDir: string, path: string): Promise<string | { refusal: ToolResult }> {
  const outside = () => ({
    refusal: refuse(
      `${path} is outside the work directory; you may only view and change files inside it (use paths relative to it, such as src/index.mjs).`,
      `${path}: refused, outside the work directory`,
    ),
  });
  if (path.includes('\0')) return outside();
  const root = await realpath(workDir);
  const target = resolve(root, path);
  if (!isWithin(root, target)) return outside();
  // Follow links: the deepest existing ancestor (or the file itself) must stay inside.
  let existing = target;
  for (;;) {
    try {
      const real = await realpath(existing);
      if (!isWithin(root, real)) return outside();
      return existing === target ? real : resolve(real, relative(existing, target));
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return outside();
      existing = parent;
    }
  }
}

function isWithin(root: string, target: string): boolean {
  const path = relative(root, target);
  return path === '' || (!path.startsWith(`..${sep}`) && path !== '..' && !isAbsolute(path));
}

/** Where `search` occurs in `text`: exactly, or else ignoring trailing whitespace per line. */
function locate(
  text: string,
  search: string,
): { count: number; start: number; end: number; lines: number[]; trimmed: boolean } {
  const exact = occurrences(text, search);
  if (exact.length > 0) {
    const start = exact[0] ?? 0;
    return {
      count: exact.length,
      start,
      end: start + search.length,
      lines: exact.map((at) => lineOf(text, at)),
      trimmed: false,
    };
  }
  // Models often drop or add trailing spaces: compare line by line without them.
  const fileLines = text.split('\n');
  const searchLines = trimTrailing(search).split('\n');
  const starts: number[] = [];
  for (let index = 0; index + searchLines.length <= fileLines.length; index++) {
    if (searchLines.every((line, offset) => trimTrailing(fileLines[index + offset] ?? '') === line)) starts.push(index);
  }
  if (starts.length !== 1)
    return { count: starts.length, start: 0, end: 0, lines: starts.map((line) => line + 1), trimmed: true };
  const firstLine = starts[0] ?? 0;
  const start = fileLines.slice(0, firstLine).reduce((sum, line) => sum + line.length + 1, 0);
  const end =
    start +
    fileLines.slice(firstLine, firstLine + searchLines.length).reduce((sum, line) => sum + line.length + 1, 0) -
    1;
  return { count: 1, start, end, lines: [firstLine + 1], trimmed: true };
}

function occurrences(text: string, search: string): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(search); at >= 0; at = text.indexOf(search, at + 1)) found.push(at);
  return found;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset; index++) if (text.charCodeAt(index) === 10) line++;
  return line;
}

function trimTrailing(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/** The file's lines most like the first non-blank SEARCH line, so the model can correct its copy. */
function nearestLines(text: string, search: string): string {
  const wanted =
    search
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? '';
  if (wanted === '') return '';
  const lines = text.split('\n');
  let best = -1;
  let bestScore = 0;
  for (const [index, line] of lines.entries()) {
    const score = similarity(line.trim(), wanted);
    if (score > bestScore) {
      bestScore = score;
      best = index;
    }
  }
  if (best < 0 || bestScore < 0.5) return '';
  const from = Math.max(0, best - 2);
  const to = Math.min(lines.length, best + 3);
  const shown = lines.slice(from, to).map((line, offset) => `${from + offset + 1}| ${line}`);
  return `\nThe closest lines in the file are:\n${shown.join('\n')}`;
}

/** Share of character bigrams the two strings have in common (Dice coefficient). */
function similarity(left: string, right: string): number {
  if (left === right) return 1;
  if (left.length < 2 || right.length < 2) return 0;
  const bigrams = new Map<string, number>();
  for (let index = 0; index < left.length - 1; index++) {
    const bigram = left.slice(index, index + 2);
    bigrams.set(bigram, (bigrams.get(bigram) ?? 0) + 1);
  }
  let shared = 0;
  for (let index = 0; index < right.length - 1; index++) {
    const bigram = right.slice(index, index + 2);
    const count = bigrams.get(bigram) ?? 0;
    if (count > 0) {
      bigrams.set(bigram, count - 1);
      shared++;
    }
  }
  return (2 * shared) / (left.length + right.length - 2);
}

/** A hint listing what exists next to a missing path. */
async function siblingsHint(workDir: string, target: string): Promise<string> {
  try {
    const parent = dirname(target);
    const names = (await readdir(parent)).sort().slice(0, 30);
    const where = relative(await realpath(workDir), parent) || '.';
    return ` Files in ${where}: ${names.length ? names.join(', ') : '(none)'}.`;
  } catch {
    return '';
  }
}

function refuse(output: string, summary: string): ToolResult {
  return { ok: false, output, summary };
}
