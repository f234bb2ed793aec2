/**
 * @module The contract every task kind must pass, run for every kind registered in `taskKinds`
 * (`tests/contracts/task.contract.test.ts` gives each kind a fixture: a sample `task` section with
 * small settings, a sample seed and a broken seed; a registered kind without one fails the suite,
 * naming the kind).
 *
 * What the suite fixes for every kind:
 * - the kind's schema accepts the sample section and refuses an unknown field, naming it (strict),
 *   and so does the campaign-file schema assembled from the registry (a `ConfigError` naming it);
 * - `prepare` resolves the section's relative paths against the campaign file's directory, and
 *   refuses a path that does not exist with a `ConfigError` naming the field;
 * - `create` gives a `Task` of that kind with exactly one way to run a node (`runJobs` or `harness`)
 *   whose `jobs()` are non-empty, the same on every call and for every task made from the same
 *   section and seed, with distinct (problem, repeat) pairs and integer seeds; a copy handed out
 *   cannot change the next one;
 * - the prepared section survives JSON (the archive stores it; `clade resume` creates the task from
 *   it) and makes the same task; job seeds derive from the campaign seed;
 * - `describeForModel()` is non-empty and says which way is better;
 * - `checkAgent` refuses an empty tree with a message;
 * - the sample seed evaluates end to end through `evaluateNode` in the process sandbox to a finite
 *   score in [0, 1] (or the range the fixture documents), one evaluation per job, the same score again
 *   when the task is deterministic, and the broken seed
 *   to a status other than `scored`, with a reason. A kind that cannot run offline says why in its
 *   fixture (`offlineReason`); the case is then listed as a todo naming the reason, never skipped silently.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCampaign } from '../../src/campaign-file.js';
import { ConfigError } from '../../src/core/errors.js';
import type { AgentFiles } from '../../src/core/types.js';
import { bundleAgent } from '../../src/harness/bundle-agent.js';
import { loadHarness } from '../../src/harness/load-harness.js';
import type { ModelProxy } from '../../src/model-proxy/types.js';
import { createProcessSandbox } from '../../src/sandbox/process-sandbox.js';
import type { Sandbox, SandboxLimits } from '../../src/sandbox/types.js';
import { evaluateNode } from '../../src/tasks/evaluate-node.js';
import { type TaskKind, taskKinds } from '../../src/tasks/registry.js';
import type { Task } from '../../src/tasks/types.js';
import { describeCoverage } from './registry-coverage.js';

/** Limits of the sample runs: generous for a slow, shared machine. */
export const TASK_CONTRACT_LIMITS: SandboxLimits = {
  timeoutMs: 60_000,
  memoryMb: 1024,
  outputBytes: 64 * 1024,
  cpus: 1,
  pids: 64,
  resultBytes: 16 * 1024 * 1024,
};

/** What the end-to-end run of a kind needs besides the process sandbox. */
export interface TaskContractRun {
  /** The model proxy the node's agents call (tasks whose agents call models). */
  modelProxy?: ModelProxy;
  /** Stops what `setUp` started. */
  close(): Promise<void>;
}

/** One task kind's sample. */
export interface TaskContractFixture {
  /** The `task` section (small settings) as a campaign file in `configDirectory` holds it, relative paths included. */
  section: Record<string, unknown>;
  /** Absolute directory of the (imagined) campaign file. */
  configDirectory: string;
  /**
   * Fields of a section that name paths relative to the campaign file, and the section holding them
   * (default `section`). Empty when the kind has no path fields.
   */
  paths: { fields: readonly string[]; section?: Record<string, unknown> };
  /** The sample seed: a node tree that runs and scores. */
  seed(): AgentFiles | Promise<AgentFiles>;
  /** A broken seed: a tree that evaluates to a status other than `scored`. */
  broken: AgentFiles;
  /** The documented range of a node score. Default [0, 1]. */
  scoreRange?: readonly [number, number];
  /** The sample seed's score, when the fixture knows it (e.g. a scripted model that solves the exercise). */
  seedScore?: number;
  /** Starts what the end-to-end run needs besides the sandbox (a model proxy). */
  setUp?(): Promise<TaskContractRun>;
  /** Set when the kind cannot be evaluated end to end offline: why (the case becomes a todo naming it). */
  offlineReason?: string;
}

/** Fixtures by kind name. */
export type TaskContractFixtures = Readonly<Record<string, TaskContractFixture>>;

/** A field name no kind has. */
const UNKNOWN_FIELD = 'contractUnknownField';

/** Says which way is better, in the words task descriptions use. */
const DIRECTION = /\b(higher|lower|larger|smaller)\b[^.]*\bbetter\b|\bbetter\b[^.]*\b(higher|lower|larger|smaller)\b/i;

