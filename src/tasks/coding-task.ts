/**
 * @module The coding task: a coding agent (`agent.ts` exporting `solve`) is run on small exercises
 * (`benchmarks/coding`), one harness job per exercise, calling models through the campaign's model
 * proxy. Then, in a separate sandbox run without the agent, each exercise's final files are put
 * next to its hidden tests and `node --test` decides: pass scores 1, fail 0. The node's score is
 * the share of exercises passed; each exercise's outcome counts as one pass or failure in HGM's
 * statistics, and staged evaluation can run a few exercises first.
 */
import { CladeError } from '../core/errors.js';
import { deriveSeed } from '../core/random.js';
import { assertSafeRelativePath } from '../core/safe-path.js';
import type { AgentFiles, Metrics } from '../core/types.js';
import {
  CODING_OUTPUT_MAX_BYTES,
  type CodingAgentJob,
  type CodingAgentOutput,
  parseCodingAgentOutput,
} from '../harness/coding-agent-job.js';
import { EvaluationAbortedError } from '../harness/run-harness.js';
import { abnormalEnding, exitDescription } from '../harness/sandbox-exit.js';
import type { SandboxLimits } from '../sandbox/types.js';
import { type CodingExercise, loadCodingExercises } from './coding-exercises.js';
import {
  TEST_EXERCISES_DIRECTORY,
  TEST_GUARD_FILE,
  TEST_GUARD_SOURCE,
  TEST_PLAN_FILE,
  TEST_RESULT_FILE,
  TEST_RUNNER_FILE,
  TEST_RUNNER_SOURCE,
  type TestPlan,
  type TestRunEntry,
} from './coding-test-runner.js';
import type { AgentJobResult, EvaluationJob, JobOutcome, JudgeRunContext, Task, TaskScore } from './types.js';

/** Task kind (and harness kind: the harness runs it with its `coding-agent` runner). */
export const CODING_TASK_KIND = 'coding';

/** The agent entry file of coding tasks. */
export const CODING_AGENT_ENTRY = 'agent.ts';

/** Where each exercise's work directory is, relative to the harness directory. */
export const CODING_WORK_DIRECTORY = 'work';

/** Limits of the agent on one exercise. */
export interface CodingTaskLimits {
  maxSteps: number;
  maxTokens: number;
  timeoutSeconds: number;
  /** Wall-clock limit of one exercise's hidden tests. */
  testTimeoutSeconds: number;
}

/** Options of `createCodingTask`. */
export interface CodingTaskOptions {
  /** Folder of exercises (absolute). */
  exercisesDir: string;
  /** Exercise slugs, or `all`. */
  exercises: readonly string[] | 'all';
  limits: CodingTaskLimits;
  /** Seeds of the jobs (unused by agents today; recorded for replay). */
  campaignSeed: number;
}

/** Log characters kept per exercise: the test outcome first, then the agent's log, both capped. */
const TEST_DETAIL_CHARS = 900;
const AGENT_LOG_CHARS = 700;
/** evaluateNode keeps the last 2000 characters of a job's log; the test outcome must stay in them. */
const EXCERPT_CHARS = 1990;
/** Time the sandbox grants beyond the jobs' own limits (start-up, reading files back). */
const SANDBOX_MARGIN_MS = 30_000;
/** Result bytes per coding job beyond the files themselves (report, log, JSON escaping). */
const RESULT_BYTES_PER_JOB = CODING_OUTPUT_MAX_BYTES * 2 + 64 * 1024;

const tail = (text: string, limit: number): string => (text.length <= limit ? text : `…${text.slice(-limit)}`);

/** The head (test outcome) in full, then as much of the end of `rest` (the agent's side) as fits. */
const fitExcerpt = (head: string, rest: string): string => {
  const room = EXCERPT_CHARS - head.length - 1;
  if (rest.length === 0 || room <= 1) return head.slice(0, EXCERPT_CHARS);
  return `${head}\n${rest.length <= room ? rest : `…${rest.slice(-(room - 1))}`}`;
};

/** The statement the agent gets: the exercise's, and the rules of the game. */
function agentStatement(exercise: CodingExercise): string {
  const files = Object.keys(exercise.startFiles)
    .map((file) => `\`${file}\``)
    .join(', ');
  return (
    `${exercise.statement.trimEnd()}\n\n---\n` +
    `Your work directory holds the starting file(s): ${files}. Implement the exercise there, keeping the ` +
    'exported names and file names: hidden tests (node:test, JavaScript ES modules) import them from ' +
    'these files and run with `node --test` after you stop. The hidden tests are not in your work ' +
    'directory; write your own checks if you want to try your code (`node -e` or a scratch file).\n'
  );
}

