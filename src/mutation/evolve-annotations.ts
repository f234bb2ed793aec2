/**
 * @module `@evolve` annotations: the tunable constants and choices of an agent or program that the
 * offline `parametric` mutator changes, in any language. Only annotations inside EVOLVE-BLOCKs count
 * (OpenEvolve's markers, see `edit-regions.ts`); the idea of evolving an algorithm's configuration
 * rather than its code follows MetaDE.
 *
 * An annotation is a comment of its file's language (`commentStylesFor`) whose text starts with
 * `@evolve`, in one of two places:
 * - a block comment directly before the literal it governs (the TypeScript form):
 *   ```ts
 *   const DIFFERENTIAL_WEIGHT = /* @evolve float 0..2 *\/ 0.5;
 *   const STRATEGY = /* @evolve choice rand1|best1|current-to-pbest1 *\/ 'rand1';
 *   let f = (* @evolve float 0..2 *) 0.5      (OCaml)      <td><!-- @evolve int 1..9 -->3</td>  (HTML)
 *   ```
 * - any comment after the literal, on the literal's line: the literal ends the code before the
 *   comment, followed at most by closing punctuation (`,` `;` `.` `)` `]` `}`):
 *   ```
 *   POPULATION = 20  # @evolve int 4..200                  (Python, shell, R, Julia, YAML …)
 *   local rate = 0.5 -- @evolve float 0..1 log               (Lua, SQL, Haskell)
 *   double F = 0.5; // @evolve float 0..2                    (C, Rust, Go, Java …)
 *   (defparameter *mode* "fast") ; @evolve choice fast|slow  (Lisp)
 *   F = 0.5; % @evolve float 0..1                            (MATLAB, Erlang, TeX)
 *   ```
 * Kinds: `float LOW..HIGH [log]`, `int LOW..HIGH`, `choice a|b|c` (the literal a quoted option).
 * Bounds may be negative, decimal or in exponent form. Annotations outside blocks are ignored;
 * malformed ones inside a block are reported as errors naming the file and line.
 */
import { CladeError } from '../core/errors.js';
import type { AgentFiles } from '../core/types.js';
import {
  type CommentStyle,
  commentStylesFor,
  EVOLVE_BLOCK_END,
  EVOLVE_BLOCK_START,
  escapeRegExp,
  scanEvolveBlocks,
} from './edit-regions.js';

export { EVOLVE_BLOCK_END, EVOLVE_BLOCK_START } from './edit-regions.js';

/** Where a literal lies in its file: UTF-16 offsets as JavaScript strings index them. */
export interface SourceSpan {
  /** Offset of the literal's first character. */
  start: number;
  /** Offset just past the literal's last character. */
  end: number;
  /** 1-based line of the literal's first character. */
  line: number;
  /** 1-based column of the literal's first character. */
  column: number;
}

interface EvolveParameterBase {
  /**
   * Stable identity across generations: `<file>#<NAME>` where NAME comes from `const NAME =`,
   * `let NAME =`, `NAME =` or a `NAME:` property just before the annotation; `<file>#<index>`
   * (0-based among the file's annotations) when there is no such name; `<file>#<NAME>#2`, `#3`, …
   * for a name that repeats within the file.
   */
  key: string;
  /** Path of the file within the agent tree. */
  file: string;
  /** The constant or property name, or null when the annotation has none. */
  name: string | null;
  /** Short name for people: `name` when there is one, else `key`. */
  label: string;
  /** The annotation comment as written, e.g. `/* @evolve float 0..2 *\/`. */
  annotation: string;
  /** The literal as written in the file, e.g. `0.5` or `'rand1'`. */
  literal: string;
  /** Exact location of `literal`. */
  span: SourceSpan;
}

/** A real-valued parameter: `/* @evolve float LOW..HIGH [log] *\/ <number>`. */
export interface FloatEvolveParameter extends EvolveParameterBase {
  kind: 'float';
  low: number;
  high: number;
  /** Search (and step) in log space; both bounds are positive. */
  log: boolean;
  value: number;
}

/** An integer parameter: `/* @evolve int LOW..HIGH *\/ <integer>`; the bounds are integers. */
export interface IntEvolveParameter extends EvolveParameterBase {
  kind: 'int';
  low: number;
  high: number;
  value: number;
}

