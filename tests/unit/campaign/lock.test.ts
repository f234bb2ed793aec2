import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockCampaignDirectory } from '../../../src/campaign/lock.js';
import { repositoryRoot, temporaryDirectory } from '../../helpers/campaign-fixture.js';

const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** The pid of a process that has exited (a lock left by a `kill -9`). */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(result.stdout);
}

/**
 * A process that takes the lock when told to (over IPC), holds it for a moment, records when it
 * held it, and releases it. Bundled from the source so the test needs no build.
 */
const WORKER_SOURCE = `
import { appendFileSync } from 'node:fs';
import { lockCampaignDirectory } from ${JSON.stringify(path.join(repositoryRoot, 'src/campaign/lock.ts'))};
process.on('message', (message) => {
  if (message.type === 'exit') process.exit(0);
  let lock;
  try {
    lock = lockCampaignDirectory(message.directory);
  } catch (error) {
    process.send({ type: 'done', entered: false, code: error.code });
    return;
  }
  appendFileSync(message.log, 'enter ' + process.pid + '\\n');
  const until = Date.now() + 15;
  while (Date.now() < until) {}
  appendFileSync(message.log, 'leave ' + process.pid + '\\n');
  lock.release();
  process.send({ type: 'done', entered: true });
});
process.send({ type: 'ready' });
`;

describe('lockCampaignDirectory', () => {
  let workspace: { path: string; remove: () => void };
  beforeAll(() => {
    workspace = temporaryDirectory('clade-lock-');
    cleanups.push(workspace.remove);
  });

  it('refuses a second lock while the first is held, and lets the next one in after release', () => {
    const directory = path.join(workspace.path, 'held');
    spawnSync('mkdir', ['-p', directory]);
    const first = lockCampaignDirectory(directory);
    expect(() => lockCampaignDirectory(directory)).toThrow(/already open in this process/);
    first.release();
    expect(existsSync(path.join(directory, 'clade.lock'))).toBe(false);
    const second = lockCampaignDirectory(directory);
    expect(readFileSync(path.join(directory, 'clade.lock'), 'utf8').split('\n')[0]).toBe(String(process.pid));
    second.release();
  });

  it('names a live owner and takes over a dead one', () => {
    const directory = path.join(workspace.path, 'owners');
    spawnSync('mkdir', ['-p', directory]);
    writeFileSync(path.join(directory, 'clade.lock'), `${process.ppid}\n`);
    expect(() => lockCampaignDirectory(directory)).toThrow(new RegExp(`in use by process ${process.ppid}`));
    writeFileSync(path.join(directory, 'clade.lock'), `${deadPid()}\n`);
    const lock = lockCampaignDirectory(directory);
    lock.release();
    expect(existsSync(path.join(directory, 'clade.lock'))).toBe(false);
  });

  it('lets exactly one of several processes take a stale lock at once (60 rounds)', async () => {
    const bundle = path.join(workspace.path, 'lock-worker.mjs');
    const source = path.join(workspace.path, 'lock-worker-source.mjs');
    writeFileSync(source, WORKER_SOURCE);
    await build({
      entryPoints: [source],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'silent',
    });
    const workers: ChildProcess[] = [];
    const replies = new Map<ChildProcess, Array<(message: { entered: boolean; code?: string }) => void>>();
    for (let index = 0; index < 4; index++) {
      const worker = fork(bundle, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      replies.set(worker, []);
      await new Promise<void>((resolve) => worker.once('message', () => resolve()));
      worker.on('message', (message: { entered: boolean; code?: string }) => replies.get(worker)?.shift()?.(message));
      workers.push(worker);
    }
    const stale = deadPid();
    let overlaps = 0;
    let entered = 0;
    try {
      for (let round = 0; round < 60; round++) {
        const directory = path.join(workspace.path, `round-${round}`);
        spawnSync('mkdir', ['-p', directory]);
        writeFileSync(path.join(directory, 'clade.lock'), `${stale}\n`);
        const log = path.join(directory, 'holders.log');
        writeFileSync(log, '');
        const results = await Promise.all(
          workers.map(
            (worker) =>
              new Promise<{ entered: boolean; code?: string }>((resolve) => {
                replies.get(worker)?.push(resolve);
                worker.send({ type: 'go', directory, log });
              }),
          ),
        );
        for (const result of results) {
          if (result.entered) entered++;
          else expect(result.code).toBe('CAMPAIGN_BUSY');
        }
        // Holders must not overlap: every enter is followed by its own leave.
        const lines = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
        for (let index = 0; index < lines.length; index += 2) {
          const enter = lines[index]?.split(' ');
          const leave = lines[index + 1]?.split(' ');
          if (enter?.[0] !== 'enter' || leave?.[0] !== 'leave' || enter[1] !== leave[1]) {
            overlaps++;
            break;
          }
        }
      }
    } finally {
      for (const worker of workers) worker.send({ type: 'exit' });
    }
    expect(overlaps).toBe(0);
    expect(entered).toBeGreaterThanOrEqual(60);
  }, 120_000);
});
