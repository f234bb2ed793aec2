/**
 * @module A local HTTP server that misbehaves the way real model servers and proxies do, for the
 * fault suite: headers then silence, a body that trickles forever, an answer far over its token
 * limit, answers that vary between identical requests, and answers that come back out of order.
 * Each request is answered by a script function; every request body is kept.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerModelRoute, DEFAULT_SERVED_MODELS } from '../../helpers/model-routes.js';

/** One request as the server received it. */
export interface FaultRequest {
  path: string;
  body: Record<string, unknown>;
  /** Size of the request body in bytes. */
  bytes: number;
}

/** What the script does with one request. */
export type FaultReply =
  /** A complete JSON answer, after `delayMs`. */
  | { kind: 'json'; body: unknown; delayMs?: number }
  /** Status and headers, the first bytes of the body, then nothing, ever. */
  | { kind: 'stall'; contentType: 'application/json' | 'text/event-stream'; first: string }
  /** Status and headers, then one byte of JSON whitespace every `everyMs`, never ending. */
  | { kind: 'trickle'; everyMs: number }
  /** A server-sent event stream of these `data:` payloads (objects as JSON), `event:` names optional. */
  | { kind: 'sse'; events: Array<{ event?: string; data: unknown }> };

export interface FaultServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: FaultRequest[];
  /** Responses the client closed before the server finished them. */
  abandoned(): number;
  close(): Promise<void>;
}

/**
 * Starts the server on 127.0.0.1 with `script` choosing each reply (index counts from 0). The models
 * routes (`GET /v1/models`, `GET /v1/models/{id}`: the check campaigns make before their first
 * child) answer `models` (default: the recorded lists and `fault-model`) outside the script and `requests`.
 */
export async function startFaultServer(
  script: (request: FaultRequest, index: number) => FaultReply | Promise<FaultReply>,
  options: { models?: readonly string[] } = {},
): Promise<FaultServer> {
  const served = options.models ?? [...DEFAULT_SERVED_MODELS, 'fault-model'];
  const requests: FaultRequest[] = [];
  const open = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  let abandoned = 0;
  const server: Server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        body = {};
      }
      const route = answerModelRoute(incoming.method ?? '', incoming.url ?? '', incoming.headers, served);
      if (route !== null) {
        const text = JSON.stringify(route.body);
        response.writeHead(route.status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        response.end(text);
        return;
      }
      const request: FaultRequest = { path: incoming.url ?? '', body, bytes: raw.byteLength };
      const index = requests.length;
      requests.push(request);
      open.add(response);
      response.on('close', () => {
        if (!response.writableFinished) abandoned++;
        open.delete(response);
      });
      Promise.resolve(script(request, index)).then((reply) => send(response, reply, timers));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    abandoned: () => abandoned,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        for (const response of open) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(response: ServerResponse, reply: FaultReply, timers: Set<NodeJS.Timeout>): void {
  if (response.destroyed) return;
  switch (reply.kind) {
    case 'json': {
      const text = JSON.stringify(reply.body);
      const write = (): void => {
        if (response.destroyed) return;
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        response.end(text);
      };
      if (reply.delayMs) setTimeout(write, reply.delayMs);
      else write();
      return;
    }
    case 'stall':
      response.writeHead(200, { 'content-type': reply.contentType });
      response.write(reply.first);
      return;
    case 'trickle': {
      response.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => {
        if (response.destroyed) clearInterval(timer);
        else response.write(' ');
      }, reply.everyMs);
      timers.add(timer);
      return;
    }
    case 'sse': {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const event of reply.events) {
        const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
        response.write(`${event.event ? `event: ${event.event}\n` : ''}data: ${data}\n\n`);
      }
      response.end();
      return;
    }
  }
}

/** An OpenAI chat completion with this answer. */
export function openAIAnswer(text: string, completionTokens = 100): Record<string, unknown> {
  return {
    id: 'chatcmpl-fault',
    object: 'chat.completion',
    created: 1_763_700_000,
    model: 'fault-model',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 50, completion_tokens: completionTokens, total_tokens: 50 + completionTokens },
  };
}

/** An Anthropic message with this answer. */
export function anthropicAnswer(text: string, outputTokens = 100): Record<string, unknown> {
  return {
    id: 'msg_fault',
    type: 'message',
    role: 'assistant',
    model: 'fault-model',
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 50, output_tokens: outputTokens },
  };
}

/** The first chunk of an OpenAI stream, as an SSE frame. */
export function openAIStreamStart(text: string): string {
  const chunk = {
    id: 'chatcmpl-fault',
    object: 'chat.completion.chunk',
    created: 1_763_700_000,
    model: 'fault-model',
    choices: [{ index: 0, delta: { role: 'assistant', content: text }, finish_reason: null }],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** The first events of an Anthropic stream, as SSE frames. */
export function anthropicStreamStart(text: string): string {
  const start = {
    type: 'message_start',
    message: {
      id: 'msg_fault',
      type: 'message',
      role: 'assistant',
      model: 'fault-model',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 50, output_tokens: 1 },
    },
  };
  const block = { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } };
  const delta = { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } };
  return [start, block, delta].map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
}

/** A complete OpenAI stream of `text` in chunks of `chunkBytes` characters. */
export function openAIStreamEvents(text: string, chunkBytes: number): Array<{ data: unknown }> {
  const events: Array<{ data: unknown }> = [];
  for (let offset = 0; offset < text.length; offset += chunkBytes) {
    events.push({
      data: {
        id: 'chatcmpl-fault',
        object: 'chat.completion.chunk',
        created: 1_763_700_000,
        model: 'fault-model',
        choices: [{ index: 0, delta: { content: text.slice(offset, offset + chunkBytes) }, finish_reason: null }],
      },
    });
  }
  events.push({
    data: {
      id: 'chatcmpl-fault',
      object: 'chat.completion.chunk',
      created: 1_763_700_000,
      model: 'fault-model',
      choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
      usage: { prompt_tokens: 50, completion_tokens: 4096, total_tokens: 4146 },
    },
  });
  events.push({ data: '[DONE]' });
  return events;
}
