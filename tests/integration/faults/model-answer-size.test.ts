/**
 * Fault (issue 17, finding 5): a 5 MB answer to `max_tokens: 4096` was stored twice (text and raw)
 * and sent back whole to the model in the patch retry (a 5.29 MB request). Answers are now capped
 * at 16 bytes per token of `max_tokens` (at least 64 KiB): over it, the answer is kept cut, with a
 * marker in the text and a `truncated` flag in the record, stored once, and only the cut text goes
 * back to the model.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readAgentDirectory } from '../../../src/campaign/agent-directory.js';
import { createRandom } from '../../../src/core/random.js';
import type { AgentNode } from '../../../src/core/types.js';
import { createAnthropicClient } from '../../../src/model/anthropic.js';
import { answerByteLimit } from '../../../src/model/attempt-limits.js';
import { callModel } from '../../../src/model/call-model.js';
import { createOpenAIClient } from '../../../src/model/openai.js';
import { createPriceTable } from '../../../src/model/prices.js';
import { resolveModelClients } from '../../../src/model/registry.js';
import type { ModelCallRecordInput, ModelClient, StoredModelResponse } from '../../../src/model/types.js';
import { createLlmMutator } from '../../../src/mutation/llm-mutator.js';
import { loadPromptTemplates } from '../../../src/mutation/prompt-templates.js';
import { seedAgent } from '../../helpers/campaign-fixture.js';
import {
  anthropicAnswer,
  type FaultReply,
  type FaultServer,
  openAIAnswer,
  openAIStreamEvents,
  startFaultServer,
} from './fault-server.js';

const servers: FaultServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serve(script: (index: number) => FaultReply): Promise<FaultServer> {
  const server = await startFaultServer((_request, index) => script(index));
  servers.push(server);
  return server;
}

/** 5 MB of prose (multi-byte characters included, so the cut must fall between characters). */
const HUGE = 'Let me think about this step by step — é ü 🙂. '.repeat(110_000);
const HUGE_BYTES = Buffer.byteLength(HUGE);
const MAX_TOKENS = 4096;
const LIMIT = answerByteLimit(MAX_TOKENS);

const request = (stream: boolean) => ({
  messages: [{ role: 'user' as const, content: 'Improve the optimizer.' }],
  maxTokens: MAX_TOKENS,
  ...(stream ? { stream: true } : {}),
});

async function capped(client: ModelClient, stream: boolean) {
  const recorded: ModelCallRecordInput[] = [];
  const result = await callModel(client, request(stream), {
    nodeId: 4,
    prices: createPriceTable(),
    retries: 0,
    recorder: { record: (call) => recorded.push(call) },
  });
  return { result, recorded };
}

function expectCut(text: string, stored: ModelCallRecordInput | undefined, answerBytes: number | null): void {
  expect(LIMIT).toBe(65_536);
  const marker = text.indexOf('\n\n[clade: the answer was cut here.');
  expect(marker).toBeGreaterThan(0);
  const kept = Buffer.byteLength(text.slice(0, marker));
  expect(kept).toBeLessThanOrEqual(LIMIT);
  expect(kept).toBeGreaterThan(LIMIT - 4);
  expect(text.slice(0, marker)).not.toContain('\uFFFD'); // cut between characters
  expect(HUGE.startsWith(text.slice(0, marker))).toBe(true);
  const response = stored?.response as StoredModelResponse;
  expect(response.finishReason).toBe('length');
  expect(response.truncated?.limitBytes).toBe(LIMIT);
  if (answerBytes !== null) expect(response.truncated?.answerBytes).toBe(answerBytes);
  // Stored once, cut: the record is the size of the cap, not of the answer (twice).
  expect(Buffer.byteLength(JSON.stringify(stored))).toBeLessThan(LIMIT + 4096);
}

