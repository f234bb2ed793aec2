/**
 * @module The LLM mutators `llm-diff` and `llm-rewrite` as mutator kinds, and what they share with
 * `self-modify`: model names parsed, keys read from the environment (a missing one is a
 * `ConfigError` naming the variable), prompt templates loaded, prices checked against the budget —
 * all before anything is created, so a mistake costs no campaign directory and no model call.
 */
import { z } from 'zod';
import type { CampaignConfig } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import { createPriceTable, type PriceTable } from '../model/prices.js';
import { type ModelEnsemble, type ModelEntry, resolveModelClients } from '../model/registry.js';
import { createLlmMutator } from './llm-mutator.js';
import { type CampaignModelOptions, defineMutatorKind, type MutatorRuntime } from './mutator-kind.js';
import { loadPromptTemplates, type PromptTemplates } from './prompt-templates.js';
import type { Mutator } from './types.js';

export type { CampaignModelOptions } from './mutator-kind.js';

/** One model of an LLM mutator's ensemble: `provider:model`, or the same with a weight and a base URL. */
export const modelEntrySchema = z.union([
  z.string().min(3),
  z
    .object({
      /** `provider:model`, e.g. `openai:gpt-4.1-mini`. */
      model: z.string().min(3),
      /** Relative weight in the ensemble. Default 1. */
      weight: z.number().positive().default(1),
      /** Base URL of an OpenAI-compatible server for this model. Default: `OPENAI_BASE_URL`. */
      baseURL: z.string().url().optional(),
    })
    .strict(),
]);

/** Fields every model-calling mutator has (`self-modify` takes a subset). */
export const llmMutationFields = {
  /** Models as `provider:model` (providers: openai, anthropic, openai-compatible, langchain); several form a weighted ensemble. Required (or `--model`). */
  models: z.array(modelEntrySchema).min(1),
  /** Sampling temperature; null for the provider's default. Default null. */
  temperature: z.number().min(0).max(2).nullable().default(null),
  /** Most tokens per answer. Default 8192. */
  maxTokens: z.number().int().min(64).max(1_000_000).default(8192),
  /** Retries of one call after a timeout, connection error, 429 or 5xx (backoff with jitter, honouring retry-after). Default 4. */
  retries: z.number().int().min(0).max(20).default(4),
  /** Times an unusable answer (no edit, no match, bad syntax) is sent back with the reason. Default 2. */
  patchRetries: z.number().int().min(0).max(10).default(2),
  /** Wall-clock limit of one attempt. Default 180. */
  timeoutSeconds: z.number().positive().max(3600).default(180),
  /** Ask for streamed answers. Default false. */
  stream: z.boolean().default(false),
  /** Template files replacing the built-in prompts, relative to the campaign file. Default: none. */
  prompts: z
    .object({
      system: z.string().min(1).optional(),
      diff: z.string().min(1).optional(),
      rewrite: z.string().min(1).optional(),
      patchError: z.string().min(1).optional(),
    })
    .strict()
    .default({}),
};

/** `llm-diff`: SEARCH/REPLACE edits inside EVOLVE-BLOCKs. */
export const llmDiffMutationSchema = z.object({ operator: z.literal('llm-diff'), ...llmMutationFields }).strict();
/** `llm-rewrite`: the whole file rewritten (outside the EVOLVE-BLOCKs kept byte for byte). */
export const llmRewriteMutationSchema = z.object({ operator: z.literal('llm-rewrite'), ...llmMutationFields }).strict();

/** An `llm-diff` or `llm-rewrite` section after defaults. */
export type LlmMutationConfig = z.infer<typeof llmDiffMutationSchema> | z.infer<typeof llmRewriteMutationSchema>;

/** Everything an LLM mutator needs that can be checked before the campaign starts. */
export interface LlmSetup {
  config: LlmMutationConfig;
  ensemble: ModelEnsemble;
  prices: PriceTable;
  templates: PromptTemplates;
  /** Things worth saying at start (models without a price count as free). */
  warnings: string[];
  /** The models' keys, for the model proxy to scrub. */
  secrets: readonly string[];
}

/**
 * Prepares an `llm-diff` or `llm-rewrite` section: its models (keys from the environment), prices
 * and prompt templates (`configDirectory`: where template paths are resolved, the campaign file's
 * directory).
 *
 * @throws ConfigError for a missing key, an unknown model, an unpriced model under `budget.usd`, or
 * a template that cannot be read.
 */
export function prepareLlmMutation(
  campaign: CampaignConfig,
  mutation: LlmMutationConfig,
  configDirectory: string,
  options: CampaignModelOptions = {},
): LlmSetup {
  const models = prepareMutationModels(campaign, mutation.models, mutation.timeoutSeconds, options);
  const templates = loadPromptTemplates(mutation.prompts, configDirectory);
  return { config: mutation, ...models, templates, secrets: models.ensemble.secrets };
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

/** The `llm-diff` or `llm-rewrite` mutator of a prepared setup, for one run. */
export function createConfiguredLlmMutator(
  setup: LlmSetup,
  runtime: Pick<MutatorRuntime, 'ledger' | 'history' | 'taskDescription'>,
): Mutator {
  return createLlmMutator({
    operator: setup.config.operator,
    ensemble: setup.ensemble,
    templates: setup.templates,
    prices: setup.prices,
    recorder: runtime.ledger,
    history: runtime.history,
    taskDescription: runtime.taskDescription,
    budgetExceeded: runtime.ledger.budgetExceeded,
    temperature: setup.config.temperature,
    maxTokens: setup.config.maxTokens,
    retries: setup.config.retries,
    patchRetries: setup.config.patchRetries,
    stream: setup.config.stream,
  });
}

function llmKind(operator: 'llm-diff' | 'llm-rewrite', summary: string, schema: z.ZodType<LlmMutationConfig>) {
  return defineMutatorKind<LlmMutationConfig, LlmSetup>({
    kind: operator,
    summary,
    schema,
    writesCode: true,
    callsModels: true,
    prepare: (config, context) =>
      prepareLlmMutation(context.campaign, config, context.configDirectory, context.options),
    create: (setup, runtime) => createConfiguredLlmMutator(setup, runtime),
  });
}

/** `mutation.operator: llm-diff`. */
export const llmDiffMutatorKind = llmKind(
  'llm-diff',
  'a model proposes SEARCH/REPLACE edits inside the EVOLVE-BLOCKs',
  llmDiffMutationSchema,
);

/** `mutation.operator: llm-rewrite`. */
export const llmRewriteMutatorKind = llmKind(
  'llm-rewrite',
  'a model rewrites the whole file; everything outside the EVOLVE-BLOCKs must stay byte for byte',
  llmRewriteMutationSchema,
);
