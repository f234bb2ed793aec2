/**
 * evaluateNode's two paths (the node harness, `Task.runJobs`), the model proxy session around a
 * run, and the caps on artifacts. The sandbox and the proxy are small local objects that record
 * what they were asked; the harness path's results are the ones a driver returns.
 */
import { describe, expect, it } from 'vitest';
import { CladeError } from '../../../src/core/errors.js';
import type { AgentFiles } from '../../../src/core/types.js';
import { EvaluationAbortedError } from '../../../src/harness/run-harness.js';
import { HARNESS_INPUT_FILE, type HarnessInput, type HarnessJobResult } from '../../../src/harness/types.js';
import type { ModelProxy, ProxySessionOptions } from '../../../src/model-proxy/types.js';
import type { Sandbox, SandboxRequest, SandboxResult } from '../../../src/sandbox/types.js';
import {
  ARTIFACT_BYTES,
  ARTIFACT_TRUNCATION_MARKER,
  capJobArtifacts,
  collectArtifacts,
  evaluateNode,
  JOB_ARTIFACT_BYTES,
} from '../../../src/tasks/evaluate-node.js';
import type {
  EvaluationJob,
  JobOutcome,
  Task,
  TaskHarness,
  TaskRun,
  TaskRunContext,
  TaskScore,
} from '../../../src/tasks/types.js';

const LIMITS = { timeoutMs: 5_000, memoryMb: 256, outputBytes: 4096, cpus: 1, pids: 32, resultBytes: 65_536 };
const JOBS: EvaluationJob[] = [
  { problem: 'a', repeat: 0, seed: 1 },
  { problem: 'b', repeat: 0, seed: 2 },
];
const FILES: AgentFiles = { 'main.py': 'print(1)' };

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

function outcome(job: EvaluationJob, score: number, artifacts?: Record<string, string>): JobOutcome {
  return {
    job,
    status: 'ok',
    score,
    metrics: { evaluations: 10 },
    durationMs: 5,
    logExcerpt: `ran ${job.problem}`,
    ...(artifacts ? { artifacts } : {}),
  };
}

const mean = (outcomes: readonly JobOutcome[]): TaskScore => ({
  score: outcomes.reduce((sum, entry) => sum + (entry.score ?? 0), 0) / outcomes.length,
  publicMetrics: {},
  privateMetrics: {},
});

/** A sandbox that answers every run with `answer(request)` and keeps the requests. */
function recordingSandbox(answer: (request: SandboxRequest) => Partial<SandboxResult>): Sandbox & {
  requests: SandboxRequest[];
} {
  const requests: SandboxRequest[] = [];
  return {
    kind: 'test',
    requests,
    async run(request) {
      requests.push(request);
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
        durationMs: 1,
        peakMemoryMb: null,
        environment: 'test sandbox',
        ...answer(request),
      };
    },
    async close() {},
  };
}

/** A model proxy whose sessions record what they were opened with and whether they were closed. */
function recordingProxy(): ModelProxy & { opened: ProxySessionOptions[]; closed: number } {
  const proxy = {
    opened: [] as ProxySessionOptions[],
    closed: 0,
    async openSession(options: ProxySessionOptions) {
      proxy.opened.push(options);
      return {
        socketPath: `/tmp/session-${proxy.opened.length}.sock`,
        usage: () => ({ calls: 0, tokensIn: 0, tokensOut: 0, costUsd: 0, refused: 0 }),
        close: async () => {
          proxy.closed++;
        },
      };
    },
    async close() {},
  };
  return proxy as unknown as ModelProxy & { opened: ProxySessionOptions[]; closed: number };
}

const noBundle = async (): Promise<never> => {
  throw new Error('a program task is not bundled');
};

function programTask(
  run: (files: AgentFiles, jobs: readonly EvaluationJob[], context: TaskRunContext) => Promise<TaskRun>,
  extra: Partial<Task> = {},
): Task {
  return {
    kind: 'program-test',
    description: 'a program task for tests',
    describeForModel: () => 'test',
    jobs: () => JOBS.map((job) => ({ ...job })),
    runJobs: run,
    aggregate: mean,
    checkAgent: (files) => (Object.hasOwn(files, 'main.py') ? null : 'main.py is missing'),
    ...extra,
  };
}

