/**
 * Campaigns through the built CLI with `executor: { kind: bullmq }`, a real Redis on 127.0.0.1
 * (Debian's redis-server, started here) and `clade worker` processes: a worker killed with SIGKILL
 * mid-job, a controller killed and resumed, Redis stopped and started again. Each must end with
 * every node scored exactly once in the archive.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../../src/archive/sqlite-store.js';
import { cliEntry, repositoryRoot, temporaryDirectory, writeSmallCampaign } from '../helpers/campaign-fixture.js';
import { hasRedisServer, startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const available = hasRedisServer();
if (!available && process.env.CLADE_REQUIRE_REDIS)
  throw new Error('CLADE_REQUIRE_REDIS is set but redis-server is missing: apt-get install -y redis-server');
if (!available)
  console.warn('redis-server is not installed (apt-get install -y redis-server): queue executor tests skipped');

interface Spawned {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function spawnCli(args: readonly string[]): Spawned {
  if (!existsSync(cliEntry)) throw new Error(`${cliEntry} is missing: run \`npm run build\` before the tests.`);
  const child = spawn(process.execPath, [cliEntry, ...args], {
    cwd: repositoryRoot,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function until(condition: () => boolean, what: string, withinMs = 60_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Job ids a worker log shows starting ("job <id>: running"), in order. */
function startedJobs(log: string): string[] {
  return [...log.matchAll(/job (eval-[0-9a-f]+): running/g)].map((match) => match[1] as string);
}

/** Every node id in the archive with its status and number of evaluation rows. */
function archiveNodes(directory: string): { id: number; status: string; evaluations: number }[] {
  const archive = openArchive(path.join(directory, 'archive.db'));
  try {
    return archive.listNodes().map((node) => ({
      id: node.id,
      status: node.status,
      evaluations: archive.evaluations(node.id).length,
    }));
  } finally {
    archive.close();
  }
}

function expectEveryNodeScoredOnce(directory: string, children: number): void {
  const nodes = archiveNodes(directory);
  expect(nodes.map((node) => node.id).sort((a, b) => a - b)).toEqual(
    Array.from({ length: children + 1 }, (_, id) => id),
  );
  for (const node of nodes) {
    expect(node.status, `node ${node.id}`).toBe('scored');
    expect(node.evaluations, `evaluations of node ${node.id}`).toBe(2); // two problems, one repeat
  }
}

describe.runIf(available)('queue executor through the CLI', () => {
  let redis: TestRedis;
  const workers: Spawned[] = [];
  const temporary = temporaryDirectory('clade-queue-cli-');

  beforeAll(async () => {
    redis = await startTestRedis();
  });

  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await redis?.dispose();
    temporary.remove();
  });

  const startWorker = (queue: string, name: string): Spawned => {
    const worker = spawnCli([
      'worker',
      '--redis',
      redis.url,
      '--queue',
      queue,
      '--sandbox',
      'process',
      '--lease-seconds',
      '3',
      '--name',
      name,
    ]);
    workers.push(worker);
    return worker;
  };

  const campaignFile = (name: string, queue: string, overrides: Record<string, string>): string => {
    const directory = path.join(temporary.path, name);
    mkdirSync(directory, { recursive: true });
    const file = writeSmallCampaign(directory, { name, evaluationsPerDim: '3000', ...overrides });
    appendFileSync(file, `executor:\n  kind: bullmq\n  redis: ${redis.url}\n  queue: ${queue}\n  pollSeconds: 0.5\n`);
    return file;
  };

  it('finishes with every node scored once when a worker is killed with SIGKILL mid-job', async () => {
    const first = startWorker('kill-worker', 'first');
    const second = startWorker('kill-worker', 'second');
    await until(() => /Ctrl-C stops/.test(first.output()) && /Ctrl-C stops/.test(second.output()), 'workers ready');
    const file = campaignFile('killworker', 'kill-worker', { iterations: '10', workers: '2' });
    const directory = path.join(temporary.path, 'killworker', 'campaign');
    const controller = spawnCli(['run', file, '--dir', directory]);
    // Kill the first worker while it runs its second job.
    await until(() => startedJobs(first.output()).length >= 2, 'a second job on the first worker');
    const lostJob = startedJobs(first.output())[1] as string;
    first.child.kill('SIGKILL');
    expect(await controller.exited, controller.output()).toBe(0);
    expectEveryNodeScoredOnce(directory, 10);
    // The second worker took the lost job over once its lease expired.
    expect(second.output()).toMatch(new RegExp(`job ${lostJob}: running \\(try 1, taken over from 1 lost worker`));
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(130);
    expect(second.output()).toMatch(/worker second stopped: \d+ job\(s\) done/);
  }, 180_000);

  it('a resumed controller re-attaches to the job in flight instead of running it again', async () => {
    const worker = startWorker('restart-controller', 'only');
    await until(() => /Ctrl-C stops/.test(worker.output()), 'worker ready');
    const file = campaignFile('restartcontroller', 'restart-controller', { iterations: '6', workers: '1' });
    const directory = path.join(temporary.path, 'restartcontroller', 'campaign');
    const controller = spawnCli(['run', file, '--dir', directory]);
    await until(() => startedJobs(worker.output()).length >= 3, 'a third job');
    controller.child.kill('SIGKILL'); // mid-job: the third job is still running on the worker
    await controller.exited;
    const inFlight = startedJobs(worker.output())[2] as string;
    expect(worker.output()).not.toMatch(new RegExp(`job ${inFlight}: exited`));
    const resumed = spawnCli(['resume', directory]);
    expect(await resumed.exited, resumed.output()).toBe(0);
    expectEveryNodeScoredOnce(directory, 6);
    // No job ran twice: the resumed controller took the in-flight job's result.
    const started = startedJobs(worker.output());
    expect(new Set(started).size).toBe(started.length);
    expect(started).toContain(inFlight);
    // One job per node (seed + 6 children): a resumed controller that built another request, or
    // ran the in-flight one again, would have started an eighth.
    expect(started).toHaveLength(7);
    worker.child.kill('SIGTERM');
    await worker.exited;
  }, 180_000);

  it('pauses with a message while Redis is down and completes when it is back', async () => {
    const worker = startWorker('restart-redis', 'patient');
    await until(() => /Ctrl-C stops/.test(worker.output()), 'worker ready');
    const file = campaignFile('restartredis', 'restart-redis', { iterations: '6', workers: '2' });
    const directory = path.join(temporary.path, 'restartredis', 'campaign');
    const controller = spawnCli(['run', file, '--dir', directory]);
    await until(() => startedJobs(worker.output()).length >= 3, 'a third job');
    await redis.stop();
    await until(() => /Redis at redis:\/\/127\.0\.0\.1:\d+\/? is unreachable/.test(controller.output()), 'pause note');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await redis.start();
    expect(await controller.exited, controller.output()).toBe(0);
    expect(controller.output()).toMatch(/is back: evaluations continue/);
    expect(worker.output()).toMatch(/is unreachable/);
    expectEveryNodeScoredOnce(directory, 6);
    worker.child.kill('SIGTERM');
    await worker.exited;
  }, 180_000);
});
