/**
 * @module The bounds of one model-call attempt, shared by every provider: one deadline that covers
 * the whole response (connecting, the headers and every byte of the body, a stream included), a
 * guard on the bytes a response body may have on the wire, and the cap on an answer's text
 * (`answerByteLimit`), over which an answer is kept cut, with a marker and a flag, never whole.
 */
import { ModelCallError } from './errors.js';
import type { ModelResponse } from './types.js';

/** Default wall-clock limit of one attempt, in milliseconds. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 120_000;

/** Default most bytes a response body may have on the wire (32 MiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** Bytes of answer text allowed per token of `maxTokens` (generous: a token is rarely over 8 bytes). */
export const ANSWER_BYTES_PER_TOKEN = 16;

/** The answer cap never goes below this (64 KiB). */
export const MIN_ANSWER_BYTES = 64 * 1024;

/** Most bytes of answer text kept for a request of `maxTokens`: 16 per token, at least 64 KiB. */
export function answerByteLimit(maxTokens: number): number {
  return Math.max(MIN_ANSWER_BYTES, ANSWER_BYTES_PER_TOKEN * Math.max(0, Math.floor(maxTokens)));
}

/** The deadline of one attempt. */
export interface AttemptDeadline {
  /** Aborts when the deadline passes or the caller's signal aborts: pass it to the SDK. */
  readonly signal: AbortSignal;
  /**
   * What to throw for `error`, caught from the SDK: a retryable timeout `ModelCallError` when the
   * deadline ended the attempt, a `ModelCallError` of this module found in its causes, else `error`.
   */
  translate(error: unknown): unknown;
  /** Stops the timer and drops the listener on the caller's signal (call in `finally`). */
  clear(): void;
}

/**
 * Starts the deadline of one attempt: `timeoutMs` from now, for everything the attempt reads.
 * `outer` (the campaign's signal) aborting aborts the attempt too, and is then not a timeout.
 */
export function startAttemptDeadline(timeoutMs: number, outer?: AbortSignal): AttemptDeadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new Error(`the attempt ran out of its ${formatSeconds(timeoutMs)}`));
  }, timeoutMs);
  const onAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) onAbort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    translate(error) {
      if (outer?.aborted) return error;
      if (expired) {
        return new ModelCallError(
          `timeout: no complete answer within ${formatSeconds(timeoutMs)} (one attempt's limit covers the headers and the whole body)`,
          { isRetryable: true, cause: error },
        );
      }
      return ownError(error) ?? error;
    },
    clear() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Wraps `fetch` so that a response body fails once it passes `maxBytes` (a non-retryable
 * `ModelCallError`), and fails as soon as the request's signal aborts, even while the body is
 * being read (the SDKs' own timeouts stop at the headers).
 */
export function boundedFetch(inner: typeof fetch, maxBytes: number): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const source = response.body;
    if (source === null) return response;
    const signal = init?.signal ?? undefined;
    const reader = source.getReader();
    let seen = 0;
    let onAbort: (() => void) | null = null;
    const cleanup = (): void => {
      if (onAbort !== null) signal?.removeEventListener('abort', onAbort);
      onAbort = null;
    };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        if (!signal) return;
        onAbort = () => {
          const reason = signal.reason ?? new Error('aborted');
          cleanup();
          controller.error(reason);
          reader.cancel(reason).catch(() => {});
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      },
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            cleanup();
            controller.close();
            return;
          }
          seen += value.byteLength;
          if (seen > maxBytes) {
            const error = new ModelCallError(
              `the response body passed ${maxBytes} bytes and was cut off (the server kept sending; the limit guards the campaign's memory)`,
              { isRetryable: false },
            );
            cleanup();
            controller.error(error);
            reader.cancel(error).catch(() => {});
            return;
          }
          controller.enqueue(value);
        } catch (error) {
          cleanup();
          try {
            controller.error(error);
          } catch {
            // Already errored by the abort listener.
          }
        }
      },
      cancel(reason) {
        cleanup();
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/**
 * Counts the bytes of a streamed answer as it arrives: `add` returns false once the text passed
 * the cap of `maxTokens`, so the provider stops reading (the rest is never downloaded).
 */
export function answerMeter(maxTokens: number): { add(text: string): boolean } {
  const limit = answerByteLimit(maxTokens);
  let bytes = 0;
  return {
    add(text) {
      bytes += Buffer.byteLength(text);
      return bytes <= limit;
    },
  };
}

/** An answer after the byte cap. */
export interface CappedAnswer {
  response: ModelResponse;
  /** Set when the answer was cut. */
  truncated?: { answerBytes: number; limitBytes: number };
}

/**
 * Cuts an answer longer than `answerByteLimit(maxTokens)` to that many bytes (at a character
 * boundary) and appends a marker that says so; the finish reason becomes `length` and `raw` keeps
 * only what identifies the response (id, model, usage), so the text is stored once, cut.
 */
export function capAnswer(response: ModelResponse, maxTokens: number): CappedAnswer {
  const limitBytes = answerByteLimit(maxTokens);
  // Cheap test first: a string of n UTF-16 units has at most 3n UTF-8 bytes.
  if (response.text.length * 3 <= limitBytes) return { response };
  const bytes = Buffer.from(response.text, 'utf8');
  if (bytes.byteLength <= limitBytes) return { response };
  let end = limitBytes;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--; // back to a character's first byte
  const kept = bytes.subarray(0, end).toString('utf8');
  const marker =
    `\n\n[clade: the answer was cut here. It had ${bytes.byteLength} bytes, over the limit of ${limitBytes} ` +
    `(${ANSWER_BYTES_PER_TOKEN} bytes per token of max_tokens ${maxTokens}, at least ${MIN_ANSWER_BYTES}); the rest was discarded.]`;
  return {
    response: {
      ...response,
      text: kept + marker,
      finishReason: 'length',
      raw: identifyingPart(response.raw),
    },
    truncated: { answerBytes: bytes.byteLength, limitBytes },
  };
}

/** The fields of a provider response that identify it, without its content. */
function identifyingPart(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object') return null;
  const source = raw as Record<string, unknown>;
  const kept: Record<string, unknown> = { contentOmitted: 'over the answer byte limit; the cut text is in `text`' };
  for (const key of ['id', 'object', 'type', 'model', 'usage', 'streamed', 'replayedFrom']) {
    if (source[key] !== undefined) kept[key] = source[key];
  }
  return kept;
}

/** A `ModelCallError` raised by this module, found in `error` or its causes. */
function ownError(error: unknown): ModelCallError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && current !== undefined; depth++) {
    if (current instanceof ModelCallError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

function formatSeconds(milliseconds: number): string {
  const seconds = milliseconds / 1000;
  return `${Number(seconds.toFixed(3))} s`;
}
