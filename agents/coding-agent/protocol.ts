/**
 * @module The text tool protocol: how a model's answer names the one tool it wants to run. Tools
 * cannot be passed through the model proxy, and a text protocol works alike with every provider.
 *
 * An answer holds some reasoning and ONE tool block, a fenced block whose info string starts with
 * `tool` and the tool's name:
 *
 *     ```tool bash                     run a shell command in the work directory
 *     node --test
 *     ```
 *     ```tool view src/list.mjs 10-40  show a file (optionally a line range) or list a directory
 *     ```
 *     ```tool edit src/list.mjs        replace text that occurs exactly once (one or more pairs)
 *     <<<<<<< SEARCH
 *     old lines
 *     =======
 *     new lines
 *     >>>>>>> REPLACE
 *     ```
 *     ```tool create notes/check.mjs   create or overwrite a file with the block's content
 *     file content
 *     ```
 *     ```tool finish                   stop; the block may hold a one-line summary
 *     ```
 *
 * A block closes at a line of at least as many backticks (or tildes) as opened it, nothing else on
 * it; content containing ``` lines needs a longer fence (````). The parser is tolerant: `~~~` fences,
 * `tool: bash`, upper case, a few aliases (`sh`, `shell`, `cat`, `read`, `write`, `done`), quoted
 * paths, ranges written `10-40`, `10:40`, `10..40` or `path:10-40`, and fence lines between SEARCH
 * and REPLACE inside an edit. Anything it cannot read is a `malformed` turn with a message for the
 * model saying what was wrong.
 */

/** One search/replace pair of an `edit`. */
export interface Replacement {
  search: string;
  replace: string;
}

/** A tool call read from an answer. */
export type ToolCall =
  | { tool: 'bash'; command: string; timeoutSeconds?: number }
  | { tool: 'view'; path: string; startLine?: number; endLine?: number }
  | { tool: 'edit'; path: string; replacements: Replacement[] }
  | { tool: 'create'; path: string; content: string }
  | { tool: 'finish'; summary: string };

/** The names of the tools, as the model writes them. */
export type ToolName = ToolCall['tool'];

/** What `parseTurn` read from an answer. */
export type ParsedTurn =
  | {
      kind: 'tool';
      call: ToolCall;
      /** Further tool blocks in the same answer (ignored: one tool per turn). */
      ignoredBlocks: number;
    }
  | { kind: 'malformed'; problem: string };

/** Names a model may write for each tool. */
const ALIASES = new Map<string, ToolName>(
  Object.entries({
    bash: 'bash',
    sh: 'bash',
    shell: 'bash',
    run: 'bash',
    view: 'view',
    cat: 'view',
    read: 'view',
    open: 'view',
    edit: 'edit',
    replace: 'edit',
    str_replace: 'edit',
    create: 'create',
    write: 'create',
    finish: 'finish',
    done: 'finish',
    submit: 'finish',
  } satisfies Record<string, ToolName>),
);

/** An opening fence of a tool block: fence, `tool`, name, arguments. */
const OPENING = /^ {0,3}(`{3,}|~{3,})[ \t]*tool\b[ \t]*:?[ \t]*([A-Za-z_-]*)[ \t]*(.*?)[ \t]*$/i;
const SEARCH_MARKER = /^[ \t]*<{5,9}[ \t]*SEARCH[ \t]*$/;
const DIVIDER_MARKER = /^[ \t]*={5,9}[ \t]*$/;
const REPLACE_MARKER = /^[ \t]*>{5,9}[ \t]*REPLACE[ \t]*$/;

interface Block {
  name: string;
  args: string;
  body: string;
  closed: boolean;
}

/** Reads the first tool block of `answer`. */
export function parseTurn(answer: string): ParsedTurn {
  const lines = answer.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  for (let index = 0; index < lines.length; index++) {
    const opening = OPENING.exec(lines[index] ?? '');
    if (opening === null) continue;
    const fence = opening[1] ?? '```';
    const name = (opening[2] ?? '').toLowerCase();
    const tool = ALIASES.get(name);
    // An edit whose SEARCH/REPLACE pair never ends would swallow its closing fence: read it plainly then.
    const close =
      findClosingLine(lines, index + 1, fence, tool) ??
      (tool === 'edit' ? findClosingLine(lines, index + 1, fence, undefined) : null);
    const bodyEnd = close ?? lines.length;
    blocks.push({
      name,
      args: opening[3] ?? '',
      body: lines.slice(index + 1, bodyEnd).join('\n'),
      closed: close !== null,
    });
    index = bodyEnd;
  }
  const first = blocks[0];
  if (first === undefined) {
    return {
      kind: 'malformed',
      problem:
        'Your answer has no tool block. End every answer with exactly one fenced block whose first line is ```tool <name> (for example ```tool bash, ```tool view, ```tool edit, ```tool create or ```tool finish).',
    };
  }
  const call = toToolCall(first);
  if (typeof call === 'string') return { kind: 'malformed', problem: call };
  return { kind: 'tool', call, ignoredBlocks: blocks.length - 1 };
}

/**
 * Index of the line that closes a block opened with `fence`, or null when none does. In an edit,
 * fence-like lines between a SEARCH and its REPLACE marker are content. A `create` block closes at
 * the last closing line before the next tool block (its content may hold shorter fences the model
 * forgot to lengthen the outer fence for).
 */
