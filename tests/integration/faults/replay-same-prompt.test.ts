/**
 * Fault (issue 17, finding 9): two children of the seed sent the same prompt to a server whose
 * answers vary; recorded answers were looked up by request hash alone, so on replay node #1
 * received the answer recorded for node #2 (whichever call finished first was recorded first), and
 * the regrown campaign differed from node #1 on. Calls are now numbered per node and purpose by
 * the campaign's ledger, and replay answers each call by that key, checked against the request hash.
 * Real SQLite archives, the real `openai` SDK and a local server whose answers vary.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openArchive } from '../../../src/archive/sqlite-store.js';
import { callModel } from '../../../src/model/call-model.js';
import { createModelLedger } from '../../../src/model/ledger.js';
import { createOpenAIClient } from '../../../src/model/openai.js';
import { createPriceTable } from '../../../src/model/prices.js';
import { createReplayLibrary } from '../../../src/model/replay.js';
import type { ModelClient, ModelRequest, StoredModelResponse } from '../../../src/model/types.js';
import { type FaultServer, openAIAnswer, startFaultServer } from './fault-server.js';

const servers: FaultServer[] = [];
const closers: Array<() => void> = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const close of closers.splice(0)) close();
});

const NO_BUDGET = { usd: null, tokens: null };
const prices = createPriceTable();

const samePrompt: ModelRequest = {
  system: 'You improve optimizers.',
  messages: [{ role: 'user', content: 'Here is the seed (node #0). Change one constant.' }],
  maxTokens: 512,
  temperature: 0.8,
};

const reask = (first: string): ModelRequest => ({
  ...samePrompt,
  messages: [
    ...samePrompt.messages,
    { role: 'assistant', content: first },
    { role: 'user', content: 'That had no edit. Try again.' },
  ],
});

function archive() {
  const store = openArchive(':memory:');
  closers.push(() => store.close());
  return store;
}

/**
 * Grows the record: nodes 1 and 2 (two workers) send the same first prompt at once; the server
 * answers the first request it got last, so node 2's call is recorded before node 1's. Node 1
 * then re-asks once. Returns the answers each node received and the recording archive.
 */
async function record() {
  let counter = 0;
  const server = await startFaultServer((request, index) => {
    const answer = `answer ${++counter} (request ${index}, ${(request.body.messages as unknown[]).length} messages)`;
    return { kind: 'json', body: openAIAnswer(answer), delayMs: index === 0 ? 300 : 0 };
  });
  servers.push(server);
  const client = createOpenAIClient({ model: 'gpt-4.1-mini', apiKey: 'sk-fault', baseURL: `${server.origin}/v1` });
  const store = archive();
  const ledger = createModelLedger(store, NO_BUDGET);
  const options = (nodeId: number) => ({ nodeId, prices, retries: 0, recorder: ledger });
  const [first1, first2] = await Promise.all([
    callModel(client, samePrompt, options(1)),
    (async () => {
      await new Promise((resolve) => setTimeout(resolve, 50)); // node 1's request reaches the server first
      return callModel(client, samePrompt, options(2));
    })(),
  ]);
  const second1 = await callModel(client, reask(first1.response.text), options(1));
  return {
    store,
    answers: { 1: [first1.response.text, second1.response.text], 2: [first2.response.text] } as Record<
      number,
      string[]
    >,
  };
}

/** Regrows: the same calls against the recorded answers, in node order, into a new archive. */
async function regrow(client: ModelClient, answers: Record<number, string[]>) {
  const ledger = createModelLedger(archive(), NO_BUDGET);
  const options = (nodeId: number) => ({ nodeId, prices, retries: 0, recorder: ledger });
  const node1 = await callModel(client, samePrompt, options(1));
  const node2 = await callModel(client, samePrompt, options(2));
  const node1Again = await callModel(client, reask(answers[1]?.[0] ?? ''), options(1));
  return { 1: [node1.response.text, node1Again.response.text], 2: [node2.response.text] } as Record<number, string[]>;
}

describe('replay of two children that sent the same prompt', () => {
  it('gives each child its own recorded answer, whichever was recorded first', async () => {
    const { store, answers } = await record();
    expect(answers[1]?.[0]).not.toBe(answers[2]?.[0]);
    const calls = store.listModelCalls();
    // Recorded in the order the answers came: node 2's first, though node 1 asked first.
    expect(calls.map((call) => call.nodeId)).toEqual([2, 1, 1]);

    const library = createReplayLibrary(calls);
    const replayed = await regrow(library.client('openai', 'gpt-4.1-mini'), answers);
    expect(replayed).toEqual(answers);
    expect(library.remaining()).toBe(0);
    // What identifies each call is stored with it.
    expect(calls.map((call) => (call.response as StoredModelResponse).call)).toEqual([
      { purpose: 'mutation', sequence: 0, requestHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { purpose: 'mutation', sequence: 0, requestHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { purpose: 'mutation', sequence: 1, requestHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
  });

  it('refuses a keyed call whose request differs from the recorded one, naming the call', async () => {
    const { store } = await record();
    const library = createReplayLibrary(store.listModelCalls());
    const ledger = createModelLedger(archive(), NO_BUDGET);
    const changed = { ...samePrompt, messages: [{ role: 'user' as const, content: 'Something else entirely.' }] };
    await expect(
      callModel(library.client('openai', 'gpt-4.1-mini'), changed, { nodeId: 1, prices, retries: 0, recorder: ledger }),
    ).rejects.toThrow(/node 1's 1st mutation call to openai:gpt-4\.1-mini was asked something else/);
  });

  it('numbers calls on from what the archive holds for a node (resume)', async () => {
    const { store } = await record();
    const resumed = createModelLedger(store, NO_BUDGET);
    expect(resumed.nextSequence?.(1, 'mutation')).toBe(2);
    expect(resumed.nextSequence?.(2, 'mutation')).toBe(1);
    expect(resumed.nextSequence?.(2, 'self-modify')).toBe(0);
    expect(resumed.nextSequence?.(7, 'mutation')).toBe(0);
  });

  it('still replays archives recorded before calls were keyed, by request hash in recording order', async () => {
    const { store, answers } = await record();
    const legacy = store.listModelCalls().map((call) => {
      const { call: _key, ...response } = call.response as StoredModelResponse;
      return { ...call, response };
    });
    const library = createReplayLibrary(legacy);
    const client = library.client('openai', 'gpt-4.1-mini');
    const ledger = createModelLedger(archive(), NO_BUDGET);
    const first = await callModel(client, samePrompt, { nodeId: 1, prices, retries: 0, recorder: ledger });
    // Without keys the first identical request gets the first recorded answer: node 2's.
    expect(first.response.text).toBe(answers[2]?.[0]);
  });
});
