/**
 * The harness run module: the sandbox request, the exit-to-status mapping for every way a run can
 * end, one real run through the process sandbox, and the host's re-check tolerance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleAgent } from '../../../src/harness/bundle-agent.js';
import { loadHarness } from '../../../src/harness/load-harness.js';
import { REPORTED_VALUE_TOLERANCE, reportedValueMatches } from '../../../src/harness/recheck.js';
import {
  EvaluationAbortedError,
  harnessRequest,
  readHarnessRun,
  runHarness,
} from '../../../src/harness/run-harness.js';
import { abnormalEnding, exitDescription, OUTPUT_TAIL_CHARS } from '../../../src/harness/sandbox-exit.js';
import {
  HARNESS_AGENT_FILE,
  HARNESS_ENTRY_FILE,
  HARNESS_INPUT_FILE,
  HARNESS_RESULT_FILE,
  type HarnessInput,
} from '../../../src/harness/types.js';
import { createProcessSandbox } from '../../../src/sandbox/process-sandbox.js';
import type { Sandbox, SandboxResult } from '../../../src/sandbox/types.js';

const LIMITS = {
  timeoutMs: 20_000,
  memoryMb: 512,
  outputBytes: 64 * 1024,
  cpus: 1,
  pids: 64,
  resultBytes: 1024 * 1024,
};

const GOOD_OUTPUT = {
  harnessVersion: '1',
  jobs: [{ index: 0, ok: true, output: { value: 1 }, durationMs: 3, log: 'hello' }],
};

/** A sandbox result as a driver would return it, with `overrides`. */
function sandboxResult(overrides: Partial<SandboxResult>): SandboxResult {
  return {
    exit: 'exited',
    exitCode: 0,
    signal: null,
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    result: undefined,
    resultError: null,
    durationMs: 10,
    peakMemoryMb: null,
    environment: 'node v20 (test)',
    ...overrides,
  };
}

describe('harnessRequest', () => {
  it('runs `node harness.mjs` with the agent, the input consumed and the task files beside them', () => {
    const controller = new AbortController();
    const request = harnessRequest({
      harness: '// harness',
      agentCode: '// agent',
      kind: 'numeric',
      jobs: [{ problem: 'p' }],
      files: { 'data/x.txt': 'x' },
      limits: LIMITS,
      modelSocket: '/tmp/model.sock',
      signal: controller.signal,
    });
    expect(request.command).toEqual(['node', HARNESS_ENTRY_FILE]);
    expect(request.resultFile).toBe(HARNESS_RESULT_FILE);
    expect(request.consumedFiles).toEqual([HARNESS_INPUT_FILE]);
    expect(request.files[HARNESS_ENTRY_FILE]).toBe('// harness');
    expect(request.files[HARNESS_AGENT_FILE]).toBe('// agent');
    expect(request.files['data/x.txt']).toBe('x');
    const input = JSON.parse(request.files[HARNESS_INPUT_FILE] as string) as HarnessInput;
    expect(input).toEqual({ kind: 'numeric', agent: HARNESS_AGENT_FILE, jobs: [{ problem: 'p' }] });
    expect(request.modelSocket).toBe('/tmp/model.sock');
    expect(request.signal).toBe(controller.signal);
    expect(request.limits).toBe(LIMITS);
  });

  it('lets no task file replace the harness, the agent or the input', () => {
    const request = harnessRequest({
      harness: 'H',
      agentCode: 'A',
      kind: 'numeric',
      jobs: [],
      files: { [HARNESS_ENTRY_FILE]: 'evil', [HARNESS_AGENT_FILE]: 'evil', [HARNESS_INPUT_FILE]: 'evil' },
      limits: LIMITS,
    });
    expect(request.files[HARNESS_ENTRY_FILE]).toBe('H');
    expect(request.files[HARNESS_AGENT_FILE]).toBe('A');
    expect(request.files[HARNESS_INPUT_FILE]).not.toBe('evil');
    expect(request.modelSocket).toBeUndefined();
  });
});

