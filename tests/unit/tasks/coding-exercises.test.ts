import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  builtinExercisesDirectory,
  type CodingExercise,
  listCodingExercises,
  loadCodingExercise,
  loadCodingExercises,
} from '../../../src/tasks/coding-exercises.js';

const run = promisify(execFile);
const scratch = mkdtempSync(path.join(tmpdir(), 'clade-exercises-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes `files` into a fresh directory and runs `node --test` on its test files; returns the exit code. */
async function runHiddenTests(name: string, files: Record<string, string>): Promise<{ code: number; output: string }> {
  const directory = path.join(scratch, name);
  for (const [relative, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(directory, relative)), { recursive: true });
    writeFileSync(path.join(directory, relative), content);
  }
  const tests = Object.keys(files).filter((file) => file.endsWith('.test.mjs'));
  try {
    const { stdout, stderr } = await run(process.execPath, ['--test', ...tests], { cwd: directory, timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failure.code === 'number' ? failure.code : -1, output: `${failure.stdout}${failure.stderr}` };
  }
}

/** Runs `tasks` with at most `limit` at a time. */
async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

describe('the built-in coding exercises', () => {
  const root = builtinExercisesDirectory();
  const slugs = listCodingExercises(root);

  it('has at least 22 exercises, each loading cleanly', () => {
    expect(slugs.length).toBeGreaterThanOrEqual(22);
    const exercises = loadCodingExercises(root, 'all');
    expect(exercises.map((exercise) => exercise.slug)).toEqual(slugs);
    for (const exercise of exercises) {
      expect(Object.keys(exercise.startFiles).sort()).toEqual(Object.keys(exercise.solutionFiles).sort());
      expect(exercise.statement).toMatch(/^# /);
      for (const start of Object.values(exercise.startFiles)) expect(start).toContain('not implemented');
    }
  });

  it('every reference solution passes its hidden tests and every start stub fails them (node --test)', async () => {
    const exercises = loadCodingExercises(root, 'all');
    const outcomes = await pool(
      exercises.flatMap((exercise: CodingExercise) => [
        async () => ({
          slug: exercise.slug,
          kind: 'solution',
          ...(await runHiddenTests(`${exercise.slug}-solution`, { ...exercise.solutionFiles, ...exercise.testFiles })),
        }),
        async () => ({
          slug: exercise.slug,
          kind: 'start',
          ...(await runHiddenTests(`${exercise.slug}-start`, { ...exercise.startFiles, ...exercise.testFiles })),
        }),
      ]),
      2,
    );
    const wrong = outcomes
      .filter((outcome) => (outcome.kind === 'solution' ? outcome.code !== 0 : outcome.code === 0))
      .map((outcome) => `${outcome.slug} ${outcome.kind}: exit ${outcome.code}\n${outcome.output.slice(-1500)}`);
    expect(wrong).toEqual([]);
    // The stubs fail because the tests ran and failed, not because node could not start them.
    for (const outcome of outcomes.filter((candidate) => candidate.kind === 'start')) {
      expect(outcome.output, outcome.slug).toMatch(/not implemented/);
    }
  }, 300_000);
});

describe('loadCodingExercise', () => {
  const make = (slug: string, files: Record<string, string>): string => {
    const directory = path.join(scratch, 'fixtures', slug);
    for (const [relative, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(directory, relative)), { recursive: true });
      writeFileSync(path.join(directory, relative), content);
    }
    return directory;
  };
  const complete = {
    'statement.md': '# Echo\nReturn the input.',
    'start/echo.mjs': "export const echo = () => { throw new Error('not implemented'); };",
    'tests/echo.test.mjs': "import { test } from 'node:test';",
    'solution/echo.mjs': 'export const echo = (value) => value;',
  };

  it('reads a complete exercise', () => {
    const exercise = loadCodingExercise(make('echo', complete));
    expect(exercise.slug).toBe('echo');
    expect(exercise.startFiles).toEqual({ 'echo.mjs': complete['start/echo.mjs'] });
    expect(Object.keys(exercise.testFiles)).toEqual(['echo.test.mjs']);
  });

  it('names the missing statement', () => {
    const { 'statement.md': _, ...rest } = complete;
    expect(() => loadCodingExercise(make('no-statement', rest))).toThrow(/no-statement\/statement\.md is missing/);
  });

  it('names the missing or empty folder', () => {
    const { 'solution/echo.mjs': _, ...rest } = complete;
    expect(() => loadCodingExercise(make('no-solution', rest))).toThrow(/no-solution\/solution is missing/);
    const directory = make('empty-start', { ...complete, 'start/echo.mjs': '' });
    rmSync(path.join(directory, 'start', 'echo.mjs'));
    expect(() => loadCodingExercise(directory)).toThrow(/empty-start\/start is empty/);
  });

  it('refuses tests without a .test.mjs file', () => {
    const { 'tests/echo.test.mjs': _, ...rest } = complete;
    expect(() => loadCodingExercise(make('no-tests', { ...rest, 'tests/helper.mjs': '' }))).toThrow(
      /no-tests\/tests holds no \*\.test\.mjs file/,
    );
  });

  it('refuses a test file that would overwrite a start file, and tests among the start files', () => {
    expect(() => loadCodingExercise(make('clash', { ...complete, 'tests/echo.mjs': '' }))).toThrow(
      /clash\/tests\/echo\.mjs has the same name as a start or solution file/,
    );
    expect(() => loadCodingExercise(make('leaky', { ...complete, 'start/echo.test.mjs': '' }))).toThrow(
      /leaky\/start\/echo\.test\.mjs is a test file/,
    );
  });

  it('refuses symbolic links, binary files and bad directory names', () => {
    const linked = make('linked', complete);
    symlinkSync('/etc/passwd', path.join(linked, 'start', 'passwd'));
    expect(() => loadCodingExercise(linked)).toThrow(/linked\/start\/passwd is a symbolic link/);
    const binary = make('binary', complete);
    writeFileSync(path.join(binary, 'solution', 'blob.bin'), Buffer.from([1, 0, 2]));
    expect(() => loadCodingExercise(binary)).toThrow(/binary\/solution\/blob\.bin is binary/);
    expect(() => loadCodingExercise(make('Bad_Name', complete))).toThrow(/lower-case letters/);
  });

  it('loadCodingExercises names unknown and duplicate slugs', () => {
    const root = path.join(scratch, 'fixtures');
    expect(() => loadCodingExercises(root, ['nope'])).toThrow(/Unknown exercise "nope".*it has: .*echo/);
    expect(() => loadCodingExercises(root, ['echo', 'echo'])).toThrow(/listed twice/);
    expect(loadCodingExercises(root, ['echo'])[0]?.slug).toBe('echo');
    expect(() => listCodingExercises(path.join(scratch, 'missing'))).toThrow(/does not exist.*exercisesDir/);
  });
});