describe('an answer far over its token limit', () => {
  it('openai: is cut at 16 bytes per token (64 KiB), marked, flagged and stored once', async () => {
    const server = await serve(() => ({ kind: 'json', body: openAIAnswer(HUGE, 4096) }));
    const client = createOpenAIClient({ model: 'gpt-4.1-mini', apiKey: 'sk-fault', baseURL: `${server.origin}/v1` });
    const { result, recorded } = await capped(client, false);
    expect(result.truncated).toEqual({ answerBytes: HUGE_BYTES, limitBytes: LIMIT });
    expect(result.response.finishReason).toBe('length');
    expectCut(result.response.text, recorded[0], HUGE_BYTES);
  });

  it('anthropic: the same', async () => {
    const server = await serve(() => ({ kind: 'json', body: anthropicAnswer(HUGE, 4096) }));
    const client = createAnthropicClient({ model: 'claude-fault', apiKey: 'sk-fault', baseURL: server.origin });
    const { result, recorded } = await capped(client, false);
    expect(result.truncated).toEqual({ answerBytes: HUGE_BYTES, limitBytes: LIMIT });
    expectCut(result.response.text, recorded[0], HUGE_BYTES);
  });

  it('openai stream: reading stops soon after the cap; the answer is cut and flagged', async () => {
    const server = await serve(() => ({ kind: 'sse', events: openAIStreamEvents(HUGE, 4096) }));
    const client = createOpenAIClient({ model: 'gpt-4.1-mini', apiKey: 'sk-fault', baseURL: `${server.origin}/v1` });
    const { result, recorded } = await capped(client, true);
    // Only what arrived before reading stopped is known: a little over the cap, far under 5 MB.
    expect(result.truncated?.answerBytes).toBeGreaterThan(LIMIT);
    expect(result.truncated?.answerBytes).toBeLessThan(LIMIT + 64 * 1024);
    expectCut(result.response.text, recorded[0], null);
  });

  it('an answer within the cap is kept whole, unflagged', async () => {
    const fits = 'x'.repeat(LIMIT);
    const server = await serve(() => ({ kind: 'json', body: openAIAnswer(fits) }));
    const client = createOpenAIClient({ model: 'gpt-4.1-mini', apiKey: 'sk-fault', baseURL: `${server.origin}/v1` });
    const { result, recorded } = await capped(client, false);
    expect(result.response.text).toBe(fits);
    expect(result.truncated).toBeUndefined();
    expect((recorded[0]?.response as StoredModelResponse | undefined)?.truncated).toBeUndefined();
  });
});

describe('the patch retry after an oversized answer', () => {
  it('sends back the cut answer, never the whole one', async () => {
    // First answer: 5 MB with no edit; the mutator re-asks with the reason; the second is small.
    const server = await serve((index) => ({
      kind: 'json',
      body: openAIAnswer(index === 0 ? HUGE : 'Still no edit, sorry.'),
    }));
    const seed = await readAgentDirectory(seedAgent);
    const parent: AgentNode = {
      id: 0,
      parentId: null,
      commit: 'c0',
      status: 'scored',
      score: 0.4,
      publicMetrics: {},
      privateMetrics: {},
      mutation: { operator: 'seed', summary: 'seed agent' },
      error: null,
      iteration: 0,
      createdAt: '2026-01-01T00:00:00.000Z',
      evaluatedAt: '2026-01-01T00:00:01.000Z',
    };
    const calls: ModelCallRecordInput[] = [];
    const mutator = createLlmMutator({
      operator: 'llm-diff',
      ensemble: resolveModelClients([{ model: 'openai:gpt-4.1-mini' }], {
        environment: { OPENAI_API_KEY: 'sk-fault', OPENAI_BASE_URL: `${server.origin}/v1` },
      }),
      templates: loadPromptTemplates(),
      prices: createPriceTable(),
      recorder: { record: (call) => calls.push(call) },
      history: { nodes: () => [parent], evaluations: () => [] },
      taskDescription: 'Minimise sphere-d3.',
      temperature: null,
      maxTokens: MAX_TOKENS,
      retries: 0,
      patchRetries: 1,
      stream: false,
      sleep: async () => {},
    });
    const result = await mutator.mutate({
      nodeId: 1,
      parent: { node: parent, files: seed },
      inspirations: [],
      random: createRandom(1, 'node', 1, 'mutation'),
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.status).toBe('patch_failed');
    expect(server.requests).toHaveLength(2);
    const first = server.requests[0]?.bytes ?? 0;
    const retry = server.requests[1]?.bytes ?? 0;
    // The retry carries the first prompt, the cut answer (64 KiB and its marker) and the reason: not 5 MB
    // (the SDK may escape non-ASCII characters on the wire, so the bound on the request is loose).
    expect(retry - first).toBeLessThan(4 * LIMIT);
    const echoed = (server.requests[1]?.body.messages as Array<{ role: string; content: string }> | undefined)?.find(
      (message) => message.role === 'assistant',
    );
    expect(echoed?.content).toContain('[clade: the answer was cut here.');
    expect(Buffer.byteLength(echoed?.content ?? '')).toBeLessThan(LIMIT + 512);
    // Both calls are on record, the first flagged; the archive holds the cut text once.
    expect(calls).toHaveLength(2);
    expect((calls[0]?.response as StoredModelResponse | undefined)?.truncated?.answerBytes).toBe(HUGE_BYTES);
    expect(Buffer.byteLength(JSON.stringify(calls))).toBeLessThan(8 * LIMIT);
  });
});
