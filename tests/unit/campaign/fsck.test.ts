import { spawnSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { checkCampaign } from '../../../src/campaign/fsck.js';
import { campaignWiring } from '../../../src/create-campaign.js';
import { gitEnvironment } from '../../../src/lineage/git-store.js';
import { temporaryDirectory } from '../../helpers/campaign-fixture.js';
import { writeSyntheticCampaign } from '../../helpers/synthetic-campaign.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function campaign(count = 40) {
  const directory = temporaryDirectory('clade-fsck-');
  cleanups.push(directory.remove);
  const written = await writeSyntheticCampaign(directory.path, count);
  return { directory: directory.path, ...written };
}

function git(directory: string, ...args: string[]): string {
  const gitDirectory = path.join(directory, 'code.git');
  const result = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', ...args], {
    cwd: gitDirectory,
    env: gitEnvironment(gitDirectory),
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.trim();
}

function sql(directory: string, statement: string): void {
  const database = new Database(path.join(directory, 'archive.db'));
  try {
    database.pragma('foreign_keys = OFF');
    database.exec(statement);
  } finally {
    database.close();
  }
}

const kinds = (report: Awaited<ReturnType<typeof checkCampaign>>) =>
  report.problems.filter((problem) => !problem.repaired).map((problem) => `${problem.kind}:${problem.nodeId ?? '-'}`);

describe('checkCampaign (clade fsck)', () => {
  it('finds nothing wrong in a consistent campaign and counts agree', async () => {
    const { directory, nodes } = await campaign();
    const report = await checkCampaign(directory, { wiring: campaignWiring });
    expect(report.problems).toEqual([]);
    expect(report.counts.nodes).toBe(nodes.length);
    expect(report.counts.refs).toBe(nodes.length);
    expect(report.counts.recordedEvents).toBe(nodes.length);
    expect(report.counts.scored).toBe(nodes.filter((node) => node.status === 'scored').length);
  });

  it('reports missing and stale refs as repairable, and --repair fixes them', async () => {
    const { directory, nodes } = await campaign();
    git(directory, 'update-ref', '-d', 'refs/clade/nodes/7');
    git(directory, 'update-ref', 'refs/clade/nodes/9', nodes[3]?.commit as string);
    const before = await checkCampaign(directory, { wiring: campaignWiring });
    expect(kinds(before)).toEqual(['ref-missing:7', 'ref-stale:9']);
    expect(before.problems.every((problem) => problem.repairable)).toBe(true);

    const repaired = await checkCampaign(directory, { wiring: campaignWiring, repair: true });
    expect(repaired.problems.every((problem) => problem.repaired)).toBe(true);
    expect(git(directory, 'rev-parse', 'refs/clade/nodes/7')).toBe(nodes[7]?.commit);
    expect(git(directory, 'rev-parse', 'refs/clade/nodes/9')).toBe(nodes[9]?.commit);
    expect((await checkCampaign(directory, { wiring: campaignWiring })).problems).toEqual([]);
  });

  it('reports a commit whose parent is not the parent node’s commit, and a missing commit', async () => {
    const { directory, nodes } = await campaign();
    const child = nodes.find((node) => node.parentId !== null && node.parentId !== 0);
    if (!child) throw new Error('no grandchild in the synthetic tree');
    // Point the node at a root commit with the same tree: its commit now has no parent.
    const orphan = git(directory, 'commit-tree', `${child.commit}^{tree}`, '-m', 'orphan');
    sql(directory, `UPDATE nodes SET commit_sha = '${orphan}' WHERE id = ${child.id}`);
    const lost = child.id === 3 ? 4 : 3;
    sql(directory, `UPDATE nodes SET commit_sha = '${'0'.repeat(40)}' WHERE id = ${lost}`);
    const found = kinds(await checkCampaign(directory, { wiring: campaignWiring }));
    expect(found).toContain(`commit-parent:${child.id}`);
    expect(found).toContain(`ref-stale:${child.id}`);
    expect(found).toContain(`commit-missing:${lost}`);
  });

  it('reports scores that do not add up, scores on failed nodes, and scored nodes without evaluations', async () => {
    const { directory, nodes } = await campaign();
    const scored = nodes.filter((node) => node.status === 'scored' && node.id > 0);
    const failed = nodes.find((node) => node.status === 'crashed');
    const [first, second] = scored;
    if (!first || !second || !failed) throw new Error('the synthetic tree lacks scored or crashed nodes');
    sql(directory, `UPDATE evaluations SET score = score / 2 WHERE node_id = ${first.id} AND repeat = 0`);
    sql(directory, `DELETE FROM evaluations WHERE node_id = ${second.id}`);
    sql(directory, `UPDATE nodes SET score = 0.5 WHERE id = ${failed.id}`);
    const found = kinds(await checkCampaign(directory, { wiring: campaignWiring }));
    expect(found).toContain(`score-mismatch:${first.id}`);
    expect(found).toContain(`evaluations-missing:${second.id}`);
    expect(found).toContain(`score-unexpected:${failed.id}`);
  });

  it('reports a half-written node: one without its node-recorded event, or an event without its node', async () => {
    const { directory, nodes } = await campaign();
    const last = nodes[nodes.length - 1];
    if (!last) throw new Error('empty');
    sql(directory, `DELETE FROM events WHERE type = 'node-recorded' AND node_id = 5`);
    sql(
      directory,
      `INSERT INTO events (type, node_id, data, created_at) VALUES ('node-recorded', ${last.id + 1}, '{}', '2026-01-01')`,
    );
    const found = kinds(await checkCampaign(directory, { wiring: campaignWiring }));
    expect(found).toContain('event-count:5');
    expect(found).toContain(`event-orphan:${last.id + 1}`);
  });

  it('reports a ref that names no node, and seeds that differ from the task’s', async () => {
    const { directory, nodes } = await campaign();
    git(directory, 'update-ref', 'refs/clade/nodes/999', nodes[1]?.commit as string);
    const evaluated = nodes.find((node) => node.status === 'scored' && node.id > 0);
    sql(directory, `UPDATE evaluations SET seed = seed + 1 WHERE node_id = ${evaluated?.id}`);
    const report = await checkCampaign(directory, { wiring: campaignWiring });
    const found = kinds(report);
    expect(found).toContain('ref-orphan:999');
    expect(found).toContain(`seed-mismatch:${evaluated?.id}`);
    expect(report.problems.find((problem) => problem.kind === 'ref-orphan')?.repairable).toBe(false);
  });

  it('lists at most maxPerKind problems of a kind, then a count', async () => {
    const { directory } = await campaign();
    for (let id = 1; id <= 6; id++) git(directory, 'update-ref', '-d', `refs/clade/nodes/${id}`);
    const report = await checkCampaign(directory, { wiring: campaignWiring, maxPerKind: 2 });
    expect(report.problems.map((problem) => problem.message)).toEqual([
      expect.stringContaining('refs/clade/nodes/1 is missing'),
      expect.stringContaining('refs/clade/nodes/2 is missing'),
      '… and 4 more ref-missing problems.',
    ]);
  });
});