/** Creates the coding task; reads and checks every exercise now (a bad one stops the campaign before it starts). */
export function createCodingTask(options: CodingTaskOptions): Task {
  const exercises = loadCodingExercises(options.exercisesDir, options.exercises);
  const bySlug = new Map(exercises.map((exercise) => [exercise.slug, exercise]));
  const { limits } = options;
  const jobs: EvaluationJob[] = exercises.map((exercise) => ({
    problem: exercise.slug,
    repeat: 0,
    seed: deriveSeed(options.campaignSeed, 'run', exercise.slug, 0),
  }));
  const exerciseOf = (job: EvaluationJob): CodingExercise => {
    const exercise = bySlug.get(job.problem);
    if (!exercise) {
      throw new CladeError(
        'TASK_INVALID',
        `Unknown coding exercise "${job.problem}"; this task has: ${[...bySlug.keys()].join(', ')}.`,
      );
    }
    return exercise;
  };

  return {
    kind: CODING_TASK_KIND,
    description: `coding: ${exercises.length} exercise${exercises.length === 1 ? '' : 's'} (${exercises
      .map((exercise) => exercise.slug)
      .join(', ')}), hidden tests with node --test`,
    // Models answer differently from one call to the next: replays compare within an interval.
    deterministic: false,

    describeForModel() {
      return (
        'Improve a coding agent written in TypeScript: its `solve(task)` gets a programming exercise (a statement and starting files in a work directory) ' +
        'and must leave a solution there, calling a model through the socket it is given and running shell commands, within its step, token and time limits. ' +
        `It is run on these exercises: ${this.description}. After it stops, hidden tests it never sees run on its files: ` +
        "an exercise scores 1 when every hidden test passes, else 0. The program's score is the share of exercises passed: higher is better."
      );
    },

    jobs: () => jobs.map((job) => ({ ...job })),

    harness: {
      agentEntry: CODING_AGENT_ENTRY,
      inputs(selected) {
        return selected.map((job): CodingAgentJob => {
          const exercise = exerciseOf(job);
          return {
            id: exercise.slug,
            workDir: `${CODING_WORK_DIRECTORY}/${exercise.slug}`,
            statement: agentStatement(exercise),
            files: { ...exercise.startFiles },
            limits: { maxSteps: limits.maxSteps, maxTokens: limits.maxTokens, timeoutMs: limits.timeoutSeconds * 1000 },
          };
        });
      },

      async judgeRun(entries, context) {
        return judgeWithHiddenTests(entries, context, exerciseOf, limits);
      },
    },

    modelAccess(selected) {
      return {
        purpose: 'evaluation',
        budget: { tokens: limits.maxTokens * selected.length, calls: limits.maxSteps * selected.length },
      };
    },

    sandboxLimits(selected, campaignLimits): SandboxLimits {
      return {
        ...campaignLimits,
        timeoutMs: Math.max(
          campaignLimits.timeoutMs,
          selected.length * limits.timeoutSeconds * 1000 + SANDBOX_MARGIN_MS,
        ),
        resultBytes: Math.max(campaignLimits.resultBytes, selected.length * RESULT_BYTES_PER_JOB),
      };
    },

    aggregate(outcomes): TaskScore {
      const passed = outcomes.filter((outcome) => outcome.score === 1).length;
      const publicMetrics: Metrics = {
        exercises: outcomes.length,
        passed,
        failedJobs: outcomes.filter((outcome) => outcome.status !== 'ok').length,
      };
      let steps = 0;
      let tokens = 0;
      for (const outcome of outcomes) {
        publicMetrics[`pass:${outcome.job.problem}`] = outcome.score === 1;
        if (typeof outcome.metrics.steps === 'number') steps += outcome.metrics.steps;
        if (typeof outcome.metrics.tokensIn === 'number') tokens += outcome.metrics.tokensIn;
        if (typeof outcome.metrics.tokensOut === 'number') tokens += outcome.metrics.tokensOut;
      }
      publicMetrics.agentSteps = steps;
      publicMetrics.agentTokens = tokens;
      return { score: outcomes.length > 0 ? passed / outcomes.length : 0, publicMetrics, privateMetrics: {} };
    },

    checkAgent(files: AgentFiles) {
      const source = files[CODING_AGENT_ENTRY];
      if (source === undefined) {
        return (
          `The agent has no ${CODING_AGENT_ENTRY}. Coding tasks call the \`solve(task)\` exported by ${CODING_AGENT_ENTRY}: ` +
          'restore that file with `export async function solve(task) { … }` returning its report.'
        );
      }
      const code = source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
      const exportsSolve =
        /\bexport\s+(?:async\s+)?function\s*\*?\s*solve\b/.test(code) ||
        /\bexport\s+(?:const|let|var)\s+solve\b/.test(code) ||
        /\bexport\s*\{[^}]*\bsolve\b[^}]*\}/.test(code) ||
        /\bexport\s+default\b/.test(code);
      if (!exportsSolve) {
        return `${CODING_AGENT_ENTRY} exports no solve function. Add \`export async function solve(task: CodingTask): Promise<SolveReport>\`.`;
      }
      return null;
    },
  };
}

