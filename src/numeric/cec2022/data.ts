/**
 * @module The official CEC2022 data files: which files a function needs, parsing (CRLF or LF,
 * whitespace-separated numbers as C's `fscanf("%lf")` reads them) and validation of counts,
 * dimensions and permutations, with errors that name the file, the line and what to do.
 *
 * Files (from `C-Code/input_data/` of the official repository P-N-Suganthan/2022-SO-BO):
 * `M_<fn>_D<dim>.txt` rotation matrices (row-major; F9–F12 hold one dim×dim block per
 * component), `shift_data_<fn>.txt` (one row per component; only a row's first `dim` values are
 * used) and `shuffle_data_<fn>_D<dim>.txt` (F6–F8: a 1-based permutation of 1..dim).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CladeError } from '../../core/errors.js';

/** Dimensions the official data files cover (D = 2 exists for some functions; not offered here). */
export const CEC2022_DIMENSIONS = [10, 20] as const;
export type Cec2022Dimension = (typeof CEC2022_DIMENSIONS)[number];

/** Number of functions in the suite. */
export const CEC2022_FUNCTION_COUNT = 12;

/** Components of each composition function (F9–F12): 5, 3, 5, 6 (F10 has 3, not the report's 4). */
export const CEC2022_COMPOSITION_COMPONENTS: Readonly<Record<number, number>> = { 9: 5, 10: 3, 11: 5, 12: 6 };

/** Rotation blocks in each official composition matrix file (the C code reads only the first ones). */
const COMPOSITION_MATRIX_BLOCKS = 10;

/** What the C code reads for one function and dimension. */
export interface Cec2022Data {
  fn: number;
  dimension: Cec2022Dimension;
  /** Row-major rotation matrices: one dim×dim block (F1–F8) or one per component (F9–F12). */
  rotation: Float64Array;
  /** Shift vectors: `dimension` values (F1–F8) or one row of `dimension` values per component. */
  shift: Float64Array;
  /** F6–F8: the 1-based permutation; null otherwise. */
  shuffle: Int32Array | null;
}

/** Reads one data file's text by name; undefined when the file does not exist. */
export type DataFileReader = (name: string) => string | undefined;

/** Whether `fn` and `dimension` name a CEC2022 case this suite offers. */
export function isCec2022Case(fn: unknown, dimension: unknown): boolean {
  return (
    typeof fn === 'number' &&
    Number.isInteger(fn) &&
    fn >= 1 &&
    fn <= CEC2022_FUNCTION_COUNT &&
    (dimension === 10 || dimension === 20)
  );
}

function checkCase(fn: number, dimension: number): asserts dimension is Cec2022Dimension {
  if (!isCec2022Case(fn, dimension)) {
    throw new CladeError(
      'TASK_INVALID',
      `CEC2022 has functions 1..12 in dimensions 10 and 20; got function ${fn} in dimension ${dimension}.`,
    );
  }
}

/** The data files (names relative to the data directory) that function `fn` in `dimension` reads. */
export function cec2022DataFiles(fn: number, dimension: number): string[] {
  checkCase(fn, dimension);
  const files = [`M_${fn}_D${dimension}.txt`, `shift_data_${fn}.txt`];
  if (fn >= 6 && fn <= 8) files.push(`shuffle_data_${fn}_D${dimension}.txt`);
  return files;
}

/** Every file of the official data set for D = 10 and 20 (42 files). */
export function cec2022AllDataFiles(): string[] {
  const names = new Set<string>();
  for (let fn = 1; fn <= CEC2022_FUNCTION_COUNT; fn++) {
    for (const dimension of CEC2022_DIMENSIONS) for (const name of cec2022DataFiles(fn, dimension)) names.add(name);
  }
  return [...names].sort();
}

