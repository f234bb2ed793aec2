/**
 * @module The model proxy (see `types.ts` for the contract and the wire format): one HTTP/1.1
 * server per session on a Unix socket in a private directory. A call is checked (route, method,
 * size, JSON, the supported subset of chat completions), checked against the session's budget and
 * the campaign's, then made through `callModel` (retries, prices, recording against the node) with
 * the campaign's client, which holds the key. The agent gets back an OpenAI `chat.completion`
 * built from the answer's text and token counts only: nothing of the provider's own response,
 * headers or errors reaches the sandbox unfiltered.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CladeError, describeError } from '../core/errors.js';
import { type CallModelOptions, callModel, type RetryPolicy } from '../model/call-model.js';
import { classifyModelError, ModelCallError, redactSecrets } from '../model/errors.js';
import type { PriceTable } from '../model/prices.js';
import type {
  FinishReason,
  ModelCallRecorder,
  ModelClient,
  ModelMessage,
  ModelRequest,
  ModelResponse,
  StoredModelResponse,
} from '../model/types.js';
import type { ModelProxy, ProxyBudget, ProxySession, ProxySessionOptions, ProxyUsage } from './types.js';

/** Options of `createModelProxy`. */
export interface ModelProxyOptions {
  /** The model every session's calls go to (the campaign chooses it; a request's `model` is ignored). It holds the key. */
  client: ModelClient;
  /** Prices the calls are charged at (`createPriceTable(config.prices)`). */
  prices: PriceTable;
  /** Where each finished call is recorded (the campaign's ledger, which writes the archive). Default: nowhere. */
  recorder?: ModelCallRecorder;
  /** Largest `max_tokens` a call may ask for; larger requests are capped, absent ones get it. Default 4096. */
  maxTokensPerCall?: number;
  /**
   * Directory in which the proxy makes its private socket directory (mode 0700, removed on
   * `close`). Unix socket paths are limited to about 100 bytes, so keep it short. Default `os.tmpdir()`.
   */
  socketDirectory?: string;
  /** Retries of one call (timeouts, connection errors, 429, 5xx). Default: `callModel`'s (4, from 1 s). */
  retry?: RetryPolicy;
  /** The keys in use, scrubbed from every error message stored or sent to an agent. */
  secrets?: readonly string[];
  /** The campaign-wide budget (`ModelLedger.budgetExceeded`): a reason refuses every session's calls. */
  budgetExceeded?: () => string | null;
  /**
   * Upper bound on every session's budget (the campaign file's `agentModel.budget`): a session gets,
   * per limit, the smaller of what `openSession` asks and this. Default: none.
   */
  budgetCap?: ProxyBudget;
  /** Largest request body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Calls of one session waiting behind the one in flight (calls are made one at a time). Default 8. */
  maxQueuedCalls?: number;
  /** Waits between attempts (tests). Default: a timer the session's signal cancels. */
  sleep?: CallModelOptions['sleep'];
  clock?: () => number;
}

/** The path every agent calls. */
export const CHAT_COMPLETIONS_PATH = '/v1/chat/completions';

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Unix socket paths longer than this do not fit `sockaddr_un` on every platform. */
const MAX_SOCKET_PATH_BYTES = 100;
/** Fields of a request the proxy understands; any other is refused, so nothing is silently dropped. */
const ACCEPTED_FIELDS = new Set([
  'model',
  'messages',
  'temperature',
  'max_tokens',
  'max_completion_tokens',
  'stream',
  'n',
  'user',
]);
const TOOL_FIELDS = ['tools', 'tool_choice', 'functions', 'function_call', 'parallel_tool_calls'];

/** A refusal: HTTP status, `error.type`, and a message an agent (or its author) can act on. */
export interface ProxyRefusal {
  status: number;
  type: string;
  message: string;
  headers?: Record<string, string>;
}

/**
 * Creates the model proxy of a campaign. Sessions are opened per sandbox run (`openSession`);
 * each listens on its own socket `<private directory>/<random>.sock`, mode 0666 so the sandbox's
 * unprivileged user can connect, inside a directory only the campaign's user can enter.
 */
