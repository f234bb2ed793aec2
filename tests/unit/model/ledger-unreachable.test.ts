/** The ledger's streak of calls that found no model answering (`modelUnreachable`). */
import { describe, expect, it } from 'vitest';
import { callModel } from '../../../src/model/call-model.js';
import { ModelCallError } from '../../../src/model/errors.js';
import { createModelLedger, UNREACHABLE_STREAK } from '../../../src/model/ledger.js';
import { createPriceTable } from '../../../src/model/prices.js';
import type { ModelCallRecordInput, ModelClient, StoredModelResponse } from '../../../src/model/types.js';

function store() {
  const calls: ModelCallRecordInput[] = [];
  return {
    calls,
    recordModelCall: (call: ModelCallRecordInput) => calls.push(call),
    modelCallTotals: () => ({ count: 0, tokensIn: 0, tokensOut: 0, costUsd: 0 }),
  };
}

function call(nodeId: number, response: StoredModelResponse): ModelCallRecordInput {
  return {
    nodeId,
    provider: 'openai',
    model: 'gpt-4.1-mini',
    request: {},
    response,
    tokensIn: 0,
    tokensOut: 0,
    costUsd: 0,
    latencyMs: 1,
    attempts: 5,
  };
}

const refused: StoredModelResponse = {
  error: 'openai:gpt-4.1-mini call failed, gave up after 5 attempts: connection or response error: Connection error.',
  errorClass: 'connection',
};
const timedOut: StoredModelResponse = {
  error: 'openai:gpt-4.1-mini call failed: timeout: no answer',
  errorClass: 'timeout',
};

describe('model ledger: an unreachable model', () => {
  it(`is reported after ${UNREACHABLE_STREAK} calls in a row found nothing answering, with their nodes and the last error`, () => {
    const ledger = createModelLedger(store(), { usd: null, tokens: null });
    ledger.record(call(1, refused));
    ledger.record(call(2, timedOut));
    expect(ledger.modelUnreachable()).toBeNull();
    ledger.record(call(3, refused));
    expect(ledger.modelUnreachable()).toEqual({
      reason: `the model could not be reached in the last 3 calls (${refused.error})`,
      nodeIds: [1, 2, 3],
    });
    ledger.record(call(4, timedOut));
    expect(ledger.modelUnreachable()?.nodeIds).toEqual([2, 3, 4]);
  });

  it('any answer ends the streak, an error status included', () => {
    const ledger = createModelLedger(store(), { usd: null, tokens: null });
    ledger.record(call(1, refused));
    ledger.record(call(2, refused));
    ledger.record(call(3, { error: 'HTTP 500: overloaded', errorClass: 'http' }));
    ledger.record(call(4, refused));
    ledger.record(call(5, refused));
    expect(ledger.modelUnreachable()).toBeNull();
    ledger.record(call(6, { text: 'ok', finishReason: 'stop' }));
    ledger.record(call(7, refused));
    expect(ledger.modelUnreachable()).toBeNull();
  });
});

describe('callModel stores what kind of failure ended a call', () => {
  it.each([
    ['connection', () => new TypeError('fetch failed: connect ECONNREFUSED 127.0.0.1:9')],
    ['timeout', () => new ModelCallError('timeout: no complete answer within 5 s', { isRetryable: true })],
    ['http', () => Object.assign(new Error('503 overloaded'), { status: 503 })],
    ['other', () => new ModelCallError('the response body passed 10 bytes', { isRetryable: false })],
  ] as const)('%s', async (errorClass, makeError) => {
    const recorded = store();
    const client: ModelClient = { provider: 'openai', model: 'm', complete: () => Promise.reject(makeError()) };
    await expect(
      callModel(
        client,
        { messages: [{ role: 'user', content: 'x' }], maxTokens: 8 },
        {
          nodeId: 1,
          prices: createPriceTable(),
          recorder: { record: (input) => recorded.recordModelCall(input) },
          retries: 1,
          sleep: async () => {},
        },
      ),
    ).rejects.toThrow(ModelCallError);
    expect((recorded.calls[0]?.response as StoredModelResponse | undefined)?.errorClass).toBe(errorClass);
  });
});
