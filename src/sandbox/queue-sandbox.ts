/**
 * @module The `queue` sandbox: a `Sandbox` whose runs happen on `clade worker` processes, on this
 * host or others, through a BullMQ queue on Redis. Each `run` enqueues the whole request (the
 * harness bundle, the agent bundle and `input.json` travel inside the job) under an id derived from
 * its content, waits for a worker's result, checks it and returns it. The controller alone writes
 * the archive; workers only run sandboxes.
 *
 * Faults:
 * - a worker that dies mid-job stops renewing the job's lease; a live worker finds the job stalled
 *   and runs it again (up to the workers' `--max-stalls`); a job that throws is retried with
 *   exponential backoff up to `attempts`. A job that fails for good comes back as exit `lost`, and
 *   the node is recorded as crashed with the reason. The campaign goes on.
 * - a controller that restarts and builds the same request finds the same job id: it waits for the
 *   job in flight, or takes its stored result, instead of running it again.
 * - Redis going away pauses every `run` (commands wait; a warning says so); they continue when it
 *   is back. A job that vanished with a Redis restart without persistence is enqueued again.
 */
import { hostname } from 'node:os';
import { type Job, Queue, QueueEvents } from 'bullmq';
import { CladeError, describeError } from '../core/errors.js';
import { validateRequest } from './driver-kit.js';
import {
  cancelChannel,
  DEFAULT_QUEUE_NAME,
  EVALUATION_JOB_NAME,
  type EvaluationJobData,
  type EvaluationJobResult,
  encodeRequest,
  evaluationJobId,
  maskRedisUrl,
  QUEUE_PREFIX,
  redisConnectionOptions,
  validateJobResult,
} from './queue-protocol.js';
import type { Sandbox, SandboxRequest, SandboxResult } from './types.js';

/** BullMQ's client proxy forwards `publish` to ioredis, but its type does not declare it. */
interface PublishingClient {
  publish(channel: string, message: string): Promise<number>;
}

/** Options of `createQueueSandbox`. */
export interface QueueSandboxOptions {
  /** Redis URL, `redis://[user:password@]host[:port][/db]` (`rediss://` for TLS). */
  redis: string;
  /** Queue name; the workers must use the same (`clade worker --queue`). Default `clade-evaluations`. */
  queue?: string;
  /** Mixed into job ids so two campaigns never share results (the campaign id). Default ''. */
  namespace?: string;
  /** Tries of a job whose worker reports an error (not a dead worker: see `--max-stalls`). Default 3. */
  attempts?: number;
  /** First retry delay of a failed try, doubled each time. Default 1000 ms. */
  backoffMs?: number;
  /** How long finished jobs (results) stay in Redis, for a restarted controller. Default 86400 s. */
  keepResultsSeconds?: number;
  /** How often each waiting run checks its job directly (events are the fast path). Default 2000 ms. */
  pollMs?: number;
  /** How long a job may wait untaken before the sandbox checks that a worker is connected (and warns once if none). Default 10000 ms. */
  noWorkerWarningMs?: number;
  /** Receives pause and resume messages (Redis unreachable, back; a job enqueued again). */
  warn?: (message: string) => void;
}