export function createModelProxy(options: ModelProxyOptions): ModelProxy {
  const maxTokensPerCall = options.maxTokensPerCall ?? 4096;
  if (!Number.isInteger(maxTokensPerCall) || maxTokensPerCall < 1) {
    throw new CladeError(
      'MODEL_PROXY_FAILED',
      `maxTokensPerCall must be a positive integer; got ${String(maxTokensPerCall)}.`,
    );
  }
  const sessions = new Set<OpenSession>();
  let root: Promise<string> | null = null;
  let closing: Promise<void> | null = null;

  const privateDirectory = (): Promise<string> => {
    root ??= (async () => {
      const base = options.socketDirectory ?? tmpdir();
      await mkdir(base, { recursive: true });
      const directory = await mkdtemp(join(base, 'clade-proxy-'));
      await chmod(directory, 0o700);
      return directory;
    })();
    return root;
  };

  return {
    async openSession(sessionOptions) {
      if (closing) {
        throw new CladeError('MODEL_PROXY_FAILED', 'The model proxy is closed; open sessions before closing it.');
      }
      checkBudget(sessionOptions.budget);
      const budget = capBudget(sessionOptions.budget, options.budgetCap);
      const directory = await privateDirectory();
      const session = await openSession(
        directory,
        { ...sessionOptions, budget },
        { ...options, maxTokensPerCall },
        () => sessions.delete(session),
      );
      sessions.add(session);
      if (closing) {
        await session.close();
        throw new CladeError('MODEL_PROXY_FAILED', 'The model proxy was closed while the session opened.');
      }
      return session;
    },
    close() {
      closing ??= (async () => {
        await Promise.all([...sessions].map((session) => session.close()));
        if (root) {
          const directory = await root.catch(() => null);
          if (directory) await rm(directory, { recursive: true, force: true });
        }
      })();
      return closing;
    },
  };
}

interface OpenSession extends ProxySession {
  readonly id: string;
}

type ResolvedOptions = ModelProxyOptions & { maxTokensPerCall: number };

