import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openArchive } from '../../../src/archive/sqlite-store.js';
import type { ArchiveStore } from '../../../src/archive/types.js';
import { createAnthropicClient } from '../../../src/model/anthropic.js';
import { createModelLedger } from '../../../src/model/ledger.js';
import { createOpenAIClient } from '../../../src/model/openai.js';
import { createPriceTable } from '../../../src/model/prices.js';
import type { ModelCallRecordInput, ModelClient } from '../../../src/model/types.js';
import { capBudget, createModelProxy, type ModelProxyOptions } from '../../../src/model-proxy/model-proxy.js';
import type { ModelProxy } from '../../../src/model-proxy/types.js';
import {
  anthropicMessage,
  type ModelServer,
  openAICompletion,
  type ReplyHandler,
  startModelServer,
} from '../../helpers/model-server.js';
import { callProxy, chat } from '../../helpers/proxy-client.js';

const KEY = 'sk-proxy-test-7c4d5f1e9a2b-secret';
const prices = createPriceTable();

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function temporaryDirectory(): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'clade-proxy-test-'));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

async function upstream(handler: ReplyHandler): Promise<ModelServer> {
  const server = await startModelServer(handler);
  cleanups.push(() => server.close());
  return server;
}

function openAIUpstreamClient(server: ModelServer, model = 'gpt-4.1-mini'): ModelClient {
  return createOpenAIClient({ model, apiKey: KEY, baseURL: `${server.origin}/v1` });
}

function proxy(options: ModelProxyOptions): ModelProxy {
  const created = createModelProxy({ secrets: [KEY], ...options });
  cleanups.push(() => created.close());
  return created;
}

function archiveIn(directory: string): ArchiveStore {
  const archive = openArchive(path.join(directory, 'archive.db'));
  cleanups.push(() => archive.close());
  return archive;
}

function recorder(): { calls: ModelCallRecordInput[]; record: (call: ModelCallRecordInput) => void } {
  const calls: ModelCallRecordInput[] = [];
  return { calls, record: (call) => calls.push(call) };
}

