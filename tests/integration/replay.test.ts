/**
 * `clade replay`, `diff`, `export` and `fsck` on real campaigns (two workers, and a campaign that
 * was resumed): replay agrees on untouched nodes and reports tampered results; a regrown campaign
 * is identical node by node.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../../src/archive/sqlite-store.js';
import { loadCampaignFile } from '../../src/campaign-file.js';
import type { AgentNode } from '../../src/core/types.js';
import { createCampaign, openCampaign } from '../../src/create-campaign.js';
import { createGitCodeStore } from '../../src/lineage/git-store.js';
import { runCli, temporaryDirectory, writeSmallCampaign } from '../helpers/campaign-fixture.js';

let root = '';
let removeRoot: () => void = () => {};
/** A campaign of 8 children grown by 2 workers in one run. */
let grown = '';
/** A campaign of 3 children with 1 worker, then resumed to 7 children with 2 workers. */
let resumed = '';

function listNodes(directory: string): AgentNode[] {
  const archive = openArchive(path.join(directory, 'archive.db'), { readonly: true });
  try {
    return archive.listNodes();
  } finally {
    archive.close();
  }
}

function sql(directory: string, statement: string): void {
  const database = new Database(path.join(directory, 'archive.db'));
  try {
    database.exec(statement);
  } finally {
    database.close();
  }
}

function copy(directory: string, name: string): string {
  const target = path.join(root, name);
  cpSync(directory, target, { recursive: true });
  rmSync(path.join(target, 'clade.lock'), { force: true });
  return target;
}

beforeAll(async () => {
  const workspace = temporaryDirectory('clade-replay-');
  root = workspace.path;
  removeRoot = workspace.remove;

  grown = path.join(root, 'grown');
  const first = await createCampaign(
    loadCampaignFile(writeSmallCampaign(root, { iterations: '8', workers: '2' })),
    grown,
  );
  await first.run();
  first.close();

  const resumedFile = path.join(root, 'resumed');
  mkdirSync(resumedFile);
  resumed = path.join(root, 'resumed-run');
  const second = await createCampaign(
    loadCampaignFile(writeSmallCampaign(resumedFile, { name: 'resumed', seed: '4', iterations: '3', workers: '1' })),
    resumed,
  );
  await second.run();
  second.close();
  const again = await openCampaign(resumed);
  await again.run({ iterations: 7, workers: 2 });
  again.close();
}, 300_000);

afterAll(() => removeRoot());

