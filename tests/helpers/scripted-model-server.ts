/**
 * @module A scripted OpenAI-compatible model server for tests of coding agents, the model proxy and
 * the self-modify mutator. It answers `POST /v1/chat/completions` (plain JSON, or a server-sent event
 * stream when the request says `stream: true`, as `src/model/openai.ts` does when streaming is
 * configured) from a script: an array of answers taken in order, or a function of the request.
 * Bodies look like OpenAI's (id, created, model, choices, finish_reason, usage with token counts
 * estimated from text length). Every request is recorded, headers included, so a test can assert
 * that the key reached the upstream server and never the sandbox.
 *
 * It listens on 127.0.0.1 (random port) by default, or on a Unix socket path (`socketPath`), which
 * lets an agent's unit tests talk to it exactly as they would talk to the model proxy.
 */
import { chmod, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerModelRoute } from './model-routes.js';

/** One chat message of the OpenAI wire format (text only). */
export interface ScriptedMessage {
  role: string;
  content: string;
}

/** A request the server received. */
export interface ScriptedRequest {
  method: string;
  /** Path with query, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (`{ unparsed: text }` when it was not JSON). */
  body: Record<string, unknown>;
  /** The body as received. */
  rawBody: string;
  /** `body.messages` with string contents ([] when absent). */
  messages: ScriptedMessage[];
  /** 0-based index among the chat-completion requests. */
  index: number;
}

/**
 * One scripted answer:
 * - a string: the assistant's text (finish_reason `stop`, usage estimated);
 * - `{ text, finishReason?, usage? }`: the same with a chosen finish reason or exact usage;
 * - `{ status, body, headers? }`: an HTTP error (or any) response sent as is, e.g. a 429;
 * - `{ hang: true }`: never answers (the client's timeout must fire).
 */
export type ScriptedAnswer =
  | string
  | {
      text: string;
      finishReason?: 'stop' | 'length' | 'content_filter';
      usage?: { prompt: number; completion: number };
      /** Milliseconds to wait before answering. */
      delayMs?: number;
    }
  | { status: number; body: unknown; headers?: Record<string, string> }
  | { hang: true };

/** A function script: decides the answer from the request and its 0-based index. */
export type ScriptFunction = (request: ScriptedRequest, index: number) => ScriptedAnswer | Promise<ScriptedAnswer>;

/** Options of `startScriptedModelServer`. */
export interface ScriptedModelServerOptions {
  /** Answers in order (a request past the end gets a 500 naming the exhausted script), or a function. */
  script: readonly ScriptedAnswer[] | ScriptFunction;
  /** Listen on this Unix socket path instead of 127.0.0.1 (the file is removed first and on close; mode 0666). */
  socketPath?: string;
  /** `model` field of answers when the request names none. Default `gpt-4.1-mini-2025-04-14`. */
  model?: string;
  /**
   * Model names answered at `GET /v1/models` and `GET /v1/models/{id}` (the check campaigns make
   * before their first child). Default: the recorded lists (`DEFAULT_SERVED_MODELS`).
   */
  models?: readonly string[];
}

/** A running scripted server. */
export interface ScriptedModelServer {
  /** `http://127.0.0.1:<port>` (TCP) or `http://localhost` (Unix socket: pass `socketPath` to the client). */
  origin: string;
  /** `${origin}/v1`, what OpenAI SDK clients take as `baseURL`. */
  baseURL: string;
  /** The Unix socket path when listening on one. */
  socketPath: string | undefined;
  /** Every request received, in order (any path, including refused ones). */
  requests: ScriptedRequest[];
  /** The chat-completion requests only. */
  chatRequests(): ScriptedRequest[];
  close(): Promise<void>;
}

const DEFAULT_MODEL = 'gpt-4.1-mini-2025-04-14';
const CHAT_PATH = '/v1/chat/completions';

/** Rough token count of a text (about four characters per token, as tokenizers average on English and code). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Prompt tokens of a message list: text plus a few tokens of framing per message, like OpenAI's count. */
export function estimatePromptTokens(messages: readonly ScriptedMessage[]): number {
  return messages.reduce((sum, message) => sum + 4 + estimateTokens(message.content), 3);
}

