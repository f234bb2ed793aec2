/**
 * @module Errors of model calls, and the rule that decides which are worth another attempt:
 * timeouts, connection errors, 429 and 5xx are; other 4xx (a bad key, a bad request) are not.
 */
import { CladeError } from '../core/errors.js';

/** Options of `ModelCallError`. */
export interface ModelCallErrorOptions {
  cause?: unknown;
  /** HTTP status, when the server answered. */
  status?: number;
  /** Delay the server asked for (`retry-after`, `retry-after-ms`), in milliseconds. */
  retryAfterMs?: number;
  isRetryable?: boolean;
  /** Attempts made before giving up (set by `callModel`). */
  attempts?: number;
}

/** A model call failed (after the retries `callModel` allows, when it comes from there). */
export class ModelCallError extends CladeError {
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly attempts: number;

  constructor(message: string, options: ModelCallErrorOptions = {}) {
    super('MODEL_CALL_FAILED', message, {
      ...(options.cause !== undefined ? { cause: options.cause } : {}),
      isRetryable: options.isRetryable ?? false,
    });
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.attempts = options.attempts ?? 1;
  }
}

/** How an error thrown by a provider should be handled. */
export interface ErrorClassification {
  retryable: boolean;
  status: number | undefined;
  retryAfterMs: number | undefined;
  /** One line: what went wrong. */
  reason: string;
  /** The call was aborted on purpose (campaign abort): never retried, rethrown as is. */
  aborted: boolean;
}

/**
 * Classifies anything a provider throws. Works on the shape the OpenAI and Anthropic SDKs share
 * (`status`, `headers`, class names `APIConnectionError`, `APIConnectionTimeoutError`,
 * `APIUserAbortError`) without importing either SDK, and on plain `fetch` errors.
 */
export function classifyModelError(error: unknown, signal?: AbortSignal): ErrorClassification {
  const name = error instanceof Error ? error.name : '';
  const constructorName = (error as { constructor?: { name?: string } } | null)?.constructor?.name ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (signal?.aborted || name === 'AbortError' || constructorName === 'APIUserAbortError') {
    return { retryable: false, status: undefined, retryAfterMs: undefined, reason: 'aborted', aborted: true };
  }
  if (error instanceof ModelCallError) {
    return {
      retryable: error.isRetryable,
      status: error.status,
      retryAfterMs: error.retryAfterMs,
      reason: error.message,
      aborted: false,
    };
  }
  const rawStatus = (error as { status?: unknown } | null)?.status;
  const status = typeof rawStatus === 'number' && rawStatus > 0 ? rawStatus : undefined;
  const retryAfterMs = retryAfterFromHeaders((error as { headers?: unknown } | null)?.headers);
  if (status !== undefined) {
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    return { retryable, status, retryAfterMs, reason: `HTTP ${status}: ${firstLine(message)}`, aborted: false };
  }
  const timeout = /timeout|timed out/i.test(constructorName) || /timed? ?out/i.test(message);
  // The SDKs say only "Connection error."; the system's code in the causes says which (ECONNREFUSED …).
  const cause = systemErrorCode(error) ?? innermostCause(error);
  const detail = cause !== undefined && !message.includes(cause) ? ` (${cause})` : '';
  // No status: the connection failed, timed out, or the body was cut off or unreadable. All transient.
  return {
    retryable: true,
    status: undefined,
    retryAfterMs,
    reason: `${timeout ? 'timeout' : 'connection or response error'}: ${firstLine(message)}${detail}`,
    aborted: false,
  };
}

/** The system error code (`ECONNREFUSED`, `ENOTFOUND` …) of `error` or one of its causes, if any. */
export function systemErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The first line of the message of `error`'s innermost cause (e.g. fetch's `bad port`), if it has causes. */
function innermostCause(error: unknown): string | undefined {
  let current: unknown = (error as { cause?: unknown } | null)?.cause;
  let found: string | undefined;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    found = firstLine(current.message) || found;
    current = current.cause;
  }
  return found;
}

/**
 * Milliseconds a server asked to wait, from `retry-after-ms`, or `retry-after` in seconds or as an
 * HTTP date. Undefined when there is no usable header.
 */
export function retryAfterFromHeaders(headers: unknown, now: () => number = Date.now): number | undefined {
  const read = (name: string): string | undefined => {
    if (headers === null || headers === undefined) return undefined;
    if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
    if (typeof headers === 'object') {
      const value = (headers as Record<string, unknown>)[name];
      return typeof value === 'string' ? value : undefined;
    }
    return undefined;
  };
  const milliseconds = read('retry-after-ms');
  if (milliseconds !== undefined && Number.isFinite(Number(milliseconds)) && Number(milliseconds) >= 0) {
    return Number(milliseconds);
  }
  const value = read('retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** Replaces every occurrence of each secret in `text` (error messages may echo a key). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  return result;
}
