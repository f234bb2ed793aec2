/**
 * @module The worker side of the `queue` sandbox (`clade worker`): takes evaluation jobs from a
 * BullMQ queue on Redis, runs each request in a local sandbox, and returns the `SandboxResult`.
 * It never touches an archive. A job's lease (BullMQ lock) is renewed while it runs; if this
 * process dies, the lease expires and another worker runs the job again.
 */
import { hostname } from 'node:os';
import { UnrecoverableError, Worker } from 'bullmq';
import { CladeError, describeError } from '../core/errors.js';
import {
  cancelChannel,
  DEFAULT_QUEUE_NAME,
  decodeRequest,
  type EvaluationJobData,
  type EvaluationJobResult,
  maskRedisUrl,
  QUEUE_PREFIX,
  redisConnectionOptions,
} from './queue-protocol.js';
import type { Sandbox } from './types.js';

/** Options of `startQueueWorker`. */
export interface QueueWorkerOptions {
  /** Redis URL (`redis://host:6379`). */
  redis: string;
  /** Queue name; the controller's `executor.queue`. Default `clade-evaluations`. */
  queue?: string;
  /** Jobs run at the same time. Default 1. */
  concurrency?: number;
  /** Where the jobs run; closed by `close()`. */
  sandbox: Sandbox;
  /**
   * A job's lease: renewed every half lease while it runs; when a worker dies, its jobs are taken
   * over by another worker between one and two leases later. Default 30 s.
   */
  leaseSeconds?: number;
  /** Times a job may lose its worker before it fails for good ("stalled more than allowable limit"). Default 2. */
  maxStalls?: number;
  /** Shown in logs and stored with results. Default `<host>:<pid>`. */
  name?: string;
  /** Receives one line per thing the worker does. Default: none. */
  log?: (line: string) => void;
}

/** A running worker. */
export interface QueueWorkerHandle {
  readonly name: string;
  /** Jobs finished here with a result, and jobs that threw. */
  readonly counts: { completed: number; failed: number; running: number };
  /**
   * Stops taking jobs. Default: waits for the running ones to finish and return their results.
   * `force`: leaves them (another worker takes them over when their lease expires). Safe to call
   * twice; the first call decides.
   */
  close(options?: { force?: boolean }): Promise<void>;
}

/** BullMQ's client proxy forwards these to ioredis, but its type does not declare them. */
interface SubscribingClient {
  subscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  disconnect(): void;
}

/** Starts a worker; resolves once it is connected and waiting for jobs. */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  let connection: ReturnType<typeof redisConnectionOptions>;
  try {
    connection = redisConnectionOptions(options.redis);
  } catch (error) {
    throw new CladeError('CONFIG_INVALID', `--redis: ${describeError(error)}.`);
  }
  const queueName = options.queue ?? DEFAULT_QUEUE_NAME;
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const log = options.log ?? (() => undefined);
  const leaseMs = Math.round((options.leaseSeconds ?? 30) * 1000);
  const where = maskRedisUrl(options.redis);
  const counts = { completed: 0, failed: 0, running: 0 };
  const { sandbox } = options;
  let paused = false;

  const worker = new Worker<EvaluationJobData, EvaluationJobResult>(
    queueName,
    async (job, _token, signal) => {
      let request: ReturnType<typeof decodeRequest>;
      try {
        request = decodeRequest(job.data);
      } catch (error) {
        throw new UnrecoverableError(`worker ${name} cannot read job ${job.id}: ${describeError(error)}`);
      }
      const bytes = Object.values(request.files).reduce(
        (sum, content) => sum + (typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength),
        0,
      );
      const attempt = job.attemptsMade + 1;
      const stalls = job.stalledCounter ?? 0;
      log(
        `job ${job.id}: running (try ${attempt}${stalls > 0 ? `, taken over from ${stalls} lost worker(s)` : ''}; ` +
          `${Object.keys(request.files).length} files, ${(bytes / 1024).toFixed(0)} KiB)`,
      );
      counts.running++;
      try {
        const result = await sandbox.run({ ...request, ...(signal ? { signal } : {}) });
        if (result.exit === 'aborted') throw new UnrecoverableError(`cancelled by the controller on worker ${name}`);
        log(
          `job ${job.id}: ${result.exit}${result.exitCode !== null ? ` (code ${result.exitCode})` : ''} ` +
            `in ${(result.durationMs / 1000).toFixed(1)} s`,
        );
        return { ...result, worker: name };
      } catch (error) {
        if (error instanceof UnrecoverableError) throw error;
        // A host fault clade's own checks should have caught: retrying elsewhere cannot help.
        if (error instanceof CladeError && error.code === 'UNSAFE_PATH')
          throw new UnrecoverableError(`UNSAFE_PATH: ${error.message}`);
        throw new Error(`worker ${name}: the ${sandbox.kind} sandbox failed: ${describeError(error)}`);
      } finally {
        counts.running--;
      }
    },
    {
      connection,
      prefix: QUEUE_PREFIX,
      concurrency: options.concurrency ?? 1,
      lockDuration: leaseMs,
      stalledInterval: leaseMs,
      maxStalledCount: options.maxStalls ?? 2,
      name,
    },
  );
  worker.on('completed', () => {
    counts.completed++;
  });
  worker.on('failed', (job, error) => {
    counts.failed++;
    log(`job ${job?.id ?? '?'}: failed (${describeError(error)})`);
  });
  worker.on('stalled', (jobId) => log(`job ${jobId}: its worker stopped renewing the lease; back in the queue`));
  worker.on('error', (error) => {
    if (paused) return;
    paused = true;
    log(`Redis at ${where} is unreachable (${describeError(error)}); waiting for it to come back…`);
  });
  worker.on('ready', () => {
    if (!paused) return;
    paused = false;
    log(`Redis at ${where} is back; taking jobs again.`);
  });

  await worker.waitUntilReady();
  // Cancellations from the controller (an aborted campaign): a separate subscribed connection.
  const subscriber = (await worker.client).duplicate() as unknown as SubscribingClient;
  subscriber.on('error', () => undefined);
  subscriber.on('message', (_channel, jobId) => {
    if (worker.cancelJob(jobId, 'cancelled by the controller')) log(`job ${jobId}: cancelled by the controller`);
  });
  await subscriber.subscribe(cancelChannel(queueName));

  let closing: Promise<void> | null = null;
  return {
    name,
    counts,
    close(closeOptions = {}) {
      closing ??= worker.close(closeOptions.force === true).finally(async () => {
        subscriber.disconnect();
        await sandbox.close();
      });
      return closing;
    },
  };
}