/** Starts the server; close it in `afterEach`/`finally`. */
export async function startScriptedModelServer(options: ScriptedModelServerOptions): Promise<ScriptedModelServer> {
  const requests: ScriptedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  let chatIndex = 0;
  let sequence = 0;
  const script = options.script;

  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown>;
      try {
        const parsed: unknown = rawBody ? JSON.parse(rawBody) : {};
        body = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : { value: parsed };
      } catch {
        body = { unparsed: rawBody };
      }
      const path = incoming.url ?? '';
      const isChat = incoming.method === 'POST' && path.split('?')[0] === CHAT_PATH;
      const request: ScriptedRequest = {
        method: incoming.method ?? '',
        path,
        headers: incoming.headers,
        body,
        rawBody,
        messages: readMessages(body),
        index: isChat ? chatIndex++ : -1,
      };
      requests.push(request);
      const route = isChat ? null : answerModelRoute(request.method, path, incoming.headers, options.models);
      if (route !== null) {
        sendJson(response, route.status, route.body);
        return;
      }
      if (!isChat) {
        sendJson(response, 404, {
          error: { type: 'not_found', message: `${request.method} ${path} is not served; use POST ${CHAT_PATH}.` },
        });
        return;
      }
      const answerPromise: Promise<ScriptedAnswer> =
        typeof script === 'function'
          ? Promise.resolve().then(() => script(request, request.index))
          : Promise.resolve(
              script[request.index] ?? {
                status: 500,
                body: {
                  error: {
                    type: 'script_exhausted',
                    message: `The scripted model has ${script.length} answer(s); request #${request.index + 1} has none.`,
                  },
                },
              },
            );
      answerPromise
        .then(async (answer) => {
          if (typeof answer === 'object' && 'hang' in answer) {
            hanging.add(response);
            return;
          }
          if (typeof answer === 'object' && 'status' in answer) {
            sendJson(response, answer.status, answer.body, answer.headers);
            return;
          }
          const text = typeof answer === 'string' ? answer : answer.text;
          if (typeof answer === 'object' && answer.delayMs) await delay(answer.delayMs);
          const usage =
            (typeof answer === 'object' ? answer.usage : undefined) ??
            ({ prompt: estimatePromptTokens(request.messages), completion: estimateTokens(text) } as const);
          const finishReason = (typeof answer === 'object' ? answer.finishReason : undefined) ?? 'stop';
          const model = typeof body.model === 'string' && body.model ? body.model : (options.model ?? DEFAULT_MODEL);
          const id = `chatcmpl-scripted${String(++sequence).padStart(6, '0')}`;
          if (body.stream === true) {
            sendStream(response, { id, model, text, finishReason, usage });
          } else {
            sendJson(response, 200, completionBody({ id, model, text, finishReason, usage }));
          }
        })
        .catch((error: unknown) => {
          sendJson(response, 500, { error: { type: 'script_error', message: String(error) } });
        });
    });
  });

  if (options.socketPath !== undefined) {
    const socketPath = options.socketPath;
    await rm(socketPath, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    await chmod(socketPath, 0o666);
  } else {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
  }
  const origin =
    options.socketPath !== undefined
      ? 'http://localhost'
      : `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed: Promise<void> | undefined;
  return {
    origin,
    baseURL: `${origin}/v1`,
    socketPath: options.socketPath,
    requests,
    chatRequests: () => requests.filter((request) => request.index >= 0),
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }).then(async () => {
        if (options.socketPath !== undefined) await rm(options.socketPath, { force: true });
      });
      return closed;
    },
  };
}

interface CompletionParts {
  id: string;
  model: string;
  text: string;
  finishReason: string;
  usage: { prompt: number; completion: number };
}

/** An OpenAI `chat.completion` object. */
function completionBody(parts: CompletionParts) {
  return {
    id: parts.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: parts.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: parts.text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: parts.finishReason,
      },
    ],
    usage: usageBody(parts.usage),
    service_tier: 'default',
    system_fingerprint: 'fp_scripted01',
  };
}

function usageBody(usage: { prompt: number; completion: number }) {
  return {
    prompt_tokens: usage.prompt,
    completion_tokens: usage.completion,
    total_tokens: usage.prompt + usage.completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** The same answer as OpenAI streams it: role chunk, content chunks, finish chunk, usage chunk, `[DONE]`. */
function sendStream(response: ServerResponse, parts: CompletionParts): void {
  const base = {
    id: parts.id,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: parts.model,
    system_fingerprint: 'fp_scripted01',
  };
  const events: unknown[] = [
    {
      ...base,
      choices: [
        { index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null },
      ],
      usage: null,
    },
    ...(parts.text.match(/[\s\S]{1,16}/g) ?? []).map((piece) => ({
      ...base,
      choices: [{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }],
      usage: null,
    })),
    { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: parts.finishReason }], usage: null },
    { ...base, choices: [], usage: usageBody(parts.usage) },
  ];
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const event of events) response.write(`data: ${JSON.stringify(event)}\n\n`);
  response.end('data: [DONE]\n\n');
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

function readMessages(body: Record<string, unknown>): ScriptedMessage[] {
  if (!Array.isArray(body.messages)) return [];
  return body.messages.map((message: unknown) => {
    const record = (message ?? {}) as { role?: unknown; content?: unknown };
    return {
      role: String(record.role ?? ''),
      content: typeof record.content === 'string' ? record.content : JSON.stringify(record.content ?? ''),
    };
  });
}

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
