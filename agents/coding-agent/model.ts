/**
 * @module The agent's only way to a model: `POST /v1/chat/completions` over the model proxy's Unix
 * socket, with `node:http`. There is no key and no network in the sandbox; the proxy adds the key,
 * chooses the model, retries transient provider errors and enforces the budget (429
 * `budget_exceeded`). This client therefore does not retry: any failure is a `ModelError`.
 */
import { request as httpRequest } from 'node:http';

/** One chat message (text only: tools go through the text protocol, see protocol.ts). */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A model's answer and what it cost. */
export interface ChatAnswer {
  text: string;
  /** `stop`, `length` (cut at max_tokens), or whatever the provider said. */
  finishReason: string;
  tokensIn: number;
  tokensOut: number;
}

/** Options of `chat`. */
export interface ChatOptions {
  socketPath: string;
  messages: readonly ChatMessage[];
  /** Longest answer, in tokens. */
  maxTokens: number;
  /** Gives up (ModelError kind `aborted`) when this signal aborts. */
  signal?: AbortSignal;
}

/** Why a model call failed. */
export type ModelErrorKind = 'budget' | 'http' | 'network' | 'bad-response' | 'aborted';

/** A failed model call; the tool loop stops with `model-error` (or `time` when `aborted` by the deadline). */
export class ModelError extends Error {
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

/** Largest answer body read from the proxy. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** Sends the conversation to the proxy and returns the first choice's text with its usage. */
export async function chat(options: ChatOptions): Promise<ChatAnswer> {
  const payload = JSON.stringify({
    model: 'default',
    messages: options.messages,
    max_tokens: options.maxTokens,
  });
  const { status, body } = await post(options.socketPath, payload, options.signal);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ModelError(
      'bad-response',
      `The model proxy answered ${status} with a body that is not JSON: ${clip(body)}`,
      status,
    );
  }
  if (status !== 200) {
    const error = (parsed as { error?: { type?: unknown; message?: unknown } }).error;
    const type = typeof error?.type === 'string' ? error.type : 'error';
    const message = typeof error?.message === 'string' ? error.message : clip(body);
    const kind: ModelErrorKind = status === 429 && type === 'budget_exceeded' ? 'budget' : 'http';
    throw new ModelError(kind, `The model proxy answered ${status} ${type}: ${message}`, status);
  }
  const completion = parsed as {
    choices?: Array<{ message?: { content?: unknown }; finish_reason?: unknown }>;
    usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
  };
  const choice = completion.choices?.[0];
  if (choice === undefined) {
    throw new ModelError('bad-response', `The model proxy's answer has no choices[0]: ${clip(body)}`, status);
  }
  // A null or missing content (a refusal, an answer spent on reasoning) is an empty answer: the loop corrects it.
  const content = choice.message?.content;
  return {
    text: typeof content === 'string' ? content : '',
    finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : 'unknown',
    tokensIn: toCount(completion.usage?.prompt_tokens),
    tokensOut: toCount(completion.usage?.completion_tokens),
  };
}

/** One HTTP POST over the socket; resolves with the status and body text. */
function post(
  socketPath: string,
  payload: string,
  signal: AbortSignal | undefined,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ModelError('aborted', 'The model call was not made: the run was stopped.'));
      return;
    }
    const outgoing = httpRequest(
      {
        socketPath,
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            outgoing.destroy(
              new ModelError('bad-response', `The model proxy's answer is over ${MAX_RESPONSE_BYTES} bytes.`),
            );
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', (error) => reject(asModelError(error)));
      },
    );
    const onAbort = () =>
      outgoing.destroy(new ModelError('aborted', 'The model call was cancelled: the run was stopped.'));
    signal?.addEventListener('abort', onAbort, { once: true });
    outgoing.on('close', () => signal?.removeEventListener('abort', onAbort));
    outgoing.on('error', (error) => reject(asModelError(error)));
    outgoing.end(payload);
  });
}

function asModelError(error: Error): ModelError {
  if (error instanceof ModelError) return error;
  return new ModelError('network', `Cannot reach the model proxy: ${error.message}`);
}

function toCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
