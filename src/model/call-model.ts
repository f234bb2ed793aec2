/**
 * @module One model call as campaigns make it: attempts with exponential backoff and full jitter
 * (honouring `retry-after`) for timeouts, connection errors, 429 and 5xx; no retry for other 4xx;
 * tokens and cost counted; an answer over the byte cap cut and flagged (`capAnswer`); the call
 * numbered within its node and purpose (`ModelCallKey`) and recorded (request, answer or error,
 * tokens, cost, latency, attempts) whether it succeeded or not.
 */
import { describeError } from '../core/errors.js';
import { capAnswer } from './attempt-limits.js';
import { classifyModelError, type ErrorClassification, ModelCallError, redactSecrets } from './errors.js';
import type { PriceTable } from './prices.js';
import { hashModelRequest } from './request-hash.js';
import type {
  ModelCallKey,
  ModelCallRecorder,
  ModelClient,
  ModelRequest,
  ModelResponse,
  StoredModelResponse,
} from './types.js';

/** The purpose a call is recorded with when the caller names none: a mutator's own call. */
export const DEFAULT_CALL_PURPOSE = 'mutation';

/** Retry policy. */
export interface RetryPolicy {
  /** Further attempts after the first. Default 4. */
  retries?: number;
  /** First backoff in milliseconds; doubles each attempt. Default 1000. */
  baseDelayMs?: number;
  /** Longest wait between attempts, `retry-after` included. Default 60000. */
  maxDelayMs?: number;
}

/** Options of `callModel`. */
export interface CallModelOptions extends RetryPolicy {
  /** Node the call is for (recorded with it). */
  nodeId: number | null;
  /** Why the call is made, recorded with it and part of its `ModelCallKey`. Default `mutation`. */
  purpose?: string;
  prices: PriceTable;
  recorder?: ModelCallRecorder;
  signal?: AbortSignal;
  /** Waits between attempts. Default: a timer that the signal cancels. */
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform [0, 1) source of the jitter. Default `Math.random` (timing only: never affects results). */
  jitter?: () => number;
  /** Strings to scrub from error messages before they are stored (the keys in use). */
  secrets?: readonly string[];
  clock?: () => number;
}

/** The result of a call that succeeded. */
export interface ModelCallResult {
  /** The answer; over the byte cap, cut with a marker (finish reason `length`). */
  response: ModelResponse;
  /** Set when the answer was over the byte cap and cut. */
  truncated?: { answerBytes: number; limitBytes: number };
  /** What identifies the call in its campaign, when the recorder numbers calls. */
  key?: ModelCallKey;
  costUsd: number;
  attempts: number;
  latencyMs: number;
}

/**
 * Calls `client` until it answers or the retries are spent. Throws `ModelCallError` (with
 * `attempts`) when it finally fails, or the abort reason when `signal` aborts.
 */
export async function callModel(
  client: ModelClient,
  request: ModelRequest,
  options: CallModelOptions,
): Promise<ModelCallResult> {
  const retries = options.retries ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const sleep = options.sleep ?? abortableSleep;
  const jitter = options.jitter ?? Math.random;
  const clock = options.clock ?? Date.now;
  const secrets = options.secrets ?? [];
  const started = clock();
  const failures: string[] = [];
  const purpose = options.purpose ?? DEFAULT_CALL_PURPOSE;
  const sequence =
    options.nodeId !== null && options.recorder?.nextSequence
      ? options.recorder.nextSequence(options.nodeId, purpose)
      : undefined;
  const key: ModelCallKey | undefined =
    options.nodeId !== null && sequence !== undefined ? { nodeId: options.nodeId, purpose, sequence } : undefined;
  const identity: Pick<StoredModelResponse, 'call'> =
    key === undefined
      ? {}
      : {
          call: {
            purpose,
            sequence: key.sequence,
            requestHash: hashModelRequest(client.provider, client.model, request),
          },
        };
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const answered = await client.complete(request, {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(key ? { call: key } : {}),
      });
      const { response, truncated } = capAnswer(answered, request.maxTokens);
      const latencyMs = clock() - started;
      const costUsd = options.prices.costOf(client.provider, client.model, response.tokensIn, response.tokensOut);
      const stored: StoredModelResponse = {
        text: response.text,
        finishReason: response.finishReason,
        raw: response.raw,
        ...(truncated ? { truncated } : {}),
        ...(failures.length > 0 ? { failedAttempts: failures } : {}),
        ...identity,
      };
      options.recorder?.record({
        nodeId: options.nodeId,
        provider: client.provider,
        model: client.model,
        request,
        response: stored,
        tokensIn: response.tokensIn,
        tokensOut: response.tokensOut,
        costUsd,
        latencyMs,
        attempts,
      });
      return { response, costUsd, attempts, latencyMs, ...(truncated ? { truncated } : {}), ...(key ? { key } : {}) };
    } catch (error) {
      const verdict = classifyModelError(error, options.signal);
      if (verdict.aborted) throw options.signal?.reason ?? error;
      const reason = redactSecrets(verdict.reason, secrets);
      failures.push(reason);
      if (!verdict.retryable || attempts > retries) {
        const latencyMs = clock() - started;
        const why = verdict.retryable
          ? `gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}`
          : 'not retried (the request itself was refused)';
        const message = `${client.provider}:${client.model} call failed, ${why}: ${reason}`;
        options.recorder?.record({
          nodeId: options.nodeId,
          provider: client.provider,
          model: client.model,
          request,
          response: {
            error: message,
            errorClass: errorClassOf(verdict),
            failedAttempts: failures,
            ...identity,
          } satisfies StoredModelResponse,
          tokensIn: 0,
          tokensOut: 0,
          costUsd: 0,
          latencyMs,
          attempts,
        });
        throw new ModelCallError(message, {
          cause: new Error(redactSecrets(describeError(error), secrets)),
          ...(verdict.status !== undefined ? { status: verdict.status } : {}),
          isRetryable: verdict.retryable,
          attempts,
        });
      }
      const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempts - 1)) * jitter();
      const wait = Math.min(maxDelayMs, Math.max(backoff, verdict.retryAfterMs ?? 0));
      await sleep(wait, options.signal);
    }
  }
}

/** The kind of failure that ended a call (`StoredModelResponse.errorClass`). */
function errorClassOf(verdict: ErrorClassification): NonNullable<StoredModelResponse['errorClass']> {
  if (verdict.status !== undefined) return 'http';
  // Without a status, retryable failures are the connection's or the deadline's (see classifyModelError).
  if (!verdict.retryable) return 'other';
  return verdict.reason.startsWith('timeout') ? 'timeout' : 'connection';
}

/** A timer that rejects with the signal's reason when it aborts. */
export function abortableSleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