async function openSession(
  directory: string,
  sessionOptions: ProxySessionOptions,
  options: ResolvedOptions,
  onClosed: () => void,
): Promise<OpenSession> {
  const id = randomBytes(8).toString('hex');
  const socketPath = join(directory, `${id}.sock`);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw new CladeError(
      'MODEL_PROXY_FAILED',
      `The model proxy's socket path ${socketPath} is ${Buffer.byteLength(socketPath)} bytes, longer than Unix sockets allow (${MAX_SOCKET_PATH_BYTES}). Give the proxy a shorter socketDirectory (default: the system's temporary directory).`,
    );
  }
  const { budget, nodeId, purpose } = sessionOptions;
  const clock = options.clock ?? Date.now;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxQueued = options.maxQueuedCalls ?? 8;
  const secrets = options.secrets ?? [];
  const usage: ProxyUsage = { calls: 0, tokensIn: 0, tokensOut: 0, costUsd: 0, refused: 0 };
  /** Aborted when the session closes or its signal aborts: refuses new calls, cancels the one in flight. */
  const stopped = new AbortController();
  const connections = new Set<Socket>();
  let queue: Promise<void> = Promise.resolve();
  let waiting = 0;
  let callNumber = 0;

  // Each call is recorded with the node and, beside the answer, why the agent ran (`proxy`); the
  // request is stored as `callModel` saw it, so recorded-call replay matches it.
  // Calls are numbered within the node and the session's purpose, so recorded-call replay finds
  // each by (node, purpose, sequence) and checks it against the request hash.
  const recorder: ModelCallRecorder | undefined = options.recorder && {
    record: (call) =>
      options.recorder?.record({
        ...call,
        response: { ...(call.response as StoredModelResponse), proxy: { purpose, session: id } },
      }),
    ...(options.recorder.nextSequence
      ? {
          nextSequence: (node: number, callPurpose: string) => options.recorder?.nextSequence?.(node, callPurpose) ?? 0,
        }
      : {}),
  };

  const refuse = (response: ServerResponse, refusal: ProxyRefusal): void => {
    usage.refused++;
    sendJson(response, refusal.status, { error: { type: refusal.type, message: refusal.message } }, refusal.headers);
  };

  const overBudget = (): string | null => {
    const tokens = usage.tokensIn + usage.tokensOut;
    if (budget.calls !== undefined && usage.calls >= budget.calls) {
      return `this run's budget of ${budget.calls} model call${budget.calls === 1 ? '' : 's'} is spent`;
    }
    if (budget.tokens !== undefined && tokens >= budget.tokens) {
      return `this run's budget of ${budget.tokens} tokens is spent (${tokens} used over ${usage.calls} calls)`;
    }
    if (budget.usd !== undefined && usage.costUsd >= budget.usd) {
      return `this run's budget of $${budget.usd} is spent ($${usage.costUsd.toFixed(4)} over ${usage.calls} calls)`;
    }
    const campaign = options.budgetExceeded?.() ?? null;
    return campaign === null ? null : `the campaign's model budget is spent: ${campaign}`;
  };

  const remaining = (): Record<string, number | null> => ({
    calls: budget.calls === undefined ? null : Math.max(0, budget.calls - usage.calls),
    tokens: budget.tokens === undefined ? null : Math.max(0, budget.tokens - usage.tokensIn - usage.tokensOut),
    usd: budget.usd === undefined ? null : Math.max(0, budget.usd - usage.costUsd),
  });

  /** One call, made while no other call of the session is in flight. */
  const complete = async (request: ModelRequest, response: ServerResponse): Promise<void> => {
    // The agent hung up while its call waited its turn: nobody would read the answer.
    if (response.destroyed || response.socket === null || response.socket.destroyed) return;
    if (stopped.signal.aborted) {
      refuse(response, closedRefusal());
      return;
    }
    const exceeded = overBudget();
    if (exceeded !== null) {
      refuse(response, {
        status: 429,
        type: 'budget_exceeded',
        message: `Refused: ${exceeded}. No further model calls are possible in this run; finish with what you have.`,
      });
      return;
    }
    if (budget.tokens !== undefined) {
      // The answer may not use more tokens than are left (the prompt may still overshoot; it is counted).
      const left = budget.tokens - usage.tokensIn - usage.tokensOut;
      request.maxTokens = Math.max(1, Math.min(request.maxTokens, left));
    }
    // The agent hanging up (killed, timed out) cancels its call.
    const hungUp = new AbortController();
    const onClose = (): void => {
      if (!response.writableFinished) hungUp.abort(new Error('the agent closed the connection'));
    };
    response.on('close', onClose);
    const signal = AbortSignal.any([stopped.signal, hungUp.signal]);
    try {
      const result = await callModel(options.client, request, {
        nodeId,
        purpose,
        prices: options.prices,
        ...(recorder ? { recorder } : {}),
        signal,
        secrets,
        ...options.retry,
        ...(options.sleep ? { sleep: options.sleep } : {}),
        clock,
      });
      usage.calls++;
      usage.tokensIn += result.response.tokensIn;
      usage.tokensOut += result.response.tokensOut;
      usage.costUsd += result.costUsd;
      callNumber++;
      sendJson(
        response,
        200,
        completionBody(result.response, options.client, `${id}-${callNumber}`, clock, usage, remaining()),
      );
    } catch (error) {
      if (signal.aborted) {
        // callModel records nothing for an aborted call; the agent is gone or the run is over.
        if (!response.headersSent && !response.destroyed) refuse(response, closedRefusal());
        return;
      }
      if (error instanceof ModelCallError) {
        usage.calls++; // recorded by callModel, and counted against the calls budget
        const verdict = classifyModelError(error);
        const requestFault =
          error.status !== undefined && error.status >= 400 && error.status < 500 && !error.isRetryable;
        refuse(response, {
          status: requestFault ? 400 : 502,
          type: requestFault ? 'model_request_refused' : 'model_unavailable',
          message: redactSecrets(
            requestFault
              ? `The model provider refused the request: ${verdict.reason}`
              : `The model could not be reached: ${verdict.reason}. Try again later or finish with what you have.`,
            secrets,
          ),
        });
        return;
      }
      refuse(response, {
        status: 500,
        type: 'proxy_error',
        message: redactSecrets(`The model proxy failed: ${describeError(error)}`, secrets),
      });
    } finally {
      response.off('close', onClose);
    }
  };

  const handle = async (incoming: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (incoming.url ?? '').split('?')[0] ?? '';
    if (path !== CHAT_COMPLETIONS_PATH) {
      incoming.resume();
      refuse(response, {
        status: 404,
        type: 'not_found',
        message: `Nothing is served at ${path || '(empty path)'}. The model proxy serves only POST ${CHAT_COMPLETIONS_PATH}.`,
      });
      return;
    }
    if (incoming.method !== 'POST') {
      incoming.resume();
      refuse(response, {
        status: 405,
        type: 'method_not_allowed',
        message: `${incoming.method ?? 'This method'} is not allowed on ${CHAT_COMPLETIONS_PATH}; use POST.`,
        headers: { allow: 'POST' },
      });
      return;
    }
    const body = await readBody(incoming, maxBodyBytes);
    if (body === 'too-large') {
      refuse(response, {
        status: 413,
        type: 'request_too_large',
        message: `The request body is larger than ${maxBodyBytes} bytes. Send a shorter conversation (drop or shorten old messages).`,
        headers: { connection: 'close' },
      });
      return;
    }
    if (body === 'failed') return; // the connection broke while the body was sent: nobody to answer
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (error) {
      refuse(response, {
        status: 400,
        type: 'invalid_json',
        message: `The request body is not valid JSON (${describeError(error)}).`,
      });
      return;
    }
    const parsed = parseChatRequest(json, options.maxTokensPerCall);
    if ('status' in parsed) {
      refuse(response, parsed);
      return;
    }
    if (stopped.signal.aborted) {
      refuse(response, closedRefusal());
      return;
    }
    if (waiting >= maxQueued) {
      refuse(response, {
        status: 429,
        type: 'too_many_requests',
        message: `${waiting} calls are already waiting: the proxy makes one call at a time per run. Wait for an answer before sending the next call.`,
      });
      return;
    }
    waiting++;
    const turn = queue.then(async () => {
      waiting--;
      await complete(parsed, response);
    });
    queue = turn.catch(() => undefined);
    await turn;
  };

  const server: Server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      if (!response.headersSent && !response.destroyed) {
        refuse(response, {
          status: 500,
          type: 'proxy_error',
          message: redactSecrets(`The model proxy failed: ${describeError(error)}`, secrets),
        });
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });
  // Model calls take minutes; the request itself (headers and body) must come within the default limits.
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    throw new CladeError(
      'MODEL_PROXY_FAILED',
      `The model proxy could not listen on ${socketPath}: ${describeError(error)}. Check that ${directory} exists and is writable.`,
      { cause: error },
    );
  });
  try {
    // The sandbox's user (uid 10001 in Docker) is not the campaign's: the socket is open to all,
    // and the private directory around it keeps other users of this host out.
    await chmod(socketPath, 0o666);
  } catch (error) {
    server.close();
    throw new CladeError(
      'MODEL_PROXY_FAILED',
      `Could not make the model proxy's socket ${socketPath} accessible: ${describeError(error)}.`,
      { cause: error },
    );
  }

  const onAbort = (): void => stopped.abort(sessionOptions.signal?.reason ?? new Error('the session was aborted'));
  sessionOptions.signal?.addEventListener('abort', onAbort, { once: true });
  if (sessionOptions.signal?.aborted) onAbort();

  let closing: Promise<void> | null = null;
  return {
    id,
    socketPath,
    usage: () => ({ ...usage }),
    close() {
      closing ??= (async () => {
        sessionOptions.signal?.removeEventListener('abort', onAbort);
        if (!stopped.signal.aborted) stopped.abort(new Error('the session was closed'));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const socket of connections) socket.destroy();
        });
        await rm(socketPath, { force: true });
        onClosed();
      })();
      return closing;
    },
  };
}

