import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openArchive } from '../../src/archive/sqlite-store.js';
import { loadCampaignFile } from '../../src/campaign-file.js';
import { ConfigError } from '../../src/core/errors.js';
import { gradedOutcome } from '../../src/core/outcomes.js';
import { createCampaign, openCampaign } from '../../src/create-campaign.js';
import { optionsOf, selectorKinds } from '../../src/selection/index.js';
import type { SelectorKind } from '../../src/selection/types.js';
import { runCli, seedAgent, temporaryDirectory } from '../helpers/campaign-fixture.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** Two 3-d problems × 2 repeats = 4 jobs per node; `extra` is YAML appended to the file. */
function writeCampaign(directory: string, extra: string, iterations = 8): string {
  const file = path.join(directory, 'campaign.yaml');
  writeFileSync(
    file,
    `name: scheduling
seed: 5
agent: ${JSON.stringify(seedAgent)}
task:
  kind: numeric
  problems:
    - { fn: sphere, dim: 3 }
    - { fn: rastrigin, dim: 3 }
  evaluationsPerDim: 300
  repeats: 2
budget:
  iterations: ${iterations}
workers: 2
sandbox:
  kind: process
  timeoutSeconds: 30
${extra}`,
  );
  return file;
}

function workspace(): string {
  const directory = temporaryDirectory('clade-scheduling-');
  cleanups.push(directory.remove);
  return directory.path;
}

/** Plan order: repeats interleaved (sphere#0, rastrigin#0, sphere#1, rastrigin#1). */
const PLAN = ['sphere-d3#0', 'rastrigin-d3#0', 'sphere-d3#1', 'rastrigin-d3#1'];

function readArchive(directory: string) {
  const archive = openArchive(path.join(directory, 'archive.db'), { readonly: true });
  try {
    const nodes = archive.listNodes();
    const evaluations = new Map(nodes.map((node) => [node.id, archive.evaluations(node.id)]));
    return { nodes, evaluations, stats: archive.nodeStats(), events: archive.events() };
  } finally {
    archive.close();
  }
}

describe('staged evaluation', () => {
  it('runs the second stage only for children that reach the threshold, and appends it to the node', async () => {
    const root = workspace();
    const threshold = 0.45;
    const file = writeCampaign(root, `evaluation:\n  stages:\n    - { jobs: 1, threshold: ${threshold} }\n    - {}\n`);
    const campaign = await createCampaign(loadCampaignFile(file), path.join(root, 'run'));
    await campaign.run();
    campaign.close();
    const { nodes, evaluations, events } = readArchive(path.join(root, 'run'));
    expect(nodes).toHaveLength(9);
    let continued = 0;
    for (const node of nodes) {
      const records = evaluations.get(node.id) ?? [];
      if (node.status !== 'scored') continue;
      // A prefix of the plan: the first stage, or the first stage and all the rest.
      expect(records.map((record) => `${record.problem}#${record.repeat}`)).toEqual(PLAN.slice(0, records.length));
      const first = records[0]?.score ?? 0;
      // The seed is every child's reference: it always runs every job.
      expect(records.length).toBe(node.parentId === null || first >= threshold ? 4 : 1);
      if (records.length === 4 && node.parentId !== null) continued++;
      // The node's score is the mean over all its evaluations (failed jobs count 0).
      const mean = records.reduce((sum, record) => sum + (record.score ?? 0), 0) / records.length;
      expect(node.score).toBeCloseTo(mean, 12);
      expect(node.publicMetrics.jobsEvaluated).toBe(records.length);
      if (records.length === 4) {
        // Every problem ran twice (repeats): the mean comes with its 95 % interval.
        expect(node.publicMetrics.scoreCiLow).toBeLessThanOrEqual(node.score as number);
        expect(node.publicMetrics.scoreCiHigh).toBeGreaterThanOrEqual(node.score as number);
        expect(node.publicMetrics['scoreCiLow:sphere-d3']).toBeDefined();
      } else {
        expect(node.publicMetrics.scoreCiLow).toBeUndefined();
      }
    }
    // Each child that went on has exactly one append (its second stage); the seed none.
    expect(events.filter((event) => event.type === 'evaluations-appended')).toHaveLength(continued);
  }, 120_000);

  it('continues a stage that an abort interrupted when the campaign is resumed', async () => {
    const root = workspace();
    const file = writeCampaign(root, 'evaluation:\n  stages:\n    - { jobs: 1, threshold: 0 }\n    - {}\n', 6);
    const directory = path.join(root, 'run');
    const campaign = await createCampaign(loadCampaignFile(file), directory);
    const abort = new AbortController();
    // Abort as soon as a child is recorded with its first stage: its second stage is then running.
    await campaign
      .run({
        abortSignal: abort.signal,
        onEvent: (event) => {
          if (event.type === 'node-recorded' && event.node.parentId !== null) abort.abort();
        },
      })
      .catch(() => undefined);
    campaign.close();
    const interrupted = readArchive(directory);
    const partial = interrupted.nodes.filter(
      (node) => node.status === 'scored' && (interrupted.evaluations.get(node.id)?.length ?? 0) < 4,
    );
    expect(partial.length).toBeGreaterThan(0);

    const resumed = await openCampaign(directory);
    await resumed.run();
    resumed.close();
    const { nodes, evaluations } = readArchive(directory);
    expect(nodes).toHaveLength(7);
    for (const node of nodes) {
      if (node.status === 'scored') expect(evaluations.get(node.id)).toHaveLength(4);
    }
  }, 120_000);
});