describe('readHarnessRun: how a run ended becomes a status', () => {
  it('reads a good result file', () => {
    const run = readHarnessRun(sandboxResult({ result: GOOD_OUTPUT }), LIMITS);
    expect(run).toMatchObject({ ok: true, timedOut: false, output: GOOD_OUTPUT });
  });

  it('a timeout is `timeout`, with the limit and the end of the output', () => {
    const noise = `${'x'.repeat(2000)}LAST WORDS`;
    const run = readHarnessRun(sandboxResult({ exit: 'timeout', signal: 'SIGKILL', stderr: noise }), LIMITS);
    expect(run.ok).toBe(false);
    if (run.ok) return;
    expect(run.status).toBe('timeout');
    expect(run.reason).toMatch(/wall-clock limit of 20 s/);
    expect(run.reason).toMatch(/Output tail:\n[x]*LAST WORDS$/);
    expect(run.reason.length).toBeLessThan(OUTPUT_TAIL_CHARS + 200);
  });

  it('a timeout keeps the finished jobs when asked to, and only then', () => {
    const timedOut = sandboxResult({ exit: 'timeout', result: GOOD_OUTPUT });
    expect(readHarnessRun(timedOut, LIMITS, true)).toMatchObject({ ok: true, timedOut: true });
    expect(readHarnessRun(timedOut, LIMITS, false)).toMatchObject({ ok: false, status: 'timeout' });
    // Nothing readable: still a timeout.
    expect(readHarnessRun(sandboxResult({ exit: 'timeout' }), LIMITS, true)).toMatchObject({
      ok: false,
      status: 'timeout',
    });
  });

  it('memory, disk and a lost worker are `crashed`, each saying why', () => {
    const memory = readHarnessRun(sandboxResult({ exit: 'memory' }), LIMITS);
    expect(memory).toMatchObject({ ok: false, status: 'crashed' });
    expect(!memory.ok && memory.reason).toMatch(/memory cap of 512 MiB/);
    const disk = readHarnessRun(sandboxResult({ exit: 'disk', resultError: 'work directory over 64 MiB' }), LIMITS);
    expect(!disk.ok && disk.reason).toMatch(/filling its work directory \(work directory over 64 MiB\)/);
    const lost = readHarnessRun(sandboxResult({ exit: 'lost', resultError: 'worker died 3 times' }), LIMITS);
    expect(lost).toMatchObject({ ok: false, status: 'crashed' });
    expect(!lost.ok && lost.reason).toMatch(/lost: worker died 3 times/);
  });

  it('an aborted run throws EvaluationAbortedError', () => {
    expect(() => readHarnessRun(sandboxResult({ exit: 'aborted' }), LIMITS)).toThrow(EvaluationAbortedError);
  });

  it('no result file is `crashed`; a refused or malformed one is `invalid`', () => {
    const missing = readHarnessRun(
      sandboxResult({ exitCode: 1, resultError: 'result.json is missing', stderr: 'TypeError: boom' }),
      LIMITS,
    );
    expect(missing).toMatchObject({ ok: false, status: 'crashed' });
    expect(!missing.ok && missing.reason).toMatch(/exited with code 1 without writing its result .*TypeError: boom/s);
    const killed = readHarnessRun(sandboxResult({ exitCode: null, signal: 'SIGSEGV' }), LIMITS);
    expect(!killed.ok && killed.reason).toMatch(/was killed by SIGSEGV/);
    const refused = readHarnessRun(
      sandboxResult({ resultError: 'result.json rejected: it is a symbolic link' }),
      LIMITS,
    );
    expect(refused).toMatchObject({ ok: false, status: 'invalid' });
    for (const result of [
      { jobs: 'no' },
      null,
      { harnessVersion: '1', jobs: [{ index: 0, ok: true, durationMs: 1 }] },
      { harnessVersion: '1', jobs: [{ index: '0', ok: true, durationMs: 1, log: '' }] },
    ]) {
      expect(readHarnessRun(sandboxResult({ result }), LIMITS), JSON.stringify(result)).toMatchObject({
        ok: false,
        status: 'invalid',
      });
    }
  });
});

describe('abnormalEnding and exitDescription: the same words for every sandbox caller', () => {
  it('maps the exits that are not the program ending on its own, and nothing else', () => {
    expect(abnormalEnding(sandboxResult({ exit: 'timeout' }), LIMITS)).toEqual({
      status: 'timeout',
      reason: 'killed at the wall-clock limit of 20 s',
    });
    expect(abnormalEnding(sandboxResult({ exit: 'memory' }), LIMITS)).toEqual({
      status: 'crashed',
      reason: 'killed for passing the memory cap of 512 MiB',
    });
    expect(abnormalEnding(sandboxResult({ exit: 'disk' }), LIMITS)?.status).toBe('crashed');
    expect(abnormalEnding(sandboxResult({ exit: 'lost' }), LIMITS)?.reason).toBe('lost: its worker failed');
    expect(abnormalEnding(sandboxResult({ exit: 'exited', exitCode: 1 }), LIMITS)).toBeNull();
    expect(abnormalEnding(sandboxResult({ exit: 'aborted' }), LIMITS)).toBeNull();
    expect(exitDescription(sandboxResult({ exitCode: 2 }))).toBe('exited with code 2');
    expect(exitDescription(sandboxResult({ exitCode: null, signal: 'SIGSEGV' }))).toBe('was killed by SIGSEGV');
  });
});

