/**
 * `tree`, `show` and `fsck` on a campaign of 100,000 nodes, written through the archive API and
 * git fast-import. Correctness only; their speed is measured by `npm run bench`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../../src/archive/sqlite-store.js';
import { checkCampaign } from '../../src/campaign/fsck.js';
import { renderTree, treeJson } from '../../src/cli/render-tree.js';
import type { AgentNode } from '../../src/core/types.js';
import { campaignWiring } from '../../src/create-campaign.js';
import { runCli } from '../helpers/campaign-fixture.js';
import { writeSyntheticCampaign } from '../helpers/synthetic-campaign.js';

const COUNT = 100_000;
// tmpfs when there is one: the archive is written one fsync'ed transaction per node.
const base = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
let directory = '';
let nodes: AgentNode[] = [];
let bestId = -1;

beforeAll(async () => {
  directory = mkdtempSync(path.join(base, 'clade-large-'));
  const written = await writeSyntheticCampaign(directory, COUNT, 3);
  nodes = written.nodes;
  bestId = written.bestId;
}, 1_200_000);

afterAll(() => {
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe(`an archive of ${COUNT.toLocaleString('en')} nodes`, () => {
  it('passes fsck, with every count in agreement', async () => {
    const report = await checkCampaign(directory, { wiring: campaignWiring });
    expect(report.problems).toEqual([]);
    expect(report.counts).toEqual({
      nodes: COUNT,
      refs: COUNT,
      recordedEvents: COUNT,
      evaluations: nodes.filter((node) => node.status !== 'patch_failed').length,
      scored: nodes.filter((node) => node.status === 'scored').length,
    });
  }, 300_000);

  it('renders the whole tree: one line per node, the best node and exactly its lineage marked', () => {
    const archive = openArchive(path.join(directory, 'archive.db'), { readonly: true });
    const listed = archive.listNodes();
    archive.close();
    expect(listed).toHaveLength(COUNT);
    const lines = renderTree(listed).split('\n');
    expect(lines).toHaveLength(COUNT);
    const byId = new Map(nodes.map((node) => [node.id, node]));
    const lineage = new Set<number>();
    for (let id: number | null = bestId; id !== null; id = byId.get(id)?.parentId ?? null) lineage.add(id);
    const marked = new Map<number, string>();
    for (const line of lines) {
      const match = /([★* ])#(\d+) /.exec(line);
      if (match) marked.set(Number(match[2]), match[1] as string);
    }
    expect(marked.size).toBe(COUNT);
    for (const [id, mark] of marked) {
      expect(mark).toBe(id === bestId ? '★' : lineage.has(id) ? '*' : ' ');
    }
    const json = treeJson(listed);
    expect(json.nodes.reduce((sum, node) => sum + node.children, 0)).toBe(COUNT - 1);
  });

  it('summarises what lies below the depth limit, counting every node', () => {
    const archive = openArchive(path.join(directory, 'archive.db'), { readonly: true });
    const listed = archive.listNodes();
    archive.close();
    const lines = renderTree(listed, { maxDepth: 1 }).split('\n');
    const shown = lines.filter((line) => /#\d+ /.test(line)).length;
    const below = lines
      .map((line) => /… (\d+) more below/.exec(line))
      .reduce((sum, match) => sum + (match ? Number(match[1]) : 0), 0);
    expect(shown + below).toBe(COUNT);
  });

  it('shows the best node and a node’s children through the CLI', async () => {
    const best = await runCli(['show', directory, 'best', '--json']);
    expect(best.code).toBe(0);
    const shown = JSON.parse(best.stdout) as { node: AgentNode; children: number[] };
    expect(shown.node.id).toBe(bestId);

    const childCounts = new Map<number, number>();
    for (const node of nodes) {
      if (node.parentId !== null) childCounts.set(node.parentId, (childCounts.get(node.parentId) ?? 0) + 1);
    }
    const busiest = [...childCounts].reduce((most, [id, count]) => (count > most.count ? { id, count } : most), {
      id: 0,
      count: -1,
    });
    const parent = await runCli(['show', directory, String(busiest.id), '--json']);
    const parentShown = JSON.parse(parent.stdout) as { children: number[] };
    expect(parentShown.children).toEqual(nodes.filter((node) => node.parentId === busiest.id).map((node) => node.id));

    const tree = await runCli(['tree', directory, '--depth', '1']);
    expect(tree.code).toBe(0);
    expect(tree.stdout).toContain(`${COUNT} nodes, best`);
    expect(tree.stdout).toContain('Marks: ★ best node');
    expect(tree.stdout).toContain('more below (raise --depth)');
  }, 300_000);
});