/** One of a few named options: `/* @evolve choice a|b|c *\/ 'a'`. */
export interface ChoiceEvolveParameter extends EvolveParameterBase {
  kind: 'choice';
  /** At least two distinct options, in the order written. */
  options: string[];
  value: string;
  /** Quote style of the literal, kept when the value is rewritten. */
  quote: "'" | '"';
}

/** A tunable value found in an agent's files. */
export type EvolveParameter = FloatEvolveParameter | IntEvolveParameter | ChoiceEvolveParameter;
/** A parameter with a numeric value. */
export type NumericEvolveParameter = FloatEvolveParameter | IntEvolveParameter;
/** The value of a parameter: a number for `float` and `int`, an option for `choice`. */
export type EvolveValue = number | string;

/** What `parseEvolveParameters` found. */
export interface EvolveParseResult {
  /** In file-path order, then in order of appearance. */
  parameters: EvolveParameter[];
  /** One line each, `file:line: what is wrong and how to write it`. */
  errors: string[];
}

/** True for `float` and `int` parameters. */
export function isNumericParameter(parameter: EvolveParameter): parameter is NumericEvolveParameter {
  return parameter.kind !== 'choice';
}

// A bound in an annotation: digits are required after a decimal point so that `1..2` reads as 1 to 2.
const BOUND = String.raw`[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?`;
const NUMERIC_SPEC = new RegExp(String.raw`^(${BOUND})\s*\.\.\s*(${BOUND})(?:\s+(\S+))?$`);
// A JavaScript number literal with an optional sign and `_` separators; not followed by more of a token.
const NUMBER_LITERAL = /[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?(?![\w$.])/y;
const STRING_LITERAL = /'([^'\\\r\n]*)'|"([^"\\\r\n]*)"/y;
// The same literals ending the code before a trailing annotation, followed at most by closing punctuation.
const TRAILING_NUMBER = /(?<![\w$.])([-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?)[\s,;.)\]}]*$/;
const TRAILING_STRING = /('[^'\\\r\n]*'|"[^"\\\r\n]*")[\s,;.)\]}]*$/;
const LEADING_SPACE = /\s*/y;
const ASSIGNED_NAME = /([A-Za-z_$][\w$]*)\s*(?::[^=;:]*)?=\s*$/;
const PROPERTY_NAME = /([A-Za-z_$][\w$]*|'[^'\r\n]*'|"[^"\r\n]*")\s*:\s*$/;
// `#define NAME`, `(defparameter NAME`, `-define(NAME,`, `NAME <-`: C, Lisp, Erlang and R constants.
const DEFINED_NAME =
  /(?:#\s*define\s+([A-Za-z_]\w*)|\(def\w*\s+([^\s()'"]+)|-define\(\s*([A-Za-z_]\w*)\s*,|([A-Za-z_.][\w.]*)\s*<<?-)\s*$/;
const OPTION = /^[^\s'"`\\|]+$/;

/** An annotation comment found in a file. */
interface AnnotationMatch {
  /** Offset of the comment's first character. */
  index: number;
  /** The comment as written. */
  text: string;
  /** The text after `@evolve`. */
  body: string;
  /** A block comment may precede its literal; a line comment only follows it. */
  block: boolean;
}

interface AnnotationScanner {
  pattern: RegExp;
  /** Capture group of each style's body, in `pattern`. */
  styles: readonly CommentStyle[];
}

const scanners = new Map<readonly CommentStyle[], AnnotationScanner>();

/** One global pattern per set of styles, with one capture group per style: `<open> @evolve <body> <close or end of line>`. */
function annotationScanner(commentStyles: readonly CommentStyle[]): AnnotationScanner {
  let scanner = scanners.get(commentStyles);
  if (scanner === undefined) {
    const alternatives = commentStyles.map((style) => {
      // Repeated openers (`##`, `;;`, `%%`, `/** `) are one opener.
      const open = style.close === undefined ? `(?:${escapeRegExp(style.open)})+` : `${escapeRegExp(style.open)}\\*?`;
      const body = style.close === undefined ? '([^\\n]*)' : `([\\s\\S]*?)${escapeRegExp(style.close)}`;
      return `${open}[ \\t]*@evolve\\b${body}`;
    });
    scanner = {
      pattern: new RegExp(alternatives.length > 0 ? alternatives.join('|') : '(?!)', 'g'),
      styles: commentStyles,
    };
    scanners.set(commentStyles, scanner);
  }
  return scanner;
}

function nextAnnotation(scanner: AnnotationScanner, text: string): AnnotationMatch | null {
  const match = scanner.pattern.exec(text);
  if (match === null) return null;
  const group = scanner.styles.findIndex((_style, index) => match[index + 1] !== undefined);
  const style = scanner.styles[group] as CommentStyle;
  return { index: match.index, text: match[0], body: match[group + 1] ?? '', block: style.close !== undefined };
}

/** How to write an annotation in a file of these styles, for error messages. */
function grammarHint(commentStyles: readonly CommentStyle[]): string {
  const block = commentStyles.find((style) => style.close !== undefined);
  const line = commentStyles.find((style) => style.close === undefined);
  const trailing = (style: CommentStyle): string =>
    `\`X = 0.5  ${style.open} @evolve float LOW..HIGH [log]\` (the literal ends the code before the comment, on its line)`;
  if (block === undefined) {
    const style = line ?? { open: '#' };
    return (
      `write ${trailing(style)}, \`N = 10  ${style.open} @evolve int LOW..HIGH\` or ` +
      `\`MODE = 'a'  ${style.open} @evolve choice a|b|c\``
    );
  }
  const comment = (spec: string): string => `${block.open} @evolve ${spec} ${block.close}`;
  return (
    `write \`${comment('float LOW..HIGH [log]')} 0.5\`, \`${comment('int LOW..HIGH')} 10\` or ` +
    `\`${comment('choice a|b|c')} 'a'\` (the comment directly before the literal)` +
    (line !== undefined ? `, or ${trailing(line)}` : '')
  );
}

/**
 * Finds the `@evolve` parameters inside EVOLVE-BLOCKs of every file of an agent tree, in each
 * file's comment styles (`commentStylesFor`).
 * Never throws: problems come back in `errors`, one per malformed annotation, and the well-formed
 * annotations are still returned.
 */
export function parseEvolveParameters(files: AgentFiles): EvolveParseResult {
  const parameters: EvolveParameter[] = [];
  const errors: string[] = [];
  for (const file of Object.keys(files).sort()) {
    const text = files[file] ?? '';
    if (!text.includes('@evolve')) continue;
    parseFile(file, text, parameters, errors);
  }
  return { parameters, errors };
}

function parseFile(file: string, text: string, parameters: EvolveParameter[], errors: string[]): void {
  const commentStyles = commentStylesFor(file);
  const scanner = annotationScanner(commentStyles);
  const hint = grammarHint(commentStyles);
  const lineStarts = computeLineStarts(text);
  const lineOf = (offset: number): number => lineIndexOf(lineStarts, offset) + 1;
  const lineEndOf = (offset: number): number => {
    const newline = text.indexOf('\n', offset);
    return newline === -1 ? text.length : newline;
  };
  const { blocks, unterminated } = scanEvolveBlocks(file, text);

  if (unterminated !== null) {
    scanner.pattern.lastIndex = unterminated.contentStart;
    const stray = nextAnnotation(scanner, text);
    if (stray !== null) {
      errors.push(
        `${file}:${unterminated.line}: ${EVOLVE_BLOCK_START} has no matching ${EVOLVE_BLOCK_END}, so the @evolve ` +
          `annotation at line ${lineOf(stray.index)} is not in a block; ` +
          `add a line containing ${EVOLVE_BLOCK_END} after the tunable values`,
      );
    }
  }

  const usedKeys = new Set<string>();
  const nameCounts = new Map<string, number>();
  let index = 0;
  for (const block of blocks) {
    scanner.pattern.lastIndex = block.contentStart;
    for (let match = nextAnnotation(scanner, text); match !== null; match = nextAnnotation(scanner, text)) {
      if (match.index >= block.contentEnd) break;
      const annotationIndex = index++;
      const annotation = match.text.trimEnd();
      const annotationLine = lineOf(match.index);
      const where = `${file}:${annotationLine}`;
      if (match.index + match.text.length > block.contentEnd) {
        errors.push(
          `${where}: the annotation comment runs past ${EVOLVE_BLOCK_END}; close it on its line, before the end marker`,
        );
        break;
      }
      const spec = parseSpec(match.body);
      if (typeof spec === 'string') {
        errors.push(`${where}: ${spec} in \`${annotation}\`; ${hint}`);
        continue;
      }

      const lineStart = lineStarts[annotationLine - 1] ?? 0;
      const found = locateLiteral(text, match, spec.kind === 'choice', lineStart, block.contentEnd);
      if (found === null) {
        const after = text.slice(match.index + match.text.length, lineEndOf(match.index + match.text.length));
        const before = text.slice(lineStart, match.index);
        const shown = (match.block && after.trim() !== '' ? after : before).trim().slice(0, 40);
        const expected = spec.kind === 'choice' ? `a quoted option ('${spec.options[0]}')` : `a number literal`;
        const place = match.block
          ? `right after \`${annotation}\` (or ending the code before it on its line)`
          : `ending the code before \`${annotation}\` on its line`;
        errors.push(
          `${where}: expected ${expected} ${place}, found \`${shown}\`; the annotation must sit next to the literal it governs`,
        );
        continue;
      }
      const { literalStart, literal } = found;

      // The name is assigned just before the governing comment (block form) or the literal (trailing form).
      const nameEnd = literalStart > match.index ? match.index : literalStart;
      const name = findName(text.slice(lineStarts[lineOf(nameEnd) - 1] ?? 0, nameEnd));
      let key: string;
      if (name === null) {
        key = `${file}#${annotationIndex}`;
      } else {
        const seen = (nameCounts.get(name) ?? 0) + 1;
        nameCounts.set(name, seen);
        key = seen === 1 ? `${file}#${name}` : `${file}#${name}#${seen}`;
      }
      while (usedKeys.has(key)) key = `${key}#${annotationIndex}`;

      const literalLine = lineOf(literalStart);
      const span: SourceSpan = {
        start: literalStart,
        end: literalStart + literal.length,
        line: literalLine,
        column: literalStart - (lineStarts[literalLine - 1] ?? 0) + 1,
      };
      const base = { key, file, name, label: name ?? key, annotation, literal, span };
      const parameter = buildParameter(spec, base, literal);
      if (typeof parameter === 'string') {
        errors.push(`${where}: ${parameter}`);
        continue;
      }
      usedKeys.add(key);
      parameters.push(parameter);
    }
  }
}

/**
 * The literal an annotation governs: for a block comment, the literal right after it on its line;
 * else the literal that ends the code before the comment on its line; else, for a block comment,
 * the literal after it on a following line (`/* @evolve … *\/` alone on a line before its value).
 * Null when there is none.
 */
function locateLiteral(
  text: string,
  match: AnnotationMatch,
  choice: boolean,
  lineStart: number,
  blockEnd: number,
): { literalStart: number; literal: string } | null {
  let after: { literalStart: number; literal: string } | null = null;
  if (match.block) {
    LEADING_SPACE.lastIndex = match.index + match.text.length;
    LEADING_SPACE.exec(text);
    const literalStart = LEADING_SPACE.lastIndex;
    const literal = readLiteral(text, literalStart, choice ? STRING_LITERAL : NUMBER_LITERAL);
    if (literal !== null && literalStart + literal.length <= blockEnd) {
      after = { literalStart, literal };
      if (!text.slice(match.index + match.text.length, literalStart).includes('\n')) return after;
    }
  }
  const before = text.slice(lineStart, match.index);
  const trailing = (choice ? TRAILING_STRING : TRAILING_NUMBER).exec(before);
  if (trailing !== null && trailing[1] !== undefined)
    return { literalStart: lineStart + trailing.index, literal: trailing[1] };
  return after;
}

type Spec =
  | { kind: 'float'; low: number; high: number; log: boolean }
  | { kind: 'int'; low: number; high: number }
  | { kind: 'choice'; options: string[] };

/** Reads the text between `@evolve` and `*\/`; returns a message when it is malformed. */
function parseSpec(body: string): Spec | string {
  const trimmed = body.trim();
  const kindMatch = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  if (kindMatch === null) return 'missing kind (float, int or choice)';
  const kind = kindMatch[1] ?? '';
  const rest = (kindMatch[2] ?? '').trim();
  if (kind === 'float' || kind === 'int') {
    const range = NUMERIC_SPEC.exec(rest);
    if (range === null) return `malformed range "${rest}" (expected LOW..HIGH, e.g. 0..1 or -5..1e3)`;
    const low = Number(range[1]);
    const high = Number(range[2]);
    const flag = range[3];
    if (!Number.isFinite(low) || !Number.isFinite(high)) return `range ${rest} is not finite`;
    if (!(low < high)) return `empty range ${range[1]}..${range[2]} (LOW must be smaller than HIGH)`;
    if (kind === 'int') {
      if (flag !== undefined) return `unknown flag "${flag}" for int (only float takes "log")`;
      if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
        return `int bounds must be integers, got ${range[1]}..${range[2]}`;
      }
      return { kind, low, high };
    }
    if (flag !== undefined && flag !== 'log') return `unknown flag "${flag}" (only "log" is allowed)`;
    if (flag === 'log' && !(low > 0)) return `a log range needs positive bounds, got ${range[1]}..${range[2]}`;
    return { kind, low, high, log: flag === 'log' };
  }
  if (kind === 'choice') {
    if (rest === '') return 'choice without options (expected a|b|c)';
    const options = rest.split('|').map((option) => option.trim());
    const bad = options.find((option) => !OPTION.test(option));
    if (bad !== undefined) {
      return `invalid option "${bad}" (options are non-empty words without spaces, quotes, backslashes or "|")`;
    }
    if (options.length < 2) return `choice needs at least two options, got "${rest}"`;
    const duplicate = options.find((option, position) => options.indexOf(option) !== position);
    if (duplicate !== undefined) return `option "${duplicate}" is listed twice`;
    return { kind, options };
  }
  return `unknown kind "${kind}" (expected float, int or choice)`;
}

function buildParameter(spec: Spec, base: EvolveParameterBase, literal: string): EvolveParameter | string {
  if (spec.kind === 'choice') {
    const quote = literal[0] === '"' ? '"' : "'";
    const value = literal.slice(1, -1);
    if (!spec.options.includes(value)) {
      return `value ${literal} is not one of the options ${spec.options.join('|')}`;
    }
    return { ...base, kind: 'choice', options: spec.options, value, quote };
  }
  const value = Number(literal.replace(/_/g, ''));
  if (!Number.isFinite(value)) return `literal ${literal} is not a finite number`;
  if (value < spec.low || value > spec.high) {
    return `value ${literal} lies outside its range ${spec.low}..${spec.high}; widen the range or change the value`;
  }
  if (spec.kind === 'int') {
    if (!Number.isInteger(value)) return `value ${literal} of an int parameter is not an integer`;
    return { ...base, kind: 'int', low: spec.low, high: spec.high, value };
  }
  return { ...base, kind: 'float', low: spec.low, high: spec.high, log: spec.log, value };
}

function readLiteral(text: string, start: number, pattern: RegExp): string | null {
  pattern.lastIndex = start;
  const match = pattern.exec(text);
  return match === null ? null : match[0];
}

/** The name being assigned or the property being set just before the annotation, if any. */
function findName(prefix: string): string | null {
  const defined = DEFINED_NAME.exec(prefix);
  if (defined !== null) return defined[1] ?? defined[2] ?? defined[3] ?? defined[4] ?? null;
  const assigned = ASSIGNED_NAME.exec(prefix);
  if (assigned !== null) return assigned[1] ?? null;
  const property = PROPERTY_NAME.exec(prefix);
  if (property === null) return null;
  const name = property[1] ?? '';
  return name.startsWith("'") || name.startsWith('"') ? name.slice(1, -1) : name;
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let offset = text.indexOf('\n'); offset !== -1; offset = text.indexOf('\n', offset + 1)) {
    starts.push(offset + 1);
  }
  return starts;
}