describe('clade replay <dir> <node>', () => {
  it('agrees with the stored results of an untouched node (exit 0)', async () => {
    const result = await runCli(['replay', grown, 'best']);
    expect(result.stderr).toContain('Replaying node #');
    expect(result.stdout).toContain('Reproduced: the replay agrees with the stored results (exactly).');
    expect(result.code).toBe(0);

    const json = await runCli(['replay', grown, '0', '--json']);
    const report = JSON.parse(json.stdout) as { agrees: boolean; comparison: string; jobs: unknown[] };
    expect(report).toMatchObject({ agrees: true, comparison: 'exact' });
    expect(report.jobs).toHaveLength(2);
  }, 120_000);

  it('reports the difference and exits 1 when a stored result was tampered with', async () => {
    const tampered = copy(grown, 'tampered-evaluation');
    const best = listNodes(tampered).reduce((a, b) => ((b.score ?? -1) > (a.score ?? -1) ? b : a));
    sql(tampered, `UPDATE evaluations SET score = score * 0.5 WHERE node_id = ${best.id} AND problem = 'sphere-d3'`);
    const result = await runCli(['replay', tampered, String(best.id)]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('NOT reproduced');
    expect(result.stdout).toMatch(/sphere-d3 #0 score: stored [0-9.]+, replay [0-9.]+/);

    const metric = copy(grown, 'tampered-metric');
    sql(
      metric,
      `UPDATE evaluations SET metrics = json_set(metrics, '$.evaluations', 1) WHERE node_id = 0 AND problem = 'rastrigin-d3'`,
    );
    const report = JSON.parse((await runCli(['replay', metric, '0', '--json'])).stdout) as {
      agrees: boolean;
      differences: { field: string; recorded: unknown; regrown: unknown }[];
    };
    expect(report.agrees).toBe(false);
    expect(report.differences).toEqual([
      { field: 'rastrigin-d3 #0 evaluations', recorded: 1, regrown: expect.any(Number) },
    ]);
  }, 120_000);

  it('refuses bad input with exit 2', async () => {
    expect((await runCli(['replay', grown])).code).toBe(2);
    expect((await runCli(['replay', grown, '1', '--campaign', path.join(root, 'x')])).code).toBe(2);
    expect((await runCli(['replay', grown, 'nope'])).code).toBe(2);
  });
});

describe('clade replay <dir> --campaign <out>', () => {
  it('regrows a two-worker campaign identically, node by node', async () => {
    const out = path.join(root, 'regrown');
    const result = await runCli(['replay', grown, '--campaign', out]);
    expect(result.stdout).toContain('Identical: same parents, code, statuses and scores, node by node.');
    expect(result.code).toBe(0);
    const recorded = listNodes(grown);
    const regrown = listNodes(out);
    expect(regrown.map((node) => [node.id, node.parentId, node.status, node.score])).toEqual(
      recorded.map((node) => [node.id, node.parentId, node.status, node.score]),
    );
    const recordedCode = createGitCodeStore(path.join(grown, 'code.git'));
    const regrownCode = createGitCodeStore(path.join(out, 'code.git'));
    for (const node of recorded) {
      const twin = regrown.find((candidate) => candidate.id === node.id);
      expect(await regrownCode.readFiles(twin?.commit ?? '')).toEqual(await recordedCode.readFiles(node.commit));
    }
    // The regrown campaign is a campaign: fsck passes, and it can be replayed in turn.
    expect((await runCli(['fsck', out])).code).toBe(0);
  }, 300_000);

  it('regrows a campaign that was resumed with a different number of workers', async () => {
    const out = path.join(root, 'regrown-resumed');
    const result = await runCli(['replay', resumed, '--campaign', out, '--json']);
    const lines = result.stdout.trim().split('\n');
    const report = JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>;
    expect(report).toMatchObject({ type: 'replay', identical: true, invocations: 2, scheduleSource: 'events' });
    expect(report.recordedNodes).toBe(8);
    expect(result.code).toBe(0);
    // Event lines come first, as with `clade run --json`.
    expect(JSON.parse(lines[0] as string)).toMatchObject({ type: 'campaign-started' });
  }, 300_000);

  it('rebuilds the order from timestamps for archives without creation events', async () => {
    const old = copy(grown, 'without-creation-events');
    sql(old, `DELETE FROM events WHERE type = 'node-created'`);
    const out = path.join(root, 'regrown-old');
    const result = await runCli(['replay', old, '--campaign', out, '--json']);
    const lines = result.stdout.trim().split('\n');
    const report = JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>;
    expect(report).toMatchObject({ scheduleSource: 'timestamps', identical: true });
  }, 300_000);

  it('reports the first divergence and exits 1 when the record was tampered with', async () => {
    const tampered = copy(grown, 'tampered-tree');
    const nodes = listNodes(tampered);
    const target = nodes.find((node) => node.id >= 3 && node.status === 'scored');
    if (!target) throw new Error('no scored node to tamper with');
    sql(tampered, `UPDATE nodes SET score = 0.123 WHERE id = ${target.id}`);
    const out = path.join(root, 'regrown-tampered');
    const result = await runCli(['replay', tampered, '--campaign', out, '--fail-fast']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`First divergence at node #${target.id}:`);
    expect(result.stdout).toMatch(/score: recorded 0\.123, regrown [0-9.]+/);
  }, 300_000);

  it('refuses a non-empty output directory', async () => {
    const out = path.join(root, 'occupied');
    mkdirSync(out);
    writeFileSync(path.join(out, 'file'), 'x');
    const result = await runCli(['replay', grown, '--campaign', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not empty');
  });
});

describe('clade diff, export and fsck', () => {
  it('diffs a node against its parent and between any two nodes', async () => {
    // A child against its parent (node #1: whichever node is best depends on two workers' timing).
    const child = await runCli(['diff', grown, '1']);
    expect(child.code).toBe(0);
    expect(child.stdout).toMatch(/^From node #\d+ to node #1:/);
    expect(child.stdout).toContain('@evolve');
    const seed = await runCli(['diff', grown, '0']);
    expect(seed.stdout).toContain('(seed agent), as added');
    expect(seed.stdout).toContain('+++ b/optimizer.ts');
    const stat = await runCli(['diff', grown, '0', '1', '--stat']);
    expect(stat.stdout).toMatch(/optimizer\.ts\s+\+\d+ -\d+/);
    const same = await runCli(['diff', grown, '1', '1']);
    expect(same.stdout).toContain('(no change)');
  });

  it('exports a node’s files, ready to use, and refuses a non-empty directory', async () => {
    const out = path.join(root, 'exported');
    const result = await runCli(['export', grown, 'best', out]);
    expect(result.code).toBe(0);
    const nodes = listNodes(grown);
    const best = nodes.reduce((a, b) => ((b.score ?? -1) > (a.score ?? -1) ? b : a));
    const files = await createGitCodeStore(path.join(grown, 'code.git')).readFiles(best.commit);
    for (const [name, text] of Object.entries(files)) expect(readFileSync(path.join(out, name), 'utf8')).toBe(text);
    const again = await runCli(['export', grown, 'best', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('not empty');
  });

  it('fsck: clean exits 0; a lost ref exits 1 and --repair restores it', async () => {
    expect((await runCli(['fsck', grown])).stdout).toContain('Clean.');
    const damaged = copy(grown, 'damaged');
    rmSync(path.join(damaged, 'code.git', 'refs', 'clade', 'nodes', '2'));
    const found = await runCli(['fsck', damaged]);
    expect(found.code).toBe(1);
    expect(found.stdout).toContain('refs/clade/nodes/2 is missing');
    expect(found.stdout).toContain('--repair');
    const repaired = await runCli(['fsck', damaged, '--repair']);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain('repaired');
    expect((await runCli(['fsck', damaged])).code).toBe(0);
  });
});
