/**
 * The shipped `examples/` (task.kind: program) run as users run them: a short offline campaign (one
 * worker) with the parametric mutator in the process sandbox, with real python3 (numpy, scipy) and
 * a real C compiler, whose best node must beat its seed; a node of each is replayed from the archive.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../../src/archive/sqlite-store.js';
import { replayNode } from '../../src/campaign/replay-node.js';
import { loadCampaignFile, validateCampaign } from '../../src/campaign-file.js';
import { CAMPAIGN_FILES } from '../../src/core/campaign-layout.js';
import type { AgentNode } from '../../src/core/types.js';
import { createCampaign, createTask, sandboxLimits } from '../../src/create-campaign.js';
import { bundleAgent } from '../../src/harness/bundle-agent.js';
import { createGitCodeStore } from '../../src/lineage/git-store.js';
import { createProcessSandbox } from '../../src/sandbox/process-sandbox.js';
import { evaluateNode } from '../../src/tasks/evaluate-node.js';

const examples = path.resolve(import.meta.dirname, '../../examples');
let root = '';

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'clade-examples-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/**
 * Runs `examples/<name>/campaign.yaml` for `iterations` children in the process sandbox with one
 * worker (the same tree on every run: with two, which parents exist when a child is made depends
 * on timing); returns the campaign directory and its nodes.
 */
async function runExample(name: string, iterations: number): Promise<{ directory: string; nodes: AgentNode[] }> {
  // A copy, so that nothing (Python's __pycache__, a build) is written into the repository.
  const copy = path.join(root, name);
  cpSync(path.join(examples, name), copy, { recursive: true });
  const directory = path.join(root, `${name}-run`);
  const campaign = await createCampaign(
    loadCampaignFile(path.join(copy, 'campaign.yaml'), { sandbox: 'process', iterations, workers: 1 }),
    directory,
  );
  try {
    await campaign.run({ warn: () => {} });
    return { directory, nodes: campaign.archive.listNodes() };
  } finally {
    campaign.close();
  }
}

/** Re-runs a node's evaluations from the archive, as `clade replay <dir> <node>` does. */
async function replay(directory: string, node: AgentNode) {
  const archive = openArchive(path.join(directory, CAMPAIGN_FILES.archive), { readonly: true });
  const sandbox = createProcessSandbox();
  try {
    const config = validateCampaign((archive.getCampaign() as { config: unknown }).config);
    const files = await createGitCodeStore(path.join(directory, CAMPAIGN_FILES.code)).readFiles(node.commit);
    const limits = sandboxLimits(config);
    return await replayNode({
      node,
      evaluations: archive.evaluations(node.id),
      files,
      task: createTask(config),
      evaluate: (agentFiles, task) =>
        evaluateNode(agentFiles, { task, sandbox, limits, bundle: bundleAgent, harness: '' }),
    });
  } finally {
    await sandbox.close();
    archive.close();
  }
}

const best = (nodes: readonly AgentNode[]): AgentNode =>
  nodes.reduce((a, b) => ((b.score ?? Number.NEGATIVE_INFINITY) > (a.score ?? Number.NEGATIVE_INFINITY) ? b : a));

describe('examples/circle-packing', () => {
  it('improves the seed packing offline, stores artifacts, and replays the best node exactly', async () => {
    const { directory, nodes } = await runExample('circle-packing', 8);
    expect(nodes).toHaveLength(9);
    const seed = nodes[0] as AgentNode;
    expect(seed.status).toBe('scored');
    expect(seed.publicMetrics.valid).toBe(true);
    expect(seed.score).toBeCloseTo(seed.publicMetrics.rawScore as number, 12);
    expect(seed.artifacts?.summary).toMatch(/^Valid packing of 26 circles, sum of radii 2\.\d+/);
    expect(seed.privateMetrics.gap_to_published_best).toBeGreaterThan(0);
    const top = best(nodes);
    expect(top.score).toBeGreaterThan(seed.score as number);
    expect(top.score).toBeLessThan(2.7);
    const report = await replay(directory, top);
    expect(report.differences).toEqual([]);
    expect(report).toMatchObject({ agrees: true, comparison: 'exact' });
  }, 600_000);
});

describe('examples/blackbox-minimization (produce then judge)', () => {
  it('improves on the seed search with the judge never holding the program, and replays the seed', async () => {
    const { directory, nodes } = await runExample('blackbox-minimization', 12);
    const seed = nodes[0] as AgentNode;
    expect(seed.status).toBe('scored');
    // Three seeds; the node score is the mean of (50 - f) / 50 over them.
    expect(seed.publicMetrics.jobs).toBe(3);
    expect(seed.score).toBeCloseTo((50 - (seed.publicMetrics.rawScore as number)) / 50, 10);
    expect(seed.privateMetrics.distance_to_optimum).toBeGreaterThan(0);
    expect(seed.publicMetrics).not.toHaveProperty('distance_to_optimum');
    expect(Object.keys(seed.artifacts ?? {}).some((name) => name.endsWith('judgement'))).toBe(true);
    const top = best(nodes);
    expect(top.score).toBeGreaterThan(seed.score as number);
    const report = await replay(directory, seed);
    expect(report.differences).toEqual([]);
    expect(report).toMatchObject({ agrees: true, comparison: 'exact' });
  }, 600_000);
});

describe('examples/tsp-c (a C program built in the sandbox)', () => {
  it('compiles every child, improves on the seed tour, and replays the best node', async () => {
    const { directory, nodes } = await runExample('tsp-c', 8);
    const seed = nodes[0] as AgentNode;
    expect(seed.status).toBe('scored');
    // Minimised without a range: the node score is minus the mean tour length.
    expect(seed.score).toBeCloseTo(-(seed.publicMetrics.rawScore as number), 10);
    expect(seed.publicMetrics['rawScore:uniform-60']).toBeGreaterThan(0);
    const top = best(nodes);
    expect(top.score).toBeGreaterThan(seed.score as number);
    expect(nodes.filter((node) => node.status === 'build_failed')).toEqual([]);
    const report = await replay(directory, top);
    expect(report.differences).toEqual([]);
    expect(report).toMatchObject({ agrees: true, comparison: 'exact' });
  }, 600_000);
});