function closedRefusal(): ProxyRefusal {
  return {
    status: 503,
    type: 'session_closed',
    message: 'This run can make no more model calls: its model session was closed or aborted.',
  };
}

/** Per limit, the smaller of the two (a limit left out is unlimited). */
export function capBudget(budget: ProxyBudget, cap: ProxyBudget | undefined): ProxyBudget {
  const capped: ProxyBudget = {};
  for (const key of ['tokens', 'usd', 'calls'] as const) {
    const asked = budget[key];
    const bound = cap?.[key];
    const value = asked === undefined ? bound : bound === undefined ? asked : Math.min(asked, bound);
    if (value !== undefined) capped[key] = value;
  }
  return capped;
}

/** Throws for a budget that is not made of non-negative finite numbers. */
function checkBudget(budget: ProxyBudget): void {
  for (const key of ['tokens', 'usd', 'calls'] as const) {
    const value = budget[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new CladeError(
        'MODEL_PROXY_FAILED',
        `A model proxy session's budget.${key} must be a non-negative number or left out (unlimited); got ${String(value)}.`,
      );
    }
  }
}

/** The body, or `too-large` (then drained, up to a point, so the client reads the 413), or `failed`. */
function readBody(incoming: IncomingMessage, maxBytes: number): Promise<Buffer | 'too-large' | 'failed'> {
  const declared = Number(incoming.headers['content-length']);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > maxBytes;
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
      else if (size > 16 * maxBytes) {
        // Not worth reading further: answer now and drop the connection.
        incoming.pause();
        resolve('too-large');
      }
    });
    incoming.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    incoming.on('error', () => resolve('failed'));
    incoming.on('aborted', () => resolve('failed'));
  });
}

/**
 * Checks a chat-completions request and turns it into a `ModelRequest`, or says why not.
 * System (and `developer`) messages become the system prompt, joined in order.
 */
