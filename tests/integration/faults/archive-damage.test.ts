/**
 * Fault suite, a damaged archive (issue 17, findings 4 and 7): a parent cycle, a score stored as
 * text, a deleted commit object, deleted evaluations and a read-only campaign directory. Every
 * command ends within its deadline with a message naming what is wrong (no "unexpected failure"),
 * and once the damage is undone, fsck finds the tree as it was.
 */
import { chmodSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../helpers/campaign-fixture.js';
import { writeSyntheticCampaign } from '../../helpers/synthetic-campaign.js';
import { runCliWithin, unprivilegedUser } from './cli-run.js';

const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function campaign(count = 12): Promise<{ directory: string; bestId: number; commits: string[] }> {
  const workspace = temporaryDirectory('clade-damage-');
  cleanups.push(workspace.remove);
  const directory = path.join(workspace.path, 'campaign');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(directory);
  const written = await writeSyntheticCampaign(directory, count);
  return { directory, bestId: written.bestId, commits: written.nodes.map((node) => node.commit) };
}

function sql(directory: string, statement: string): void {
  const database = new Database(path.join(directory, 'archive.db'));
  try {
    database.exec(statement);
  } finally {
    database.close();
  }
}

function expectCleanFailure(result: Awaited<ReturnType<typeof runCliWithin>>, code: number, pattern: RegExp): void {
  expect(result.timedOut, `timed out after ${result.milliseconds} ms: ${result.stderr}`).toBe(false);
  expect(result.stderr).not.toContain('unexpected failure');
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(`${result.stderr}${result.stdout}`).toMatch(pattern);
  expect(result.code).toBe(code);
}

describe('a parent cycle in archive.db', () => {
  let directory: string;
  beforeAll(async () => {
    ({ directory } = await campaign());
    // #0 → #5 → … → #0: every node descends from #0, so #5 is its descendant.
    sql(directory, 'UPDATE nodes SET parent_id = 5 WHERE id = 0');
  }, 60_000);

  it('tree and tree --json end at once with an error naming the cycle and clade fsck', async () => {
    for (const args of [
      ['tree', directory],
      ['tree', directory, '--json'],
    ]) {
      const result = await runCliWithin(args, { deadlineMs: 20_000 });
      expectCleanFailure(result, 1, /parent cycle[\s\S]*clade fsck/);
      expect(result.stderr).toMatch(/#0 → #\d+/);
    }
  }, 60_000);

  it('resume refuses the archive instead of spinning, and writes nothing', async () => {
    const result = await runCliWithin(['resume', directory], { deadlineMs: 20_000 });
    expectCleanFailure(result, 1, /parent cycle[\s\S]*clade fsck/);
    expect(readdirSync(directory)).not.toContain('clade.lock');
  }, 60_000);

  it('serve refuses the archive instead of wedging', async () => {
    const result = await runCliWithin(['serve', directory, '--port', '0'], { deadlineMs: 20_000 });
    expectCleanFailure(result, 1, /parent cycle[\s\S]*clade fsck/);
  }, 60_000);

  it('fsck names the cycle (text and --json), and is clean once the link is restored', async () => {
    const text = await runCliWithin(['fsck', directory], { deadlineMs: 30_000 });
    expect(text.timedOut).toBe(false);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('parent-cycle');
    const json = await runCliWithin(['fsck', directory, '--json'], { deadlineMs: 30_000 });
    const report = JSON.parse(json.stdout) as { clean: boolean; problems: { kind: string }[] };
    expect(report.clean).toBe(false);
    expect(report.problems.map((problem) => problem.kind)).toContain('parent-cycle');

    sql(directory, 'UPDATE nodes SET parent_id = NULL WHERE id = 0');
    const repaired = await runCliWithin(['fsck', directory], { deadlineMs: 30_000 });
    expect(repaired.stdout).toContain('Clean.');
    expect(repaired.code).toBe(0);
    const tree = await runCliWithin(['tree', directory, '--json']);
    expect((JSON.parse(tree.stdout) as { nodes: unknown[] }).nodes).toHaveLength(12);
  }, 120_000);
});

describe('a score stored as text', () => {
  it('tree and show say which node is damaged and name fsck; fsck reports it', async () => {
    const { directory } = await campaign();
    sql(directory, "UPDATE nodes SET score = 'high' WHERE id = 3");
    for (const args of [
      ['tree', directory],
      ['show', directory, '3'],
    ]) {
      const result = await runCliWithin(args);
      expectCleanFailure(result, 1, /Node #3[\s\S]*score is "high" \(string\)[\s\S]*clade fsck/);
    }
    const fsck = await runCliWithin(['fsck', directory, '--json']);
    const report = JSON.parse(fsck.stdout) as { problems: { kind: string; nodeId: number | null }[] };
    expect(report.problems).toContainEqual(expect.objectContaining({ nodeId: 3 }));
    expect(fsck.code).toBe(1);
  }, 120_000);
});

describe('a deleted commit object', () => {
  it('fsck reports the lost commit (text and --json) instead of aborting', async () => {
    const { directory, commits } = await campaign();
    const commit = commits[4] as string;
    rmSync(path.join(directory, 'code.git', 'objects', commit.slice(0, 2), commit.slice(2)));
    const text = await runCliWithin(['fsck', directory]);
    expect(text.stderr).not.toContain('unexpected failure');
    expect(text.stdout).toMatch(/commit-missing\s+Node #4's commit/);
    expect(text.code).toBe(1);
    const json = await runCliWithin(['fsck', directory, '--json']);
    const report = JSON.parse(json.stdout) as { clean: boolean; problems: { kind: string; nodeId: number | null }[] };
    expect(report.clean).toBe(false);
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'commit-missing', nodeId: 4 }));
    expect(json.code).toBe(1);
  }, 120_000);
});

describe('an archive.db that is not a database', () => {
  it('fsck --json still prints a report naming the problem (exit 1)', async () => {
    const { directory } = await campaign(3);
    const { writeFileSync } = await import('node:fs');
    for (const suffix of ['', '-wal', '-shm']) rmSync(path.join(directory, `archive.db${suffix}`), { force: true });
    writeFileSync(path.join(directory, 'archive.db'), 'not a database at all, just text '.repeat(200));
    const json = await runCliWithin(['fsck', directory, '--json']);
    const report = JSON.parse(json.stdout) as { clean: boolean; error: { code: string; message: string } };
    expect(report.clean).toBe(false);
    expect(report.error.code).toMatch(/^ARCHIVE_/);
    expect(json.code).toBe(1);
    const text = await runCliWithin(['fsck', directory]);
    expectCleanFailure(text, 1, /archive/i);
  }, 60_000);
});

describe('a node whose evaluations were deleted', () => {
  it('replay exits 1: nothing to compare is not a reproduction', async () => {
    const { directory, bestId } = await campaign();
    sql(directory, `DELETE FROM evaluations WHERE node_id = ${bestId}`);
    const result = await runCliWithin(['replay', directory, 'best']);
    expectCleanFailure(result, 1, /NOT reproduced: there is nothing to compare/);
    expect(result.stdout).toMatch(/none of its evaluations: they were deleted or lost/);
    const json = await runCliWithin(['replay', directory, String(bestId), '--json']);
    const report = JSON.parse(json.stdout) as { agrees: boolean; comparison: string };
    expect(report).toMatchObject({ agrees: false, comparison: 'none' });
    expect(json.code).toBe(1);
  }, 120_000);
});

describe.skipIf(unprivilegedUser === null)(
  'a read-only campaign directory (run as nobody: root ignores permissions)',
  () => {
    it('tree, show and fsck read it (no -wal/-shm), resume says it cannot write there', async () => {
      const { directory } = await campaign();
      chmodSync(path.dirname(path.dirname(directory)), 0o755);
      chmodSync(path.dirname(directory), 0o755);
      chmodSync(directory, 0o555);
      cleanups.unshift(() => chmodSync(directory, 0o755));
      expect(readdirSync(directory).filter((name) => name.includes('-wal') || name.includes('-shm'))).toEqual([]);
      // Where SQLite cannot read in place, clade reads a private copy in TMPDIR.
      const scratch = temporaryDirectory('clade-nobody-tmp-');
      cleanups.push(scratch.remove);
      chmodSync(scratch.path, 0o1777);
      const env = { TMPDIR: scratch.path };
      const tree = await runCliWithin(['tree', directory], { asNobody: true, env });
      expect(tree.stderr).toBe('');
      expect(tree.stdout).toContain('12 nodes');
      expect(tree.code).toBe(0);
      const show = await runCliWithin(['show', directory, '2'], { asNobody: true, env });
      expect(show.stdout).toContain('Node #2');
      expect(show.code).toBe(0);
      const fsck = await runCliWithin(['fsck', directory], { asNobody: true, env });
      expect(fsck.stdout).toContain('Clean.');
      expect(fsck.code).toBe(0);
      const resume = await runCliWithin(['resume', directory], { asNobody: true, env });
      expectCleanFailure(resume, 1, /permission denied|not writable|writable/i);
    }, 120_000);
  },
);
