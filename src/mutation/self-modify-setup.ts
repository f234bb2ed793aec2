/**
 * @module Prepares a campaign's `self-modify` mutator before anything is created (the diagnosis
 * models and their keys, prices, prompt templates), and builds it for a run from the pieces the
 * wiring owns: the sandbox, the model proxy, the archive reader, the harness.
 */
import type { CampaignConfig, SelfModifyMutationConfig } from '../config/schema.js';
import type { ModelLedger } from '../model/ledger.js';
import type { ModelProxy } from '../model-proxy/types.js';
import type { Sandbox, SandboxLimits } from '../sandbox/types.js';
import type { AgentBundler } from '../tasks/evaluate-node.js';
import type { MutationHistory } from './build-prompt.js';
import { type CampaignModelOptions, type MutationModels, prepareMutationModels } from './llm-setup.js';
import { createSelfModifyMutator, loadSelfModifyTemplates, type SelfModifyTemplates } from './self-modify.js';
import type { Mutator } from './types.js';

/** Everything the `self-modify` mutator needs that can be checked before the campaign starts. */
export interface SelfModifySetup extends MutationModels {
  config: SelfModifyMutationConfig;
  templates: SelfModifyTemplates;
  /** The diagnosis models' keys, for the campaign's proxy to scrub too. */
  secrets: readonly string[];
}

/**
 * Null unless `mutation.operator` is `self-modify`. `configDirectory` is where prompt-template
 * paths are resolved (the campaign file's directory).
 *
 * @throws ConfigError for a missing key, an unknown model, an unpriced model under `budget.usd`,
 * or a template that cannot be read.
 */
export function prepareSelfModify(
  config: CampaignConfig,
  configDirectory: string,
  options: CampaignModelOptions = {},
): SelfModifySetup | null {
  const mutation = config.mutation;
  if (mutation.operator !== 'self-modify') return null;
  const models = prepareMutationModels(config, mutation.models, mutation.timeoutSeconds, options);
  const templates = loadSelfModifyTemplates(mutation.prompts, configDirectory);
  // The agent's own model (`agentModel`) is prepared with the campaign's proxy (prepareAgentModel).
  return { config: mutation, ...models, templates, secrets: models.ensemble.secrets };
}

/** What the wiring passes when it builds the mutator for a run. */
export interface SelfModifyContext {
  setup: SelfModifySetup;
  ledger: ModelLedger;
  history: MutationHistory;
  taskDescription: string;
  /** The agent's entry file (the task's `agentEntry`). */
  entry: string;
  proxy: ModelProxy;
  sandbox: Sandbox;
  limits: SandboxLimits;
  bundle: AgentBundler;
  harness: string;
}

/** The `self-modify` mutator of a prepared setup. */
export function createConfiguredSelfModifyMutator(context: SelfModifyContext): Mutator {
  const { setup } = context;
  const { agentLimits } = setup.config;
  return createSelfModifyMutator({
    ensemble: setup.ensemble,
    prices: setup.prices,
    recorder: context.ledger,
    templates: setup.templates,
    history: context.history,
    taskDescription: context.taskDescription,
    entry: context.entry,
    proxy: context.proxy,
    sandbox: context.sandbox,
    limits: context.limits,
    agentLimits: {
      maxSteps: agentLimits.maxSteps,
      maxTokens: agentLimits.maxTokens,
      timeoutMs: agentLimits.timeoutSeconds * 1000,
    },
    bundle: context.bundle,
    harness: context.harness,
    budgetExceeded: context.ledger.budgetExceeded,
    temperature: setup.config.temperature,
    maxTokens: setup.config.maxTokens,
    retries: setup.config.retries,
    stream: setup.config.stream,
  });
}
