/**
 * @module Models named `provider:model` (in the campaign file and `--model`), turned into
 * clients. Keys come from the environment only: `OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, and the
 * base URLs `OPENAI_BASE_URL` / `ANTHROPIC_BASE_URL`; a missing key is a `ConfigError` naming
 * the variable, raised before the campaign creates anything.
 */
import { ConfigError } from '../core/errors.js';
import { PluginRegistry } from '../core/plugin.js';
import type { Random } from '../core/random.js';
import { anthropicProvider, langchainProvider, openaiCompatibleProvider, openaiProvider } from './builtin-providers.js';
import { createLangChainClient, isLangChainChatModel, type LangChainChatModelLike } from './langchain.js';
import type { ModelProviderKind } from './provider-kind.js';
import type { ReplayLibrary } from './replay.js';
import type { ModelClient } from './types.js';

export type { ModelProviderContext, ModelProviderKind, ProvidedModel } from './provider-kind.js';

/**
 * The model providers a model name may start with (`provider:model`). Register a provider of your
 * own with `modelProviders.register(kind)`.
 */
export const modelProviders = new PluginRegistry<ModelProviderKind>('model provider', 'mutation.models', [
  openaiProvider,
  anthropicProvider,
  openaiCompatibleProvider,
  langchainProvider,
]);

/** A provider's name (the built-ins, or a registered one). */
export type ModelProvider = string;

/** A model of the campaign's ensemble, as the campaign file states it. */
export interface ModelEntry {
  /** `provider:model`, e.g. `openai:gpt-4.1-mini`, `openai-compatible:qwen2.5-coder:7b`. */
  model: string;
  /** Relative weight in the ensemble (> 0). Default 1. */
  weight?: number;
  /** Base URL for this model (OpenAI-compatible servers); else the provider's variable. */
  baseURL?: string;
}

/** `provider:model` split at the first colon (model names may hold colons, as Ollama's do). */
export function parseModelName(text: string, field = 'mutation.models'): { provider: ModelProvider; model: string } {
  const colon = text.indexOf(':');
  const provider = colon > 0 ? text.slice(0, colon) : '';
  const model = colon > 0 ? text.slice(colon + 1).trim() : '';
  if (!modelProviders.has(provider) || model === '') {
    const names = modelProviders.names().join(', ');
    throw new ConfigError(
      `${field}: "${text}" is not a model name. Write provider:model with provider one of ${names}, ` +
        'e.g. openai:gpt-4.1-mini, anthropic:claude-sonnet-4-5 or openai-compatible:qwen2.5-coder:7b.',
      [{ path: field, message: `provider must be one of ${names}`, value: text }],
    );
  }
  return { provider, model };
}

/** Options of `resolveModelClients`. */
export interface ResolveModelsOptions {
  /** Where keys and base URLs are read. Default `process.env`. */
  environment?: NodeJS.ProcessEnv;
  /** `fetch` for the HTTP providers. */
  fetch?: typeof fetch;
  /** Wall-clock limit of one attempt, in milliseconds. */
  timeoutMs?: number;
  /**
   * Clients passed in through the programmatic API, by `provider:model`: a `ModelClient`, or a
   * LangChain chat model (anything with `invoke`). They take precedence over the providers.
   */
  models?: Readonly<Record<string, ModelClient | LangChainChatModelLike>>;
  /** Answer every model from recorded calls instead (recorded-call replay). */
  replay?: ReplayLibrary;
  /** The campaign-file field an entry came from, named in errors. Default `mutation.models.<index>`. */
  field?: (index: number) => string;
}

/** The clients of a campaign, with their weights. */
export interface ModelEnsemble {
  readonly members: ReadonlyArray<{ client: ModelClient; weight: number }>;
  /** Draws one member with probability proportional to its weight. */
  pick(random: Random): ModelClient;
  /** The keys in use, to scrub from anything stored or printed. */
  readonly secrets: readonly string[];
}

/** Builds the clients of the entries; throws `ConfigError` for a bad name or a missing key. */
export function resolveModelClients(entries: readonly ModelEntry[], options: ResolveModelsOptions = {}): ModelEnsemble {
  const environment = options.environment ?? process.env;
  if (entries.length === 0) {
    throw new ConfigError(
      'mutation.models is empty: an LLM mutator needs at least one model. Add e.g. `models: [openai:gpt-4.1-mini]` ' +
        'to the mutation section, or pass --model provider:model.',
      [{ path: 'mutation.models', message: 'at least one model is required', value: [] }],
    );
  }
  const secrets = new Set<string>();
  const members = entries.map((entry, index) => {
    const field = options.field?.(index) ?? `mutation.models.${index}`;
    const { provider, model } = parseModelName(entry.model, field);
    const weight = entry.weight ?? 1;
    if (!(weight > 0) || !Number.isFinite(weight)) {
      throw new ConfigError(`${field}.weight must be a positive number; found ${weight}.`, [
        { path: `${field}.weight`, message: 'must be positive', value: weight },
      ]);
    }
    if (options.replay) return { client: options.replay.client(provider, model), weight };
    const injected = options.models?.[`${provider}:${model}`];
    if (injected !== undefined) {
      const client = isLangChainChatModel(injected)
        ? createLangChainClient({
            chatModel: injected,
            model,
            ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
          })
        : (injected as ModelClient);
      return { client, weight };
    }
    const provided = modelProviders.get(provider).create({
      model,
      name: entry.model,
      field,
      environment,
      ...(entry.baseURL !== undefined ? { baseURL: entry.baseURL } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    for (const secret of provided.secrets) secrets.add(secret);
    return { client: provided.client, weight };
  });
  const total = members.reduce((sum, member) => sum + member.weight, 0);
  return {
    members,
    secrets: [...secrets],
    pick(random) {
      let threshold = random.next() * total;
      for (const member of members) {
        threshold -= member.weight;
        if (threshold < 0) return member.client;
      }
      return (members[members.length - 1] as { client: ModelClient }).client;
    },
  };
}
