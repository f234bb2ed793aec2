/**
 * @module The model proxy from a campaign's configuration: which model agents call (`agentModel`,
 * else the mutator kind's default, e.g. a `self-modify` campaign's agent model), its key read from the environment the way the
 * mutators' models are (a missing one is a `ConfigError` naming the variable, raised before the
 * campaign creates anything), prices checked against the budgets, and the proxy built for a run
 * with the campaign's ledger (recording, campaign budget).
 */
import { type AgentModelConfig, agentModelSchema, type CampaignConfig } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import type { ModelLedger } from '../model/ledger.js';
import { createPriceTable, type PriceTable } from '../model/prices.js';
import { type ModelEntry, type ResolveModelsOptions, resolveModelClients } from '../model/registry.js';
import type { ModelClient } from '../model/types.js';
import { createModelProxy } from './model-proxy.js';
import type { ModelProxy, ProxyBudget } from './types.js';

/** Programmatic options (the same as a campaign's models: injected clients, replay, environment). */
export type AgentModelOptions = Pick<ResolveModelsOptions, 'environment' | 'fetch' | 'models' | 'replay'>;

/** Everything the proxy needs that can be checked before the campaign starts. */
export interface AgentModelSetup {
  /** The `agentModel` section with its defaults. */
  config: AgentModelConfig;
  /** The field the model was named in (for messages): `agentModel.model`, `mutation.agentModel` or `mutation.models.0`. */
  source: string;
  client: ModelClient;
  prices: PriceTable;
  /** The key in use, scrubbed from what the proxy stores or sends. */
  secrets: readonly string[];
  /** What one node's run may spend: every proxy session's budget is capped at it (`agentModel.budget`). */
  budget: ProxyBudget;
  /** Things worth saying at start (a model without a price counts as free). */
  warnings: string[];
}

/**
 * The agents' model of a campaign, or null when it names none (no `agentModel.model`, and the
 * mutator offers no default, as `self-modify` does with its agent model): agents then get no model
 * proxy.
 *
 * @param fallback the mutator kind's default agent model (`MutatorKind.defaultAgentModel`).
 * @throws ConfigError for a bad model name, a missing key, or a dollar budget (`budget.usd` or
 * `agentModel.budget.usd`) over a model clade has no price for.
 */
export function prepareAgentModel(
  config: CampaignConfig,
  fallback: { model: string; source: string; baseURL?: string } | undefined,
  options: AgentModelOptions = {},
): AgentModelSetup | null {
  const section = config.agentModel ?? agentModelSchema.parse({});
  const name = section.model ?? fallback?.model;
  const source = section.model !== undefined ? 'agentModel.model' : (fallback?.source ?? 'agentModel.model');
  if (name === undefined) return null;
  // A model the mutator also names may carry its base URL there.
  const mutationModels = (config.mutation as { models?: unknown }).models;
  const fromMutation = Array.isArray(mutationModels)
    ? (mutationModels as Array<string | ModelEntry>)
        .map((entry) => (typeof entry === 'string' ? { model: entry } : entry))
        .find((entry) => entry.model === name)
    : undefined;
  const baseURL =
    section.baseURL ?? fromMutation?.baseURL ?? (section.model === undefined ? fallback?.baseURL : undefined);
  const ensemble = resolveModelClients([{ model: name, ...(baseURL ? { baseURL } : {}) }], {
    ...options,
    timeoutMs: section.timeoutSeconds * 1000,
    field: () => source,
  });
  const client = ensemble.members[0]?.client as ModelClient;
  const prices = createPriceTable(config.prices);
  const label = `${client.provider}:${client.model}`;
  const warnings: string[] = [];
  if (prices.priceOf(client.provider, client.model) === null) {
    const dollarBudgets = [
      ...(config.budget.usd !== null ? ['budget.usd'] : []),
      ...(section.budget.usd !== null ? ['agentModel.budget.usd'] : []),
    ];
    if (dollarBudgets.length > 0) {
      throw new ConfigError(
        `${dollarBudgets.join(' and ')} ${dollarBudgets.length > 1 ? 'are' : 'is'} set, but clade has no price for ${label} (${source}), so the budget could not be enforced. ` +
          `Add it to \`prices\` in the campaign file, e.g. prices: { "${label}": { input: 0.5, output: 1.5 } } (US dollars per million tokens; 0 for a local model).`,
        [{ path: 'prices', message: `no price for ${label}`, value: label }],
      );
    }
    warnings.push(
      `No price known for ${label} (the agents' model): its calls are recorded at $0. Add it to \`prices\` in the campaign file to count their cost.`,
    );
  }
  const { tokens, usd, calls } = section.budget;
  return {
    config: section,
    source,
    client,
    prices,
    secrets: ensemble.secrets,
    budget: {
      ...(tokens !== null ? { tokens } : {}),
      ...(usd !== null ? { usd } : {}),
      ...(calls !== null ? { calls } : {}),
    },
    warnings,
  };
}

/** Options of `createConfiguredModelProxy`. */
export interface ConfiguredProxyOptions {
  /** The campaign's ledger: records every call in the archive; its spent budget refuses further calls. */
  ledger: ModelLedger;
  /** Where the proxy's private socket directory is made. Default: the system's temporary directory. */
  socketDirectory?: string;
  /** Keys of the campaign's other models, scrubbed too. */
  secrets?: readonly string[];
}

/**
 * The campaign's model proxy for a run. Open one session per sandbox run with
 * `proxy.openSession({ nodeId, purpose, budget })` (capped at `setup.budget`) and pass its
 * `socketPath` as `SandboxRequest.modelSocket`; close the proxy when the run ends.
 */
export function createConfiguredModelProxy(setup: AgentModelSetup, options: ConfiguredProxyOptions): ModelProxy {
  return createModelProxy({
    client: setup.client,
    prices: setup.prices,
    recorder: options.ledger,
    budgetExceeded: options.ledger.budgetExceeded,
    budgetCap: setup.budget,
    secrets: [...new Set([...setup.secrets, ...(options.secrets ?? [])])],
    maxTokensPerCall: setup.config.maxTokensPerCall,
    retry: { retries: setup.config.retries },
    ...(options.socketDirectory !== undefined ? { socketDirectory: options.socketDirectory } : {}),
  });
}
