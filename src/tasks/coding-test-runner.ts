/**
 * @module The program of a coding task's test run: a sandbox run without the agent, holding each
 * exercise's final files plus its hidden tests under `exercises/<slug>/`. For each exercise it runs
 * `node --test --test-reporter=tap <hidden tests>` (with `TEST_GUARD_SOURCE` preloaded, so the
 * code under test cannot disable the assertions or read the tests), reads the TAP summary, and writes
 * `result.json` after each exercise (so an exercise that hangs does not lose the others).
 */

/** The plan the host writes for the runner (as `TEST_PLAN_FILE`). */
export interface TestPlan {
  exercises: { slug: string; tests: string[] }[];
  /** Wall-clock limit of one exercise's `node --test`. */
  timeoutMs: number;
  /** Characters of failure details kept per exercise. */
  detailChars: number;
}

/** One exercise's test outcome, as the runner reports it. */
export interface TestRunEntry {
  slug: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** TAP summary counts (null when the summary is missing: node crashed or was killed). */
  tests: number | null;
  pass: number | null;
  fail: number | null;
  cancelled: number | null;
  skipped: number | null;
  todo: number | null;
  /** The failing tests' TAP blocks and any output that is not TAP, capped. */
  details: string;
  durationMs: number;
}

/** What the runner writes to its result file. */
export interface TestRunOutput {
  exercises: TestRunEntry[];
}

/** Entry file of the test run. */
export const TEST_RUNNER_FILE = 'run-tests.mjs';
/** Module preloaded into every test process (`--import`), see `TEST_GUARD_SOURCE`. */
export const TEST_GUARD_FILE = 'test-guard.mjs';
/** The runner's plan (a `TestPlan` as JSON). */
export const TEST_PLAN_FILE = 'tests.json';
/** The runner's output (a `TestRunOutput` as JSON). */
export const TEST_RESULT_FILE = 'result.json';
/** Folder of the exercises in the test run's directory. */
export const TEST_EXERCISES_DIRECTORY = 'exercises';

/**
 * Loaded (`--import`) into every process of a test run before any test or solution code: freezes
 * `node:assert` (a solution cannot replace `assert.equal` with a function that never throws) and, in
 * the processes that run a test file, refuses reading hidden test files (beyond the module loader's
 * one read of the file being run) and starting subprocesses, so a solution cannot copy expected
 * values out of the tests. These stop the simple cheats, not every one.
 */
export const TEST_GUARD_SOURCE = String.raw`import assert from 'node:assert';
import strict from 'node:assert/strict';
import childProcess from 'node:child_process';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
for (const target of [assert, strict]) {
  for (const key of Object.getOwnPropertyNames(target)) {
    const value = target[key];
    if (typeof value === 'function' || (typeof value === 'object' && value !== null)) Object.freeze(value);
  }
  Object.freeze(target);
}
if (process.env.NODE_TEST_CONTEXT) {
  const where = (file) => {
    const text = file instanceof URL ? file.href : String(file);
    try {
      return resolve(text.startsWith('file:') ? fileURLToPath(text) : text);
    } catch {
      return text;
    }
  };
  const hidden = (file) => /\.test\.mjs$/.test(where(file));
  // The test file this process runs: the loader's one read of it is let through.
  const entry = process.argv[1] ? resolve(process.argv[1]) : '';
  const refuse = (name) => { throw new Error(name + ': the hidden tests cannot be read while they run'); };
  const lock = (object, name, wrapped) => Object.defineProperty(object, name, { value: wrapped, writable: false, configurable: false, enumerable: true });
  for (const name of ['readFileSync', 'openSync', 'createReadStream', 'readFile', 'open']) {
    const original = fs[name];
    lock(fs, name, function (file, ...rest) { if (hidden(file)) refuse(name); return original.call(this, file, ...rest); });
  }
  // node's module loader reads each test file once through fs.promises.readFile, before any code
  // under test runs: that first read is the loader's, every later one is refused.
  const loaded = new Set();
  for (const name of ['readFile', 'open']) {
    const original = fs.promises[name];
    lock(fs.promises, name, function (file, ...rest) {
      if (hidden(file)) {
        const key = where(file);
        if (name !== 'readFile' || key !== entry || loaded.has(key)) return Promise.reject(new Error(name + ': the hidden tests cannot be read while they run'));
        loaded.add(key);
      }
      return original.call(this, file, ...rest);
    });
  }
  for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
    lock(childProcess, name, () => refuse(name));
  }
  syncBuiltinESMExports();
}
`;