/** Creates the `queue` sandbox. Connects lazily; `close()` disconnects. */
export function createQueueSandbox(options: QueueSandboxOptions): Sandbox & { readonly queueName: string } {
  let connection: ReturnType<typeof redisConnectionOptions>;
  try {
    connection = redisConnectionOptions(options.redis);
  } catch (error) {
    throw new CladeError('CONFIG_INVALID', `executor.redis: ${describeError(error)}.`);
  }
  const queueName = options.queue ?? DEFAULT_QUEUE_NAME;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(queueName)) {
    throw new CladeError(
      'CONFIG_INVALID',
      `executor.queue "${queueName}": use 1–100 letters, digits, "-", "_" or "." (no ":"), starting with a letter or digit.`,
    );
  }
  const namespace = options.namespace ?? '';
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 1_000;
  const keepSeconds = options.keepResultsSeconds ?? 86_400;
  const pollMs = options.pollMs ?? 2_000;
  const noWorkerWarningMs = options.noWorkerWarningMs ?? 10_000;
  const warn = options.warn ?? ((message: string) => process.emitWarning(message));
  const where = maskRedisUrl(options.redis);

  const queue = new Queue<EvaluationJobData, EvaluationJobResult>(queueName, { connection, prefix: QUEUE_PREFIX });
  let events: QueueEvents | null = null;
  let closed = false;
  let paused = false;
  let warnedNoWorkers = false;
  const waiting = new Map<string, Set<() => void>>();
  const wake = (jobId: string): void => {
    for (const callback of waiting.get(jobId) ?? []) callback();
  };

  const onConnectionLost = (error?: unknown): void => {
    if (closed || paused) return;
    paused = true;
    const reason = error === undefined ? 'connection closed' : describeError(error);
    warn(
      `Redis at ${where} is unreachable (${reason}): ${waiting.size} evaluation(s) paused. ` +
        'They continue by themselves when Redis is back (clade reconnects every 2 s); check that Redis is running.',
    );
  };
  const onConnectionBack = (): void => {
    if (!paused || closed) return;
    paused = false;
    warn(`Redis at ${where} is back: evaluations continue.`);
  };
  queue.on('error', (error) => onConnectionLost(error));
  queue.on('ioredis:close', () => onConnectionLost());

  const ensureEvents = (): QueueEvents => {
    if (events) return events;
    events = new QueueEvents(queueName, { connection, prefix: QUEUE_PREFIX });
    events.setMaxListeners(0);
    events.on('error', (error) => onConnectionLost(error));
    events.on('completed', ({ jobId }) => wake(jobId));
    events.on('failed', ({ jobId }) => wake(jobId));
    events.on('removed', ({ jobId }) => wake(jobId));
    return events;
  };

  /** Adds the job unless it exists; a failed or aborted earlier try of it is dropped first. */
  const enqueue = async (jobId: string, data: EvaluationJobData): Promise<void> => {
    const existing = await queue.getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      const stale =
        state === 'failed' ||
        (state === 'completed' && (existing.returnvalue as SandboxResult | null)?.exit === 'aborted');
      if (!stale) return;
      await existing.remove().catch(() => undefined);
    }
    await queue.add(EVALUATION_JOB_NAME, data, {
      jobId,
      attempts,
      backoff: { type: 'exponential', delay: backoffMs },
      removeOnComplete: { age: keepSeconds },
      removeOnFail: { age: keepSeconds },
    });
  };

  /** Drops a job the controller no longer wants: removed if waiting, else its worker is told to stop. */
  const discard = async (jobId: string): Promise<void> => {
    try {
      const job = await queue.getJob(jobId);
      if (!job) return;
      const removed = await job
        .remove()
        .then(() => true)
        .catch(() => false);
      if (!removed) {
        const client = (await queue.client) as unknown as PublishingClient;
        await client.publish(cancelChannel(queueName), jobId);
      }
    } catch {
      // Redis away: the job runs to its end and its result expires unread.
    }
  };

  const outcomeOf = async (
    job: Job<EvaluationJobData, EvaluationJobResult> | undefined,
  ): Promise<{ done: false } | { done: true; job: Job<EvaluationJobData, EvaluationJobResult>; failed: boolean }> => {
    if (!job) return { done: false };
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') {
      // `job` was read before the state: read it again, now final, for its result or reason.
      const finished = await queue.getJob(job.id as string);
      if (!finished) return { done: false };
      return { done: true, job: finished, failed: state === 'failed' };
    }
    if (state === 'waiting' && !warnedNoWorkers && Date.now() - job.timestamp > noWorkerWarningMs) {
      // A job nobody takes: say why the campaign seems stuck (once per sandbox).
      warnedNoWorkers = true;
      if ((await queue.getWorkersCount()) === 0)
        warn(
          `No clade worker is connected to queue "${queueName}" at ${where}; evaluations wait until one is. ` +
            `Start one: clade worker --redis <url> --queue ${queueName}`,
        );
    }
    return { done: false };
  };

  return {
    kind: 'queue',
    queueName,
    async run(request: SandboxRequest): Promise<SandboxResult> {
      if (closed) throw new CladeError('SANDBOX_FAILED', 'The queue sandbox is closed; open the campaign again.');
      if (request.modelSocket !== undefined) {
        throw new CladeError(
          'SANDBOX_FAILED',
          'This evaluation gives its agent a model socket (the model proxy), but the queue executor runs evaluations on `clade worker` processes, ' +
            "possibly on other machines, which cannot reach this host's socket. Run campaigns whose agents call models with `executor: { kind: local }`.",
        );
      }
      validateRequest(request);
      const started = Date.now();
      const signal = request.signal;
      if (signal?.aborted) return abortedResult(0);

      const data = encodeRequest(request);
      const jobId = evaluationJobId(namespace, data);
      const queueEvents = ensureEvents();
      let notify: () => void = () => undefined;
      let onAbort: () => void = () => undefined;
      // One abort listener per run (the campaign's signal is shared by every evaluation).
      const aborted = new Promise<'aborted'>((resolve) => {
        onAbort = () => {
          resolve('aborted');
          notify();
        };
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      const listeners = waiting.get(jobId) ?? new Set<() => void>();
      const listener = (): void => notify();
      listeners.add(listener);
      waiting.set(jobId, listeners);
      try {
        if ((await Promise.race([queueEvents.waitUntilReady(), aborted])) === 'aborted')
          return abortedResult(Date.now() - started);
        if ((await Promise.race([enqueue(jobId, data), aborted])) === 'aborted') {
          void discard(jobId);
          return abortedResult(Date.now() - started);
        }
        for (;;) {
          // Arm the wake-up before looking, so an event between the look and the wait is not lost.
          let timer: NodeJS.Timeout | undefined;
          const wakeUp = new Promise<void>((resolve) => {
            notify = resolve;
            timer = setTimeout(resolve, pollMs);
          });
          const look = (async () => {
            const job = await queue.getJob(jobId);
            onConnectionBack();
            if (!job) {
              if (signal?.aborted) return { done: false as const };
              warn(`Evaluation job ${jobId} is no longer in Redis (restarted without persistence?); enqueued again.`);
              await enqueue(jobId, data);
              return { done: false as const };
            }
            return outcomeOf(job);
          })();
          const outcome = await Promise.race([look, aborted]);
          if (outcome === 'aborted') {
            clearTimeout(timer);
            void discard(jobId);
            return abortedResult(Date.now() - started);
          }
          if (outcome.done) {
            clearTimeout(timer);
            // The result is read: drop the job's files (the bundles, ~100 KiB) and keep only the
            // result for `keepResultsSeconds`, so Redis holds results, not every child's code.
            if (!outcome.failed) void outcome.job.updateData(spentJobData(data)).catch(() => undefined);
            return finish(outcome.job, outcome.failed, request, jobId);
          }
          await wakeUp;
          clearTimeout(timer);
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
        listeners.delete(listener);
        if (listeners.size === 0) waiting.delete(jobId);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      const closing: Promise<unknown>[] = [queue.close()];
      if (events) closing.push((events as QueueEvents).close());
      await Promise.allSettled(closing);
    },
  };
}

/** The worker's result, checked; or a `lost` result saying why the job failed for good. */
function finish(
  job: Job<EvaluationJobData, EvaluationJobResult>,
  failed: boolean,
  request: SandboxRequest,
  jobId: string,
): SandboxResult {
  if (failed) {
    const tries = job.attemptsMade;
    const stalls = job.stalledCounter ?? 0;
    return lostResult(
      `evaluation job ${jobId} failed for good after ${tries} tr${tries === 1 ? 'y' : 'ies'}` +
        `${stalls > 0 ? ` and ${stalls} lost worker(s)` : ''}: ${job.failedReason || 'no reason given'}`,
    );
  }
  const checked = validateJobResult(job.returnvalue, request.limits);
  if (typeof checked === 'string')
    return lostResult(`evaluation job ${jobId} came back unusable from its worker: ${checked}`);
  const { worker: _worker, ...result } = checked;
  return result;
}

/** A finished job's payload once its result was read: no files, so no worker could run it again. */
function spentJobData(data: EvaluationJobData): EvaluationJobData {
  return { ...data, files: {}, command: [], consumedFiles: [], executableFiles: [] };
}

function lostResult(reason: string): SandboxResult {
  return {
    exit: 'lost',
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    result: undefined,
    resultError: reason,
    durationMs: 0,
    peakMemoryMb: null,
    environment: `queue (${hostname()})`,
  };
}

function abortedResult(durationMs: number): SandboxResult {
  return {
    exit: 'aborted',
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    result: undefined,
    resultError: 'no result file: the run was aborted',
    durationMs,
    peakMemoryMb: null,
    environment: `queue (${hostname()})`,
  };
}
