import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnthropicClient } from '../../../src/model/anthropic.js';
import { callModel } from '../../../src/model/call-model.js';
import { ModelCallError } from '../../../src/model/errors.js';
import { createOpenAIClient } from '../../../src/model/openai.js';
import { createPriceTable } from '../../../src/model/prices.js';
import type { ModelCallRecordInput, ModelRequest } from '../../../src/model/types.js';
import { repositoryRoot } from '../../helpers/campaign-fixture.js';
import {
  anthropicMessage,
  anthropicStream,
  type ModelServer,
  openAICompletion,
  openAIStream,
  type ServerReply,
  startModelServer,
} from '../../helpers/model-server.js';

const KEY = 'sk-test-clade-5f1e9a2b7c4d-secret';
const fixtures = path.join(repositoryRoot, 'tests/fixtures/model');
const fixture = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');
const fixtureJson = (name: string): unknown => JSON.parse(fixture(name));
const DIFF_ANSWER = fixture('answer-diff-crossover.md');

const servers: ModelServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serve(
  replies: Array<ServerReply | ((body: Record<string, unknown>) => ServerReply)>,
): Promise<ModelServer> {
  const server = await startModelServer((request, index) => {
    const reply = replies[Math.min(index, replies.length - 1)];
    if (reply === undefined) throw new Error('no reply scripted');
    return typeof reply === 'function' ? reply(request.body) : reply;
  });
  servers.push(server);
  return server;
}

const request: ModelRequest = {
  system: 'You improve optimizers.',
  messages: [{ role: 'user', content: 'Make it better.' }],
  maxTokens: 2048,
  temperature: 0.7,
};

function recorder(): { calls: ModelCallRecordInput[]; record: (call: ModelCallRecordInput) => void } {
  const calls: ModelCallRecordInput[] = [];
  return { calls, record: (call) => calls.push(call) };
}

const prices = createPriceTable();

