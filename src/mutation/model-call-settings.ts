/**
 * @module How mutators call models: the settings every model-calling mutator (`llm-diff`,
 * `llm-rewrite`, `self-modify`) carries, and the `callModel` options they become for one call.
 */
import type { CallModelOptions } from '../model/call-model.js';
import type { PriceTable } from '../model/prices.js';
import type { ModelEnsemble } from '../model/registry.js';
import type { ModelCallRecorder } from '../model/types.js';

/** The model-call part of a mutator's options. */
export interface MutatorModelSettings {
  ensemble: ModelEnsemble;
  prices: PriceTable;
  /** Where calls are recorded (the campaign's ledger). */
  recorder?: ModelCallRecorder;
  /** Further attempts after a retryable failure. */
  retries: number;
  /** Waits between retries (tests pass a fast one). */
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  /** First backoff in milliseconds. */
  baseDelayMs?: number;
}

/** `callModel` options for one call made for `nodeId` (the child), cancelled by `signal`. */
export function mutatorCallOptions(
  settings: MutatorModelSettings,
  nodeId: number | null,
  signal?: AbortSignal,
): CallModelOptions {
  return {
    nodeId,
    prices: settings.prices,
    retries: settings.retries,
    secrets: settings.ensemble.secrets,
    ...(settings.recorder ? { recorder: settings.recorder } : {}),
    ...(signal ? { signal } : {}),
    ...(settings.sleep ? { sleep: settings.sleep } : {}),
    ...(settings.baseDelayMs !== undefined ? { baseDelayMs: settings.baseDelayMs } : {}),
  };
}
