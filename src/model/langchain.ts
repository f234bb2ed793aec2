/**
 * @module An adapter for any LangChain chat model passed in through the programmatic API
 * (`createCampaign(…, { models: { 'langchain:my-model': chatModel } })`). It is duck-typed on
 * `invoke`, so clade never imports LangChain: a project that does not use it need not install it.
 */
import { DEFAULT_ATTEMPT_TIMEOUT_MS, startAttemptDeadline } from './attempt-limits.js';
import type { FinishReason, ModelClient, ModelResponse } from './types.js';

/** The part of a LangChain `BaseChatModel` clade uses. */
export interface LangChainChatModelLike {
  invoke(
    messages: Array<[string, string]>,
    options?: { signal?: AbortSignal },
  ): Promise<{
    content: unknown;
    usage_metadata?: { input_tokens?: number; output_tokens?: number } | undefined;
    response_metadata?: Record<string, unknown> | undefined;
  }>;
}

/** True when `value` looks like a LangChain chat model (has an `invoke` method). */
export function isLangChainChatModel(value: unknown): value is LangChainChatModelLike {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { invoke?: unknown }).invoke === 'function' &&
    typeof (value as { complete?: unknown }).complete !== 'function'
  );
}

/** Options of `createLangChainClient`. */
export interface LangChainClientOptions {
  /** The chat model object (e.g. `new ChatOpenAI({...})` from `@langchain/openai`). */
  chatModel: LangChainChatModelLike;
  /** Model name as written after `langchain:` in the campaign file. */
  model: string;
  /**
   * Wall-clock limit of one attempt in milliseconds. The chat model gets a signal that aborts then,
   * and the attempt ends then even if the model ignores it. Default 120000.
   */
  timeoutMs?: number;
}

/** A `ModelClient` that forwards to a LangChain chat model's `invoke`. */
export function createLangChainClient(options: LangChainClientOptions): ModelClient {
  return {
    provider: 'langchain',
    model: options.model,
    async complete(request, callOptions = {}): Promise<ModelResponse> {
      // Tuples are the message form every LangChain version accepts.
      const messages: Array<[string, string]> = [
        ...(request.system !== undefined ? [['system', request.system] as [string, string]] : []),
        ...request.messages.map(
          (message) => [message.role === 'user' ? 'human' : 'ai', message.content] as [string, string],
        ),
      ];
      const deadline = startAttemptDeadline(options.timeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS, callOptions.signal);
      let answer: Awaited<ReturnType<LangChainChatModelLike['invoke']>>;
      try {
        answer = await new Promise((resolve, reject) => {
          if (deadline.signal.aborted) reject(deadline.signal.reason);
          deadline.signal.addEventListener('abort', () => reject(deadline.signal.reason), { once: true });
          options.chatModel.invoke(messages, { signal: deadline.signal }).then(resolve, reject);
        });
      } catch (error) {
        throw deadline.translate(error);
      } finally {
        deadline.clear();
      }
      const text = contentText(answer.content);
      const usage = answer.usage_metadata;
      const legacy = (answer.response_metadata?.tokenUsage ?? {}) as {
        promptTokens?: number;
        completionTokens?: number;
      };
      const metadata = answer.response_metadata ?? {};
      const stop = metadata.finish_reason ?? metadata.stop_reason;
      return {
        text,
        tokensIn: usage?.input_tokens ?? legacy.promptTokens ?? 0,
        tokensOut: usage?.output_tokens ?? legacy.completionTokens ?? 0,
        finishReason: finishReason(stop),
        raw: { content: text, usage_metadata: usage ?? null, response_metadata: jsonSafe(metadata) },
      };
    },
  };
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        if (typeof part === 'string') return part;
        if (part && typeof part === 'object' && (part as { type?: unknown }).type === 'text') {
          return String((part as { text?: unknown }).text ?? '');
        }
        return '';
      })
      .join('');
  }
  return '';
}

function finishReason(reason: unknown): FinishReason {
  if (reason === 'stop' || reason === 'end_turn') return 'stop';
  if (reason === 'length' || reason === 'max_tokens') return 'length';
  return 'other';
}

function jsonSafe(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return null;
  }
}