describe('the hgm scheduler', () => {
  it('interleaves expansions with single-task evaluations and keeps clade counts exact', async () => {
    const root = workspace();
    const file = writeCampaign(root, 'selection:\n  strategy: hgm\n', 10);
    const directory = path.join(root, 'run');
    const campaign = await createCampaign(loadCampaignFile(file), directory);
    await campaign.run();
    campaign.close();
    const { nodes, evaluations, stats, events } = readArchive(directory);
    expect(nodes).toHaveLength(11);
    // Some nodes got more tasks one at a time, after they were recorded.
    expect(events.some((event) => event.type === 'evaluations-appended')).toBe(true);
    const appended = events.filter((event) => event.type === 'evaluations-appended');
    for (const event of appended) expect((event.data as { evaluations: number }).evaluations).toBe(1);
    for (const node of nodes) {
      const records = evaluations.get(node.id) ?? [];
      expect(records.map((record) => `${record.problem}#${record.repeat}`)).toEqual(PLAN.slice(0, records.length));
    }
    // Clade = own + all descendants' own, own = the node's evaluations only.
    const own = new Map<number, { passes: number; failures: number }>();
    for (const node of nodes) {
      const sum = { passes: 0, failures: 0 };
      for (const record of evaluations.get(node.id) ?? []) {
        const outcome = gradedOutcome(record.score);
        sum.passes += outcome.passes;
        sum.failures += outcome.failures;
      }
      own.set(node.id, sum);
    }
    const byId = new Map(nodes.map((node) => [node.id, node]));
    for (const entry of stats) {
      expect(entry.own.passes).toBeCloseTo(own.get(entry.nodeId)?.passes as number, 9);
      let passes = 0;
      for (const node of nodes) {
        for (let at = byId.get(node.id); at; at = at.parentId === null ? undefined : byId.get(at.parentId)) {
          if (at.id === entry.nodeId) passes += own.get(node.id)?.passes as number;
        }
      }
      expect(entry.clade.passes).toBeCloseTo(passes, 9);
    }

    const tree = await runCli(['tree', directory, '--json']);
    expect(tree.code).toBe(0);
    const parsed = JSON.parse(tree.stdout) as {
      nodes: Array<{ id: number; children: number; own: { passes: number }; clade: { passes: number } }>;
    };
    const statsById = new Map(stats.map((entry) => [entry.nodeId, entry]));
    for (const node of parsed.nodes) {
      expect(node.own.passes).toBeCloseTo(statsById.get(node.id)?.own.passes as number, 9);
      expect(node.clade.passes).toBeCloseTo(statsById.get(node.id)?.clade.passes as number, 9);
      expect(node.children).toBe(statsById.get(node.id)?.children);
    }
  }, 180_000);
});