/** Source of the runner (plain JavaScript: it runs in the sandbox with nothing but node). */
export const TEST_RUNNER_SOURCE = `import { spawn } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const plan = JSON.parse(readFileSync(${JSON.stringify(TEST_PLAN_FILE)}, 'utf8'));
const guard = pathToFileURL(resolve(${JSON.stringify(TEST_GUARD_FILE)})).href;
const results = [];
const write = () => {
  writeFileSync('result.json.tmp', JSON.stringify({ exercises: results }));
  renameSync('result.json.tmp', ${JSON.stringify(TEST_RESULT_FILE)});
};
const KEEP = 256 * 1024;

function summary(output, name) {
  const match = new RegExp('^# ' + name + ' (\\\\d+)$', 'm').exec(output);
  return match ? Number(match[1]) : null;
}

/** The failing tests' TAP blocks ("not ok" up to the closing "..."), then lines that are not TAP. */
function failureDetails(output, limit) {
  const lines = output.split('\\n');
  const kept = [];
  let inFailure = false;
  for (const line of lines) {
    const trimmed = line.trimStart();
    if (/^not ok \\d+/.test(trimmed) && !/# (SKIP|TODO)/.test(trimmed)) inFailure = true;
    if (inFailure) {
      const frame = /\\(?(node:|file:\\/\\/)\\S*:\\d+:\\d+\\)?$/.test(trimmed) || /^(async )?(Test|TestContext|AsyncResource|Promise|process\\.)/.test(trimmed);
      if (!frame && !/^(duration_ms|location|stack|failureType|code):/.test(trimmed)) kept.push(line);
      if (trimmed === '...') inFailure = false;
    }
  }
  const other = lines.filter((line) => {
    const trimmed = line.trimStart();
    return trimmed.length > 0 && !/^(TAP version|#|ok |not ok |1\\.\\.|---|\\.\\.\\.|[a-z_]+:|duration_ms)/.test(trimmed) && !/^\\s/.test(line);
  });
  let text = kept.join('\\n');
  if (other.length > 0) text += (text ? '\\n' : '') + 'other output:\\n' + other.slice(-20).join('\\n');
  return text.length > limit ? text.slice(0, limit) + ' [… cut]' : text;
}

for (const exercise of plan.exercises) {
  const started = Date.now();
  const outcome = await new Promise((done) => {
    let output = '';
    let timedOut = false;
    const child = spawn(process.execPath, ['--import', guard, '--test', '--test-reporter=tap', ...exercise.tests], {
      cwd: resolve(${JSON.stringify(TEST_EXERCISES_DIRECTORY)}, exercise.slug),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const take = (chunk) => {
      output += chunk;
      if (output.length > 2 * KEEP) output = output.slice(-KEEP);
    };
    child.stdout.setEncoding('utf8').on('data', take);
    child.stderr.setEncoding('utf8').on('data', take);
    const kill = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, plan.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      done({ exitCode: null, signal: null, timedOut, output: output + '\\n' + String(error) });
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      kill();
      done({ exitCode, signal, timedOut, output });
    });
  });
  results.push({
    slug: exercise.slug,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    timedOut: outcome.timedOut,
    tests: summary(outcome.output, 'tests'),
    pass: summary(outcome.output, 'pass'),
    fail: summary(outcome.output, 'fail'),
    cancelled: summary(outcome.output, 'cancelled'),
    skipped: summary(outcome.output, 'skipped'),
    todo: summary(outcome.output, 'todo'),
    details: failureDetails(outcome.output, plan.detailChars),
    durationMs: Date.now() - started,
  });
  write();
}
write();
`;
