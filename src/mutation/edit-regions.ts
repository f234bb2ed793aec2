/**
 * @module Where a model may edit an agent or program: the lines strictly between a line with an
 * `EVOLVE-BLOCK-START` marker and the next line with an `EVOLVE-BLOCK-END` marker (OpenEvolve's
 * markers), in any language. A marker counts only inside a comment of its file's language, chosen
 * by the file's extension (`COMMENT_STYLES_BY_EXTENSION`; `# EVOLVE-BLOCK-START` in Python,
 * `-- EVOLVE-BLOCK-START` in Lua, `<!-- EVOLVE-BLOCK-START -->` in HTML …); a file whose extension
 * is not listed accepts any of the styles. So a README that quotes the markers in prose does not
 * mark itself. A marker line may hold code before the comment (`x = 1  # EVOLVE-BLOCK-START`): that
 * code stays, as part of the fixed text outside the block.
 *
 * When any file of the tree has a marker, only marked files may change, and only inside their
 * blocks; when no file has one, every line of every file may change.
 */
import type { AgentFiles } from '../core/types.js';

/** Marker of the line that opens an evolvable region (OpenEvolve). */
export const EVOLVE_BLOCK_START = 'EVOLVE-BLOCK-START';
/** Marker of the line that closes an evolvable region (OpenEvolve). */
export const EVOLVE_BLOCK_END = 'EVOLVE-BLOCK-END';

/**
 * One comment syntax: a line comment (`#`, `//`, `--`, `;`, `%`) or a block comment (`/* *\/`,
 * `(* *)`, `<!-- -->`, `{- -}`).
 */
export interface CommentStyle {
  /** What opens the comment. */
  open: string;
  /** What closes a block comment; absent for a comment that runs to the end of its line. */
  close?: string;
}

const HASH: CommentStyle = { open: '#' };
const SLASHES: CommentStyle = { open: '//' };
const C_BLOCK: CommentStyle = { open: '/*', close: '*/' };
const DASHES: CommentStyle = { open: '--' };
const HASKELL_BLOCK: CommentStyle = { open: '{-', close: '-}' };
const SEMICOLON: CommentStyle = { open: ';' };
const PERCENT: CommentStyle = { open: '%' };
const ML_BLOCK: CommentStyle = { open: '(*', close: '*)' };
const XML_BLOCK: CommentStyle = { open: '<!--', close: '-->' };

/** Every style, for files whose extension is not listed. Block styles first, so `<!--` wins over `--`. */
export const ALL_COMMENT_STYLES: readonly CommentStyle[] = [
  XML_BLOCK,
  C_BLOCK,
  ML_BLOCK,
  HASKELL_BLOCK,
  SLASHES,
  HASH,
  DASHES,
  SEMICOLON,
  PERCENT,
];

function styles(extensions: string, ...list: CommentStyle[]): [string, readonly CommentStyle[]][] {
  return extensions.split(' ').map((extension) => [extension, list]);
}

/**
 * Comment styles by lower-case extension (with its dot). Data and prose files without comments
 * (`.json`, `.csv`, `.txt`, `README`) carry no markers. Names without an extension that are
 * well-known (`Makefile`, `Dockerfile`, `README`) are listed by name.
 */
export const COMMENT_STYLES_BY_EXTENSION: ReadonlyMap<string, readonly CommentStyle[]> = new Map([
  ...styles(
    '.py .pyi .pyw .sh .bash .zsh .fish .rb .r .jl .yaml .yml .toml .pl .pm .tcl .nim .cr .ex .exs .ps1 .cmake .mk .coffee',
    HASH,
  ),
  ...styles(
    '.c .h .cc .cpp .cxx .hpp .hh .hxx .cu .cuh .rs .go .java .js .mjs .cjs .jsx .ts .mts .cts .tsx .cs .swift .kt .kts .scala .dart .zig .groovy .glsl .hlsl .wgsl .proto .sol .sv',
    SLASHES,
    C_BLOCK,
  ),
  ...styles('.php', SLASHES, C_BLOCK, HASH),
  ...styles('.css .scss .less', C_BLOCK),
  ...styles('.lua .sql .ada .adb .ads .vhd .vhdl', DASHES),
  ...styles('.hs .lhs .elm .purs', DASHES, HASKELL_BLOCK),
  ...styles('.lisp .lsp .cl .el .clj .cljs .cljc .edn .scm .ss .rkt .asm', SEMICOLON),
  ...styles('.ini .cfg', SEMICOLON, HASH),
  ...styles('.m .tex .sty .cls .bib .erl .hrl', PERCENT),
  ...styles('.ml .mli .mll .mly .sml', ML_BLOCK),
  ...styles('.html .htm .xhtml .xml .xsl .svg .md .markdown .plist', XML_BLOCK),
  ...styles('.vue .svelte', XML_BLOCK, SLASHES, C_BLOCK),
  // Data and prose without comments: a note that quotes a marker must not mark itself.
  ...styles('.json .csv .tsv .ipynb .lock .txt .rst .adoc .log'),
  ...styles('README LICENSE LICENCE COPYING NOTICE CHANGELOG AUTHORS'),
  ...styles('Makefile makefile GNUmakefile Dockerfile Containerfile', HASH),
]);

/** The comment styles of a file, by its extension (or well-known name); every style when unknown. */
export function commentStylesFor(file: string): readonly CommentStyle[] {
  const base = file.slice(file.lastIndexOf('/') + 1);
  const byName = COMMENT_STYLES_BY_EXTENSION.get(base);
  if (byName !== undefined) return byName;
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return ALL_COMMENT_STYLES;
  return COMMENT_STYLES_BY_EXTENSION.get(base.slice(dot).toLowerCase()) ?? ALL_COMMENT_STYLES;
}