describe('a selection strategy registered from outside clade', () => {
  const options = z.object({ initialJobs: z.number().int().min(1).default(1) }).strict();
  /** Always the seed as parent; each child starts on `initialJobs` jobs; the oldest open node is evaluated first. */
  const oldestFirst: SelectorKind = {
    kind: 'oldest-first',
    summary: 'test strategy: the seed as parent, the oldest open node evaluated first',
    options: { key: 'oldestFirst', schema: options },
    create: () => ({
      name: 'oldest-first',
      select: (snapshot, _random, count) =>
        snapshot.nodes.some((node) => node.status === 'scored') ? Array.from({ length: count }, () => 0) : [],
    }),
    scheduler: (section) => {
      const { initialJobs } = optionsOf(section, 'oldestFirst', options);
      return {
        name: 'oldest-first',
        initialJobs: (plan) => Math.min(initialJobs, plan.jobCount),
        incremental: () => true,
        continueWith: () => 0,
        next(view) {
          if (view.evaluationCount >= 3 * view.nodeCount) return { kind: 'expand' };
          const open = view.nodes.find(
            (node) => node.status === 'scored' && !view.busy(node.id) && view.evaluated(node.id) < view.plan.jobCount,
          );
          return open ? { kind: 'evaluate', nodeId: open.id, jobCount: 1 } : { kind: 'expand' };
        },
      };
    },
    describer: () => ({
      describe: async (files) => ({ fileCount: Object.keys(files).length }),
      features: () => ({}),
    }),
  };

  it('is read from the campaign file with its options, schedules its evaluations and describes its nodes', async () => {
    selectorKinds.register(oldestFirst);
    try {
      const root = workspace();
      const misspelt = writeCampaign(root, 'selection:\n  strategy: oldest-first\n  oldestFirst: { initalJobs: 2 }\n');
      expect(() => loadCampaignFile(misspelt)).toThrow(ConfigError);
      expect(() => loadCampaignFile(misspelt)).toThrow(/selection\.oldestFirst/);
      const file = writeCampaign(root, 'selection:\n  strategy: oldest-first\n  oldestFirst: { initialJobs: 2 }\n', 4);
      const directory = path.join(root, 'run');
      const campaign = await createCampaign(loadCampaignFile(file), directory);
      await campaign.run();
      campaign.close();
      const { nodes, evaluations, events } = readArchive(directory);
      expect(nodes).toHaveLength(5);
      for (const node of nodes) {
        const records = evaluations.get(node.id) ?? [];
        expect(records.map((record) => `${record.problem}#${record.repeat}`)).toEqual(PLAN.slice(0, records.length));
        if (node.status === 'scored') expect(records.length).toBeGreaterThanOrEqual(node.parentId === null ? 4 : 2);
        expect(node.privateMetrics.fileCount).toBeGreaterThan(0);
        expect(node.privateMetrics.codeLength).toBeUndefined();
        expect(node.parentId === null || node.parentId === 0).toBe(true);
      }
      const appended = events.filter((event) => event.type === 'evaluations-appended');
      expect(appended.length).toBeGreaterThan(0);
      for (const event of appended) expect((event.data as { evaluations: number }).evaluations).toBe(1);
    } finally {
      selectorKinds.unregister('oldest-first');
    }
    expect(() => loadCampaignFile(writeCampaign(workspace(), 'selection:\n  strategy: oldest-first\n'))).toThrow(
      /selection\.strategy/,
    );
  }, 120_000);
});
