/**
 * @module Recorded-call replay: a `ModelClient` that answers from the calls stored in an archive.
 * A call is found by what identifies it in the campaign (`ModelCallKey`: node, purpose, and its
 * place among that node's calls of that purpose) and checked against the hash of the request
 * (provider, model, system prompt, messages, temperature, token limit): two children that send the
 * same prompt each get their own recorded answer, whichever finished first when recorded. Calls
 * recorded before keys were kept are matched by request hash alone, in recording order. A
 * campaign whose mutations are seeded and whose prompts are built from the archive asks the same
 * questions, so it can be re-grown without any provider (`clade replay`).
 */
import { ModelCallError } from './errors.js';
import { hashModelRequest } from './request-hash.js';
import type {
  FinishReason,
  ModelCallKey,
  ModelClient,
  ModelRequest,
  ModelResponse,
  StoredModelCall,
  StoredModelResponse,
} from './types.js';

/** The fields of a stored call replay needs (an `ArchiveStore.listModelCalls()` row fits). */
export type RecordedModelCall = Pick<
  StoredModelCall,
  'id' | 'nodeId' | 'provider' | 'model' | 'request' | 'response' | 'tokensIn' | 'tokensOut'
>;

/** Recorded answers, shared by the replay clients of one campaign. */
export interface ReplayLibrary {
  /** A client for one `provider:model` that answers from the library. */
  client(provider: string, model: string): ModelClient;
  /** Recorded answers not yet used. */
  remaining(): number;
}

/** One recorded call, prepared. */
interface Entry {
  call: RecordedModelCall;
  response: StoredModelResponse;
  hash: string;
  /** Recorded with a `ModelCallKey`. */
  keyed: boolean;
  used: boolean;
}

const keyText = (provider: string, model: string, key: ModelCallKey): string =>
  JSON.stringify([provider, model, key.nodeId, key.purpose, key.sequence]);

/**
 * Builds a library from recorded calls. Keyed calls are kept by key (a call that failed for good
 * replays as that failure). Calls with an answer are also queued by request hash, in recording
 * order, for requests that carry no key and, among calls recorded without keys (older archives),
 * for keyed requests; each answer is used once.
 */
export function createReplayLibrary(calls: readonly RecordedModelCall[]): ReplayLibrary {
  const byKey = new Map<string, Entry>();
  const byHash = new Map<string, Entry[]>();
  let count = 0;
  for (const call of [...calls].sort((a, b) => a.id - b.id)) {
    const response = call.response as StoredModelResponse | null;
    const request = call.request as ModelRequest | null;
    if (!response || typeof response !== 'object' || !request || !Array.isArray(request.messages)) continue;
    const key = response.call;
    const keyed =
      call.nodeId !== null && key !== undefined && typeof key.purpose === 'string' && Number.isInteger(key.sequence);
    const entry: Entry = {
      call,
      response,
      hash: hashModelRequest(call.provider, call.model, request),
      keyed,
      used: false,
    };
    if (keyed && call.nodeId !== null && key !== undefined) {
      byKey.set(
        keyText(call.provider, call.model, { nodeId: call.nodeId, purpose: key.purpose, sequence: key.sequence }),
        entry,
      );
    }
    if (typeof response.text !== 'string' || response.error !== undefined) continue;
    const queue = byHash.get(entry.hash) ?? [];
    queue.push(entry);
    byHash.set(entry.hash, queue);
    count++;
  }
  return {
    remaining: () => count,
    client(provider, model) {
      return {
        provider,
        model,
        async complete(request, options = {}): Promise<ModelResponse> {
          const hash = hashModelRequest(provider, model, request);
          const key = options.call;
          const keyed = key === undefined ? undefined : byKey.get(keyText(provider, model, key));
          if (key !== undefined && keyed !== undefined) {
            const where = `node ${key.nodeId}'s ${ordinal(key.sequence)} ${key.purpose} call to ${provider}:${model}`;
            if (keyed.hash !== hash) {
              throw new ModelCallError(
                `The recorded ${where} was asked something else (request hash ${keyed.hash.slice(0, 12)} recorded, ` +
                  `${hash.slice(0, 12)} now): the campaign's configuration, seed, code or prompts differ from the recorded run.`,
                { isRetryable: false },
              );
            }
            if (keyed.used) {
              throw new ModelCallError(`The recorded ${where} was already replayed once.`, { isRetryable: false });
            }
            keyed.used = true;
            if (typeof keyed.response.text !== 'string') {
              throw new ModelCallError(
                `Replayed failure of the recorded ${where}: ${String(keyed.response.error ?? 'no answer was recorded')}`,
                { isRetryable: false },
              );
            }
            count--;
            return answerOf(keyed);
          }
          // A keyed request with no keyed record takes only calls recorded without keys (older archives).
          const queued = byHash.get(hash)?.find((entry) => !entry.used && (key === undefined || !entry.keyed));
          if (!queued) {
            const wanted =
              key === undefined ? '' : ` for node ${key.nodeId}'s ${ordinal(key.sequence)} ${key.purpose} call`;
            throw new ModelCallError(
              `No recorded ${provider}:${model} call${wanted} matches this request (hash ${hash.slice(0, 12)}). ` +
                'The campaign asked something the recorded one did not: its configuration, seed or code differ.',
              { isRetryable: false },
            );
          }
          queued.used = true;
          count--;
          return answerOf(queued);
        },
      };
    },
  };
}

function answerOf(entry: Entry): ModelResponse {
  const { call, response } = entry;
  return {
    text: String(response.text),
    tokensIn: call.tokensIn,
    tokensOut: call.tokensOut,
    finishReason: (['stop', 'length', 'other'] as const).includes(response.finishReason as FinishReason)
      ? (response.finishReason as FinishReason)
      : 'other',
    raw: { replayedFrom: call.id, raw: response.raw ?? null },
  };
}

function ordinal(sequence: number): string {
  const n = sequence + 1;
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
