/**
 * @module The campaign's model ledger: records every call in the archive and keeps the running
 * totals (tokens, dollars) that the hard budgets `budget.usd` and `budget.tokens` are checked
 * against. Totals start from what the archive already holds, so budgets span resumes. It also
 * numbers each call within its node and purpose (`ModelCallKey.sequence`), counting on from the
 * node's stored calls, so recorded-call replay can answer each call with its own recorded answer.
 */
import type { ModelCallRecorder, ModelCallRecordInput, StoredModelResponse } from './types.js';

/** Totals over recorded calls. */
export interface ModelTotals {
  calls: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

/** What the ledger writes to (an `ArchiveStore` fits). */
export interface ModelCallStore {
  recordModelCall(call: ModelCallRecordInput): number;
  /** Totals over the calls already stored (`count` is the number of calls). */
  modelCallTotals(): { count: number; tokensIn: number; tokensOut: number; costUsd: number };
  /** The calls already stored for a node (numbering continues after them on resume). */
  modelCalls?(nodeId: number): readonly { response: unknown }[];
}

/** Hard limits; null for none. */
export interface ModelBudget {
  usd: number | null;
  tokens: number | null;
}

/** Calls in a row that found no one answering before the campaign stops starting children. */
export const UNREACHABLE_STREAK = 3;

/** Why the model is taken for unreachable: the streak of calls that found no one answering. */
export interface UnreachableModel {
  /** One line: `the model could not be reached in the last 3 calls (<the last call's error>)`. */
  reason: string;
  /** Nodes whose calls made the streak (their children failed for it). */
  nodeIds: number[];
}

export interface ModelLedger extends ModelCallRecorder {
  totals(): ModelTotals;
  /** Why no further call may start (a budget is spent), or null. */
  budgetExceeded(): string | null;
  /**
   * Set once the last `UNREACHABLE_STREAK` recorded calls all failed, after their retries, because
   * nothing answered (a refused connection, an unknown host, a timeout); null otherwise. Any answer,
   * even an error status, ends the streak.
   */
  modelUnreachable(): UnreachableModel | null;
}

/** Creates the ledger of a campaign. */
export function createModelLedger(store: ModelCallStore, budget: ModelBudget): ModelLedger {
  const stored = store.modelCallTotals();
  const totals: ModelTotals = {
    calls: stored.count,
    tokensIn: stored.tokensIn,
    tokensOut: stored.tokensOut,
    costUsd: stored.costUsd,
  };
  /** The calls of the current streak of unreachable-model failures: their nodes and the last error. */
  let streak: Array<{ nodeId: number | null; error: string }> = [];
  /** Next sequence per `nodeId` and purpose, filled from the store the first time a node is seen. */
  const sequences = new Map<number, Map<string, number>>();
  const nodeSequences = (nodeId: number): Map<string, number> => {
    let found = sequences.get(nodeId);
    if (found === undefined) {
      found = new Map();
      for (const call of store.modelCalls?.(nodeId) ?? []) {
        const key = (call.response as StoredModelResponse | null)?.call;
        if (key && typeof key.purpose === 'string' && Number.isInteger(key.sequence)) {
          found.set(key.purpose, Math.max(found.get(key.purpose) ?? 0, key.sequence + 1));
        }
      }
      sequences.set(nodeId, found);
    }
    return found;
  };
  return {
    nextSequence(nodeId, purpose) {
      const byPurpose = nodeSequences(nodeId);
      const next = byPurpose.get(purpose) ?? 0;
      byPurpose.set(purpose, next + 1);
      return next;
    },
    record(call) {
      store.recordModelCall(call);
      totals.calls++;
      totals.tokensIn += call.tokensIn;
      totals.tokensOut += call.tokensOut;
      totals.costUsd += call.costUsd;
      const response = call.response as StoredModelResponse | null;
      const unreachable = response?.errorClass === 'connection' || response?.errorClass === 'timeout';
      streak = unreachable
        ? [...streak.slice(-(UNREACHABLE_STREAK - 1)), { nodeId: call.nodeId, error: response?.error ?? '' }]
        : [];
    },
    modelUnreachable() {
      if (streak.length < UNREACHABLE_STREAK) return null;
      const last = streak[streak.length - 1]?.error ?? '';
      return {
        reason: `the model could not be reached in the last ${UNREACHABLE_STREAK} calls (${last})`,
        nodeIds: [...new Set(streak.flatMap((entry) => (entry.nodeId === null ? [] : [entry.nodeId])))],
      };
    },
    totals: () => ({ ...totals }),
    budgetExceeded() {
      if (budget.usd !== null && totals.costUsd >= budget.usd) {
        return `the model budget of $${budget.usd} is spent ($${totals.costUsd.toFixed(4)} over ${totals.calls} calls)`;
      }
      const tokens = totals.tokensIn + totals.tokensOut;
      if (budget.tokens !== null && tokens >= budget.tokens) {
        return `the token budget of ${budget.tokens} is spent (${tokens} tokens over ${totals.calls} calls)`;
      }
      return null;
    },
  };
}
