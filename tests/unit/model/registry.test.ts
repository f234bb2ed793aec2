import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { afterEach, describe, expect, it } from 'vitest';
import { openArchive } from '../../../src/archive/sqlite-store.js';
import { ConfigError } from '../../../src/core/errors.js';
import { createRandom } from '../../../src/core/random.js';
import { callModel } from '../../../src/model/call-model.js';
import { ModelCallError } from '../../../src/model/errors.js';
import { createLangChainClient } from '../../../src/model/langchain.js';
import { createModelLedger } from '../../../src/model/ledger.js';
import { createPriceTable } from '../../../src/model/prices.js';
import { parseModelName, resolveModelClients } from '../../../src/model/registry.js';
import { createReplayLibrary } from '../../../src/model/replay.js';
import { hashModelRequest } from '../../../src/model/request-hash.js';
import type { ModelClient, ModelRequest } from '../../../src/model/types.js';

/** A real LangChain chat model (BaseChatModel subclass) answering from a script. */
class ScriptedChatModel extends BaseChatModel {
  readonly received: BaseMessage[][] = [];
  constructor(private readonly answer: string) {
    super({});
  }
  _llmType(): string {
    return 'scripted';
  }
  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.received.push(messages);
    const message = new AIMessage({
      content: this.answer,
      usage_metadata: { input_tokens: 900, output_tokens: 120, total_tokens: 1020 },
      response_metadata: { finish_reason: 'stop' },
    });
    return { generations: [{ text: this.answer, message }] };
  }
}

const request: ModelRequest = {
  system: 'system text',
  messages: [
    { role: 'user', content: 'first' },
    { role: 'assistant', content: 'answer' },
    { role: 'user', content: 'again' },
  ],
  maxTokens: 1000,
};

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('model names and keys', () => {
  it('splits provider:model at the first colon (Ollama names keep theirs)', () => {
    expect(parseModelName('openai:gpt-4.1-mini')).toEqual({ provider: 'openai', model: 'gpt-4.1-mini' });
    expect(parseModelName('openai-compatible:qwen2.5-coder:7b')).toEqual({
      provider: 'openai-compatible',
      model: 'qwen2.5-coder:7b',
    });
    expect(() => parseModelName('gpt-4o')).toThrow(/provider:model/);
    expect(() => parseModelName('mistral:large')).toThrow(/openai, anthropic, openai-compatible, langchain/);
  });

  it('fails at start naming the variable of a missing key', () => {
    const attempt = (model: string, environment: NodeJS.ProcessEnv) => () =>
      resolveModelClients([{ model }], { environment });
    expect(attempt('openai:gpt-4.1-mini', {})).toThrow(ConfigError);
    expect(attempt('openai:gpt-4.1-mini', {})).toThrow(/set the environment variable OPENAI_API_KEY/);
    expect(attempt('anthropic:claude-haiku-4-5', { OPENAI_API_KEY: 'x' })).toThrow(/ANTHROPIC_API_KEY/);
    expect(attempt('openai-compatible:llama3', {})).toThrow(/OPENAI_BASE_URL/);
    expect(attempt('langchain:mine', {})).toThrow(/programmatic API/);
    const ensemble = resolveModelClients([{ model: 'openai:gpt-4.1-mini' }], {
      environment: { OPENAI_API_KEY: 'sk-abcdef' },
    });
    expect(ensemble.secrets).toEqual(['sk-abcdef']);
  });

  it('draws ensemble members in proportion to their weights, reproducibly', () => {
    const ensemble = resolveModelClients(
      [
        { model: 'openai:gpt-4.1-mini', weight: 3 },
        { model: 'anthropic:claude-haiku-4-5', weight: 1 },
      ],
      { environment: { OPENAI_API_KEY: 'a-key', ANTHROPIC_API_KEY: 'another-key' } },
    );
    const counts = new Map<string, number>();
    for (let index = 0; index < 4000; index++) {
      const client = ensemble.pick(createRandom(5, 'node', index, 'mutation'));
      counts.set(client.provider, (counts.get(client.provider) ?? 0) + 1);
    }
    expect((counts.get('openai') ?? 0) / 4000).toBeGreaterThan(0.72);
    expect((counts.get('openai') ?? 0) / 4000).toBeLessThan(0.78);
    expect(ensemble.pick(createRandom(1, 'x')).provider).toBe(ensemble.pick(createRandom(1, 'x')).provider);
  });
});