/** What the agent's run left for one job: its output, or why there is none. */
function agentOutcome(result: AgentJobResult['result']): { output: CodingAgentOutput | null; problem: string | null } {
  if (result === undefined) {
    return {
      output: null,
      problem:
        "The agent's run wrote no result for this exercise (its sandbox run was killed at the time limit or the harness crashed before it).",
    };
  }
  if (!result.ok) return { output: null, problem: `The agent's run failed: ${result.error ?? 'no error message'}` };
  const parsed = parseCodingAgentOutput(result.output);
  if (!parsed.ok) return { output: null, problem: `The runner's output is malformed: ${parsed.reason}.` };
  return { output: parsed.value, problem: null };
}

/**
 * Step 2 of a coding evaluation: one sandbox run holding, per exercise with files, the agent's final
 * files and the hidden tests (the tests win a name clash), run by `run-tests.mjs`. An exercise
 * passes when node's test runner exits 0 with no failed or cancelled test and at least as many
 * passing tests as the hidden files declare.
 */
async function judgeWithHiddenTests(
  entries: readonly AgentJobResult[],
  context: JudgeRunContext,
  exerciseOf: (job: EvaluationJob) => CodingExercise,
  limits: CodingTaskLimits,
): Promise<JobOutcome[]> {
  const prepared = entries.map((entry) => {
    const exercise = exerciseOf(entry.job);
    const agent = agentOutcome(entry.result);
    return { ...entry, exercise, ...agent };
  });
  const files: Record<string, string> = {
    [TEST_RUNNER_FILE]: TEST_RUNNER_SOURCE,
    [TEST_GUARD_FILE]: TEST_GUARD_SOURCE,
  };
  const plan: TestPlan = { exercises: [], timeoutMs: limits.testTimeoutSeconds * 1000, detailChars: TEST_DETAIL_CHARS };
  const skippedFiles = new Map<string, string[]>();
  for (const entry of prepared) {
    if (entry.output === null) continue;
    const directory = `${TEST_EXERCISES_DIRECTORY}/${entry.exercise.slug}`;
    const skipped: string[] = [];
    for (const [name, content] of Object.entries(entry.output.files)) {
      try {
        assertSafeRelativePath(name);
      } catch {
        skipped.push(name);
        continue;
      }
      if (Object.hasOwn(entry.exercise.testFiles, name)) {
        skipped.push(`${name} (a hidden test file has this name)`);
        continue;
      }
      files[`${directory}/${name}`] = content;
    }
    for (const [name, content] of Object.entries(entry.exercise.testFiles)) files[`${directory}/${name}`] = content;
    if (skipped.length > 0) skippedFiles.set(entry.exercise.slug, skipped);
    plan.exercises.push({ slug: entry.exercise.slug, tests: entry.exercise.testEntries });
  }

  const results = new Map<string, TestRunEntry>();
  let runProblem: string | null = null;
  if (plan.exercises.length > 0) {
    files[TEST_PLAN_FILE] = JSON.stringify(plan);
    const testLimits = {
      ...context.limits,
      timeoutMs: plan.exercises.length * (plan.timeoutMs + 5_000) + SANDBOX_MARGIN_MS,
      resultBytes: Math.max(context.limits.resultBytes, 4 * 1024 * 1024),
    };
    const run = await context.sandbox.run({
      files,
      command: ['node', TEST_RUNNER_FILE],
      resultFile: TEST_RESULT_FILE,
      limits: testLimits,
      ...(context.signal ? { signal: context.signal } : {}),
    });
    if (run.exit === 'aborted') throw new EvaluationAbortedError();
    const output = run.result as { exercises?: unknown } | undefined;
    if (output && Array.isArray(output.exercises)) {
      for (const entry of output.exercises as TestRunEntry[]) {
        if (entry && typeof entry.slug === 'string') results.set(entry.slug, entry);
      }
    }
    if (run.exit !== 'exited' || run.exitCode !== 0) {
      const tailText = `${run.stderr}${run.stdout}`.trim();
      runProblem =
        `The test run ${abnormalEnding(run, testLimits)?.reason ?? exitDescription(run)}` +
        `${run.resultError ? ` (${run.resultError})` : ''}${tailText ? `: ${tail(tailText, 300)}` : ''}`;
    }
  }

  return prepared.map((entry): JobOutcome => {
    const { job, exercise, output, problem } = entry;
    const report = output?.report;
    const metrics: Metrics = {
      stopReason: report?.stopReason ?? null,
      steps: report?.steps ?? null,
      tokensIn: report?.tokensIn ?? null,
      tokensOut: report?.tokensOut ?? null,
      testsPassed: null,
      testsTotal: exercise.testCount,
    };
    const agentLog = entry.result?.log ?? '';
    const agentPart = [
      report
        ? `agent: stopped (${report.stopReason}) after ${report.steps} step(s), ${report.tokensIn}+${report.tokensOut} tokens`
        : 'agent: no report',
      output?.error ? `agent run: ${output.error}` : '',
      output?.truncated ? `files left out: ${output.truncated}` : '',
      skippedFiles.has(exercise.slug) ? `files not used: ${skippedFiles.get(exercise.slug)?.join(', ')}` : '',
      agentLog ? `agent log (end):\n${tail(agentLog.trimEnd(), AGENT_LOG_CHARS)}` : '',
    ]
      .filter((line) => line.length > 0)
      .join('\n');
    const durationMs = entry.result?.durationMs ?? 0;
    if (output === null) {
      return {
        job,
        status: entry.result === undefined ? 'timeout' : 'failed',
        score: 0,
        metrics: { ...metrics, reason: problem },
        durationMs,
        logExcerpt: fitExcerpt(`FAIL ${exercise.slug}: ${problem}`, tail(agentLog.trimEnd(), AGENT_LOG_CHARS)),
      };
    }
    const tests = results.get(exercise.slug);
    if (tests === undefined) {
      const reason = `The hidden tests did not run for this exercise. ${runProblem ?? 'The test run wrote no result for it.'}`;
      return {
        job,
        status: 'timeout',
        score: 0,
        metrics: { ...metrics, reason },
        durationMs,
        logExcerpt: fitExcerpt(`FAIL ${exercise.slug}: ${reason}`, agentPart),
      };
    }
    const passed =
      tests.exitCode === 0 &&
      !tests.timedOut &&
      tests.fail === 0 &&
      tests.cancelled === 0 &&
      tests.tests !== null &&
      tests.pass === tests.tests &&
      tests.tests >= Math.max(1, exercise.testCount);
    const counts =
      tests.tests === null
        ? 'no test summary'
        : `${tests.pass ?? 0} of ${tests.tests} test(s) passed${tests.tests < exercise.testCount ? ` (the hidden files declare ${exercise.testCount}: the test process ended early)` : ''}`;
    const how = tests.timedOut
      ? `killed after ${limits.testTimeoutSeconds} s`
      : `exit ${tests.exitCode ?? tests.signal ?? '?'}`;
    const testPart = `${passed ? 'PASS' : 'FAIL'} ${exercise.slug}: ${counts} (node --test, ${how})${
      !passed && tests.details ? `\n${tests.details.slice(0, TEST_DETAIL_CHARS + 20)}` : ''
    }`;
    return {
      job,
      status: 'ok',
      score: passed ? 1 : 0,
      metrics: {
        ...metrics,
        testsPassed: tests.pass,
        testsTotal: tests.tests ?? exercise.testCount,
      },
      // The hidden tests' time counts in the job's duration, not its metrics: metrics are compared
      // exactly by replay and regrow, and a time is never the same twice.
      durationMs: durationMs + tests.durationMs,
      logExcerpt: fitExcerpt(testPart, agentPart),
    };
  });
}
