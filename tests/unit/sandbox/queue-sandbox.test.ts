/**
 * The `queue` sandbox against a real Redis (Debian's redis-server on 127.0.0.1, started here) and
 * an in-process `clade worker` running the process sandbox: the shared contract, then the queue's
 * own promises (one run per request content, re-attachment, retries, Redis restarts, cancels).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessSandbox } from '../../../src/sandbox/process-sandbox.js';
import {
  decodeRequest,
  encodeRequest,
  evaluationJobId,
  redisConnectionOptions,
  validateJobResult,
} from '../../../src/sandbox/queue-protocol.js';
import { createQueueSandbox } from '../../../src/sandbox/queue-sandbox.js';
import { type QueueWorkerHandle, startQueueWorker } from '../../../src/sandbox/queue-worker.js';
import type { Sandbox, SandboxResult } from '../../../src/sandbox/types.js';
import { CONTRACT_LIMITS, programRequest } from '../../contracts/sandbox.contract.js';
import { hasRedisServer, startTestRedis, type TestRedis } from '../../helpers/redis-server.js';

const available = hasRedisServer();
if (!available && process.env.CLADE_REQUIRE_REDIS)
  throw new Error('CLADE_REQUIRE_REDIS is set but redis-server is missing: apt-get install -y redis-server');
if (!available) {
  // .ci/run installs redis-server; say loudly why nothing ran rather than pass quietly.
  console.warn('redis-server is not installed (apt-get install -y redis-server): queue sandbox tests skipped');
}

describe.runIf(available)('queue sandbox', () => {
  let redis: TestRedis;
  let worker: QueueWorkerHandle;
  const queue = 'contract';

  beforeAll(async () => {
    redis = await startTestRedis();
    // Unisolated: the programs count their runs in a host file outside their work directory.
    worker = await startQueueWorker({
      redis: redis.url,
      queue,
      concurrency: 4,
      sandbox: createProcessSandbox({ isolation: 'none' }),
    });
  });

  afterAll(async () => {
    await worker?.close();
    await redis?.dispose();
  });

  // The shared contract runs for the queue sandbox in tests/contracts/sandbox-kinds.test.ts.

  describe('queue behaviour', () => {
    let scratch: string;
    beforeAll(() => {
      scratch = mkdtempSync(path.join(tmpdir(), 'clade-queue-test-'));
    });
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    /** A program that appends a line to `marker` (outside its sandbox: the process driver allows it) and sleeps. */
    const countingProgram = (marker: string, sleepMs: number, value: number): string => `
      import { appendFileSync, writeFileSync } from 'node:fs';
      appendFileSync(${JSON.stringify(marker)}, 'ran\\n');
      await new Promise((resolve) => setTimeout(resolve, ${sleepMs}));
      writeFileSync('result.json', JSON.stringify({ value: ${value} }));
    `;
    const runsIn = (marker: string): number => {
      try {
        return readFileSync(marker, 'utf8').split('\n').filter(Boolean).length;
      } catch {
        return 0;
      }
    };

    it('runs equal requests once and gives every caller the result', async () => {
      const sandbox = createQueueSandbox({ redis: redis.url, queue, namespace: 'duplicates', pollMs: 500 });
      try {
        const marker = path.join(scratch, 'duplicates.txt');
        const request = programRequest(countingProgram(marker, 300, 7));
        const results = await Promise.all([sandbox.run(request), sandbox.run(request), sandbox.run(request)]);
        for (const result of results) expect(result.result).toEqual({ value: 7 });
        expect(runsIn(marker)).toBe(1);
        // A later equal request takes the stored result.
        expect((await sandbox.run(request)).result).toEqual({ value: 7 });
        expect(runsIn(marker)).toBe(1);
        // Redis keeps the result, not the files.
        const inspect = new Queue(queue, { connection: redisConnectionOptions(redis.url) });
        try {
          const jobId = evaluationJobId('duplicates', encodeRequest(request));
          for (let tries = 0; tries < 50; tries++) {
            const job = await inspect.getJob(jobId);
            if (job && Object.keys(job.data.files).length === 0) break;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          const job = await inspect.getJob(jobId);
          expect(job?.data.files).toEqual({});
          expect(job?.returnvalue).toMatchObject({ result: { value: 7 } });
          expect(() => decodeRequest(job?.data)).toThrow(/empty command/);
        } finally {
          await inspect.close();
        }
      } finally {
        await sandbox.close();
      }
    });

    it('a restarted controller re-attaches to the job in flight instead of running it again', async () => {
      const marker = path.join(scratch, 'reattach.txt');
      const request = programRequest(countingProgram(marker, 1_500, 11));
      const first = createQueueSandbox({ redis: redis.url, queue, namespace: 'reattach', pollMs: 500 });
      const abandoned = first.run(request).catch((error: unknown) => error);
      while (runsIn(marker) === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      await first.close(); // the controller goes away while the job runs
      await abandoned;
      const second = createQueueSandbox({ redis: redis.url, queue, namespace: 'reattach', pollMs: 500 });
      try {
        const result = await second.run(request);
        expect(result.result).toEqual({ value: 11 });
        expect(runsIn(marker)).toBe(1);
      } finally {
        await second.close();
      }
    });

    it('keeps campaigns apart: another namespace runs the same request again', async () => {
      const marker = path.join(scratch, 'namespaces.txt');
      const request = programRequest(countingProgram(marker, 10, 3));
      for (const namespace of ['campaign-a', 'campaign-b']) {
        const sandbox = createQueueSandbox({ redis: redis.url, queue, namespace, pollMs: 500 });
        try {
          expect((await sandbox.run(request)).result).toEqual({ value: 3 });
        } finally {
          await sandbox.close();
        }
      }
      expect(runsIn(marker)).toBe(2);
    });

    it('cancels a running job on its worker when the run is aborted, and runs it afresh later', async () => {
      const marker = path.join(scratch, 'cancel.txt');
      const request = programRequest(countingProgram(marker, 30_000, 5));
      const sandbox = createQueueSandbox({ redis: redis.url, queue, namespace: 'cancel', pollMs: 500 });
      try {
        const controller = new AbortController();
        const pending = sandbox.run({ ...request, signal: controller.signal });
        while (runsIn(marker) === 0) await new Promise((resolve) => setTimeout(resolve, 50));
        const failedBefore = worker.counts.failed;
        controller.abort();
        expect((await pending).exit).toBe('aborted');
        const deadline = Date.now() + 10_000;
        while (worker.counts.failed === failedBefore && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 50));
        expect(worker.counts.failed).toBe(failedBefore + 1); // the worker stopped it, well before 30 s
        // The aborted try is not a stored result: the same request runs again.
        const quick = programRequest(countingProgram(marker, 10, 5));
        expect((await sandbox.run(quick)).result).toEqual({ value: 5 });
      } finally {
        await sandbox.close();
      }
    });

    it('retries a job whose worker fails, then returns a lost result with the reason', async () => {
      let calls = 0;
      const broken: Sandbox = {
        kind: 'process',
        async run() {
          calls++;
          throw new Error('docker daemon went away');
        },
        async close() {},
      };
      const brokenWorker = await startQueueWorker({ redis: redis.url, queue: 'broken', sandbox: broken });
      const sandbox = createQueueSandbox({
        redis: redis.url,
        queue: 'broken',
        namespace: 'broken',
        attempts: 3,
        backoffMs: 50,
        pollMs: 500,
      });
      try {
        const result = await sandbox.run(programRequest('1'));
        expect(result.exit).toBe('lost');
        expect(result.resultError).toMatch(/failed for good after 3 tries/);
        expect(result.resultError).toMatch(/docker daemon went away/);
        expect(calls).toBe(3);
      } finally {
        await sandbox.close();
        await brokenWorker.close();
      }
    });

    it('says so when no worker is connected, and runs the job once one is', async () => {
      const messages: string[] = [];
      const sandbox = createQueueSandbox({
        redis: redis.url,
        queue: 'nobody',
        namespace: 'nobody',
        pollMs: 200,
        noWorkerWarningMs: 300,
        warn: (message) => messages.push(message),
      });
      let late: QueueWorkerHandle | undefined;
      try {
        const pending = sandbox.run(
          programRequest('import { writeFileSync } from "node:fs"; writeFileSync("result.json", "42");'),
        );
        const deadline = Date.now() + 10_000;
        while (messages.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        expect(messages.join('\n')).toMatch(
          /No clade worker is connected to queue "nobody".*clade worker --redis <url> --queue nobody/s,
        );
        late = await startQueueWorker({
          redis: redis.url,
          queue: 'nobody',
          sandbox: createProcessSandbox({ isolation: 'none' }),
        });
        expect((await pending).result).toBe(42);
      } finally {
        await sandbox.close();
        await late?.close();
      }
    });

    it('refuses a worker result that breaks the limits', () => {
      const good: SandboxResult & { worker: string } = {
        exit: 'exited',
        exitCode: 0,
        signal: null,
        stdout: 'ok',
        stderr: '',
        stdoutTruncated: false,
        stderrTruncated: false,
        result: { value: 1 },
        resultError: null,
        durationMs: 5,
        peakMemoryMb: null,
        environment: 'node v20',
        worker: 'host:1',
      };
      expect(validateJobResult(good, CONTRACT_LIMITS)).toEqual(good);
      expect(
        validateJobResult({ ...good, stdout: 'x'.repeat(CONTRACT_LIMITS.outputBytes * 2) }, CONTRACT_LIMITS),
      ).toMatch(/output cap/);
      expect(validateJobResult({ ...good, result: 'y'.repeat(CONTRACT_LIMITS.resultBytes) }, CONTRACT_LIMITS)).toMatch(
        /larger than the limit/,
      );
      expect(validateJobResult({ ...good, exit: 'vanished' }, CONTRACT_LIMITS)).toMatch(/unknown exit/);
      expect(validateJobResult(null, CONTRACT_LIMITS)).toMatch(/no result object/);
    });

    it('encodes bytes and text losslessly and derives the job id from the content only', () => {
      const request = programRequest('x', { files: { 'main.mjs': 'x', 'b.bin': new Uint8Array([0, 255, 7]) } });
      const data = encodeRequest(request);
      const decoded = decodeRequest(JSON.parse(JSON.stringify(data)));
      expect(decoded.files['b.bin']).toEqual(new Uint8Array([0, 255, 7]));
      expect(decoded.files['main.mjs']).toBe('x');
      const reordered = encodeRequest({ ...request, files: { 'b.bin': new Uint8Array([0, 255, 7]), 'main.mjs': 'x' } });
      expect(evaluationJobId('n', reordered)).toBe(evaluationJobId('n', data));
      expect(evaluationJobId('other', data)).not.toBe(evaluationJobId('n', data));
      const changed = encodeRequest({ ...request, limits: { ...CONTRACT_LIMITS, timeoutMs: 1 } });
      expect(evaluationJobId('n', changed)).not.toBe(evaluationJobId('n', data));
      expect(() => decodeRequest({ ...data, version: 99 })).toThrow(/protocol version 99/);
    });

    it('parses Redis URLs and names what is wrong with a bad one', () => {
      expect(redisConnectionOptions('redis://user:p%40ss@127.0.0.1:6380/2')).toMatchObject({
        host: '127.0.0.1',
        port: 6380,
        username: 'user',
        password: 'p@ss',
        db: 2,
      });
      expect(redisConnectionOptions('rediss://127.0.0.1')).toMatchObject({ port: 6379, tls: {} });
      expect(() => redisConnectionOptions('http://127.0.0.1:6379')).toThrow(/redis:\/\//);
      expect(() => redisConnectionOptions('127.0.0.1:6379')).toThrow(/redis:\/\//);
      expect(() => createQueueSandbox({ redis: 'nonsense' })).toThrow(/executor\.redis/);
    });
  });

  describe('Redis going away', () => {
    it('pauses runs with a message while Redis is down and finishes them when it is back', async () => {
      const own = await startTestRedis();
      const messages: string[] = [];
      const ownWorker = await startQueueWorker({
        redis: own.url,
        queue: 'restart',
        sandbox: createProcessSandbox({ isolation: 'none' }),
        leaseSeconds: 2,
      });
      const sandbox = createQueueSandbox({
        redis: own.url,
        queue: 'restart',
        namespace: 'restart',
        pollMs: 300,
        warn: (message) => messages.push(message),
      });
      try {
        const request = programRequest(`
          import { writeFileSync } from 'node:fs';
          await new Promise((resolve) => setTimeout(resolve, 1500));
          writeFileSync('result.json', '{"survived":true}');
        `);
        const pending = sandbox.run(request);
        await new Promise((resolve) => setTimeout(resolve, 500));
        await own.stop(); // no persistence: the job is gone with it
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        expect(messages.some((message) => /is unreachable/.test(message))).toBe(true);
        await own.start();
        const result = await pending;
        expect(result.result).toEqual({ survived: true });
        expect(messages.some((message) => /is back/.test(message))).toBe(true);
        expect(messages.some((message) => /enqueued again/.test(message))).toBe(true);
      } finally {
        await sandbox.close();
        await ownWorker.close({ force: true });
        await own.dispose();
      }
    }, 60_000);
  });
});
