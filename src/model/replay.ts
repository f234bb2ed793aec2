/**
 * @module Recorded-call replay: a `ModelClient` that answers from the calls stored in an archive,
 * matched by a hash of the request (provider, model, system prompt, messages, temperature, token
 * limit). A campaign whose mutations are seeded and whose prompts are built from the archive asks
 * the same questions in the same order, so it can be re-grown without any provider (`clade replay`).
 */
import { ModelCallError } from './errors.js';
import { hashModelRequest } from './request-hash.js';
import type { FinishReason, ModelClient, ModelRequest, ModelResponse } from './types.js';

/** The fields of a stored call replay needs (an `ArchiveStore.listModelCalls()` row fits). */
export interface RecordedModelCall {
  id: number;
  provider: string;
  model: string;
  request: unknown;
  response: unknown;
  tokensIn: number;
  tokensOut: number;
}

/** Shape of `response` as `callModel` stores it. */
interface StoredResponse {
  text?: unknown;
  finishReason?: unknown;
  raw?: unknown;
  error?: unknown;
}

/** Recorded answers, shared by the replay clients of one campaign. */
export interface ReplayLibrary {
  /** A client for one `provider:model` that answers from the library. */
  client(provider: string, model: string): ModelClient;
  /** Recorded answers not yet used. */
  remaining(): number;
}

/**
 * Builds a library from recorded calls. Calls that failed (no answer) are skipped. Identical
 * requests are answered in the order they were recorded, each answer once.
 */
export function createReplayLibrary(calls: readonly RecordedModelCall[]): ReplayLibrary {
  const byHash = new Map<string, RecordedModelCall[]>();
  let count = 0;
  for (const call of [...calls].sort((a, b) => a.id - b.id)) {
    const response = call.response as StoredResponse | null;
    if (!response || typeof response.text !== 'string' || response.error !== undefined) continue;
    const request = call.request as ModelRequest;
    if (!request || !Array.isArray(request.messages)) continue;
    const hash = hashModelRequest(call.provider, call.model, request);
    const queue = byHash.get(hash) ?? [];
    queue.push(call);
    byHash.set(hash, queue);
    count++;
  }
  return {
    remaining: () => count,
    client(provider, model) {
      return {
        provider,
        model,
        async complete(request): Promise<ModelResponse> {
          const hash = hashModelRequest(provider, model, request);
          const call = byHash.get(hash)?.shift();
          if (!call) {
            throw new ModelCallError(
              `No recorded ${provider}:${model} call matches this request (hash ${hash.slice(0, 12)}). ` +
                'The campaign asked something the recorded one did not: its configuration, seed or code differ.',
              { isRetryable: false },
            );
          }
          count--;
          const response = call.response as StoredResponse;
          return {
            text: String(response.text),
            tokensIn: call.tokensIn,
            tokensOut: call.tokensOut,
            finishReason: (['stop', 'length', 'other'] as const).includes(response.finishReason as FinishReason)
              ? (response.finishReason as FinishReason)
              : 'other',
            raw: { replayedFrom: call.id, raw: response.raw ?? null },
          };
        },
      };
    },
  };
}