/** Escapes a string for use in a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const markerPatterns = new Map<readonly CommentStyle[], RegExp | null>();

/**
 * A marker on a line: a comment opener of one of `styles`, then nothing but non-word characters
 * (spaces, more `#`, `;`, `*`, `-` …), then the marker word. What follows is free (`-->`, `*)`,
 * `: the tunable part`). Text before the opener is code and is allowed.
 */
function markerPattern(commentStyles: readonly CommentStyle[]): RegExp | null {
  let pattern = markerPatterns.get(commentStyles);
  if (pattern === undefined) {
    pattern =
      commentStyles.length === 0
        ? null
        : new RegExp(
            `(?:${commentStyles.map((style) => escapeRegExp(style.open)).join('|')})[^\\w\\n]*?EVOLVE-BLOCK-(START|END)(?![\\w-])`,
          );
    markerPatterns.set(commentStyles, pattern);
  }
  return pattern;
}

/** Which marker a line of `file` holds, if any. */
export function markerOnLine(file: string, line: string): 'start' | 'end' | null {
  if (!line.includes('EVOLVE-BLOCK-')) return null;
  const match = markerPattern(commentStylesFor(file))?.exec(line);
  if (!match) return null;
  return match[1] === 'START' ? 'start' : 'end';
}

/** One EVOLVE-BLOCK of a file. */
export interface EvolveBlock {
  /** 0-based index of the START marker line. */
  startLine: number;
  /** 0-based index of the END marker line. */
  endLine: number;
  /** Offset of the first character after the START line. */
  contentStart: number;
  /** Offset of the first character of the END line. */
  contentEnd: number;
}

/** What `scanEvolveBlocks` found in one file. */
export interface EvolveBlockScan {
  /** Complete blocks, in order. */
  blocks: EvolveBlock[];
  /** 0-based indices of every line with a marker. */
  markerLines: number[];
  /** A START with no END after it: its 1-based line and the offset after it; null when none. */
  unterminated: { line: number; contentStart: number } | null;
}

/**
 * Finds the EVOLVE-BLOCKs of one file's text. A START while a block is open restarts the block
 * there; an END without a START is ignored (both are still marker lines).
 */
export function scanEvolveBlocks(file: string, text: string): EvolveBlockScan {
  const blocks: EvolveBlock[] = [];
  const markerLines: number[] = [];
  let open: { line: number; contentStart: number } | null = null;
  let lineStart = 0;
  for (let line = 0; lineStart <= text.length; line++) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const marker = markerOnLine(file, text.slice(lineStart, lineEnd));
    const next = newline === -1 ? text.length + 1 : newline + 1;
    if (marker !== null) markerLines.push(line);
    if (marker === 'start') {
      open = { line, contentStart: Math.min(next, text.length) };
    } else if (marker === 'end' && open !== null) {
      blocks.push({ startLine: open.line, endLine: line, contentStart: open.contentStart, contentEnd: lineStart });
      open = null;
    }
    lineStart = next;
  }
  return {
    blocks,
    markerLines,
    unterminated: open === null ? null : { line: open.line + 1, contentStart: open.contentStart },
  };
}

/** A range of 0-based line indices, `end` exclusive. */
export interface LineRange {
  start: number;
  end: number;
}

/**
 * Editable line ranges of one file's text; null when the file has no markers at all. `file`
 * chooses the comment styles (see `commentStylesFor`); it defaults to a TypeScript file.
 */
export function evolveBlockRanges(content: string, file = 'file.ts'): LineRange[] | null {
  const scan = scanEvolveBlocks(file, content);
  if (scan.markerLines.length === 0) return null;
  return scan.blocks.map((block) => ({ start: block.startLine + 1, end: block.endLine }));
}

/** True when `file` has at least one marker in a comment of its language. */
export function hasMarkers(file: string, content: string): boolean {
  return content.includes('EVOLVE-BLOCK-') && scanEvolveBlocks(file, content).markerLines.length > 0;
}

/** The editable ranges of every file that may change, by path. */
export function editableRegions(files: AgentFiles): Map<string, LineRange[]> {
  const marked = new Map<string, LineRange[]>();
  for (const [file, content] of Object.entries(files)) {
    if (!content.includes('EVOLVE-BLOCK-')) continue;
    const ranges = evolveBlockRanges(content, file);
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
  return Object.entries(files).some(([file, content]) => hasMarkers(file, content));
}

/** Describes ranges for people and models, e.g. `lines 13–29`. */
export function describeRanges(ranges: readonly LineRange[]): string {
  if (ranges.length === 0) return 'no complete EVOLVE-BLOCK';
  return ranges
    .map((range) => (range.end - range.start === 1 ? `line ${range.end}` : `lines ${range.start + 1}–${range.end}`))
    .join(', ');
}

/**
 * How a marker is written in `file`'s language, for prompts and errors: `# EVOLVE-BLOCK-START`,
 * `(* EVOLVE-BLOCK-START *)` … (the first of its styles; `//` for unknown files).
 */
export function markerExample(file: string, marker: string = EVOLVE_BLOCK_START): string {
  const fileStyles = commentStylesFor(file);
  const style = fileStyles === ALL_COMMENT_STYLES ? SLASHES : (fileStyles[0] ?? SLASHES);
  return style.close === undefined ? `${style.open} ${marker}` : `${style.open} ${marker} ${style.close}`;
}
