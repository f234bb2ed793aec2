/**
 * A local HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions and Anthropic messages
 * wire formats, for tests that go through the real SDKs. Each request is answered by a handler
 * that returns a reply: a JSON body (any status, any headers), a server-sent event stream, a body
 * cut off mid-way, or no answer at all (for timeouts). Every request is kept, headers included.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerModelRoute, DEFAULT_SERVED_MODELS } from './model-routes.js';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export type ServerReply =
  | { kind: 'json'; status?: number; headers?: Record<string, string>; body: unknown }
  /** `data` strings are sent as is (e.g. `[DONE]`); objects as JSON. */
  | { kind: 'sse'; events: Array<{ event?: string; data: unknown }>; headers?: Record<string, string> }
  /** Declares a longer body than it sends, then closes the connection. */
  | { kind: 'truncated'; body: string; status?: number }
  /** Never answers (the client's timeout fires). */
  | { kind: 'hang' };

export type ReplyHandler = (request: ReceivedRequest, index: number) => ServerReply | Promise<ServerReply>;

export interface ModelServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** Options of `startModelServer`. */
export interface ModelServerOptions {
  /**
   * Model names answered at `GET /v1/models` and `GET /v1/models/{id}` (the check campaigns make
   * before their first child), outside `requests` and the handler. Default: the recorded lists
   * (`DEFAULT_SERVED_MODELS`). false sends those routes to the handler like any other request.
   */
  models?: readonly string[] | false;
}

export async function startModelServer(handler: ReplyHandler, options: ModelServerOptions = {}): Promise<ModelServer> {
  const served = options.models === undefined ? DEFAULT_SERVED_MODELS : options.models;
  const requests: ReceivedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        body = { unparsed: text };
      }
      const route =
        served === false ? null : answerModelRoute(incoming.method ?? '', incoming.url ?? '', incoming.headers, served);
      if (route !== null) {
        send(response, { kind: 'json', status: route.status, body: route.body }, hanging);
        return;
      }
      const received: ReceivedRequest = {
        method: incoming.method ?? '',
        path: incoming.url ?? '',
        headers: incoming.headers,
        body,
      };
      const index = requests.length;
      requests.push(received);
      Promise.resolve(handler(received, index))
        .then((reply) => send(response, reply, hanging))
        .catch((error: unknown) => {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: { message: String(error) } }));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(response: ServerResponse, reply: ServerReply, hanging: Set<ServerResponse>): void {
  switch (reply.kind) {
    case 'json': {
      const text = JSON.stringify(reply.body);
      response.writeHead(reply.status ?? 200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        ...reply.headers,
      });
      response.end(text);
      return;
    }
    case 'sse': {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...reply.headers });
      for (const event of reply.events) {
        const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
        response.write(`${event.event ? `event: ${event.event}\n` : ''}data: ${data}\n\n`);
      }
      response.end();
      return;
    }
    case 'truncated': {
      response.writeHead(reply.status ?? 200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(reply.body) + 500,
      });
      response.write(reply.body);
      setTimeout(() => response.destroy(), 20);
      return;
    }
    case 'hang':
      hanging.add(response);
      return;
  }
}

/** An OpenAI chat completion body with this answer and usage. */
export function openAICompletion(
  text: string,
  usage = { prompt: 1200, completion: 180 },
  model = 'gpt-4.1-mini-2025-04-14',
) {
  return {
    id: 'chatcmpl-CLADEtest0001',
    object: 'chat.completion',
    created: 1_763_700_000,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: {
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
    },
    service_tier: 'default',
    system_fingerprint: 'fp_6f2eabb9a5',
  };
}

/** The same answer as an OpenAI stream: role chunk, content chunks, finish chunk, usage chunk, [DONE]. */
export function openAIStream(
  text: string,
  usage = { prompt: 1200, completion: 180 },
  model = 'gpt-4.1-mini-2025-04-14',
) {
  const base = {
    id: 'chatcmpl-CLADEstream01',
    object: 'chat.completion.chunk',
    created: 1_763_700_000,
    model,
    system_fingerprint: 'fp_6f2eabb9a5',
  };
  const pieces = text.match(/[\s\S]{1,17}/g) ?? [];
  return [
    {
      data: {
        ...base,
        choices: [
          { index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null },
        ],
        usage: null,
      },
    },
    ...pieces.map((piece) => ({
      data: {
        ...base,
        choices: [{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }],
        usage: null,
      },
    })),
    { data: { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], usage: null } },
    {
      data: {
        ...base,
        choices: [],
        usage: {
          prompt_tokens: usage.prompt,
          completion_tokens: usage.completion,
          total_tokens: usage.prompt + usage.completion,
        },
      },
    },
    { data: '[DONE]' },
  ];
}

/** An Anthropic message body. */
export function anthropicMessage(
  text: string,
  usage = { input: 1500, output: 240 },
  model = 'claude-sonnet-4-5-20250929',
) {
  return {
    id: 'msg_01CLADEtest',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: usage.input,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: usage.output,
      service_tier: 'standard',
    },
  };
}

/** The same answer as an Anthropic event stream. */
export function anthropicStream(
  text: string,
  usage = { input: 1500, output: 240 },
  model = 'claude-sonnet-4-5-20250929',
) {
  const pieces = text.match(/[\s\S]{1,23}/g) ?? [];
  return [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          id: 'msg_01CLADEstream',
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: usage.input,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
            output_tokens: 1,
          },
        },
      },
    },
    {
      event: 'content_block_start',
      data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    },
    { event: 'ping', data: { type: 'ping' } },
    ...pieces.map((piece) => ({
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } },
    })),
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    {
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: usage.output },
      },
    },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ];
}
