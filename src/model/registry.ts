/**
 * @module Models named `provider:model` (in the campaign file and `--model`), turned into
 * clients. Keys come from the environment only: `OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, and the
 * base URLs `OPENAI_BASE_URL` / `ANTHROPIC_BASE_URL`; a missing key is a `ConfigError` naming
 * the variable, raised before the campaign creates anything.
 */
import { ConfigError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import { createAnthropicClient } from './anthropic.js';
import { createLangChainClient, isLangChainChatModel, type LangChainChatModelLike } from './langchain.js';
import { createOpenAIClient } from './openai.js';
import type { ReplayLibrary } from './replay.js';
import type { ModelClient } from './types.js';

/** Providers a model name may start with. */
export const MODEL_PROVIDERS = ['openai', 'anthropic', 'openai-compatible', 'langchain'] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

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
  if (!(MODEL_PROVIDERS as readonly string[]).includes(provider) || model === '') {
    throw new ConfigError(
      `${field}: "${text}" is not a model name. Write provider:model with provider one of ${MODEL_PROVIDERS.join(', ')}, ` +
        'e.g. openai:gpt-4.1-mini, anthropic:claude-sonnet-4-5 or openai-compatible:qwen2.5-coder:7b.',
      [{ path: field, message: `provider must be one of ${MODEL_PROVIDERS.join(', ')}`, value: text }],
    );
  }
  return { provider: provider as ModelProvider, model };
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
        ? createLangChainClient({ chatModel: injected, model })
        : (injected as ModelClient);
      return { client, weight };
    }
    const common = {
      model,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    };
    switch (provider) {
      case 'openai': {
        const apiKey = requireVariable(environment, 'OPENAI_API_KEY', entry.model, field);
        secrets.add(apiKey);
        const baseURL = entry.baseURL ?? nonEmpty(environment.OPENAI_BASE_URL);
        return { client: createOpenAIClient({ ...common, apiKey, ...(baseURL ? { baseURL } : {}) }), weight };
      }
      case 'anthropic': {
        const apiKey = requireVariable(environment, 'ANTHROPIC_API_KEY', entry.model, field);
        secrets.add(apiKey);
        const baseURL = entry.baseURL ?? nonEmpty(environment.ANTHROPIC_BASE_URL);
        return { client: createAnthropicClient({ ...common, apiKey, ...(baseURL ? { baseURL } : {}) }), weight };
      }
      case 'openai-compatible': {
        const baseURL = entry.baseURL ?? nonEmpty(environment.OPENAI_BASE_URL);
        if (!baseURL) {
          throw new ConfigError(
            `${field}: ${entry.model} needs the server's base URL: set the environment variable OPENAI_BASE_URL ` +
              '(e.g. http://127.0.0.1:11434/v1 for Ollama, http://127.0.0.1:8000/v1 for vLLM), or give `baseURL` in the entry.',
            [{ path: field, message: 'OPENAI_BASE_URL is not set', value: entry.model }],
          );
        }
        // Local servers usually need no key; send OPENAI_API_KEY when it is set.
        const key = nonEmpty(environment.OPENAI_API_KEY);
        if (key) secrets.add(key);
        return {
          client: createOpenAIClient({ ...common, apiKey: key ?? 'no-key', baseURL, provider: 'openai-compatible' }),
          weight,
        };
      }
      default:
        // langchain: only a chat model passed in (handled above) can serve it.
        throw new ConfigError(
          `${field}: ${entry.model} names a LangChain chat model, which can only be passed in through the programmatic ` +
            `API: createCampaign(loaded, directory, { models: { '${entry.model}': chatModel } }).`,
          [{ path: field, message: 'no chat model passed in for it', value: entry.model }],
        );
    }
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

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

function requireVariable(environment: NodeJS.ProcessEnv, name: string, model: string, field: string): string {
  const value = nonEmpty(environment[name]);
  if (value === undefined) {
    throw new ConfigError(
      `${field}: ${model} needs an API key: set the environment variable ${name}. ` +
        'Keys are read from the environment only, never from the campaign file.',
      [{ path: field, message: `environment variable ${name} is not set`, value: model }],
    );
  }
  return value;
}