describe('evaluateNode with Task.runJobs (program tasks)', () => {
  it('calls runJobs with the files, the jobs and the context: no bundling, no harness', async () => {
    const seen: { files?: AgentFiles; jobs?: readonly EvaluationJob[]; context?: TaskRunContext } = {};
    const sandbox = recordingSandbox(() => ({}));
    const task = programTask(async (files, jobs, context) => {
      Object.assign(seen, { files, jobs, context });
      return {
        ok: true,
        outcomes: jobs.map((job, index) => outcome(job, index === 0 ? 1 : 0.5)),
        environment: 'python3 (test)',
      };
    });
    const evaluation = await evaluateNode(FILES, {
      task,
      sandbox,
      limits: LIMITS,
      bundle: noBundle,
      harness: 'unused',
    });
    expect(seen.files).toBe(FILES);
    expect(seen.jobs).toEqual(JOBS);
    expect(seen.context?.sandbox).toBe(sandbox);
    expect(seen.context?.limits).toEqual(LIMITS);
    expect(seen.context?.modelSocket).toBeUndefined();
    expect(sandbox.requests).toHaveLength(0);
    expect(evaluation).toMatchObject({
      status: 'scored',
      score: 0.75,
      environment: 'python3 (test)',
      functionEvaluations: 20,
    });
    expect(evaluation.evaluations.map((entry) => entry.problem)).toEqual(['a', 'b']);
    expect(evaluation.artifacts).toBeUndefined();
  });

  it('applies the task sandbox limits and opens a model proxy session for tasks with model access', async () => {
    const proxy = recordingProxy();
    let socket: string | undefined;
    let timeout = 0;
    const task = programTask(
      async (_files, jobs, context) => {
        socket = context.modelSocket;
        timeout = context.limits.timeoutMs;
        expect(proxy.closed).toBe(0);
        return { ok: true, outcomes: jobs.map((job) => outcome(job, 1)), environment: 'test' };
      },
      {
        modelAccess: (jobs) => ({ purpose: 'evaluation', budget: { tokens: 100 * jobs.length } }),
        sandboxLimits: (jobs, limits) => ({ ...limits, timeoutMs: 1000 * jobs.length }),
      },
    );
    await evaluateNode(FILES, {
      task,
      sandbox: recordingSandbox(() => ({})),
      limits: LIMITS,
      bundle: noBundle,
      harness: 'unused',
      modelProxy: proxy,
      nodeId: 7,
    });
    expect(socket).toBe('/tmp/session-1.sock');
    expect(timeout).toBe(2000);
    expect(proxy.opened).toEqual([{ nodeId: 7, purpose: 'evaluation', budget: { tokens: 200 } }]);
    expect(proxy.closed).toBe(1);
  });

  it('needs neither a bundler nor the harness source for a program task', async () => {
    const task = programTask(async (_files, jobs) => ({
      ok: true,
      outcomes: jobs.map((job) => outcome(job, 1)),
      environment: 'test',
    }));
    const evaluation = await evaluateNode(FILES, { task, sandbox: recordingSandbox(() => ({})), limits: LIMITS });
    expect(evaluation).toMatchObject({ status: 'scored', score: 1 });
  });

  it('a node that failed before any job ran fails every job with the task status', async () => {
    const task = programTask(async () => ({
      ok: false,
      status: 'build_failed',
      error: 'gcc: error: x',
      environment: 'gcc 12',
    }));
    const evaluation = await evaluateNode(FILES, {
      task,
      sandbox: recordingSandbox(() => ({})),
      limits: LIMITS,
      bundle: noBundle,
      harness: '',
    });
    expect(evaluation).toMatchObject({
      status: 'build_failed',
      score: null,
      error: 'gcc: error: x',
      environment: 'gcc 12',
    });
    expect(evaluation.evaluations.map((entry) => entry.status)).toEqual(['invalid', 'invalid']);
  });

  it('checks the agent before running it', async () => {
    let ran = false;
    const task = programTask(async () => {
      ran = true;
      return { ok: true, outcomes: [], environment: '' };
    });
    const evaluation = await evaluateNode(
      {},
      { task, sandbox: recordingSandbox(() => ({})), limits: LIMITS, bundle: noBundle, harness: '' },
    );
    expect(ran).toBe(false);
    expect(evaluation).toMatchObject({ status: 'build_failed', error: 'main.py is missing' });
  });

  it('a runJobs that returns the wrong number of outcomes is a task error', async () => {
    const task = programTask(async (_files, jobs) => ({
      ok: true,
      outcomes: [outcome(jobs[0] as EvaluationJob, 1)],
      environment: '',
    }));
    await expect(
      evaluateNode(FILES, {
        task,
        sandbox: recordingSandbox(() => ({})),
        limits: LIMITS,
        bundle: noBundle,
        harness: '',
      }),
    ).rejects.toThrow(/returned 1 outcomes for 2 jobs/);
  });

  it('an aborted evaluation throws, whatever runJobs returned', async () => {
    const controller = new AbortController();
    const task = programTask(async (_files, jobs) => {
      controller.abort();
      return { ok: true, outcomes: jobs.map((job) => outcome(job, 1)), environment: '' };
    });
    await expect(
      evaluateNode(FILES, {
        task,
        sandbox: recordingSandbox(() => ({})),
        limits: LIMITS,
        bundle: noBundle,
        harness: '',
        signal: controller.signal,
      }),
    ).rejects.toBeInstanceOf(EvaluationAbortedError);
  });

  it('returns the artifacts, prefixed by problem for several jobs', async () => {
    const task = programTask(async (_files, jobs) => ({
      ok: true,
      outcomes: jobs.map((job) => outcome(job, 1, { feedback: `on ${job.problem}` })),
      environment: '',
    }));
    const evaluation = await evaluateNode(FILES, {
      task,
      sandbox: recordingSandbox(() => ({})),
      limits: LIMITS,
      bundle: noBundle,
      harness: '',
    });
    expect(evaluation.artifacts).toEqual({ 'a/feedback': 'on a', 'b/feedback': 'on b' });
  });

  it('a task with neither runJobs nor harness is refused', async () => {
    const task = programTask(async () => ({ ok: true, outcomes: [], environment: '' }));
    delete (task as { runJobs?: unknown }).runJobs;
    await expect(
      evaluateNode(FILES, {
        task,
        sandbox: recordingSandbox(() => ({})),
        limits: LIMITS,
        bundle: noBundle,
        harness: '',
      }),
    ).rejects.toBeInstanceOf(CladeError);
  });
});

