/**
 * Fault (issue 17, finding 3): a model server that sends its headers and then stalls, or trickles
 * a byte now and then forever, must not hold a worker past `timeoutSeconds` per attempt. Through
 * the real `openai` and `@anthropic-ai/sdk` SDKs, with and without streaming: each attempt ends at
 * its deadline as a retryable timeout, the retries are spent, and the call is recorded as failed
 * with the reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAnthropicClient } from '../../../src/model/anthropic.js';
import { callModel } from '../../../src/model/call-model.js';
import { ModelCallError } from '../../../src/model/errors.js';
import { createOpenAIClient } from '../../../src/model/openai.js';
import { createPriceTable } from '../../../src/model/prices.js';
import type { ModelCallRecordInput, ModelClient, ModelRequest, StoredModelResponse } from '../../../src/model/types.js';
import {
  anthropicStreamStart,
  type FaultReply,
  type FaultServer,
  openAIStreamStart,
  startFaultServer,
} from './fault-server.js';

const servers: FaultServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serve(reply: FaultReply): Promise<FaultServer> {
  const server = await startFaultServer(() => reply);
  servers.push(server);
  return server;
}

const TIMEOUT_MS = 700;

const request = (stream: boolean): ModelRequest => ({
  system: 'You improve optimizers.',
  messages: [{ role: 'user', content: 'Make it better.' }],
  maxTokens: 1024,
  ...(stream ? { stream: true } : {}),
});

type Provider = 'openai' | 'anthropic';

function clientFor(provider: Provider, server: FaultServer): ModelClient {
  return provider === 'openai'
    ? createOpenAIClient({
        model: 'gpt-4.1-mini',
        apiKey: 'sk-fault',
        baseURL: `${server.origin}/v1`,
        timeoutMs: TIMEOUT_MS,
      })
    : createAnthropicClient({
        model: 'claude-fault',
        apiKey: 'sk-fault',
        baseURL: server.origin,
        timeoutMs: TIMEOUT_MS,
      });
}

/** Headers, then the first bytes of a body, then silence. */
function stalled(provider: Provider, stream: boolean): FaultReply {
  if (!stream) return { kind: 'stall', contentType: 'application/json', first: '{"id":"x","choices":[' };
  return {
    kind: 'stall',
    contentType: 'text/event-stream',
    first: provider === 'openai' ? openAIStreamStart('<<<<<<< SEARCH\n') : anthropicStreamStart('<<<<<<< SEARCH\n'),
  };
}

describe('a model server that sends headers and then stalls', () => {
  const cases: Array<[Provider, boolean]> = [
    ['openai', false],
    ['openai', true],
    ['anthropic', false],
    ['anthropic', true],
  ];
  it.each(cases)(
    '%s (stream: %s): each attempt ends at its deadline; the call fails, recorded as a timeout',
    async (provider, stream) => {
      const server = await serve(stalled(provider, stream));
      const client = clientFor(provider, server);
      const recorded: ModelCallRecordInput[] = [];
      const started = Date.now();
      const call = callModel(client, request(stream), {
        nodeId: 3,
        prices: createPriceTable(),
        retries: 1,
        sleep: async () => {},
        recorder: { record: (entry) => recorded.push(entry) },
      });
      await expect(call).rejects.toBeInstanceOf(ModelCallError);
      await expect(call).rejects.toThrow(/gave up after 2 attempts: timeout: no complete answer within 0\.7 s/);
      const elapsed = Date.now() - started;
      // Two attempts of 0.7 s each, not the minutes a stalled body held a worker before.
      expect(elapsed).toBeGreaterThanOrEqual(2 * TIMEOUT_MS - 50);
      expect(elapsed).toBeLessThan(2 * TIMEOUT_MS + 3000);
      expect(server.requests).toHaveLength(2);
      expect(recorded).toHaveLength(1);
      const response = recorded[0]?.response as StoredModelResponse;
      expect(recorded[0]?.attempts).toBe(2);
      expect(response.error).toMatch(/timeout/);
      expect(response.failedAttempts).toHaveLength(2);
      for (const reason of response.failedAttempts ?? []) expect(reason).toMatch(/^timeout: no complete answer/);
    },
    20_000,
  );
});

describe('a model server that never stops sending', () => {
  it.each(['openai', 'anthropic'] as const)(
    '%s: a body that trickles a byte every 50 ms ends at the deadline',
    async (provider) => {
      const server = await serve({ kind: 'trickle', everyMs: 50 });
      const client = clientFor(provider, server);
      const started = Date.now();
      const attempt = client.complete(request(false));
      await expect(attempt).rejects.toMatchObject({ code: 'MODEL_CALL_FAILED', isRetryable: true });
      await expect(attempt).rejects.toThrow(/^timeout: no complete answer within 0\.7 s/);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 3000);
    },
    20_000,
  );
});

describe('the deadline and the campaign signal', () => {
  it('an abort of the campaign is an abort, not a timeout, and is not retried', async () => {
    const server = await serve(stalled('openai', false));
    const client = clientFor('openai', server);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('campaign stopping')), 100);
    const recorded: ModelCallRecordInput[] = [];
    const call = callModel(client, request(false), {
      nodeId: 1,
      prices: createPriceTable(),
      retries: 3,
      signal: controller.signal,
      recorder: { record: (entry) => recorded.push(entry) },
    });
    await expect(call).rejects.toThrow('campaign stopping');
    expect(server.requests).toHaveLength(1);
    expect(recorded).toHaveLength(0);
  });
});