describe('OpenAI provider through the openai SDK', () => {
  it('sends the key as a bearer token, the system prompt first, and reads text and usage', async () => {
    const server = await serve([
      { kind: 'json', body: openAICompletion(DIFF_ANSWER, { prompt: 2400, completion: 310 }) },
    ]);
    const client = createOpenAIClient({ model: 'gpt-4.1-mini', apiKey: KEY, baseURL: `${server.origin}/v1` });
    const response = await client.complete(request);
    expect(response.text).toBe(DIFF_ANSWER);
    expect(response.tokensIn).toBe(2400);
    expect(response.tokensOut).toBe(310);
    expect(response.finishReason).toBe('stop');
    const received = server.requests[0];
    expect(received?.path).toBe('/v1/chat/completions');
    expect(received?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(received?.body.model).toBe('gpt-4.1-mini');
    expect(received?.body.messages).toEqual([
      { role: 'system', content: 'You improve optimizers.' },
      { role: 'user', content: 'Make it better.' },
    ]);
    expect(received?.body.max_completion_tokens).toBe(2048);
    expect(received?.body.temperature).toBe(0.7);
  });

  it('folds a stream into the same answer, with usage from the last chunk', async () => {
    const server = await serve([{ kind: 'sse', events: openAIStream(DIFF_ANSWER, { prompt: 2400, completion: 310 }) }]);
    const client = createOpenAIClient({ model: 'gpt-4.1-mini', apiKey: KEY, baseURL: `${server.origin}/v1` });
    const response = await client.complete({ ...request, stream: true });
    expect(response.text).toBe(DIFF_ANSWER);
    expect(response.tokensIn).toBe(2400);
    expect(response.tokensOut).toBe(310);
    expect(response.finishReason).toBe('stop');
    expect(server.requests[0]?.body.stream).toBe(true);
    expect(server.requests[0]?.body.stream_options).toEqual({ include_usage: true });
    expect((response.raw as { chunks: number }).chunks).toBeGreaterThan(5);
  });

  it('speaks to an OpenAI-compatible server with max_tokens', async () => {
    const server = await serve([
      { kind: 'json', body: openAICompletion('ok', { prompt: 10, completion: 2 }, 'qwen2.5-coder:7b') },
    ]);
    const client = createOpenAIClient({
      model: 'qwen2.5-coder:7b',
      apiKey: 'no-key',
      baseURL: `${server.origin}/v1`,
      provider: 'openai-compatible',
    });
    expect(client.provider).toBe('openai-compatible');
    await client.complete(request);
    expect(server.requests[0]?.body.max_tokens).toBe(2048);
    expect(server.requests[0]?.body.max_completion_tokens).toBeUndefined();
  });
});

describe('Anthropic provider through @anthropic-ai/sdk', () => {
  it('sends the key, the version header, the system prompt and max_tokens, and reads text and usage', async () => {
    const server = await serve([{ kind: 'json', body: anthropicMessage(DIFF_ANSWER, { input: 3100, output: 420 }) }]);
    const client = createAnthropicClient({ model: 'claude-haiku-4-5', apiKey: KEY, baseURL: server.origin });
    const response = await client.complete(request);
    expect(response.text).toBe(DIFF_ANSWER);
    expect(response.tokensIn).toBe(3100);
    expect(response.tokensOut).toBe(420);
    expect(response.finishReason).toBe('stop');
    const received = server.requests[0];
    expect(received?.path).toBe('/v1/messages');
    // This SDK version sends an explicit apiKey as a bearer token (older ones used x-api-key).
    const sent = [received?.headers.authorization, received?.headers['x-api-key']];
    expect(sent.some((value) => value === `Bearer ${KEY}` || value === KEY)).toBe(true);
    expect(received?.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(received?.body.system).toBe('You improve optimizers.');
    expect(received?.body.max_tokens).toBe(2048);
    expect(received?.body.messages).toEqual([{ role: 'user', content: 'Make it better.' }]);
  });

  it('folds an event stream into the same answer, with input tokens from message_start', async () => {
    const server = await serve([{ kind: 'sse', events: anthropicStream(DIFF_ANSWER, { input: 3100, output: 420 }) }]);
    const client = createAnthropicClient({ model: 'claude-haiku-4-5', apiKey: KEY, baseURL: server.origin });
    const response = await client.complete({ ...request, stream: true });
    expect(response.text).toBe(DIFF_ANSWER);
    expect(response.tokensIn).toBe(3100);
    expect(response.tokensOut).toBe(420);
    expect(response.finishReason).toBe('stop');
    expect(server.requests[0]?.body.stream).toBe(true);
  });
});

describe('callModel: retries, accounting and recording', () => {
  it('waits as long as retry-after says after a 429, then records one call with 2 attempts and its cost', async () => {
    const server = await serve([
      { kind: 'json', status: 429, headers: { 'retry-after': '3' }, body: fixtureJson('openai-error-429.json') },
      { kind: 'json', body: openAICompletion('answer', { prompt: 1_000_000, completion: 500_000 }) },
    ]);
    const client = createOpenAIClient({ model: 'gpt-4.1-mini', apiKey: KEY, baseURL: `${server.origin}/v1` });
    const waits: number[] = [];
    const log = recorder();
    const result = await callModel(client, request, {
      nodeId: 7,
      prices,
      recorder: log,
      sleep: async (milliseconds) => {
        waits.push(milliseconds);
      },
      jitter: () => 0.5,
    });
    expect(result.attempts).toBe(2);
    expect(waits).toEqual([3000]);
    // gpt-4.1-mini: $0.40 per million in, $1.60 per million out.
    expect(result.costUsd).toBeCloseTo(0.4 + 0.8, 10);
    expect(log.calls).toHaveLength(1);
    expect(log.calls[0]).toMatchObject({
      nodeId: 7,
      provider: 'openai',
      model: 'gpt-4.1-mini',
      attempts: 2,
      tokensIn: 1_000_000,
    });
    expect(JSON.stringify(log.calls[0])).not.toContain(KEY);
  });

  it('honours Anthropic 529 overloaded and 429 with retry-after, then succeeds', async () => {
    const server = await serve([
      { kind: 'json', status: 529, body: fixtureJson('anthropic-error-529.json') },
      { kind: 'json', status: 429, headers: { 'retry-after': '2' }, body: fixtureJson('anthropic-error-429.json') },
      { kind: 'json', body: anthropicMessage('fine') },
    ]);
    const client = createAnthropicClient({ model: 'claude-haiku-4-5', apiKey: KEY, baseURL: server.origin });
    const waits: number[] = [];
    const result = await callModel(client, request, {
      nodeId: 1,
      prices,
      baseDelayMs: 100,
      sleep: async (milliseconds) => {
        waits.push(milliseconds);
      },
      jitter: () => 1,
    });
    expect(result.response.text).toBe('fine');
    expect(result.attempts).toBe(3);
    expect(waits).toEqual([100, 2000]);
  });

  it('retries a 500 with exponential backoff and gives up after the retries, recording the failure', async () => {
    const server = await serve([{ kind: 'json', status: 500, body: fixtureJson('openai-error-500.json') }]);
    const client = createOpenAIClient({ model: 'gpt-4.1-mini', apiKey: KEY, baseURL: `${server.origin}/v1` });
    const waits: number[] = [];
    const log = recorder();
    const failure = await callModel(client, request, {
      nodeId: 3,
      prices,
      retries: 3,
      baseDelayMs: 100,
      recorder: log,
      sleep: async (milliseconds) => {
        waits.push(milliseconds);
      },
      jitter: () => 1,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ModelCallError);
    expect((failure as ModelCallError).attempts).toBe(4);
    expect((failure as ModelCallError).message).toMatch(/gave up after 4 attempts: HTTP 500/);
    expect(server.requests).toHaveLength(4);
    expect(waits).toEqual([100, 200, 400]);
    expect(log.calls).toHaveLength(1);
    expect(log.calls[0]).toMatchObject({ nodeId: 3, attempts: 4, tokensIn: 0, costUsd: 0 });
    expect(JSON.stringify(log.calls[0]?.response)).toMatch(/HTTP 500/);
  });

  it('does not retry a 401 or a 400, and never stores the key', async () => {
    const server = await serve([{ kind: 'json', status: 401, body: fixtureJson('openai-error-401.json') }]);
    const client = createOpenAIClient({ model: 'gpt-4.1-mini', apiKey: KEY, baseURL: `${server.origin}/v1` });
    const log = recorder();
    const failure = await callModel(client, request, { nodeId: 2, prices, recorder: log, sleep: async () => {} }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ModelCallError);
    expect((failure as ModelCallError).message).toMatch(/not retried.*HTTP 401/);
    expect(server.requests).toHaveLength(1);
    expect(JSON.stringify(log.calls)).not.toContain(KEY);

    const anthropic = await serve([{ kind: 'json', status: 400, body: fixtureJson('anthropic-error-400.json') }]);
    const second = createAnthropicClient({ model: 'claude-haiku-4-5', apiKey: KEY, baseURL: anthropic.origin });
    const refused = await callModel(second, request, { nodeId: 2, prices, sleep: async () => {} }).catch(
      (error: unknown) => error,
    );
    expect((refused as ModelCallError).message).toMatch(/HTTP 400/);
    expect(anthropic.requests).toHaveLength(1);
  });

  it('retries a body cut off mid-way (non-streaming and streaming)', async () => {
    const body = JSON.stringify(openAICompletion('whole answer'));
    const server = await serve([
      { kind: 'truncated', body: body.slice(0, body.length / 2) },
      { kind: 'json', body: openAICompletion('whole answer') },
    ]);
    const client = createOpenAIClient({ model: 'gpt-4.1-mini', apiKey: KEY, baseURL: `${server.origin}/v1` });
    const result = await callModel(client, request, { nodeId: 1, prices, sleep: async () => {} });
    expect(result.response.text).toBe('whole answer');
    expect(result.attempts).toBe(2);
  });

  it('retries a timeout and a refused connection, then reports the timeout', async () => {
    const server = await serve([{ kind: 'hang' }]);
    const client = createOpenAIClient({
      model: 'gpt-4.1-mini',
      apiKey: KEY,
      baseURL: `${server.origin}/v1`,
      timeoutMs: 150,
    });
    const failure = await callModel(client, request, { nodeId: 1, prices, retries: 1, sleep: async () => {} }).catch(
      (error: unknown) => error,
    );
    expect((failure as ModelCallError).message).toMatch(/gave up after 2 attempts: timeout/);
    expect(server.requests).toHaveLength(2);

    const closed = await startModelServer(() => ({ kind: 'hang' }));
    const origin = closed.origin;
    await closed.close();
    const refused = createOpenAIClient({ model: 'gpt-4.1-mini', apiKey: KEY, baseURL: `${origin}/v1` });
    const connection = await callModel(refused, request, {
      nodeId: 1,
      prices,
      retries: 2,
      sleep: async () => {},
    }).catch((error: unknown) => error);
    expect((connection as ModelCallError).message).toMatch(/gave up after 3 attempts: connection/);
  });

  it('stops at once when the campaign aborts, without retrying', async () => {
    const server = await serve([{ kind: 'hang' }]);
    const client = createOpenAIClient({ model: 'gpt-4.1-mini', apiKey: KEY, baseURL: `${server.origin}/v1` });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stopped by the test')), 100);
    const failure = await callModel(client, request, { nodeId: 1, prices, signal: controller.signal }).catch(
      (error: unknown) => error,
    );
    expect(failure).not.toBeInstanceOf(ModelCallError);
    expect(server.requests).toHaveLength(1);
  });
});