describe('prices', () => {
  it('knows list prices, dated snapshots, and takes campaign overrides first', () => {
    const table = createPriceTable({
      'openai:gpt-4.1-mini': { input: 1, output: 2 },
      'qwen2.5-coder:7b': { input: 0, output: 0 },
    });
    expect(table.priceOf('openai', 'gpt-4o-mini-2024-07-18')).toEqual({ input: 0.15, output: 0.6 });
    expect(table.priceOf('anthropic', 'claude-sonnet-4-20250514')).toEqual({ input: 3, output: 15 });
    expect(table.costOf('openai', 'gpt-4.1-mini', 1_000_000, 1_000_000)).toBeCloseTo(3);
    expect(table.priceOf('openai-compatible', 'qwen2.5-coder:7b')).toEqual({ input: 0, output: 0 });
    expect(table.priceOf('openai', 'gpt-4.1-mini-experimental')).toBeNull();
    expect(table.costOf('openai-compatible', 'llama3', 5000, 5000)).toBe(0);
  });
});

describe('LangChain adapter', () => {
  it('drives a real LangChain chat model through invoke, with roles and usage', async () => {
    const chatModel = new ScriptedChatModel('the answer');
    const client = createLangChainClient({ chatModel, model: 'scripted' });
    const response = await client.complete(request);
    expect(response).toMatchObject({ text: 'the answer', tokensIn: 900, tokensOut: 120, finishReason: 'stop' });
    const types = chatModel.received[0]?.map((message) => message.type);
    expect(types).toEqual(['system', 'human', 'ai', 'human']);
    expect(chatModel.received[0]?.[1]?.content).toBe('first');

    const ensemble = resolveModelClients([{ model: 'langchain:scripted' }], {
      environment: {},
      models: { 'langchain:scripted': chatModel },
    });
    expect(ensemble.members[0]?.client.provider).toBe('langchain');
  });
});

describe('ledger and recorded-call replay', () => {
  it('stores calls in the archive, keeps totals across reopening, and stops at the budget', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'clade-ledger-'));
    directories.push(directory);
    const file = path.join(directory, 'archive.db');
    const archive = openArchive(file);
    const answers = ['one', 'two', 'one again'];
    let index = 0;
    const client: ModelClient = {
      provider: 'openai',
      model: 'gpt-4.1-mini',
      async complete() {
        const text = answers[index++] ?? 'none';
        return { text, tokensIn: 250_000, tokensOut: 50_000, finishReason: 'stop', raw: { text } };
      },
    };
    const prices = createPriceTable();
    const ledger = createModelLedger(archive, { usd: 0.5, tokens: null });
    const first = { ...request, messages: [{ role: 'user' as const, content: 'q1' }] };
    const second = { ...request, messages: [{ role: 'user' as const, content: 'q2' }] };
    await callModel(client, first, { nodeId: 1, prices, recorder: ledger });
    expect(ledger.budgetExceeded()).toBeNull();
    await callModel(client, second, { nodeId: 2, prices, recorder: ledger });
    await callModel(client, first, { nodeId: 3, prices, recorder: ledger });
    // 3 × (0.25 × 0.40 + 0.05 × 1.60) = 3 × 0.18 = 0.54 ≥ 0.5
    expect(ledger.totals().costUsd).toBeCloseTo(0.54);
    expect(ledger.budgetExceeded()).toMatch(/model budget of \$0.5 is spent/);
    expect(archive.modelCalls(2)).toHaveLength(1);
    archive.close();

    const reopened = openArchive(file);
    const again = createModelLedger(reopened, { usd: null, tokens: 1_000_000 });
    expect(again.totals()).toMatchObject({ calls: 3, tokensIn: 750_000, tokensOut: 150_000 });
    expect(again.budgetExceeded()).toBeNull();
    const tokensSpent = createModelLedger(reopened, { usd: null, tokens: 900_000 });
    expect(tokensSpent.budgetExceeded()).toMatch(/token budget of 900000/);

    const library = createReplayLibrary(reopened.listModelCalls());
    const replay = library.client('openai', 'gpt-4.1-mini');
    expect(library.remaining()).toBe(3);
    expect((await replay.complete({ ...second, stream: true })).text).toBe('two');
    expect((await replay.complete(first)).text).toBe('one');
    expect((await replay.complete(first)).text).toBe('one again');
    const missing = await replay.complete(first).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ModelCallError);
    expect((missing as Error).message).toMatch(/No recorded openai:gpt-4.1-mini call matches/);
    await expect(library.client('anthropic', 'gpt-4.1-mini').complete(second)).rejects.toThrow(/No recorded/);
    reopened.close();
  });

  it('hashes requests independently of key order and streaming', () => {
    const a = hashModelRequest('openai', 'm', {
      messages: [{ role: 'user', content: 'x' }],
      maxTokens: 5,
      temperature: 1,
    });
    const b = hashModelRequest('openai', 'm', {
      temperature: 1,
      maxTokens: 5,
      messages: [{ content: 'x', role: 'user' }],
      stream: true,
    });
    expect(a).toBe(b);
    expect(
      hashModelRequest('openai', 'other', { messages: [{ role: 'user', content: 'x' }], maxTokens: 5, temperature: 1 }),
    ).not.toBe(a);
  });
});
