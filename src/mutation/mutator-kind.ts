/**
 * @module The shape of a mutator kind (`MutatorKind`): what one file declares to add a mutation
 * operator. The kinds are listed in `registry.ts`.
 */
import type { z } from 'zod';
import type { CampaignConfig } from '../config/schema.js';
import type { PluginKind } from '../core/plugin.js';
import type { ModelLedger } from '../model/ledger.js';
import type { ResolveModelsOptions } from '../model/registry.js';
import type { ModelProxy } from '../model-proxy/types.js';
import type { Sandbox, SandboxLimits } from '../sandbox/types.js';
import type { MutationHistory } from './build-prompt.js';
import type { Mutator } from './types.js';

/** Programmatic options for the models of a campaign (all optional). */
export type CampaignModelOptions = Pick<ResolveModelsOptions, 'environment' | 'fetch' | 'models' | 'replay'>;

/** What `MutatorKind.prepare` may use. */
export interface MutatorPrepareContext {
  /** The whole validated campaign (budget and prices bear on models). */
  campaign: CampaignConfig;
  /** Absolute directory of the campaign file (prompt templates are resolved there). */
  configDirectory: string;
  /** Injected clients, recorded-call replay, the environment keys are read from. */
  options: CampaignModelOptions;
}

/** What every prepared mutator may report. */
export interface PreparedMutator {
  /** Said once at the start of each run (a model without a price …). */
  warnings?: readonly string[];
  /** Keys in use, scrubbed by the model proxy from what it stores or sends. */
  secrets?: readonly string[];
}

/** What the wiring gives a mutator kind's `create` for a run. */
export interface MutatorRuntime {
  /** What the task says about itself to a model (`Task.describeForModel()`). */
  taskDescription: string;
  /** The agent's entry file, for tasks that run agents through the node harness. */
  agentEntry: string | undefined;
  /** Records model calls, holds the campaign's budget. */
  ledger: ModelLedger;
  /** Read access to the archive (history, inspirations' evaluations). */
  history: MutationHistory;
  /** The run's sandbox and limits (for mutators that run the parent, like `self-modify`). */
  sandbox: Sandbox;
  limits: SandboxLimits;
  /** The campaign's model proxy, when agents call models. */
  proxy: ModelProxy | null;
}

/** The model a mutator kind's agents call through the proxy when `agentModel.model` names none. */
export interface DefaultAgentModel {
  model: string;
  /** The field it came from, for messages (e.g. `mutation.agentModel`). */
  source: string;
  baseURL?: string;
}

/**
 * One kind of mutator. `schema` is its section of the campaign file (strict, `operator` as a
 * literal). `prepare` runs before the campaign directory exists (models, keys, prices, templates:
 * a mistake costs nothing); `create` builds the mutator for one run.
 */
export interface MutatorKind<Config extends { operator: string } = { operator: string }, Prepared = unknown>
  extends PluginKind {
  readonly schema: z.ZodType<Config>;
  /**
   * Whether children's code comes from a model. Such code runs in the Docker sandbox unless the user
   * chose the process sandbox explicitly; an offline mutator's children may fall back to it.
   */
  readonly writesCode: boolean;
  /** Whether the mutator calls models (an unreachable one is worth checking before the first child). */
  readonly callsModels: boolean;
  defaultAgentModel?(config: Config): DefaultAgentModel | undefined;
  prepare(config: Config, context: MutatorPrepareContext): Prepared & PreparedMutator;
  create(prepared: Prepared & PreparedMutator, runtime: MutatorRuntime): Mutator | Promise<Mutator>;
}

/** Defines a mutator kind with its types inferred (the registry stores kinds without them). */
export function defineMutatorKind<Config extends { operator: string }, Prepared>(
  kind: MutatorKind<Config, Prepared>,
): MutatorKind {
  return kind as unknown as MutatorKind;
}
