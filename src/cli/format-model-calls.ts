/**
 * @module How `clade show` prints a node's model calls: one line per call (model, tokens, cost,
 * latency, attempts, outcome) and the node's total.
 */
import type { ModelCallRecord } from '../archive/types.js';

/** A node's totals over its calls. */
export interface ModelCallTotals {
  calls: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

/** Sums the calls of one node. */
export function totalModelCalls(calls: readonly ModelCallRecord[]): ModelCallTotals {
  return calls.reduce(
    (sum, call) => ({
      calls: sum.calls + 1,
      tokensIn: sum.tokensIn + call.tokensIn,
      tokensOut: sum.tokensOut + call.tokensOut,
      costUsd: sum.costUsd + call.costUsd,
    }),
    { calls: 0, tokensIn: 0, tokensOut: 0, costUsd: 0 },
  );
}

/** The "Model calls:" section, or no lines when the node made none. */
export function formatModelCalls(calls: readonly ModelCallRecord[]): string[] {
  if (calls.length === 0) return [];
  const lines = ['', 'Model calls:'];
  calls.forEach((call, index) => {
    const error = (call.response as { error?: unknown } | null)?.error;
    const outcome = typeof error === 'string' ? `failed: ${error.split('\n')[0]}` : 'answered';
    lines.push(
      `  ${String(index + 1).padStart(2)}. ${call.provider}:${call.model}  ${call.tokensIn} in / ${call.tokensOut} out  ` +
        `$${call.costUsd.toFixed(4)}  ${(call.latencyMs / 1000).toFixed(1)} s  ${call.attempts} attempt${call.attempts === 1 ? '' : 's'}  ${outcome}`,
    );
  });
  const total = totalModelCalls(calls);
  lines.push(
    `  total: ${total.calls} call${total.calls === 1 ? '' : 's'}, ${total.tokensIn} tokens in, ${total.tokensOut} out, $${total.costUsd.toFixed(4)}`,
  );
  return lines;
}