describe('evaluateNode through the node harness', () => {
  const harness: TaskHarness = {
    agentEntry: 'agent.ts',
    inputs: (jobs) => jobs.map((job) => ({ problem: job.problem })),
    files: () => ({ 'data/table.txt': '1 2 3' }),
    judge: (job: EvaluationJob, result: HarnessJobResult) => ({
      ...outcome(job, result.ok ? 1 : 0),
      artifacts: { log: result.log },
    }),
  };
  const harnessTask: Task = {
    kind: 'numeric',
    description: 'harness test',
    describeForModel: () => 'test',
    jobs: () => JOBS.map((job) => ({ ...job })),
    harness,
    aggregate: mean,
    checkAgent: () => null,
  };
  const bundle = async (files: AgentFiles, entry: string) => ({
    ok: true as const,
    code: `// bundled ${entry} of ${Object.keys(files).length}`,
  });

  it('bundles the entry, sends the inputs and task files, and judges each job', async () => {
    const sandbox = recordingSandbox(() => ({
      result: {
        harnessVersion: '1',
        jobs: [
          { index: 0, ok: true, durationMs: 2, log: 'first' },
          { index: 1, ok: false, error: 'boom', durationMs: 2, log: 'second' },
        ],
      },
    }));
    const evaluation = await evaluateNode(
      { 'agent.ts': '' },
      { task: harnessTask, sandbox, limits: LIMITS, bundle, harness: '// H' },
    );
    const [request] = sandbox.requests;
    expect(request?.command).toEqual(['node', 'harness.mjs']);
    expect(request?.files['agent.mjs']).toBe('// bundled agent.ts of 1');
    expect(request?.files['data/table.txt']).toBe('1 2 3');
    const input = JSON.parse(request?.files[HARNESS_INPUT_FILE] as string) as HarnessInput;
    expect(input).toEqual({ kind: 'numeric', agent: 'agent.mjs', jobs: [{ problem: 'a' }, { problem: 'b' }] });
    expect(evaluation).toMatchObject({ status: 'scored', score: 0.5, environment: 'test sandbox' });
    expect(evaluation.artifacts).toEqual({ 'a/log': 'first', 'b/log': 'second' });
  });

  it('a harness run that ended badly fails every job with its status', async () => {
    const timedOut = await evaluateNode(
      { 'agent.ts': '' },
      {
        task: harnessTask,
        sandbox: recordingSandbox(() => ({ exit: 'timeout', stderr: 'still going' })),
        limits: LIMITS,
        bundle,
        harness: '',
      },
    );
    expect(timedOut).toMatchObject({ status: 'timeout', environment: 'test sandbox' });
    expect(timedOut.error).toMatch(/wall-clock limit of 5 s.*still going/s);
    expect(timedOut.evaluations.map((entry) => entry.status)).toEqual(['timeout', 'timeout']);
    const malformed = await evaluateNode(
      { 'agent.ts': '' },
      {
        task: harnessTask,
        sandbox: recordingSandbox(() => ({ result: { jobs: 3 } })),
        limits: LIMITS,
        bundle,
        harness: '',
      },
    );
    expect(malformed.status).toBe('invalid');
  });

  it('a job the harness wrote nothing for is invalid', async () => {
    const sandbox = recordingSandbox(() => ({
      result: { harnessVersion: '1', jobs: [{ index: 0, ok: true, durationMs: 2, log: '' }] },
    }));
    const evaluation = await evaluateNode(
      { 'agent.ts': '' },
      { task: harnessTask, sandbox, limits: LIMITS, bundle, harness: '' },
    );
    expect(evaluation.evaluations.map((entry) => entry.status)).toEqual(['ok', 'invalid']);
  });
});