export function parseChatRequest(body: unknown, maxTokensPerCall: number): ModelRequest | ProxyRefusal {
  const invalid = (message: string, type = 'invalid_request'): ProxyRefusal => ({ status: 400, type, message });
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return invalid('The request body must be a JSON object with `messages`.');
  }
  const fields = body as Record<string, unknown>;
  if (fields.stream === true) {
    return invalid(
      'Streaming is not supported by the model proxy: send `stream: false` or leave it out.',
      'unsupported',
    );
  }
  for (const name of TOOL_FIELDS) {
    if (fields[name] !== undefined && fields[name] !== null) {
      return invalid(
        `\`${name}\` is not supported: the proxy passes text only. Describe tools in the prompt and parse them from the answer's text.`,
        'unsupported',
      );
    }
  }
  for (const name of Object.keys(fields)) {
    if (!ACCEPTED_FIELDS.has(name)) {
      return invalid(
        `\`${name}\` is not supported. The model proxy accepts ${[...ACCEPTED_FIELDS].map((field) => `\`${field}\``).join(', ')}.`,
        'unsupported',
      );
    }
  }
  if (fields.stream !== undefined && fields.stream !== false && fields.stream !== null) {
    return invalid('`stream` must be false or left out.');
  }
  if (fields.n !== undefined && fields.n !== null && fields.n !== 1) {
    return invalid('`n` must be 1 (one answer per call).', 'unsupported');
  }
  if (!Array.isArray(fields.messages) || fields.messages.length === 0) {
    return invalid('`messages` must be a non-empty array of { role, content }.');
  }
  const system: string[] = [];
  const messages: ModelMessage[] = [];
  for (const [index, message] of (fields.messages as unknown[]).entries()) {
    if (message === null || typeof message !== 'object')
      return invalid(`messages[${index}] must be an object { role, content }.`);
    const { role, content } = message as { role?: unknown; content?: unknown };
    const text = messageText(content);
    if (text === null) {
      return invalid(
        `messages[${index}].content must be a string (or an array of { type: "text", text } parts): the proxy passes text only.`,
      );
    }
    if (role === 'system' || role === 'developer') system.push(text);
    else if (role === 'user' || role === 'assistant') messages.push({ role, content: text });
    else {
      return invalid(
        `messages[${index}].role must be system, user or assistant; got ${JSON.stringify(role)}. Tool messages are not supported.`,
      );
    }
  }
  if (messages.length === 0) return invalid('`messages` needs at least one user message besides the system messages.');
  const temperature = fields.temperature;
  if (temperature !== undefined && temperature !== null) {
    if (typeof temperature !== 'number' || !(temperature >= 0 && temperature <= 2)) {
      return invalid('`temperature` must be a number from 0 to 2.');
    }
  }
  let maxTokens = maxTokensPerCall;
  for (const name of ['max_tokens', 'max_completion_tokens'] as const) {
    const value = fields[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      return invalid(`\`${name}\` must be a positive integer.`);
    }
    maxTokens = Math.min(maxTokens, value);
  }
  return {
    ...(system.length > 0 ? { system: system.join('\n\n') } : {}),
    messages,
    ...(typeof temperature === 'number' ? { temperature } : {}),
    maxTokens,
  };
}

function messageText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  let text = '';
  for (const part of content) {
    if (part === null || typeof part !== 'object') return null;
    const { type, text: partText } = part as { type?: unknown; text?: unknown };
    if (type !== 'text' || typeof partText !== 'string') return null;
    text += partText;
  }
  return text;
}

const FINISH_REASONS: Record<FinishReason, string> = { stop: 'stop', length: 'length', other: 'stop' };

/** The OpenAI `chat.completion` answer, plus what the session has spent and has left (`clade`). */
function completionBody(
  answer: ModelResponse,
  client: ModelClient,
  id: string,
  clock: () => number,
  usage: ProxyUsage,
  remaining: Record<string, number | null>,
): unknown {
  return {
    id: `chatcmpl-clade-${id}`,
    object: 'chat.completion',
    created: Math.floor(clock() / 1000),
    model: `${client.provider}:${client.model}`,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: answer.text },
        finish_reason: FINISH_REASONS[answer.finishReason],
      },
    ],
    usage: {
      prompt_tokens: answer.tokensIn,
      completion_tokens: answer.tokensOut,
      total_tokens: answer.tokensIn + answer.tokensOut,
    },
    clade: { spent: { ...usage }, remaining },
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}
