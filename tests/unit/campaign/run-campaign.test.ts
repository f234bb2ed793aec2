/**
 * The campaign loop follows an evaluation scheduler and a candidate describer it knows nothing
 * about (here written in the test, as a library user would): it runs the jobs the scheduler asks
 * for, records what the describer computes, and shows selectors the describer's features. Real
 * SQLite archive and git code store in a temporary directory; evaluation is a pure function of the
 * agent's files (no sandbox), so the test is about the loop alone.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openArchive } from '../../../src/archive/sqlite-store.js';
import type { ArchiveStore } from '../../../src/archive/types.js';
import { createEvaluationPlan } from '../../../src/campaign/evaluation-plan.js';
import { runCampaign } from '../../../src/campaign/run-campaign.js';
import type { CampaignDependencies, NodeEvaluator } from '../../../src/campaign/types.js';
import { CladeError } from '../../../src/core/errors.js';
import type { AgentFiles } from '../../../src/core/types.js';
import { createGitCodeStore } from '../../../src/lineage/git-store.js';
import type { Mutator } from '../../../src/mutation/types.js';
import { codeFeatureDescriber } from '../../../src/selection/code-features.js';
import type {
  CandidateDescriber,
  EvaluationScheduler,
  ParentSelector,
  SelectionCandidate,
} from '../../../src/selection/types.js';
import type { EvaluationJob } from '../../../src/tasks/types.js';
import { temporaryDirectory } from '../../helpers/campaign-fixture.js';

const JOBS: EvaluationJob[] = ['a', 'b', 'c', 'd'].map((problem, index) => ({ problem, repeat: 0, seed: index }));
const LIMITS = { timeoutMs: 1000, memoryMb: 64, outputBytes: 1024, cpus: 1, pids: 8, resultBytes: 1024 };

/** The agent is one number; each job scores it a little differently. */
const evaluate: NodeEvaluator = async (files, _signal, jobs = JOBS) => {
  const value = Number(files['agent.txt']);
  const evaluations = jobs.map((job) => ({
    problem: job.problem,
    repeat: job.repeat,
    seed: job.seed,
    status: 'ok' as const,
    score: ((value + job.seed) % 10) / 10,
    metrics: {},
    durationMs: 1,
    logExcerpt: '',
  }));
  const score = evaluations.reduce((sum, record) => sum + (record.score ?? 0), 0) / evaluations.length;
  return {
    status: 'scored',
    score,
    publicMetrics: { value },
    privateMetrics: {},
    error: null,
    evaluations,
    durationMs: 1,
    functionEvaluations: jobs.length,
    environment: 'test',
  };
};

const mutator: Mutator = {
  name: 'increment',
  async mutate(request) {
    const files: AgentFiles = { 'agent.txt': String(Number(request.parent.node.id) + (request.nodeId ?? 0) * 3) };
    return { ok: true, files, info: { operator: 'increment', summary: `node ${request.nodeId}` } };
  },
};

let workspace: { path: string; remove: () => void } | undefined;
let archive: ArchiveStore | undefined;
afterEach(() => {
  archive?.close();
  archive = undefined;
  workspace?.remove();
  workspace = undefined;
});

async function setUp(): Promise<Omit<CampaignDependencies, 'selector'>> {
  workspace = temporaryDirectory('clade-loop-');
  archive = openArchive(path.join(workspace.path, 'archive.db'));
  archive.createCampaign({
    id: 'loop',
    name: 'loop',
    seed: 5,
    config: {},
    configPath: path.join(workspace.path, 'loop.yaml'),
    createdAt: new Date().toISOString(),
  });
  const code = createGitCodeStore(path.join(workspace.path, 'code.git'));
  await code.init();
  return {
    archive,
    code,
    evaluate,
    mutator,
    evaluation: {
      plan: createEvaluationPlan(JOBS, []),
      summarize: (records) => {
        const scores = records.map((record) => record.score ?? 0);
        const score = scores.reduce((sum, value) => sum + value, 0) / scores.length;
        return { status: 'scored', score, publicMetrics: { jobs: records.length }, privateMetrics: {}, error: null };
      },
    },
    describer: codeFeatureDescriber(),
    seedFiles: async () => ({ 'agent.txt': '1' }),
  };
}

const settings = { seed: 5, iterations: 5, wallClockSeconds: null, workers: 1, inspirations: 0, limits: LIMITS };