function findClosingLine(
  lines: readonly string[],
  from: number,
  fence: string,
  tool: ToolName | undefined,
): number | null {
  const character = fence[0] === '~' ? '~' : '`';
  const isClosing = (line: string) => {
    const trimmed = line.trim();
    return trimmed.length >= fence.length && [...trimmed].every((value) => value === character);
  };
  let insidePair = false;
  let last: number | null = null;
  for (let index = from; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (tool === 'edit') {
      if (SEARCH_MARKER.test(line)) insidePair = true;
      else if (REPLACE_MARKER.test(line)) insidePair = false;
      if (insidePair) continue;
    }
    if (tool === 'create' && OPENING.test(line)) break;
    if (!isClosing(line)) continue;
    if (tool !== 'create') return index;
    last = index;
  }
  return last;
}

/** A tool call, or the problem to tell the model. */
function toToolCall(block: Block): ToolCall | string {
  const tool = ALIASES.get(block.name);
  if (tool === undefined) {
    return `Unknown tool "${block.name || '(none)'}". The tools are bash, view, edit, create and finish, written as \`\`\`tool <name> on the block's first line.`;
  }
  if (!block.closed && tool !== 'finish') {
    return `Your ${tool} block is not closed: end it with a line of three backticks. If your answer was cut off, write a shorter answer (split a large file into several edits).`;
  }
  switch (tool) {
    case 'bash': {
      const timeout = /(?:^|\s)timeout=(\d+)(?:s)?(?:\s|$)/.exec(block.args);
      const command = block.body.trim();
      if (command === '') return 'Your bash block is empty: put the command on the lines inside the block.';
      return timeout ? { tool, command, timeoutSeconds: Number(timeout[1]) } : { tool, command };
    }
    case 'view': {
      const target = parsePathAndRange(block.args || block.body.trim());
      if (target.path === '') return 'Your view block names no file: write ```tool view <path> [start-end].';
      return { tool, ...target };
    }
    case 'edit': {
      const path = unquote(block.args);
      if (path === '') return 'Your edit block names no file: write ```tool edit <path>, then SEARCH/REPLACE pairs.';
      const replacements = parseReplacements(block.body);
      if (typeof replacements === 'string') return replacements;
      return { tool, path, replacements };
    }
    case 'create': {
      const path = unquote(block.args);
      if (path === '') return 'Your create block names no file: write ```tool create <path>, then the whole file.';
      return { tool, path, content: block.body.length > 0 ? `${block.body}\n` : '' };
    }
    case 'finish':
      return { tool, summary: block.body.trim() };
  }
}

/** `path`, `path 10-40`, `path:10-40`, `path 10:40`, `path 10..40`, `path 10` (from line 10). */
function parsePathAndRange(text: string): { path: string; startLine?: number; endLine?: number } {
  const trimmed = text.trim();
  const spaced = /^(.*?)[ \t]+(?:lines?[ \t]+)?(\d+)(?:[ \t]*(?:-|:|\.\.|to)[ \t]*(\d+))?$/.exec(trimmed);
  const joined = /^(.*?):(\d+)(?:[ \t]*(?:-|:|\.\.)[ \t]*(\d+))?$/.exec(trimmed);
  const match = spaced ?? joined;
  if (match === null) return { path: unquote(trimmed) };
  const startLine = Number(match[2]);
  return {
    path: unquote(match[1] ?? ''),
    startLine,
    ...(match[3] !== undefined ? { endLine: Number(match[3]) } : {}),
  };
}

/** The SEARCH/REPLACE pairs of an edit body, or the problem. */
function parseReplacements(body: string): Replacement[] | string {
  const lines = body.split('\n');
  const replacements: Replacement[] = [];
  let state: 'outside' | 'search' | 'replace' = 'outside';
  let search: string[] = [];
  let replace: string[] = [];
  for (const line of lines) {
    if (state === 'outside') {
      if (SEARCH_MARKER.test(line)) {
        state = 'search';
        search = [];
      }
    } else if (state === 'search') {
      if (DIVIDER_MARKER.test(line)) {
        state = 'replace';
        replace = [];
      } else search.push(line);
    } else if (REPLACE_MARKER.test(line)) {
      replacements.push({ search: search.join('\n'), replace: replace.join('\n') });
      state = 'outside';
    } else replace.push(line);
  }
  if (state !== 'outside') {
    return `Your edit block has an unfinished pair: each pair is a line "<<<<<<< SEARCH", the exact old lines, a line "=======", the new lines, and a line ">>>>>>> REPLACE".`;
  }
  if (replacements.length === 0) {
    return 'Your edit block has no SEARCH/REPLACE pair. Write "<<<<<<< SEARCH", the exact old lines, "=======", the new lines, ">>>>>>> REPLACE". To write a whole file, use ```tool create <path> instead.';
  }
  if (replacements.some((pair) => pair.search.trim() === '')) {
    return 'A SEARCH part of your edit is empty. Copy the exact lines to replace (view the file first); to write a new file, use ```tool create <path>.';
  }
  return replacements;
}

function unquote(text: string): string {
  const trimmed = text.trim();
  const quoted = /^(["'`])(.*)\1$/.exec(trimmed);
  return quoted ? (quoted[2] ?? '') : trimmed;
}
