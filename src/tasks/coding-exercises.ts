/**
 * @module Coding exercises on disk (`benchmarks/coding/exercises/<slug>/`): reading and checking
 * one exercise directory, listing a suite, and locating the suite shipped with clade. An exercise
 * is a statement (`statement.md`), starting files (`start/`, what the agent sees and edits),
 * hidden tests (`tests/*.test.mjs`, run with `node --test` after the agent stops, never shown to
 * it) and a reference solution (`solution/`, which must pass the tests).
 */
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CladeError } from '../core/errors.js';
import { findPackageRoot } from '../core/package-root.js';

/** One exercise, read and checked. File maps are relative POSIX paths → UTF-8 contents. */
export interface CodingExercise {
  /** Directory name: lower-case letters, digits and `-` (e.g. `two-fer`). */
  slug: string;
  /** Absolute path of the exercise directory. */
  directory: string;
  /** The task in Markdown (`statement.md`). */
  statement: string;
  /** `start/`: the files the agent starts from. */
  startFiles: Record<string, string>;
  /** `tests/`: the hidden tests (`*.test.mjs`) and any helpers they import. */
  testFiles: Record<string, string>;
  /** `solution/`: the reference solution, laid out like `start/`. */
  solutionFiles: Record<string, string>;
  /** The hidden test files (`*.test.mjs` under `tests/`), the files `node --test` is given. */
  testEntries: string[];
  /**
   * Tests declared in the hidden test files (calls of `test(` / `it(` at the start of a line). A run
   * passes only if node reports at least this many passing tests: code that ends the test process
   * early (`process.exit(0)` on import) must not pass.
   */
  testCount: number;
}

/** Exercise directory names. */
export const EXERCISE_SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** The statement file of an exercise. */
export const EXERCISE_STATEMENT_FILE = 'statement.md';

/** Suffix of the hidden test files that `node --test` runs. */
export const EXERCISE_TEST_SUFFIX = '.test.mjs';

/** Most files in one of an exercise's folders. */
const MAX_FILES_PER_FOLDER = 64;
/** Most bytes of one exercise file. */
const MAX_FILE_BYTES = 256 * 1024;

/** Where the suite shipped with clade lives, relative to the package root. */
const BUILTIN_EXERCISES = 'benchmarks/coding/exercises';

function invalid(message: string): CladeError {
  return new CladeError('TASK_INVALID', message);
}

/**
 * Reads every regular file under `folder` (recursively) into a map of relative POSIX paths.
 * Symbolic links, binary files, dot-files and oversized files are refused with the file's path.
 */
function readFolder(folder: string, label: string): Record<string, string> {
  if (!existsSync(folder) || !lstatSync(folder).isDirectory()) {
    throw invalid(`${folder} is missing: every exercise needs a ${label}/ folder.`);
  }
  const files: Record<string, string> = {};
  let count = 0;
  const visit = (relative: string): void => {
    for (const entry of readdirSync(path.join(folder, relative), { withFileTypes: true })) {
      const childRelative = relative ? `${relative}/${entry.name}` : entry.name;
      const absolute = path.join(folder, childRelative);
      if (entry.name.startsWith('.')) {
        throw invalid(`${absolute}: hidden files are not allowed in an exercise; remove it.`);
      }
      const stats = lstatSync(absolute);
      if (stats.isSymbolicLink())
        throw invalid(`${absolute} is a symbolic link; exercise files must be regular files.`);
      if (stats.isDirectory()) {
        visit(childRelative);
        continue;
      }
      if (!stats.isFile()) throw invalid(`${absolute} is not a regular file.`);
      if (stats.size > MAX_FILE_BYTES) {
        throw invalid(`${absolute} has ${stats.size} bytes; exercise files are capped at ${MAX_FILE_BYTES}.`);
      }
      count++;
      if (count > MAX_FILES_PER_FOLDER) {
        throw invalid(`${folder} holds more than ${MAX_FILES_PER_FOLDER} files; keep exercises small.`);
      }
      const content = readFileSync(absolute);
      if (content.includes(0)) throw invalid(`${absolute} is binary; exercise files are text.`);
      files[childRelative] = content.toString('utf8');
    }
  };
  visit('');
  if (count === 0) throw invalid(`${folder} is empty: the ${label}/ folder needs at least one file.`);
  return files;
}

/**
 * Reads and checks one exercise directory.
 *
 * @throws CladeError (`TASK_INVALID`) naming the file or folder at fault and what it must hold.
 */