/** A selector that keeps every snapshot's candidates and picks the newest scored node. */
function recordingSelector(seen: SelectionCandidate[][]): ParentSelector {
  return {
    name: 'newest',
    select(snapshot, _random, count) {
      seen.push(snapshot.nodes.map((node) => ({ ...node })));
      const scored = snapshot.nodes.filter((node) => node.status === 'scored');
      const newest = scored[scored.length - 1];
      return newest ? Array.from({ length: count }, () => newest.id) : [];
    },
  };
}

describe('the campaign loop with a scheduler and a describer of its own', () => {
  it('runs the jobs the scheduler asks for, in its order, and records the describer’s numbers', async () => {
    const base = await setUp();
    const decisions: string[] = [];
    const scheduler: EvaluationScheduler = {
      name: 'two-then-rest',
      initialJobs: () => 1,
      incremental: () => true,
      // The worker that recorded a node's first job runs its second at once.
      continueWith: (_plan, done) => (done === 1 ? 1 : 0),
      next(view) {
        const open = view.nodes.find(
          (node) => node.status === 'scored' && !view.busy(node.id) && view.evaluated(node.id) < view.plan.jobCount,
        );
        const draw = view.random('test-scheduler', view.evaluationCount).next();
        if (open && draw < 0.99) {
          decisions.push(`evaluate ${open.id}`);
          return { kind: 'evaluate', nodeId: open.id, jobCount: view.plan.jobCount - view.evaluated(open.id) };
        }
        decisions.push('expand');
        return { kind: 'expand' };
      },
    };
    const seedReads: number[] = [];
    const describer: CandidateDescriber = {
      async describe(files, seedFiles) {
        const seed = await seedFiles();
        seedReads.push(Number(seed['agent.txt']));
        return {
          digits: (files['agent.txt'] ?? '').length,
          distance: Number(files['agent.txt']) - Number(seed['agent.txt']),
        };
      },
      features: (node) => ({ twice: 2 * Number(node.publicMetrics.jobs ?? 0) }),
    };
    const seen: SelectionCandidate[][] = [];
    const summary = await runCampaign(settings, {
      ...base,
      evaluation: { ...(base.evaluation as NonNullable<CampaignDependencies['evaluation']>), scheduler },
      describer,
      selector: recordingSelector(seen),
    });
    expect(summary.nodes).toBe(6);
    // The seed runs every job; a child runs 1 (initial) + 1 (continued) jobs, then 2 when the scheduler
    // chooses it; the last child is left at 2 because the budget is spent before its turn comes.
    const nodes = archive?.listNodes() ?? [];
    const problems = nodes.map((node) =>
      archive
        ?.evaluations(node.id)
        .map((record) => record.problem)
        .join(''),
    );
    expect(problems).toEqual(['abcd', 'abcd', 'abcd', 'abcd', 'abcd', 'ab']);
    expect(decisions).toEqual([
      'expand',
      ...Array.from({ length: 4 }, (_, index) => [`evaluate ${index + 1}`, 'expand']).flat(),
    ]);
    for (const node of nodes) {
      const value = Number((await base.code.readFiles(node.commit))['agent.txt']);
      expect(node.privateMetrics).toMatchObject({ digits: String(value).length, distance: value - 1 });
    }
    expect(new Set(seedReads)).toEqual(new Set([1]));
    // Selectors see the describer's features, kept in step as a node's evaluations are appended.
    const last = seen[seen.length - 1] ?? [];
    expect(last.map((candidate) => candidate.features)).toEqual(last.map(() => ({ twice: 8 })));
    expect(last).toHaveLength(5);
  });

  it('records the built-in code features when the wiring gives no describer', async () => {
    const base = await setUp();
    await runCampaign({ ...settings, iterations: 2 }, { ...base, selector: recordingSelector([]) });
    for (const node of archive?.listNodes() ?? []) {
      expect(node.privateMetrics).toMatchObject({ codeLength: expect.any(Number), diversity: expect.any(Number) });
    }
  });

  it('refuses a scheduler decision for a node that has no jobs left, naming the scheduler', async () => {
    const base = await setUp();
    const scheduler: EvaluationScheduler = {
      name: 'broken',
      initialJobs: (plan) => plan.jobCount,
      incremental: () => false,
      continueWith: () => 0,
      next: () => ({ kind: 'evaluate', nodeId: 0, jobCount: 1 }),
    };
    const error = await runCampaign(settings, {
      ...base,
      evaluation: { ...(base.evaluation as NonNullable<CampaignDependencies['evaluation']>), scheduler },
      selector: recordingSelector([]),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CladeError);
    expect(String(error)).toMatch(/Evaluation scheduler broken chose node 0 .* no jobs left \(4 of 4 done\)/);
  });
});
