/**
 * @module Prepares a campaign's LLM mutator before anything is created: model names parsed, keys
 * read from the environment (a missing one is a `ConfigError` naming the variable), prompt
 * templates loaded, prices checked against the budget. `createCampaign` calls it first, so a
 * mistake costs no campaign directory and no model call.
 */
import type { CampaignConfig, LlmMutationConfig } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import type { ModelLedger } from '../model/ledger.js';
import { createPriceTable, type PriceTable } from '../model/prices.js';
import {
  type ModelEnsemble,
  type ModelEntry,
  type ResolveModelsOptions,
  resolveModelClients,
} from '../model/registry.js';
import type { MutationHistory } from './build-prompt.js';
import { createLlmMutator } from './llm-mutator.js';
import { loadPromptTemplates, type PromptTemplates } from './prompt-templates.js';
import type { Mutator } from './types.js';

/** Programmatic options for the models of a campaign (all optional). */
export type CampaignModelOptions = Pick<ResolveModelsOptions, 'environment' | 'fetch' | 'models' | 'replay'>;

/** Everything an LLM mutator needs that can be checked before the campaign starts. */
export interface LlmSetup {
  config: LlmMutationConfig;
  ensemble: ModelEnsemble;
  prices: PriceTable;
  templates: PromptTemplates;
  /** Things worth saying at start (models without a price count as free). */
  warnings: string[];
}

/**
 * Null unless the operator is `llm-diff` or `llm-rewrite` (the `self-modify` operator has its own
 * setup, `prepareSelfModify`). `configDirectory` is where prompt-template paths are resolved (the
 * campaign file's directory).
 */
export function prepareLlmMutation(
  config: CampaignConfig,
  configDirectory: string,
  options: CampaignModelOptions = {},
): LlmSetup | null {
  const mutation = config.mutation;
  if (mutation.operator !== 'llm-diff' && mutation.operator !== 'llm-rewrite') return null;
  const models = prepareMutationModels(config, mutation.models, mutation.timeoutSeconds, options);
  const templates = loadPromptTemplates(mutation.prompts, configDirectory);
  return { config: mutation, ...models, templates };
}

/** The models of a mutator, their prices, and what is worth saying about them. */
export interface MutationModels {
  ensemble: ModelEnsemble;
  prices: PriceTable;
  warnings: string[];
}

/**
 * Resolves a mutator's models (keys from the environment) and checks their prices against the
 * campaign's budget.
 *
 * @throws ConfigError for a missing key, an unknown provider, or an unpriced model under `budget.usd`.
 */
export function prepareMutationModels(
  config: CampaignConfig,
  models: readonly (string | ModelEntry)[],
  timeoutSeconds: number,
  options: CampaignModelOptions = {},
): MutationModels {
  const entries: ModelEntry[] = models.map((entry) => (typeof entry === 'string' ? { model: entry } : entry));
  const ensemble = resolveModelClients(entries, { ...options, timeoutMs: timeoutSeconds * 1000 });
  const prices = createPriceTable(config.prices);
  const unpriced = ensemble.members
    .filter(({ client }) => prices.priceOf(client.provider, client.model) === null)
    .map(({ client }) => `${client.provider}:${client.model}`);
  const warnings: string[] = [];
  if (unpriced.length > 0 && config.budget.usd === null) {
    warnings.push(
      `No price known for ${unpriced.join(', ')}: their calls are recorded at $0. Add them to \`prices\` in the campaign file to count their cost.`,
    );
  }
  if (config.budget.usd !== null) {
    if (unpriced.length > 0) {
      throw new ConfigError(
        `budget.usd is set, but clade has no price for ${unpriced.join(', ')}, so the budget could not be enforced. ` +
          `Add them to \`prices\` in the campaign file, e.g. prices: { "${unpriced[0]}": { input: 0.5, output: 1.5 } } (US dollars per million tokens; 0 for a local model).`,
        unpriced.map((name) => ({ path: 'prices', message: `no price for ${name}`, value: name })),
      );
    }
  }
  return { ensemble, prices, warnings };
}

/** What the wiring passes when it builds the mutator for a run. */
export interface LlmMutatorContext {
  setup: LlmSetup;
  ledger: ModelLedger;
  history: MutationHistory;
  taskDescription: string;
}

/** The `llm-diff` or `llm-rewrite` mutator of a prepared setup. */
export function createConfiguredLlmMutator(context: LlmMutatorContext): Mutator {
  const { setup } = context;
  return createLlmMutator({
    operator: setup.config.operator,
    ensemble: setup.ensemble,
    templates: setup.templates,
    prices: setup.prices,
    recorder: context.ledger,
    history: context.history,
    taskDescription: context.taskDescription,
    budgetExceeded: context.ledger.budgetExceeded,
    temperature: setup.config.temperature,
    maxTokens: setup.config.maxTokens,
    retries: setup.config.retries,
    patchRetries: setup.config.patchRetries,
    stream: setup.config.stream,
  });
}