describe('runHarness with the real harness in the process sandbox', () => {
  let harness: string;
  let sandbox: Sandbox;

  beforeAll(async () => {
    harness = await loadHarness();
    sandbox = createProcessSandbox();
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it('runs a numeric job and reads its result back', async () => {
    const bundled = await bundleAgent(
      {
        'optimizer.ts':
          'export default function optimize(problem: { dimension: number }) { return new Float64Array(problem.dimension); }',
      },
      'optimizer.ts',
    );
    if (!bundled.ok) throw new Error(bundled.error);
    const run = await runHarness({
      sandbox,
      harness,
      agentCode: bundled.code,
      kind: 'numeric',
      jobs: [
        { problem: 'sphere-d2', fn: 'sphere', dim: 2, instanceSeed: 1, bounds: [-100, 100], budget: 50, runSeed: 3 },
      ],
      limits: LIMITS,
    });
    expect(run.ok).toBe(true);
    if (!run.ok) return;
    expect(run.output.jobs).toHaveLength(1);
    const [job] = run.output.jobs;
    expect(job).toMatchObject({ index: 0, ok: true });
    expect((job?.output as { bestPoint: number[] } | undefined)?.bestPoint).toEqual([0, 0]);
  });

  it('a harness that crashes is `crashed` with its output', async () => {
    const run = await runHarness({
      sandbox,
      harness: 'process.stderr.write("harness broke\\n"); process.exit(3);',
      agentCode: '',
      kind: 'numeric',
      jobs: [],
      limits: LIMITS,
    });
    expect(run).toMatchObject({ ok: false, status: 'crashed' });
    expect(!run.ok && run.reason).toMatch(/exited with code 3 .*harness broke/s);
  });
});

describe('reportedValueMatches: the one host re-check tolerance', () => {
  it('accepts equal values and last-bit differences at any scale', () => {
    expect(REPORTED_VALUE_TOLERANCE).toBe(1e-9);
    for (const value of [0, 1e-300, 1e-12, 0.5, 3, 300.000123, 2.5e8, -7e5]) {
      expect(reportedValueMatches(value, value)).toBe(true);
      const next = value === 0 ? Number.MIN_VALUE : value * (1 + Number.EPSILON);
      expect(reportedValueMatches(next, value), String(value)).toBe(true);
    }
  });

  it('near zero, allows an absolute 1e-9 (the purely relative rule refused these honest differences)', () => {
    const recomputed = 1e-12;
    const reported = 1e-12 + 1e-16; // a last-bit difference in a sum of terms of size ~1
    expect(reportedValueMatches(reported, recomputed)).toBe(true);
    expect(Math.abs(recomputed - reported) > 1e-9 * Math.max(Math.abs(recomputed), Math.abs(reported))).toBe(true);
    expect(reportedValueMatches(0, 5e-10)).toBe(true);
    expect(reportedValueMatches(0, 2e-9)).toBe(false);
  });

  it('refuses a tampered value', () => {
    expect(reportedValueMatches(300 * (1 - 1e-6), 300)).toBe(false);
    expect(reportedValueMatches(0, 14.2)).toBe(false);
    expect(reportedValueMatches(1e6 + 0.01, 1e6)).toBe(false);
    expect(reportedValueMatches(1e6 + 1e-4, 1e6)).toBe(true);
  });

  it('refuses NaN and infinities that differ from the recomputation', () => {
    expect(reportedValueMatches(Number.NaN, 1)).toBe(false);
    expect(reportedValueMatches(1, Number.NaN)).toBe(false);
    expect(reportedValueMatches(Number.NEGATIVE_INFINITY, 1)).toBe(false);
    expect(reportedValueMatches(1, Number.POSITIVE_INFINITY)).toBe(false);
    expect(reportedValueMatches(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)).toBe(true);
  });
});
