/**
 * @module What the controller (`createQueueSandbox`) and `clade worker` exchange through BullMQ:
 * the job payload (a `SandboxRequest` with its files inline: the harness bundle, the agent bundle,
 * `input.json`), its content-derived job id, the validation of a worker's result, and the Redis
 * connection options both sides use.
 */
import { createHash } from 'node:crypto';
import type { SandboxExit, SandboxLimits, SandboxRequest, SandboxResult } from './types.js';
import { TRUNCATION_MARKER } from './types.js';

/**
 * Version of the job payload; a worker refuses a job of another version (no silent misreads).
 * 2: the request's `command` (argv) instead of `entry` and `args`; `executableFiles`.
 */
export const QUEUE_PROTOCOL_VERSION = 2;

/** Queue name when the campaign file or `clade worker --queue` names none. */
export const DEFAULT_QUEUE_NAME = 'clade-evaluations';

/** BullMQ job name of an evaluation. */
export const EVALUATION_JOB_NAME = 'evaluate';

/** Key prefix of every BullMQ key (BullMQ's own default). */
export const QUEUE_PREFIX = 'bull';

/** A file of a request, as JSON: text as is, bytes in base64. */
export type EncodedFile = { text: string } | { base64: string };

/** The payload of one evaluation job: a whole `SandboxRequest` without its signal. */
export interface EvaluationJobData {
  version: typeof QUEUE_PROTOCOL_VERSION;
  files: Record<string, EncodedFile>;
  /** The argv run in the work directory; empty once the job's result was read (see `spentJobData`). */
  command: string[];
  resultFile: string;
  consumedFiles: string[];
  /** `SandboxRequest.executableFiles`. */
  executableFiles: string[];
  limits: SandboxLimits;
}

/** Turns a request into a job payload; file names are sorted so equal requests give equal payloads. */
export function encodeRequest(request: SandboxRequest): EvaluationJobData {
  const files: Record<string, EncodedFile> = {};
  for (const name of Object.keys(request.files).sort()) {
    const content = request.files[name] as string | Uint8Array;
    files[name] = typeof content === 'string' ? { text: content } : { base64: Buffer.from(content).toString('base64') };
  }
  const { timeoutMs, memoryMb, outputBytes, cpus, pids, resultBytes } = request.limits;
  return {
    version: QUEUE_PROTOCOL_VERSION,
    files,
    command: [...request.command],
    resultFile: request.resultFile,
    consumedFiles: [...(request.consumedFiles ?? [])],
    executableFiles: [...(request.executableFiles ?? [])],
    limits: { timeoutMs, memoryMb, outputBytes, cpus, pids, resultBytes },
  };
}

/** Turns a job payload back into a request; throws a plain `Error` saying what is malformed. */
export function decodeRequest(data: unknown): Omit<SandboxRequest, 'signal'> {
  const value = data as Partial<EvaluationJobData> | null;
  if (value === null || typeof value !== 'object')
    throw new Error('the job payload is not an object; is another program using this queue?');
  if (value.version !== QUEUE_PROTOCOL_VERSION) {
    throw new Error(
      `the job payload has protocol version ${String(value.version)}, this worker speaks ${QUEUE_PROTOCOL_VERSION}; run the same clade version on the controller and the workers`,
    );
  }
  if (value.files === null || typeof value.files !== 'object') throw new Error('the job payload has no files');
  const files: Record<string, string | Uint8Array> = {};
  for (const [name, encoded] of Object.entries(value.files)) {
    if (encoded !== null && typeof encoded === 'object' && typeof (encoded as { text?: unknown }).text === 'string') {
      files[name] = (encoded as { text: string }).text;
    } else if (
      encoded !== null &&
      typeof encoded === 'object' &&
      typeof (encoded as { base64?: unknown }).base64 === 'string'
    ) {
      files[name] = new Uint8Array(Buffer.from((encoded as { base64: string }).base64, 'base64'));
    } else {
      throw new Error(`the job payload's file "${name}" is neither {text} nor {base64}`);
    }
  }
  if (typeof value.resultFile !== 'string') throw new Error('the job payload has no result file');
  if (!Array.isArray(value.command) || value.command.some((argument) => typeof argument !== 'string'))
    throw new Error('the job payload has no command (an array of strings)');
  if (value.command.length === 0)
    throw new Error('the job payload has an empty command (a finished job whose files were dropped?)');
  const limits = value.limits as Partial<SandboxLimits> | undefined;
  const limitNames = ['timeoutMs', 'memoryMb', 'outputBytes', 'cpus', 'pids', 'resultBytes'] as const;
  if (!limits || limitNames.some((name) => typeof limits[name] !== 'number' || !(Number(limits[name]) > 0)))
    throw new Error(`the job payload's limits are incomplete (needs ${limitNames.join(', ')})`);
  return {
    files,
    command: [...value.command],
    resultFile: value.resultFile,
    consumedFiles: Array.isArray(value.consumedFiles) ? value.consumedFiles.map(String) : [],
    executableFiles: Array.isArray(value.executableFiles) ? value.executableFiles.map(String) : [],
    limits: limits as SandboxLimits,
  };
}