function parse(kind: TaskKind, section: Record<string, unknown>): { kind: string } {
  const parsed = kind.schema.safeParse(section);
  if (!parsed.success) {
    throw new Error(
      `The ${kind.kind} schema refused the contract sample ${JSON.stringify(section)}: ${JSON.stringify(parsed.error.issues)}`,
    );
  }
  return parsed.data;
}

function prepare(kind: TaskKind, section: Record<string, unknown>, configDirectory: string): { kind: string } {
  const parsed = parse(kind, section);
  return kind.prepare
    ? kind.prepare(parsed, { configDirectory, agentDirectory: path.join(configDirectory, 'agent') })
    : parsed;
}

/** Registers the task cases for one kind under `describe('task contract: <kind>')`. */
export function runTaskContract(kind: TaskKind, fixture: TaskContractFixture): void {
  describe(`task contract: ${kind.kind}`, () => {
    const make = (): Task => kind.create(prepare(kind, fixture.section, fixture.configDirectory), { seed: 11 });

    it('accepts the sample section and refuses an unknown field, naming it', () => {
      expect(parse(kind, fixture.section).kind).toBe(kind.kind);
      const refused = kind.schema.safeParse({ ...fixture.section, [UNKNOWN_FIELD]: 1 });
      expect(refused.success, `the ${kind.kind} schema accepted an unknown field (it must be strict)`).toBe(false);
      expect(JSON.stringify(refused.error?.issues)).toContain(UNKNOWN_FIELD);
      expect(kind.schema.safeParse({ ...fixture.section, kind: 'not-this-kind' }).success).toBe(false);
    });

    it('is part of the campaign-file schema: a campaign with the section validates, an unknown field is a ConfigError naming task.<field>', () => {
      const campaign = { name: 'contract', agent: '.', task: fixture.section };
      expect(validateCampaign(campaign, 'contract.yaml').task).toEqual(parse(kind, fixture.section));
      let thrown: unknown;
      try {
        validateCampaign({ ...campaign, task: { ...fixture.section, [UNKNOWN_FIELD]: 1 } }, 'contract.yaml');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).message).toContain(UNKNOWN_FIELD);
      expect((thrown as ConfigError).issues.map((issue) => issue.path).join(' ')).toContain('task');
    });

    it('prepare resolves relative paths against the campaign file directory', () => {
      const section = fixture.paths.section ?? fixture.section;
      if (fixture.paths.fields.length === 0) {
        // No path fields: prepare, if any, changes nothing that names a file.
        expect(prepare(kind, section, fixture.configDirectory)).toEqual(parse(kind, section));
        return;
      }
      expect(kind.prepare, `${kind.kind} has path fields but no prepare`).toBeDefined();
      const prepared = prepare(kind, section, fixture.configDirectory) as unknown as Record<string, unknown>;
      for (const field of fixture.paths.fields) {
        const written = section[field];
        expect(typeof written, `sample field ${field}`).toBe('string');
        expect(path.isAbsolute(written as string), `the sample's ${field} must be relative`).toBe(false);
        expect(prepared[field], `prepared ${field}`).toBe(path.resolve(fixture.configDirectory, written as string));
      }
    });

    if (fixture.paths.fields.length > 0) {
      it('prepare refuses a path that does not exist with a ConfigError naming the field', () => {
        const section = fixture.paths.section ?? fixture.section;
        for (const field of fixture.paths.fields) {
          const missing = { ...section, [field]: 'contract-does-not-exist/nowhere' };
          let thrown: unknown;
          try {
            prepare(kind, missing, fixture.configDirectory);
          } catch (error) {
            thrown = error;
          }
          expect(
            thrown,
            `prepare accepted ${field}: "contract-does-not-exist/nowhere", a path that does not exist`,
          ).toBeInstanceOf(ConfigError);
          const error = thrown as ConfigError;
          expect(`${error.message} ${JSON.stringify(error.issues)}`).toContain(field);
        }
      });
    }

    it('creates a task of its kind whose jobs are non-empty, stable and distinct', () => {
      const task = make();
      expect(task.kind).toBe(kind.kind);
      expect(task.description.trim()).not.toBe('');
      expect(
        (task.runJobs === undefined) !== (task.harness === undefined),
        'a task has exactly one of runJobs and harness',
      ).toBe(true);
      const jobs = task.jobs();
      expect(jobs.length).toBeGreaterThan(0);
      expect(task.jobs()).toEqual(jobs);
      expect(make().jobs(), 'the same section and seed make the same jobs').toEqual(jobs);
      const keys = jobs.map((job) => `${job.problem}#${job.repeat}`);
      expect(new Set(keys).size, `duplicate (problem, repeat) in ${keys.join(', ')}`).toBe(keys.length);
      for (const job of jobs) {
        expect(job.problem).not.toBe('');
        expect(Number.isInteger(job.repeat) && job.repeat >= 0).toBe(true);
        expect(Number.isInteger(job.seed)).toBe(true);
      }
      // A caller changing what it got must not change the task.
      const handedOut = task.jobs();
      (handedOut[0] as { problem: string }).problem = 'changed-by-caller';
      handedOut.pop();
      expect(task.jobs()).toEqual(jobs);
    });

    it('creates the same task from its prepared section after a JSON round trip (what the archive stores for resume)', () => {
      const prepared = prepare(kind, fixture.section, fixture.configDirectory);
      const stored = JSON.parse(JSON.stringify(prepared)) as { kind: string };
      expect(stored, 'the prepared section does not survive JSON').toEqual(prepared);
      const original = kind.create(prepared, { seed: 11 });
      const resumed = kind.create(stored, { seed: 11 });
      expect(resumed.jobs()).toEqual(original.jobs());
      expect(resumed.description).toBe(original.description);
      expect(resumed.describeForModel()).toBe(original.describeForModel());
      expect(
        kind
          .create(prepared, { seed: 12 })
          .jobs()
          .map((job) => job.seed),
        'job seeds derive from the campaign seed',
      ).not.toEqual(original.jobs().map((job) => job.seed));
    });

    it('describes itself to a model, saying which way is better', () => {
      const description = make().describeForModel();
      expect(description.trim().length).toBeGreaterThan(40);
      expect(description, `the ${kind.kind} description does not say which way is better`).toMatch(DIRECTION);
    });

    it('refuses an empty tree with a message', () => {
      const problem = make().checkAgent({});
      expect(typeof problem).toBe('string');
      expect((problem as string).trim().length).toBeGreaterThan(10);
    });

    if (fixture.offlineReason !== undefined) {
      it.todo(`evaluates its sample seed end to end — not run offline: ${fixture.offlineReason}`);
      return;
    }

    describe('end to end through evaluateNode in the process sandbox', () => {
      let sandbox: Sandbox;
      let harness: string;
      let run: TaskContractRun | undefined;
      beforeAll(async () => {
        sandbox = createProcessSandbox();
        harness = await loadHarness();
        run = await fixture.setUp?.();
      }, 120_000);
      afterAll(async () => {
        await run?.close();
        await sandbox?.close();
      });

      const evaluate = (task: Task, files: AgentFiles) =>
        evaluateNode(files, {
          task,
          sandbox,
          limits: TASK_CONTRACT_LIMITS,
          bundle: bundleAgent,
          harness,
          ...(run?.modelProxy ? { modelProxy: run.modelProxy, nodeId: 1 } : {}),
        });

      it('scores its sample seed: a finite score in the documented range, one evaluation per job', async () => {
        const task = make();
        const result = await evaluate(task, await fixture.seed());
        const [low, high] = fixture.scoreRange ?? [0, 1];
        expect(result.status, `the sample seed was not scored: ${result.error}`).toBe('scored');
        expect(Number.isFinite(result.score)).toBe(true);
        expect(result.score as number).toBeGreaterThanOrEqual(low);
        expect(result.score as number).toBeLessThanOrEqual(high);
        expect(result.evaluations.map((entry) => [entry.problem, entry.repeat, entry.seed])).toEqual(
          task.jobs().map((job) => [job.problem, job.repeat, job.seed]),
        );
        expect(result.environment.trim()).not.toBe('');
        if (fixture.seedScore !== undefined) expect(result.score).toBeCloseTo(fixture.seedScore, 12);
        if (task.deterministic !== false) {
          // A deterministic task scores the same code with the same jobs and seeds the same (replay relies on it).
          const again = await evaluate(make(), await fixture.seed());
          expect(again.score, 'a deterministic task scored the same seed differently').toBe(result.score);
          expect(again.evaluations.map((entry) => entry.score)).toEqual(result.evaluations.map((entry) => entry.score));
        }
      }, 120_000);

      it('gives a broken seed a status other than scored, with a reason', async () => {
        const result = await evaluate(make(), fixture.broken);
        expect(result.status).not.toBe('scored');
        expect(result.score).toBeNull();
        expect(result.error?.trim().length ?? 0, 'the broken seed has no reason').toBeGreaterThan(10);
      }, 120_000);
    });
  });
}

/**
 * Runs the contract for every kind in `taskKinds` with its fixture. A registered kind without a
 * fixture, or a fixture of no registered kind, fails the coverage case.
 */
export function runRegisteredTaskContracts(fixtures: TaskContractFixtures): void {
  describeCoverage('task', taskKinds, fixtures);
  for (const kind of taskKinds.list()) {
    const fixture = fixtures[kind.kind];
    if (fixture !== undefined) runTaskContract(kind, fixture);
  }
}