/** A data file's numbers, line by line (blank lines dropped), each token checked. */
interface ParsedFile {
  rows: number[][];
  count: number;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseNumbers(text: string, label: string, integers: boolean): ParsedFile {
  const rows: number[][] = [];
  let count = 0;
  // CRLF (the official files) and LF both work; a stray CR elsewhere is whitespace too.
  const lines = text.split('\n');
  for (const [lineIndex, rawLine] of lines.entries()) {
    const tokens = rawLine
      .trim()
      .split(/\s+/)
      .filter((token) => token.length > 0);
    if (tokens.length === 0) continue;
    const row: number[] = [];
    for (const token of tokens) {
      if (!NUMBER.test(token) || (integers && !/^[+-]?\d+$/.test(token))) {
        throw new CladeError(
          'DATA_INVALID',
          `${label}, line ${lineIndex + 1}: "${token.slice(0, 40)}" is not ${integers ? 'an integer' : 'a number'}. ` +
            'The file is damaged or not a CEC2022 data file; fetch the official files again with `clade data fetch cec2022`.',
        );
      }
      row.push(Number(token));
    }
    rows.push(row);
    count += row.length;
  }
  return { rows, count };
}

function invalid(label: string, problem: string): CladeError {
  return new CladeError(
    'DATA_INVALID',
    `${label}: ${problem}. The file is damaged or not the official CEC2022 data; fetch it again with \`clade data fetch cec2022\` or pass the right --data-dir.`,
  );
}

function readRequired(read: DataFileReader, name: string, source: string): { text: string; label: string } {
  const label = source.length > 0 ? path.join(source, name) : name;
  const text = read(name);
  if (text === undefined) {
    throw new CladeError(
      'DATA_NOT_FOUND',
      `CEC2022 data file ${label} is missing. Download the official files with \`clade data fetch cec2022\`, ` +
        'or pass the directory that holds them with --data-dir (or CLADE_CEC2022_DATA).',
    );
  }
  return { text, label };
}

/**
 * Parses and validates the files of one function and dimension, as the C code reads them.
 * `read` returns a file's text by name; `source` (a directory) only labels error messages.
 *
 * Checks: every token is a number; a matrix file has `dimension` columns per row and exactly
 * dimension² values (F1–F8) or 10 blocks of dimension² (F9–F12); a shift file has rows of at
 * least `dimension` values, one per component for F9–F12; a shuffle file is a permutation of 1..dimension.
 *
 * @throws CladeError `DATA_INVALID` naming the file and what is wrong, `DATA_NOT_FOUND` for a missing file.
 */
export function parseCec2022Data(fn: number, dimension: number, read: DataFileReader, source = ''): Cec2022Data {
  checkCase(fn, dimension);
  const [matrixName, shiftName, shuffleName] = cec2022DataFiles(fn, dimension) as [string, string, string?];
  const components = CEC2022_COMPOSITION_COMPONENTS[fn] ?? 1;
  const block = dimension * dimension;

  const matrixFile = readRequired(read, matrixName, source);
  const matrix = parseNumbers(matrixFile.text, matrixFile.label, false);
  const expectedValues = fn >= 9 ? COMPOSITION_MATRIX_BLOCKS * block : block;
  if (matrix.count !== expectedValues) {
    throw invalid(
      matrixFile.label,
      `expected ${expectedValues} numbers (${fn >= 9 ? `${COMPOSITION_MATRIX_BLOCKS} blocks of ` : ''}${dimension}×${dimension}), found ${matrix.count}`,
    );
  }
  const badRow = matrix.rows.findIndex((row) => row.length !== dimension);
  if (badRow >= 0) {
    throw invalid(
      matrixFile.label,
      `row ${badRow + 1} has ${matrix.rows[badRow]?.length} numbers, expected ${dimension} (a ${dimension}-dimensional matrix)`,
    );
  }
  const rotation = new Float64Array(components * block);
  let filled = 0;
  for (const row of matrix.rows) {
    for (const value of row) {
      if (filled >= rotation.length) break;
      rotation[filled++] = value;
    }
  }

  const shiftFile = readRequired(read, shiftName, source);
  const shiftRows = parseNumbers(shiftFile.text, shiftFile.label, false).rows;
  if (shiftRows.length < components) {
    throw invalid(
      shiftFile.label,
      `expected at least ${components} rows (one per component), found ${shiftRows.length}`,
    );
  }
  const shift = new Float64Array(components * dimension);
  for (let component = 0; component < components; component++) {
    const row = shiftRows[component] as number[];
    if (row.length < dimension) {
      throw invalid(shiftFile.label, `row ${component + 1} has ${row.length} numbers, expected at least ${dimension}`);
    }
    for (let index = 0; index < dimension; index++) shift[component * dimension + index] = row[index] as number;
  }

  let shuffle: Int32Array | null = null;
  if (shuffleName !== undefined) {
    const shuffleFile = readRequired(read, shuffleName, source);
    const values = parseNumbers(shuffleFile.text, shuffleFile.label, true).rows.flat();
    if (values.length !== dimension) {
      throw invalid(shuffleFile.label, `expected ${dimension} integers, found ${values.length}`);
    }
    const seen = new Set(values);
    if (seen.size !== dimension || values.some((value) => value < 1 || value > dimension)) {
      throw invalid(shuffleFile.label, `expected a permutation of 1..${dimension}, found ${values.join(' ')}`);
    }
    shuffle = Int32Array.from(values);
  }
  return { fn, dimension, rotation, shift, shuffle };
}

/**
 * Reads and validates the data of one function and dimension from `directory`.
 *
 * @throws CladeError `DATA_NOT_FOUND` when a file is missing (naming it and how to get it), `DATA_INVALID` when unreadable or invalid.
 */
export function loadCec2022Data(fn: number, dimension: number, directory: string): Cec2022Data {
  return parseCec2022Data(fn, dimension, (name) => readDataFile(path.join(directory, name)), directory);
}

function readDataFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'latin1');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new CladeError('DATA_INVALID', `Cannot read CEC2022 data file ${file}: ${(error as Error).message}.`, {
      cause: error,
    });
  }
}