/**
 * The job id of a payload: a hash of its content (and of `namespace`, the campaign id), so a
 * controller that restarts and builds the same request again finds the job in flight, or its
 * stored result, instead of running it twice. BullMQ ignores an `add` whose id exists.
 */
export function evaluationJobId(namespace: string, data: EvaluationJobData): string {
  const hash = createHash('sha256');
  hash.update(`clade-evaluation\0${QUEUE_PROTOCOL_VERSION}\0${namespace}\0`);
  hash.update(JSON.stringify(data));
  return `eval-${hash.digest('hex').slice(0, 40)}`;
}

/** What a worker returns: a `SandboxResult`, plus who ran it. */
export interface EvaluationJobResult extends SandboxResult {
  /** `clade worker`'s name (host:pid) that ran the job. */
  worker: string;
}

const SANDBOX_EXITS: readonly SandboxExit[] = ['exited', 'timeout', 'memory', 'aborted', 'disk'];

/**
 * Checks a worker's return value before the controller trusts it: its shape, and that output and
 * result stay inside the request's limits (a worker on another host is not the sandbox driver the
 * controller would have run). Returns the result, or a reason string.
 */
export function validateJobResult(value: unknown, limits: SandboxLimits): EvaluationJobResult | string {
  const candidate = value as Partial<EvaluationJobResult> | null;
  if (candidate === null || typeof candidate !== 'object') return 'the worker returned no result object';
  if (!SANDBOX_EXITS.includes(candidate.exit as SandboxExit))
    return `the worker returned an unknown exit "${String(candidate.exit)}"`;
  if (candidate.exitCode !== null && typeof candidate.exitCode !== 'number') return 'exitCode is not a number or null';
  if (candidate.signal !== null && typeof candidate.signal !== 'string') return 'signal is not a string or null';
  if (typeof candidate.stdout !== 'string' || typeof candidate.stderr !== 'string')
    return 'stdout or stderr is not a string';
  const outputCap = limits.outputBytes + Buffer.byteLength(TRUNCATION_MARKER);
  if (Buffer.byteLength(candidate.stdout) > outputCap || Buffer.byteLength(candidate.stderr) > outputCap)
    return `stdout or stderr is larger than the output cap of ${limits.outputBytes} bytes`;
  if (typeof candidate.stdoutTruncated !== 'boolean' || typeof candidate.stderrTruncated !== 'boolean')
    return 'the truncation flags are not booleans';
  if (candidate.resultError !== null && typeof candidate.resultError !== 'string')
    return 'resultError is not a string or null';
  if (candidate.result !== undefined && Buffer.byteLength(JSON.stringify(candidate.result)) > limits.resultBytes)
    return `the result is larger than the limit of ${limits.resultBytes} bytes`;
  if (typeof candidate.durationMs !== 'number' || !(candidate.durationMs >= 0)) return 'durationMs is not a number';
  if (candidate.peakMemoryMb !== null && typeof candidate.peakMemoryMb !== 'number')
    return 'peakMemoryMb is not a number or null';
  if (typeof candidate.environment !== 'string' || candidate.environment.length > 1000)
    return 'environment is not a short string';
  return {
    exit: candidate.exit as SandboxExit,
    exitCode: candidate.exitCode ?? null,
    signal: candidate.signal ?? null,
    stdout: candidate.stdout,
    stderr: candidate.stderr,
    stdoutTruncated: candidate.stdoutTruncated,
    stderrTruncated: candidate.stderrTruncated,
    result: candidate.result,
    resultError: candidate.resultError ?? null,
    durationMs: candidate.durationMs,
    peakMemoryMb: candidate.peakMemoryMb ?? null,
    environment: candidate.environment,
    worker: typeof candidate.worker === 'string' ? candidate.worker.slice(0, 200) : 'unknown worker',
  };
}

/** ioredis options BullMQ accepts (`ConnectionOptions`), derived from a URL. */
export interface RedisConnectionOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: Record<string, never>;
  /** null: commands wait while Redis is away instead of failing (the campaign pauses). */
  maxRetriesPerRequest: null;
  /** Reconnect quickly once Redis is back: 0.5 s, 1 s, … at most every 2 s, forever. */
  retryStrategy: (times: number) => number;
  enableOfflineQueue: true;
}

/**
 * Parses `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS) into connection
 * options. Throws a plain `Error` naming the problem; callers wrap it with the field it came from.
 */
export function redisConnectionOptions(url: string): RedisConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`"${url}" is not a URL; write it as redis://host:6379`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new Error(`"${maskRedisUrl(url)}" must start with redis:// or rediss://`);
  if (!parsed.hostname) throw new Error(`"${maskRedisUrl(url)}" names no host`);
  const db = parsed.pathname && parsed.pathname !== '/' ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new Error(`"${maskRedisUrl(url)}": the database must be a number ≥ 0`);
  const port = parsed.port ? Number(parsed.port) : 6379;
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db,
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(500 * times, 2_000),
    enableOfflineQueue: true,
  };
}

/** The URL with its password replaced by `***`, for messages. */
export function maskRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** The pub/sub channel on which the controller asks workers to stop a job's run. */
export function cancelChannel(queue: string): string {
  return `${QUEUE_PREFIX}:${queue}:clade-cancel`;
}
