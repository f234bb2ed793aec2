/**
 * @module Prepares a campaign's `self-modify` mutator before anything is created (the diagnosis
 * models and their keys, prices, prompt templates), and builds it for a run from the pieces the
 * wiring owns: the sandbox, the model proxy, the archive reader, the harness.
 */
import type { CampaignConfig, SelfModifyMutationConfig } from '../config/schema.js';
import type { ModelLedger } from '../model/ledger.js';
import type { ModelClient } from '../model/types.js';
import { createModelProxy } from '../model-proxy/model-proxy.js';
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
  /** The model the agent calls through the proxy (`agentModel`, else the first of `models`). */
  agentClient: ModelClient;
  /** Every key in use (diagnosis and agent models), scrubbed from what the proxy stores or sends. */
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
  const first = mutation.models[0];
  const agentName = mutation.agentModel ?? (typeof first === 'string' ? first : first?.model);
  const agentEntry = typeof first === 'object' && first.model === agentName ? first : { model: agentName ?? '' };
  const agent = prepareMutationModels(config, [agentEntry], mutation.agentLimits.timeoutSeconds, options);
  for (const warning of agent.warnings) if (!models.warnings.includes(warning)) models.warnings.push(warning);
  const agentClient = agent.ensemble.members[0]?.client;
  if (!agentClient) throw new Error('self-modify: no agent model resolved'); // The schema requires a model.
  const secrets = [...new Set([...models.ensemble.secrets, ...agent.ensemble.secrets])];
  return { config: mutation, ...models, templates, agentClient, secrets };
}

/**
 * The campaign's model proxy for coding agents: its calls go to the setup's agent model, are
 * charged at the campaign's prices, recorded through the ledger against each session's node, and
 * refused once the campaign's budget is spent. Close it when the run ends.
 */
export function createAgentModelProxy(setup: SelfModifySetup, ledger: ModelLedger): ModelProxy {
  return createModelProxy({
    client: setup.agentClient,
    prices: setup.prices,
    recorder: ledger,
    secrets: setup.secrets,
    budgetExceeded: ledger.budgetExceeded,
    retry: { retries: setup.config.retries },
  });
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