describe('artifact caps', () => {
  it('keeps small artifacts as they are', () => {
    expect(capJobArtifacts({ a: 'x', b: 'é' })).toEqual({ kept: { a: 'x', b: 'é' }, omitted: [] });
  });

  it('cuts one artifact at 4 KiB with the marker, never splitting a character', () => {
    for (const unit of ['a', 'é', '€', '😀']) {
      const { kept } = capJobArtifacts({ big: unit.repeat(5000) });
      const text = kept.big as string;
      expect(bytes(text)).toBeLessThanOrEqual(ARTIFACT_BYTES);
      expect(bytes(text)).toBeGreaterThan(ARTIFACT_BYTES - 4);
      expect(text.endsWith(ARTIFACT_TRUNCATION_MARKER)).toBe(true);
      expect(text).not.toContain('\uFFFD');
      expect(text.startsWith(unit.repeat(10))).toBe(true);
    }
  });

  it('keeps a job within 16 KiB and names what it left out', () => {
    const artifacts: Record<string, string> = {};
    for (let index = 0; index < 6; index++) artifacts[`part${index}`] = 'z'.repeat(5000);
    artifacts.small = 'ok';
    const { kept, omitted } = capJobArtifacts(artifacts);
    const total = Object.values(kept).reduce((sum, text) => sum + bytes(text), 0);
    expect(total).toBeLessThanOrEqual(JOB_ARTIFACT_BYTES);
    expect(Object.keys(kept)).toEqual(['part0', 'part1', 'part2', 'part3']);
    expect(omitted).toEqual(['part4', 'part5', 'small']);
  });

  it('merges jobs: no prefix for one job, the problem for several, problem#repeat where a problem repeats', () => {
    const one = collectArtifacts([outcome({ problem: 'a', repeat: 0, seed: 1 }, 1, { x: '1' })]);
    expect(one.artifacts).toEqual({ x: '1' });
    const repeated = collectArtifacts([
      outcome({ problem: 'a', repeat: 0, seed: 1 }, 1, { x: '1' }),
      outcome({ problem: 'a', repeat: 1, seed: 2 }, 1, { x: '2' }),
      outcome({ problem: 'b', repeat: 0, seed: 3 }, 1, { x: '3' }),
      outcome({ problem: 'c', repeat: 0, seed: 4 }, 1),
    ]);
    expect(repeated.artifacts).toEqual({ 'a#0/x': '1', 'a#1/x': '2', 'b/x': '3' });
    expect(collectArtifacts([outcome({ problem: 'a', repeat: 0, seed: 1 }, 1)]).artifacts).toBeUndefined();
  });

  it('notes left-out artifacts in the job log', async () => {
    const artifacts: Record<string, string> = {};
    for (let index = 0; index < 5; index++) artifacts[`part${index}`] = 'z'.repeat(5000);
    const task = programTask(async (_files, jobs) => ({
      ok: true,
      outcomes: jobs.map((job) => outcome(job, 1, artifacts)),
      environment: '',
    }));
    const evaluation = await evaluateNode(FILES, {
      task,
      sandbox: recordingSandbox(() => ({})),
      limits: LIMITS,
      bundle: noBundle,
      harness: '',
    });
    expect(evaluation.evaluations[0]?.logExcerpt).toMatch(/left out artifacts over 16 KiB per job: part4\]$/);
    expect(Object.keys(evaluation.artifacts ?? {})).toHaveLength(8);
  });
});