describe('model proxy: calls through the socket', () => {
  it('answers an OpenAI-style call with the campaign model, adds the key upstream, and records it against the node', async () => {
    const server = await upstream(() => ({
      kind: 'json',
      body: openAICompletion('Use a hash map.', { prompt: 1200, completion: 180 }),
    }));
    const directory = temporaryDirectory();
    const archive = archiveIn(directory);
    const ledger = createModelLedger(archive, { usd: null, tokens: null });
    const modelProxy = proxy({
      client: openAIUpstreamClient(server),
      prices,
      recorder: ledger,
      maxTokensPerCall: 1000,
    });
    const session = await modelProxy.openSession({ nodeId: 7, purpose: 'evaluation', budget: { calls: 10 } });

    const answer = await callProxy(session.socketPath, {
      body: {
        model: 'gpt-5-please',
        messages: [
          { role: 'system', content: 'You are a coding agent.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Solve ' },
              { type: 'text', text: 'two-fer.' },
            ],
          },
        ],
        temperature: 0.2,
        max_tokens: 50_000,
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      object: 'chat.completion',
      model: 'openai:gpt-4.1-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Use a hash map.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1200, completion_tokens: 180, total_tokens: 1380 },
      clade: { remaining: { calls: 9, tokens: null, usd: null } },
    });
    expect(answer.text).not.toContain(KEY);
    expect(JSON.stringify(answer.headers)).not.toContain(KEY);

    // Upstream: the key, the campaign's model, the system prompt, the capped token limit.
    expect(server.requests).toHaveLength(1);
    const received = server.requests[0];
    expect(received?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(received?.body.model).toBe('gpt-4.1-mini');
    expect(received?.body.messages).toEqual([
      { role: 'system', content: 'You are a coding agent.' },
      { role: 'user', content: 'Solve two-fer.' },
    ]);
    expect(received?.body.max_completion_tokens).toBe(1000);
    expect(received?.body.temperature).toBe(0.2);

    // Recorded in the archive against node 7, with what it cost, and no key anywhere.
    const calls = archive.modelCalls(7);
    expect(calls).toHaveLength(1);
    const call = calls[0];
    expect(call).toMatchObject({
      nodeId: 7,
      provider: 'openai',
      model: 'gpt-4.1-mini',
      tokensIn: 1200,
      tokensOut: 180,
    });
    expect(call?.costUsd).toBeCloseTo((1200 * 0.4 + 180 * 1.6) / 1e6, 10);
    expect(call?.request).toMatchObject({ system: 'You are a coding agent.', maxTokens: 1000 });
    expect(call?.response).toMatchObject({ text: 'Use a hash map.', proxy: { purpose: 'evaluation' } });
    expect(JSON.stringify(archive.listModelCalls())).not.toContain(KEY);
    expect(session.usage()).toEqual({ calls: 1, tokensIn: 1200, tokensOut: 180, costUsd: call?.costUsd, refused: 0 });
    expect(ledger.totals().calls).toBe(1);
  });

  it('works the same with an Anthropic-wire upstream (provider independence)', async () => {
    const server = await upstream(() => ({
      kind: 'json',
      body: anthropicMessage('edit solution.mjs', { input: 900, output: 40 }),
    }));
    const client = createAnthropicClient({ model: 'claude-sonnet-4-5', apiKey: KEY, baseURL: server.origin });
    const sink = recorder();
    const modelProxy = proxy({ client, prices, recorder: sink });
    const session = await modelProxy.openSession({ nodeId: 3, purpose: 'self-modify', budget: {} });
    const answer = await callProxy(session.socketPath, {
      body: {
        messages: [
          { role: 'system', content: 'Rules.' },
          { role: 'user', content: 'Fix it.' },
          { role: 'assistant', content: 'Which file?' },
          { role: 'user', content: 'solution.mjs' },
        ],
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      model: 'anthropic:claude-sonnet-4-5',
      choices: [{ message: { content: 'edit solution.mjs' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 900, completion_tokens: 40 },
    });
    const received = server.requests[0];
    expect(received?.path).toBe('/v1/messages');
    // This SDK version sends the key as a bearer token (older ones used x-api-key).
    expect([received?.headers.authorization, received?.headers['x-api-key']].join(' ')).toContain(KEY);
    expect(received?.body).toMatchObject({ model: 'claude-sonnet-4-5', system: 'Rules.', max_tokens: 4096 });
    expect(received?.body.messages).toHaveLength(3);
    expect(sink.calls[0]).toMatchObject({
      nodeId: 3,
      provider: 'anthropic',
      response: { proxy: { purpose: 'self-modify' } },
    });
    expect(answer.text).not.toContain(KEY);
  });
});

describe('model proxy: budgets', () => {
  const steady: ReplyHandler = () => ({ kind: 'json', body: openAICompletion('ok', { prompt: 600, completion: 100 }) });

  it('refuses with 429 budget_exceeded once the call budget is spent, without calling upstream', async () => {
    const server = await upstream(steady);
    const modelProxy = proxy({ client: openAIUpstreamClient(server), prices });
    const session = await modelProxy.openSession({ nodeId: 1, purpose: 'evaluation', budget: { calls: 2 } });
    expect((await callProxy(session.socketPath, { body: chat('a') })).status).toBe(200);
    expect((await callProxy(session.socketPath, { body: chat('b') })).status).toBe(200);
    const third = await callProxy(session.socketPath, { body: chat('c') });
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ error: { type: 'budget_exceeded' } });
    expect((third.body.error as { message: string }).message).toMatch(/budget of 2 model calls is spent/);
    expect(server.requests).toHaveLength(2);
    expect(session.usage()).toMatchObject({ calls: 2, refused: 1 });
  });

  it('counts calls made at the same time one after another (no race past the budget)', async () => {
    const server = await upstream(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return steady({} as never, 0);
    });
    const modelProxy = proxy({ client: openAIUpstreamClient(server), prices });
    const session = await modelProxy.openSession({ nodeId: 1, purpose: 'evaluation', budget: { calls: 1 } });
    const answers = await Promise.all([1, 2, 3].map((n) => callProxy(session.socketPath, { body: chat(`q${n}`) })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 429, 429]);
    expect(server.requests).toHaveLength(1);
  });

  it('refuses once the token budget is spent, recording the call that overshot, and caps answers to the tokens left', async () => {
    const server = await upstream(steady);
    const sink = recorder();
    const modelProxy = proxy({ client: openAIUpstreamClient(server), prices, recorder: sink, maxTokensPerCall: 4000 });
    const session = await modelProxy.openSession({ nodeId: 2, purpose: 'evaluation', budget: { tokens: 1000 } });
    const first = await callProxy(session.socketPath, { body: chat('a') });
    expect(first.status).toBe(200);
    expect(server.requests[0]?.body.max_completion_tokens).toBe(1000);
    expect(first.body).toMatchObject({ clade: { remaining: { tokens: 300 } } });
    // 700 used, 300 left: the second call may answer with at most 300 tokens; it overshoots (700 more).
    expect((await callProxy(session.socketPath, { body: chat('b') })).status).toBe(200);
    expect(server.requests[1]?.body.max_completion_tokens).toBe(300);
    const third = await callProxy(session.socketPath, { body: chat('c') });
    expect(third.status).toBe(429);
    expect((third.body.error as { message: string }).message).toMatch(/budget of 1000 tokens is spent \(1400 used/);
    expect(sink.calls).toHaveLength(2);
  });

  it('refuses once the dollar budget is spent, and when the campaign budget is spent', async () => {
    const server = await upstream(steady);
    const modelProxy = proxy({ client: openAIUpstreamClient(server), prices });
    // One call costs 600 × 0.4e-6 + 100 × 1.6e-6 = $0.0004.
    const session = await modelProxy.openSession({ nodeId: 2, purpose: 'evaluation', budget: { usd: 0.0005 } });
    expect((await callProxy(session.socketPath, { body: chat('a') })).status).toBe(200);
    expect((await callProxy(session.socketPath, { body: chat('b') })).status).toBe(200);
    const third = await callProxy(session.socketPath, { body: chat('c') });
    expect(third.status).toBe(429);
    expect((third.body.error as { message: string }).message).toMatch(/budget of \$0.0005 is spent/);

    let campaignSpent: string | null = null;
    const guarded = proxy({ client: openAIUpstreamClient(server), prices, budgetExceeded: () => campaignSpent });
    const other = await guarded.openSession({ nodeId: 3, purpose: 'evaluation', budget: {} });
    expect((await callProxy(other.socketPath, { body: chat('a') })).status).toBe(200);
    campaignSpent = 'the model budget of $5 is spent';
    const refused = await callProxy(other.socketPath, { body: chat('b') });
    expect(refused.status).toBe(429);
    expect((refused.body.error as { message: string }).message).toMatch(/campaign's model budget is spent/);
  });

  it('caps every session at budgetCap, per limit', async () => {
    const server = await upstream(steady);
    const modelProxy = proxy({ client: openAIUpstreamClient(server), prices, budgetCap: { calls: 1, tokens: 5000 } });
    const session = await modelProxy.openSession({ nodeId: 1, purpose: 'evaluation', budget: { calls: 10, usd: 2 } });
    const first = await callProxy(session.socketPath, { body: chat('a') });
    expect(first.body).toMatchObject({ clade: { remaining: { calls: 0, tokens: 4300, usd: 2 - 0.0004 } } });
    expect((await callProxy(session.socketPath, { body: chat('b') })).status).toBe(429);
    expect(capBudget({ tokens: 10, calls: 3 }, { tokens: 20, usd: 1 })).toEqual({ tokens: 10, usd: 1, calls: 3 });
    expect(capBudget({}, undefined)).toEqual({});
  });

  it('rejects a budget that is not a non-negative number', async () => {
    const modelProxy = proxy({
      client: { provider: 'openai', model: 'x', complete: async () => ({}) as never },
      prices,
    });
    await expect(modelProxy.openSession({ nodeId: 1, purpose: 'evaluation', budget: { tokens: -1 } })).rejects.toThrow(
      /budget.tokens must be a non-negative number/,
    );
  });
});

describe('model proxy: everything else is refused', () => {
  it('answers 404, 405, 400 and 413 without calling upstream', async () => {
    const server = await upstream(() => ({ kind: 'json', body: openAICompletion('never') }));
    const modelProxy = proxy({ client: openAIUpstreamClient(server), prices });
    const session = await modelProxy.openSession({ nodeId: 1, purpose: 'evaluation', budget: {} });
    const socket = session.socketPath;
    const cases: Array<[Parameters<typeof callProxy>[1], number, string]> = [
      [{ method: 'GET', path: '/v1/models' }, 404, 'not_found'],
      [{ path: '/v1/completions', body: chat('x') }, 404, 'not_found'],
      [{ path: '/', body: chat('x') }, 404, 'not_found'],
      [{ method: 'GET' }, 405, 'method_not_allowed'],
      [{ method: 'PUT', body: chat('x') }, 405, 'method_not_allowed'],
      [{ body: '{"messages": [' }, 400, 'invalid_json'],
      [{ body: '[]' }, 400, 'invalid_request'],
      [{ body: { messages: [] } }, 400, 'invalid_request'],
      [{ body: chat('x', { stream: true }) }, 400, 'unsupported'],
      [{ body: chat('x', { tools: [{ type: 'function', function: { name: 'bash' } }] }) }, 400, 'unsupported'],
      [{ body: chat('x', { n: 3 }) }, 400, 'unsupported'],
      [{ body: chat('x', { top_p: 0.5 }) }, 400, 'unsupported'],
      [{ body: chat('x', { temperature: 7 }) }, 400, 'invalid_request'],
      [{ body: chat('x', { max_tokens: 0 }) }, 400, 'invalid_request'],
      [{ body: { messages: [{ role: 'tool', content: 'x' }] } }, 400, 'invalid_request'],
      [{ body: { messages: [{ role: 'system', content: 'only a system prompt' }] } }, 400, 'invalid_request'],
      [
        { body: { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:' } }] }] } },
        400,
        'invalid_request',
      ],
      [{ body: chat('x'.repeat(1024 * 1024 + 10)) }, 413, 'request_too_large'],
    ];
    for (const [call, status, type] of cases) {
      const answer = await callProxy(socket, call);
      expect({
        call: JSON.stringify(call).slice(0, 120),
        status: answer.status,
        type: answer.body.error,
      }).toMatchObject({
        status,
        type: { type },
      });
    }
    expect((await callProxy(socket, { method: 'DELETE' })).headers.allow).toBe('POST');
    expect(server.requests).toHaveLength(0);
    expect(session.usage()).toMatchObject({ calls: 0, refused: cases.length + 1 });
    // Still serving after all that.
    expect((await callProxy(socket, { body: chat('fine') })).status).toBe(200);
  });

  it('reports an upstream refusal (400) and an unreachable model (502) without leaking the key', async () => {
    const server = await upstream((request) =>
      request.body.messages && JSON.stringify(request.body.messages).includes('bad')
        ? {
            kind: 'json',
            status: 401,
            body: { error: { message: `Incorrect API key provided: ${KEY}`, type: 'invalid_request_error' } },
          }
        : { kind: 'json', status: 503, body: { error: { message: 'overloaded' } } },
    );
    const sink = recorder();
    const modelProxy = proxy({
      client: openAIUpstreamClient(server),
      prices,
      recorder: sink,
      retry: { retries: 1, baseDelayMs: 1 },
    });
    const session = await modelProxy.openSession({ nodeId: 4, purpose: 'evaluation', budget: { calls: 5 } });
    const refused = await callProxy(session.socketPath, { body: chat('bad') });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { type: 'model_request_refused' } });
    expect(refused.text).not.toContain(KEY);
    const unreachable = await callProxy(session.socketPath, { body: chat('good') });
    expect(unreachable.status).toBe(502);
    expect(unreachable.body).toMatchObject({ error: { type: 'model_unavailable' } });
    expect(server.requests).toHaveLength(3); // one refused, two attempts at the overloaded one
    expect(sink.calls).toHaveLength(2);
    expect(JSON.stringify(sink.calls)).not.toContain(KEY);
    expect(session.usage()).toMatchObject({ calls: 2, tokensIn: 0 });
  });
});

describe('model proxy: sockets and lifetime', () => {
  it('makes a 0666 socket in a private 0700 directory, and removes both on close', async () => {
    const server = await upstream(() => ({ kind: 'json', body: openAICompletion('ok') }));
    const base = temporaryDirectory();
    const modelProxy = proxy({ client: openAIUpstreamClient(server), prices, socketDirectory: base });
    const first = await modelProxy.openSession({ nodeId: 1, purpose: 'evaluation', budget: {} });
    const second = await modelProxy.openSession({ nodeId: 2, purpose: 'evaluation', budget: {} });
    expect(first.socketPath).not.toBe(second.socketPath);
    const directory = path.dirname(first.socketPath);
    expect(path.dirname(directory)).toBe(base);
    expect(statSync(directory).mode & 0o777).toBe(0o700);
    const socketInfo = statSync(first.socketPath);
    expect(socketInfo.isSocket()).toBe(true);
    expect(socketInfo.mode & 0o777).toBe(0o666);

    await first.close();
    await first.close(); // twice is fine
    await expect(stat(first.socketPath)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(callProxy(first.socketPath, { body: chat('x') })).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await callProxy(second.socketPath, { body: chat('x') })).status).toBe(200);

    await modelProxy.close();
    await modelProxy.close();
    await expect(stat(second.socketPath)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(directory)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(modelProxy.openSession({ nodeId: 3, purpose: 'evaluation', budget: {} })).rejects.toThrow(/closed/);
  });

  it('refuses a socket path too long for Unix sockets, saying what to do', async () => {
    const base = path.join(temporaryDirectory(), 'x'.repeat(90));
    const modelProxy = proxy({
      client: { provider: 'openai', model: 'x', complete: async () => ({}) as never },
      prices,
      socketDirectory: base,
    });
    await expect(modelProxy.openSession({ nodeId: 1, purpose: 'evaluation', budget: {} })).rejects.toThrow(
      /longer than Unix sockets allow.*shorter socketDirectory/,
    );
  });

  it("aborting the session's signal cancels the call in flight and refuses further calls", async () => {
    const server = await upstream(() => ({ kind: 'hang' }));
    const modelProxy = proxy({ client: openAIUpstreamClient(server), prices });
    const controller = new AbortController();
    const session = await modelProxy.openSession({
      nodeId: 1,
      purpose: 'evaluation',
      budget: {},
      signal: controller.signal,
    });
    const pending = callProxy(session.socketPath, { body: chat('slow') });
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = Date.now();
    controller.abort(new Error('campaign stopped'));
    const answer = await pending;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: { type: 'session_closed' } });
    const after = await callProxy(session.socketPath, { body: chat('again') });
    expect(after.status).toBe(503);
    expect(server.requests).toHaveLength(1);
  });

  it('a call whose agent hung up while it waited its turn is never made', async () => {
    let release: () => void = () => {};
    const seen: string[] = [];
    const client: ModelClient = {
      provider: 'openai',
      model: 'gpt-4.1-mini',
      async complete(request) {
        seen.push(request.messages[0]?.content ?? '');
        if (seen.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return { text: 'ok', tokensIn: 1, tokensOut: 1, finishReason: 'stop', raw: {} };
      },
    };
    const modelProxy = proxy({ client, prices });
    const session = await modelProxy.openSession({ nodeId: 1, purpose: 'evaluation', budget: {} });
    const first = callProxy(session.socketPath, { body: chat('first') });
    while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const controller = new AbortController();
    const second = callProxy(session.socketPath, { body: chat('second'), signal: controller.signal }).catch(
      (error: Error) => error.name,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    expect(await second).toBe('AbortError');
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    expect((await first).status).toBe(200);
    expect((await callProxy(session.socketPath, { body: chat('third') })).status).toBe(200);
    expect(seen).toEqual(['first', 'third']);
  });

  it('closing a session while a call is in flight ends it at once', async () => {
    const server = await upstream(() => ({ kind: 'hang' }));
    const modelProxy = proxy({ client: openAIUpstreamClient(server), prices });
    const session = await modelProxy.openSession({ nodeId: 1, purpose: 'evaluation', budget: {} });
    const pending = callProxy(session.socketPath, { body: chat('slow') }).then(
      (answer) => answer.status,
      (error: NodeJS.ErrnoException) => error.code,
    );
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = Date.now();
    await session.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    // Either the refusal got out before the connection was cut, or the connection was cut.
    expect([503, 'ECONNRESET']).toContain(await pending);
    await expect(stat(session.socketPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
