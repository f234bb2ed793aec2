/**
 * Fault suite, making a campaign (issue 17 findings 6, 7, 8 and issue 15 item 5), through the built
 * CLI: bad input exits 2 with the field or path named, a seed that does not score leaves nothing
 * behind and says how to retry, a kill -9 at any moment of `clade run` leaves nothing, a whole
 * campaign, or a temporary directory that the next run removes; a resume announces only real new
 * bests; `clade sandbox prune` removes the process sandbox's leftovers.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openArchive } from '../../../src/archive/sqlite-store.js';
import { checkCampaign } from '../../../src/campaign/fsck.js';
import { campaignWiring } from '../../../src/create-campaign.js';
import { cliEntry, seedAgent, temporaryDirectory, writeSmallCampaign } from '../../helpers/campaign-fixture.js';
import { runCliWithin, unprivilegedUser } from './cli-run.js';

const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function workspace(prefix: string): string {
  const directory = temporaryDirectory(prefix);
  cleanups.push(directory.remove);
  return directory.path;
}

function expectInputError(result: Awaited<ReturnType<typeof runCliWithin>>, pattern: RegExp): void {
  expect(result.timedOut).toBe(false);
  expect(result.stderr).not.toContain('unexpected failure');
  expect(result.stderr).toMatch(pattern);
  expect(result.code).toBe(2);
}

describe('bad input is refused with what to change (exit 2), before anything is made', () => {
  it('a YAML alias bomb', async () => {
    const root = workspace('clade-bomb-');
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let level = 1; level < 9; level++) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    const file = path.join(root, 'bomb.yaml');
    writeFileSync(file, `${levels.join('\n')}\nname: bomb\n`);
    const result = await runCliWithin(['run', file, '--dir', path.join(root, 'out')], { deadlineMs: 20_000 });
    expectInputError(result, /bomb\.yaml could not be read: .*alias/i);
    expect(existsSync(path.join(root, 'out'))).toBe(false);
  }, 60_000);

  it('budget.iterations: 1e12, with the allowed maximum', async () => {
    const root = workspace('clade-bounds-');
    const file = writeSmallCampaign(root, { iterations: '1e12' });
    const result = await runCliWithin(['run', file, '--dir', path.join(root, 'out')]);
    expectInputError(result, /budget\.iterations[\s\S]*1000000/);
    expect(existsSync(path.join(root, 'out'))).toBe(false);
  }, 60_000);

  it('--dir naming a file, and a 300-character directory name', async () => {
    const root = workspace('clade-dir-');
    const file = writeSmallCampaign(root);
    const plain = path.join(root, 'notes.txt');
    writeFileSync(plain, 'mine\n');
    expectInputError(await runCliWithin(['run', file, '--dir', plain]), /notes\.txt: it is a file, not a directory/);
    expectInputError(
      await runCliWithin(['run', file, '--dir', path.join(root, 'x'.repeat(300))]),
      /is 300 bytes long; file systems allow 255/,
    );
    for (const command of [
      ['resume', plain],
      ['tree', plain],
      ['show', plain, '0'],
    ]) {
      expectInputError(await runCliWithin(command), /notes\.txt is a file, not a campaign directory/);
    }
    expect(readdirSync(root).sort()).toEqual(['notes.txt', 'small.yaml']);
  }, 60_000);
});

describe.skipIf(unprivilegedUser === null)('a directory this user cannot write (as nobody)', () => {
  it('run says permission denied and what to do (exit 1), with nothing made', async () => {
    const root = workspace('clade-readonly-');
    chmodSync(root, 0o755);
    const file = writeSmallCampaign(root);
    const locked = path.join(root, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    chmodSync(locked, 0o555);
    const result = await runCliWithin(['run', file, '--dir', path.join(locked, 'campaign')], { asNobody: true });
    expect(result.stderr).not.toContain('unexpected failure');
    expect(result.stderr).toMatch(/permission denied[\s\S]*writable/);
    expect(result.code).toBe(1);
    expect(readdirSync(locked)).toEqual([]);
  }, 60_000);
});

describe('a seed agent that does not score', () => {
  it('run removes the new campaign, shows why, and names the command to run again, which then works', async () => {
    const root = workspace('clade-seed-');
    const agent = path.join(root, 'agent');
    cpSync(seedAgent, agent, { recursive: true });
    const optimizer = path.join(agent, 'optimizer.ts');
    const original = (await import('node:fs')).readFileSync(optimizer, 'utf8');
    writeFileSync(optimizer, `${original}\nthrow new Error('seed is broken on purpose');\n`);
    const file = writeSmallCampaign(root, { iterations: '1' });
    const yaml = (await import('node:fs'))
      .readFileSync(file, 'utf8')
      .replace(JSON.stringify(seedAgent), JSON.stringify(agent));
    writeFileSync(file, yaml);
    const directory = path.join(root, 'campaign');
    const failed = await runCliWithin(['run', file, '--dir', directory], { deadlineMs: 120_000 });
    expect(failed.stderr).not.toContain('unexpected failure');
    expect(failed.stderr).toMatch(/The seed agent did not score/);
    expect(failed.stderr).toContain('seed is broken on purpose');
    expect(failed.stderr).toContain(`Nothing was kept (${directory} was removed)`);
    expect(failed.stderr).toContain(`run the same command again: clade run ${file} --dir ${directory}`);
    expect(failed.code).toBe(1);
    expect(existsSync(directory)).toBe(false);
    expect(readdirSync(root).filter((name) => name.startsWith('.clade-creating-'))).toEqual([]);

    writeFileSync(optimizer, original);
    const retried = await runCliWithin(['run', file, '--dir', directory], { deadlineMs: 180_000 });
    expect(retried.stderr).toContain('finished');
    expect(retried.code).toBe(0);
  }, 400_000);
});

describe('a directory left by an older clade whose seed did not score', () => {
  it('run says how to look at it and clear it instead of "already holds a campaign … resume"', async () => {
    const root = workspace('clade-old-seed-');
    const file = writeSmallCampaign(root);
    const directory = path.join(root, 'campaign');
    mkdirSync(directory);
    const archive = openArchive(path.join(directory, 'archive.db'));
    archive.createCampaign({ id: 'small-1', name: 'small', seed: 11, config: {}, configPath: file, createdAt: 'now' });
    archive.recordNode(
      {
        id: 0,
        parentId: null,
        commit: 'a'.repeat(40),
        status: 'crashed',
        score: null,
        publicMetrics: {},
        privateMetrics: {},
        mutation: { operator: 'seed', summary: 'seed agent' },
        error: 'ReferenceError: x is not defined',
        iteration: 0,
        createdAt: 'now',
        evaluatedAt: 'now',
      },
      [],
    );
    archive.close();
    const result = await runCliWithin(['run', file, '--dir', directory]);
    expect(result.stderr).toContain('seed agent did not score (status crashed: ReferenceError: x is not defined)');
    expect(result.stderr).toContain(`\`rm -r ${directory}\``);
    expect(result.stderr).not.toContain('clade resume');
    expect(result.code).toBe(1);
  }, 60_000);
});

describe('kill -9 while clade run makes the campaign', () => {
  it('leaves nothing, a whole campaign, or a temporary directory the next run removes', async () => {
    const root = workspace('clade-kill-');
    const file = writeSmallCampaign(root, { iterations: '0' });
    const outcomes: string[] = [];
    // Kills timed from what the run has made so far: its temporary directory appearing (then 0–20 ms
    // later), and the campaign directory appearing.
    const triggers: Array<[string, number]> = [
      ['building', 0],
      ['building', 1],
      ['building', 3],
      ['building', 6],
      ['building', 12],
      ['building', 25],
      ['placed', 0],
      ['placed', 5],
    ];
    for (const [index, [trigger, delay]] of triggers.entries()) {
      const directory = path.join(root, `campaign-${index}`);
      const child: ChildProcess = spawn(process.execPath, [cliEntry, 'run', file, '--dir', directory], {
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.on('close', resolve));
      const started = Date.now();
      let seen = false;
      while (!seen && Date.now() - started < 60_000 && child.exitCode === null) {
        seen =
          trigger === 'placed'
            ? existsSync(directory)
            : readdirSync(root).some((name) => name.startsWith('.clade-creating-'));
        if (!seen) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill('SIGKILL');
      await exited;
      if (!existsSync(directory)) {
        outcomes.push('nothing');
        continue;
      }
      // A whole campaign: its record is there, and fsck finds nothing wrong.
      const archive = openArchive(path.join(directory, 'archive.db'), { readonly: true });
      expect(archive.getCampaign()?.name).toBe('small');
      archive.close();
      const report = await checkCampaign(directory, { wiring: campaignWiring });
      expect(report.problems).toEqual([]);
      outcomes.push('campaign');
      // It continues: `resume` (not "not made by clade run").
      const resumed = await runCliWithin(['resume', directory], { deadlineMs: 120_000 });
      expect(resumed.stderr).not.toContain('not made by');
      expect(resumed.code).toBe(0);
    }
    // A new run beside the leftovers removes the temporary directories of the killed runs.
    const last = await runCliWithin(['run', file, '--dir', path.join(root, 'final')], { deadlineMs: 120_000 });
    expect(last.code).toBe(0);
    expect(readdirSync(root).filter((name) => name.startsWith('.clade-creating-'))).toEqual([]);
    expect(outcomes.length).toBe(8);
    // Both ends were hit: kills before the campaign was placed, and after.
    expect(outcomes).toContain('nothing');
    expect(outcomes).toContain('campaign');
  }, 600_000);
});

describe('resume', () => {
  it('announces a new best only for a child that beats the archive’s best', async () => {
    const root = workspace('clade-resume-best-');
    const file = writeSmallCampaign(root, { iterations: '3', workers: '1' });
    const directory = path.join(root, 'campaign');
    expect((await runCliWithin(['run', file, '--dir', directory], { deadlineMs: 180_000 })).code).toBe(0);
    const archive = openArchive(path.join(directory, 'archive.db'), { readonly: true });
    const bestBefore = archive.bestNode()?.score ?? 0;
    archive.close();
    const resumed = await runCliWithin(['resume', directory, '--iterations', '6'], { deadlineMs: 180_000 });
    expect(resumed.code).toBe(0);
    const announced = [...resumed.stderr.matchAll(/new best ([\d.]+) at node #(\d+)/g)].map((match) =>
      Number(match[1]),
    );
    for (const score of announced) expect(score).toBeGreaterThan(bestBefore);
    const after = openArchive(path.join(directory, 'archive.db'), { readonly: true });
    const children = after.listNodes().filter((node) => node.id > 3 && node.status === 'scored');
    after.close();
    const beats = children.filter((node) => (node.score ?? 0) > bestBefore).length;
    expect(announced.length).toBeLessThanOrEqual(beats);
    expect((await runCliWithin(['resume', directory, '--iterations', '2000000'])).stderr).toMatch(/at most 1000000/);
  }, 400_000);
});

describe('clade sandbox prune', () => {
  it('removes process-sandbox work directories a kill -9 left, and keeps those in use', async () => {
    const temp = workspace('clade-prune-');
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout);
    const owned = (name: string) => {
      const directory = path.join(temp, name);
      mkdirSync(directory);
      writeFileSync(path.join(directory, 'harness.mjs'), '');
      return directory;
    };
    owned(`clade-sandbox-${dead}-aaaaaa`);
    owned(`clade-sandbox-${process.pid}-bbbbbb`);
    const old = owned('clade-sandbox-Xy12Zq');
    const hour = Date.now() / 1000 - 3600;
    utimesSync(old, hour, hour);
    owned('clade-sandbox-New123');
    owned('unrelated');
    const result = await runCliWithin(['sandbox', 'prune', '--json'], {
      env: { TMPDIR: temp, DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    expect(result.stderr).not.toContain('unexpected failure');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { directories: string[]; inUse: string[] };
    expect(report.directories.map((directory) => path.basename(directory)).sort()).toEqual([
      `clade-sandbox-${dead}-aaaaaa`,
      'clade-sandbox-Xy12Zq',
    ]);
    expect(readdirSync(temp).sort()).toEqual([
      `clade-sandbox-${process.pid}-bbbbbb`,
      'clade-sandbox-New123',
      'unrelated',
    ]);
  }, 60_000);
});
