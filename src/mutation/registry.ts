/**
 * @module The mutation operators a campaign file may name (`mutation.operator`). A kind is one
 * descriptor — its section schema, `prepare` (models, keys, templates: before anything is created)
 * and `create` — listed here. Library users add theirs with `mutatorKinds.register(kind)`.
 */
import { PluginRegistry } from '../core/plugin.js';
import { llmDiffMutatorKind, llmRewriteMutatorKind } from './llm-setup.js';
import type { MutatorKind } from './mutator-kind.js';
import { parametricMutatorKind } from './parametric-kind.js';
import { selfModifyMutatorKind } from './self-modify-setup.js';

export type {
  CampaignModelOptions,
  DefaultAgentModel,
  MutatorKind,
  MutatorPrepareContext,
  MutatorRuntime,
  PreparedMutator,
} from './mutator-kind.js';
export { defineMutatorKind } from './mutator-kind.js';

/** Every mutation operator, the offline default first. */
export const mutatorKinds = new PluginRegistry<MutatorKind>('mutation operator', 'mutation.operator', [
  parametricMutatorKind,
  llmDiffMutatorKind,
  llmRewriteMutatorKind,
  selfModifyMutatorKind,
]);
