/**
 * @module `mutation.operator: self-modify` (DGM) as a mutator kind: a diagnosis model reads the
 * parent's failing logs and code and proposes one improvement; the parent coding agent then runs in
 * the sandbox on a copy of its own source, with the proposal as its task, calling models through the
 * model proxy. Its models, keys, prices and templates are prepared before anything is created.
 */
import { z } from 'zod';
import type { CampaignConfig } from '../config/schema.js';
import { CladeError } from '../core/errors.js';
import { bundleAgent } from '../harness/bundle-agent.js';
import { loadHarness } from '../harness/load-harness.js';
import {
  type CampaignModelOptions,
  llmMutationFields,
  type MutationModels,
  prepareMutationModels,
} from './llm-setup.js';
import { defineMutatorKind, type MutatorRuntime } from './mutator-kind.js';
import { createSelfModifyMutator, loadSelfModifyTemplates, type SelfModifyTemplates } from './self-modify.js';
import type { Mutator } from './types.js';

/** Limits of the parent agent's run on its own source (`self-modify`). */
const selfModifyAgentLimits = z
  .object({
    /** Tool-loop steps (model calls) the agent may take. Default 30. */
    maxSteps: z.number().int().min(1).max(1000).default(30),
    /** Tokens (prompt + answer, over all its calls) the agent may use; the proxy refuses calls past it. Default 400000. */
    maxTokens: z.number().int().min(1000).max(100_000_000).default(400_000),
    /** Wall-clock limit of the agent's run, in seconds (the sandbox kills it 30 s later). Default 600. */
    timeoutSeconds: z.number().positive().max(86_400).default(600),
  })
  .strict();

/** The `mutation` section of the self-modify operator. */
export const selfModifyMutationSchema = z
  .object({
    operator: z.literal('self-modify'),
    /** The diagnosis model(s), as `provider:model` (several form a weighted ensemble). Required (or `--model`). */
    models: llmMutationFields.models,
    temperature: llmMutationFields.temperature,
    /** Most tokens of the diagnosis answer. Default 8192. */
    maxTokens: llmMutationFields.maxTokens,
    retries: llmMutationFields.retries,
    timeoutSeconds: llmMutationFields.timeoutSeconds,
    stream: llmMutationFields.stream,
    /**
     * The model the coding agent calls through the model proxy (while it edits itself, and in the
     * coding task's evaluations), as `provider:model`. Default: the first of `models`.
     */
    agentModel: z.string().min(3).optional(),
    /** The parent agent's limits while it edits itself. Default `{ maxSteps: 30, maxTokens: 400000, timeoutSeconds: 600 }`. */
    agentLimits: selfModifyAgentLimits.prefault({}),
    /** Template files replacing the built-in prompts (`system`, `diagnosis`, `diagnosisError`, `task`), relative to the campaign file. Default: none. */
    prompts: z
      .object({
        system: z.string().min(1).optional(),
        diagnosis: z.string().min(1).optional(),
        diagnosisError: z.string().min(1).optional(),
        task: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

/** A self-modify `mutation` section after defaults. */
export type SelfModifyMutationConfig = z.infer<typeof selfModifyMutationSchema>;

/** Everything the `self-modify` mutator needs that can be checked before the campaign starts. */
export interface SelfModifySetup extends MutationModels {
  config: SelfModifyMutationConfig;
  templates: SelfModifyTemplates;
  /** The diagnosis models' keys, for the campaign's proxy to scrub too. */
  secrets: readonly string[];
}

/**
 * Prepares a `self-modify` section. `configDirectory` is where prompt-template paths are resolved
 * (the campaign file's directory).
 *
 * @throws ConfigError for a missing key, an unknown model, an unpriced model under `budget.usd`,
 * or a template that cannot be read.
 */
export function prepareSelfModify(
  campaign: CampaignConfig,
  mutation: SelfModifyMutationConfig,
  configDirectory: string,
  options: CampaignModelOptions = {},
): SelfModifySetup {
  const models = prepareMutationModels(campaign, mutation.models, mutation.timeoutSeconds, options);
  const templates = loadSelfModifyTemplates(mutation.prompts, configDirectory);
  // The agent's own model (`agentModel`) is prepared with the campaign's proxy (prepareAgentModel).
  return { config: mutation, ...models, templates, secrets: models.ensemble.secrets };
}

/** The `self-modify` mutator of a prepared setup, for one run. */
export async function createConfiguredSelfModifyMutator(
  setup: SelfModifySetup,
  runtime: MutatorRuntime,
): Promise<Mutator> {
  const { agentLimits } = setup.config;
  if (runtime.proxy === null || runtime.agentEntry === undefined) {
    throw new CladeError(
      'CONFIG_INVALID',
      "mutation.operator self-modify runs the parent agent with a model, so it needs a task whose agents run through the node harness (an entry file) and the campaign's model proxy; use task.kind coding.",
    );
  }
  return createSelfModifyMutator({
    ensemble: setup.ensemble,
    prices: setup.prices,
    recorder: runtime.ledger,
    templates: setup.templates,
    history: runtime.history,
    taskDescription: runtime.taskDescription,
    entry: runtime.agentEntry,
    proxy: runtime.proxy,
    sandbox: runtime.sandbox,
    limits: runtime.limits,
    agentLimits: {
      maxSteps: agentLimits.maxSteps,
      maxTokens: agentLimits.maxTokens,
      timeoutMs: agentLimits.timeoutSeconds * 1000,
    },
    bundle: bundleAgent,
    harness: await loadHarness(),
    budgetExceeded: runtime.ledger.budgetExceeded,
    temperature: setup.config.temperature,
    maxTokens: setup.config.maxTokens,
    retries: setup.config.retries,
    stream: setup.config.stream,
  });
}

/** `mutation.operator: self-modify`. */
export const selfModifyMutatorKind = defineMutatorKind<SelfModifyMutationConfig, SelfModifySetup>({
  kind: 'self-modify',
  summary: 'DGM: a model diagnoses the parent; the parent agent then edits its own code in the sandbox',
  schema: selfModifyMutationSchema,
  writesCode: true,
  callsModels: true,
  defaultAgentModel(config) {
    if (config.agentModel !== undefined) return { model: config.agentModel, source: 'mutation.agentModel' };
    const first = config.models[0];
    if (first === undefined) return undefined;
    return typeof first === 'string'
      ? { model: first, source: 'mutation.models.0' }
      : { model: first.model, source: 'mutation.models.0', ...(first.baseURL ? { baseURL: first.baseURL } : {}) };
  },
  prepare: (config, context) => prepareSelfModify(context.campaign, config, context.configDirectory, context.options),
  create: (setup, runtime) => createConfiguredSelfModifyMutator(setup, runtime),
});