function lineIndexOf(lineStarts: readonly number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if ((lineStarts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * Clips a value into its parameter's range (ints also rounded) and returns it as it will read in
 * the source: floats with up to 6 significant digits in plain decimal notation (more digits only
 * where rounding would leave the range), ints as integers, choices in the literal's quote style.
 * `value` is the number or option the written text denotes, so records match the code exactly.
 * Throws `PATCH_APPLY_FAILED` for a value of the wrong type or a choice that is not an option.
 */
export function formatEvolveValue(
  parameter: EvolveParameter,
  value: EvolveValue,
): { text: string; value: EvolveValue } {
  if (parameter.kind === 'choice') {
    if (typeof value !== 'string' || !parameter.options.includes(value)) {
      throw new CladeError(
        'PATCH_APPLY_FAILED',
        `Cannot set ${parameter.key} to ${JSON.stringify(value)}: the options are ${parameter.options.join('|')}.`,
      );
    }
    return { text: `${parameter.quote}${value}${parameter.quote}`, value };
  }
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new CladeError(
      'PATCH_APPLY_FAILED',
      `Cannot set ${parameter.key} to ${JSON.stringify(value)}: a ${parameter.kind} parameter needs a number.`,
    );
  }
  if (parameter.kind === 'int') {
    const rounded = Math.min(parameter.high, Math.max(parameter.low, Math.round(value)));
    return { text: String(rounded), value: rounded };
  }
  const clipped = Math.min(parameter.high, Math.max(parameter.low, value));
  for (let digits = 6; digits <= 17; digits++) {
    const rounded = Number(clipped.toPrecision(digits));
    if (rounded >= parameter.low && rounded <= parameter.high) {
      return { text: plainNumber(rounded), value: rounded };
    }
  }
  return { text: plainNumber(clipped), value: clipped };
}

/**
 * Decimal notation for small numbers, where JavaScript switches to exponent form (below 1e-6):
 * `1e-7` reads as `0.0000001`. Below 1e-21 (as for large numbers) the exponent form is the more
 * readable one and is kept; it is a valid literal either way. Reads back as exactly `value`.
 */
function plainNumber(value: number): string {
  if (value === 0) return '0';
  const text = String(value);
  const exponentForm = /^(-?)(\d)(?:\.(\d+))?e-(\d+)$/.exec(text);
  if (exponentForm === null) return text;
  const [, sign = '', lead = '', rest = '', exponent = '0'] = exponentForm;
  const zeros = Number(exponent) - 1;
  if (zeros > 20) return text;
  return `${sign}0.${'0'.repeat(zeros)}${lead}${rest}`;
}

/**
 * Writes new values into the literals of the given parameters and returns a new file map; every
 * other byte is unchanged, and files without changes are the same strings. Values are clipped into
 * range (see `formatEvolveValue`). Throws `PATCH_APPLY_FAILED` for an unknown key, a value of the
 * wrong type, an unknown choice, or files that no longer hold the parsed literal at its span.
 */
export function applyEvolveValues(
  files: AgentFiles,
  parameters: readonly EvolveParameter[],
  values: Readonly<Record<string, EvolveValue>>,
): AgentFiles {
  const byKey = new Map(parameters.map((parameter) => [parameter.key, parameter]));
  const editsByFile = new Map<string, { start: number; end: number; text: string }[]>();
  for (const [key, value] of Object.entries(values)) {
    const parameter = byKey.get(key);
    if (parameter === undefined) {
      const known = [...byKey.keys()].slice(0, 10).join(', ');
      throw new CladeError('PATCH_APPLY_FAILED', `No @evolve parameter "${key}"; the known keys are: ${known}.`);
    }
    const source = files[parameter.file];
    if (source === undefined || source.slice(parameter.span.start, parameter.span.end) !== parameter.literal) {
      throw new CladeError(
        'PATCH_APPLY_FAILED',
        `${parameter.file}:${parameter.span.line} no longer holds ${parameter.literal} for ${key}; ` +
          `parse the files again before applying values.`,
      );
    }
    const { text } = formatEvolveValue(parameter, value);
    const edits = editsByFile.get(parameter.file) ?? [];
    edits.push({ start: parameter.span.start, end: parameter.span.end, text });
    editsByFile.set(parameter.file, edits);
  }
  const result: AgentFiles = { ...files };
  for (const [file, edits] of editsByFile) {
    let text = files[file] ?? '';
    // From the end backwards, so earlier offsets stay valid.
    edits.sort((first, second) => second.start - first.start);
    for (const edit of edits) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
    result[file] = text;
  }
  return result;
}