export function loadCodingExercise(directory: string): CodingExercise {
  const absolute = path.resolve(directory);
  const slug = path.basename(absolute);
  if (!EXERCISE_SLUG_PATTERN.test(slug)) {
    throw invalid(`${absolute}: exercise directory names are lower-case letters, digits and "-" (got "${slug}").`);
  }
  if (!existsSync(absolute) || !lstatSync(absolute).isDirectory()) {
    throw invalid(`Exercise directory ${absolute} does not exist.`);
  }
  const statementPath = path.join(absolute, EXERCISE_STATEMENT_FILE);
  if (!existsSync(statementPath) || !lstatSync(statementPath).isFile()) {
    throw invalid(`${statementPath} is missing: every exercise needs a statement in Markdown.`);
  }
  const statement = readFileSync(statementPath, 'utf8');
  if (statement.trim().length === 0) throw invalid(`${statementPath} is empty; write the task there.`);

  const startFiles = readFolder(path.join(absolute, 'start'), 'start');
  const testFiles = readFolder(path.join(absolute, 'tests'), 'tests');
  const solutionFiles = readFolder(path.join(absolute, 'solution'), 'solution');

  const testNames = Object.keys(testFiles).filter((name) => name.endsWith(EXERCISE_TEST_SUFFIX));
  if (testNames.length === 0) {
    throw invalid(
      `${path.join(absolute, 'tests')} holds no *${EXERCISE_TEST_SUFFIX} file; hidden tests are run with \`node --test\`.`,
    );
  }
  for (const name of Object.keys(startFiles)) {
    if (name.endsWith(EXERCISE_TEST_SUFFIX)) {
      throw invalid(
        `${path.join(absolute, 'start', name)} is a test file; hidden tests belong in tests/, not in the starting files.`,
      );
    }
  }
  // Tests are copied next to the agent's final files: a name shared with a start or solution file
  // would let one overwrite the other.
  for (const name of Object.keys(testFiles)) {
    if (name in startFiles || name in solutionFiles) {
      throw invalid(
        `${path.join(absolute, 'tests', name)} has the same name as a start or solution file; rename one of them.`,
      );
    }
  }
  const testCount = testNames.reduce(
    (sum, name) => sum + (testFiles[name]?.match(/^\s*(?:test|it)\s*\(/gm)?.length ?? 0),
    0,
  );
  return {
    slug,
    directory: absolute,
    statement,
    startFiles,
    testFiles,
    solutionFiles,
    testEntries: testNames.sort(),
    testCount,
  };
}

/** Slugs of the exercise directories under `root`, sorted. Other entries (README.md …) are ignored. */
export function listCodingExercises(root: string): string[] {
  if (!existsSync(root) || !lstatSync(root).isDirectory()) {
    throw invalid(
      `Exercises directory ${root} does not exist. Set task.exercisesDir to a folder of exercises (see benchmarks/coding/README.md).`,
    );
  }
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Loads the exercises `slugs` (or every exercise, `'all'`) from `root`, in the order given.
 *
 * @throws CladeError (`TASK_INVALID`) for an unknown slug (listing the known ones), a duplicate, or a bad exercise.
 */
export function loadCodingExercises(root: string, slugs: readonly string[] | 'all'): CodingExercise[] {
  const known = listCodingExercises(root);
  const wanted = slugs === 'all' ? known : [...slugs];
  if (wanted.length === 0) throw invalid(`No exercises in ${root}; a coding task needs at least one.`);
  const seen = new Set<string>();
  return wanted.map((slug) => {
    if (seen.has(slug)) throw invalid(`Exercise "${slug}" is listed twice; list each exercise once.`);
    seen.add(slug);
    if (!known.includes(slug)) {
      throw invalid(`Unknown exercise "${slug}" in ${root}; it has: ${known.join(', ')}.`);
    }
    return loadCodingExercise(path.join(root, slug));
  });
}

/**
 * The exercise suite shipped with clade (`benchmarks/coding/exercises` under the package root,
 * found by walking up from this module to the `package.json` named `clade`).
 */
export function builtinExercisesDirectory(): string {
  const root = findPackageRoot();
  if (root === null) {
    throw invalid(
      `Could not find the clade package root (and its ${BUILTIN_EXERCISES}) above this module; set task.exercisesDir.`,
    );
  }
  return path.join(root, BUILTIN_EXERCISES);
}
