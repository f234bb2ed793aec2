/**
 * @module The built-in model providers: `openai`, `anthropic`, `openai-compatible` (any server that
 * speaks OpenAI's chat completions: Ollama, vLLM, llama.cpp …) and `langchain` (a chat model passed
 * in through the programmatic API).
 */
import { ConfigError } from '../core/errors.js';
import { createAnthropicClient } from './anthropic.js';
import { createOpenAIClient } from './openai.js';
import {
  type ModelProviderContext,
  type ModelProviderKind,
  nonEmpty,
  requireVariable,
  resolveBaseURL,
} from './provider-kind.js';

function common(context: ModelProviderContext) {
  return {
    model: context.model,
    ...(context.fetch ? { fetch: context.fetch } : {}),
    ...(context.timeoutMs !== undefined ? { timeoutMs: context.timeoutMs } : {}),
  };
}

export const openaiProvider: ModelProviderKind = {
  kind: 'openai',
  summary: "OpenAI's API (key OPENAI_API_KEY; base URL OPENAI_BASE_URL when set)",
  variables: ['OPENAI_API_KEY', 'OPENAI_BASE_URL'],
  create(context) {
    const address = resolveBaseURL(context, 'OPENAI_BASE_URL');
    const apiKey = requireVariable(context, 'OPENAI_API_KEY');
    return {
      client: createOpenAIClient({
        ...common(context),
        apiKey,
        keyVariable: 'OPENAI_API_KEY',
        ...(address ? { baseURL: address.baseURL, baseURLSource: address.source } : {}),
      }),
      secrets: [apiKey],
    };
  },
};

export const anthropicProvider: ModelProviderKind = {
  kind: 'anthropic',
  summary: "Anthropic's API (key ANTHROPIC_API_KEY; base URL ANTHROPIC_BASE_URL when set)",
  variables: ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL'],
  create(context) {
    const address = resolveBaseURL(context, 'ANTHROPIC_BASE_URL');
    const apiKey = requireVariable(context, 'ANTHROPIC_API_KEY');
    return {
      client: createAnthropicClient({
        ...common(context),
        apiKey,
        keyVariable: 'ANTHROPIC_API_KEY',
        ...(address ? { baseURL: address.baseURL, baseURLSource: address.source } : {}),
      }),
      secrets: [apiKey],
    };
  },
};

export const openaiCompatibleProvider: ModelProviderKind = {
  kind: 'openai-compatible',
  summary: 'any OpenAI-compatible server (base URL from the entry or OPENAI_BASE_URL; key optional)',
  variables: ['OPENAI_BASE_URL', 'OPENAI_API_KEY'],
  create(context) {
    const address = resolveBaseURL(context, 'OPENAI_BASE_URL');
    if (!address) {
      throw new ConfigError(
        `${context.field}: ${context.name} needs the server's base URL: set the environment variable OPENAI_BASE_URL ` +
          '(e.g. http://127.0.0.1:11434/v1 for Ollama, http://127.0.0.1:8000/v1 for vLLM), or give `baseURL` in the entry.',
        [{ path: context.field, message: 'OPENAI_BASE_URL is not set', value: context.name }],
      );
    }
    // Local servers usually need no key; send OPENAI_API_KEY when it is set.
    const key = nonEmpty(context.environment.OPENAI_API_KEY);
    return {
      client: createOpenAIClient({
        ...common(context),
        apiKey: key ?? 'no-key',
        ...(key ? { keyVariable: 'OPENAI_API_KEY' } : {}),
        baseURL: address.baseURL,
        baseURLSource: address.source,
        provider: 'openai-compatible',
      }),
      secrets: key ? [key] : [],
    };
  },
};

export const langchainProvider: ModelProviderKind = {
  kind: 'langchain',
  summary: 'a LangChain chat model passed in through the programmatic API (createCampaign options.models)',
  variables: [],
  create(context) {
    // Only a chat model passed in (resolveModelClients handles those first) can serve it.
    throw new ConfigError(
      `${context.field}: ${context.name} names a LangChain chat model, which can only be passed in through the programmatic ` +
        `API: createCampaign(loaded, directory, { models: { '${context.name}': chatModel } }).`,
      [{ path: context.field, message: 'no chat model passed in for it', value: context.name }],
    );
  },
};
