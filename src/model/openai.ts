/**
 * @module OpenAI chat completions through the official `openai` SDK: api.openai.com, or any
 * OpenAI-compatible server (vLLM, llama.cpp's server, Ollama, LM Studio) through `baseURL`.
 * The SDK's own retries are off: `callModel` retries, so that every attempt is counted. One
 * deadline bounds each attempt's whole response, and a streamed answer stops being read once it
 * passes the answer byte cap (see `attempt-limits.ts`).
 */
import OpenAI from 'openai';
import { ConfigError } from '../core/errors.js';
import {
  answerMeter,
  boundedFetch,
  DEFAULT_ATTEMPT_TIMEOUT_MS,
  DEFAULT_MAX_RESPONSE_BYTES,
  startAttemptDeadline,
} from './attempt-limits.js';
import { DEFAULT_CHECK_TIMEOUT_MS, modelCheckError } from './preflight.js';
import type { FinishReason, HttpModelClientOptions, ModelClient, ModelRequest, ModelResponse } from './types.js';

/** Options of `createOpenAIClient`. */
export interface OpenAIClientOptions extends HttpModelClientOptions {
  /**
   * Send the answer limit as `max_tokens` (what OpenAI-compatible servers know) instead of
   * `max_completion_tokens` (what OpenAI's newer models require). Default: true when `provider`
   * is `openai-compatible`.
   */
  legacyMaxTokens?: boolean;
}

/** A `ModelClient` speaking the OpenAI chat-completions wire format. */
export function createOpenAIClient(options: OpenAIClientOptions): ModelClient {
  const provider = options.provider ?? 'openai';
  const legacyMaxTokens = options.legacyMaxTokens ?? provider === 'openai-compatible';
  const timeoutMs = options.timeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  const client = new OpenAI({
    apiKey: options.apiKey,
    ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
    fetch: boundedFetch(options.fetch ?? globalThis.fetch, options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES),
    maxRetries: 0,
    timeout: timeoutMs,
    // Keys come from the options only, never from OPENAI_* variables read behind our back.
    organization: null,
    project: null,
  });
  return {
    provider,
    model: options.model,
    async check(signal) {
      const target = {
        provider,
        model: options.model,
        baseURL: client.baseURL,
        ...(options.keyVariable !== undefined ? { keyVariable: options.keyVariable } : {}),
        ...(options.baseURLSource !== undefined ? { baseURLSource: options.baseURLSource } : {}),
      };
      const deadline = startAttemptDeadline(options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS, signal);
      const requestOptions = { signal: deadline.signal, timeout: options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS };
      try {
        if (provider !== 'openai-compatible') {
          try {
            await client.models.retrieve(options.model, requestOptions);
            return;
          } catch (error) {
            if (statusOf(deadline.translate(error)) !== 404) throw error;
            // No such model, or a server that lists its models but does not look one up (vLLM, llama.cpp).
          }
        }
        // Ollama, vLLM and llama.cpp list their models at GET /models; not all of them look one up.
        let names: string[] | null = null;
        try {
          names = (await client.models.list(requestOptions)).data.map((model) => model.id);
        } catch (error) {
          if (statusOf(deadline.translate(error)) !== 404) throw error;
        }
        if (names !== null) {
          if (!names.includes(options.model)) throw modelCheckError(new Error('not listed'), target, names);
          return;
        }
        // No /models route: one completion of one token shows the address, the key and the model.
        await client.chat.completions.create(
          {
            model: options.model,
            messages: [{ role: 'user', content: 'ping' }],
            ...(legacyMaxTokens ? { max_tokens: 1 } : { max_completion_tokens: 1 }),
          },
          requestOptions,
        );
      } catch (error) {
        if (error instanceof ConfigError) throw error;
        throw modelCheckError(deadline.translate(error), target);
      } finally {
        deadline.clear();
      }
    },
    async complete(request, callOptions = {}): Promise<ModelResponse> {
      const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
        ...(request.system !== undefined ? [{ role: 'system' as const, content: request.system }] : []),
        ...request.messages.map((message) => ({ role: message.role, content: message.content })),
      ];
      const body = {
        model: options.model,
        messages,
        ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
        ...(legacyMaxTokens ? { max_tokens: request.maxTokens } : { max_completion_tokens: request.maxTokens }),
      };
      const deadline = startAttemptDeadline(timeoutMs, callOptions.signal);
      try {
        const requestOptions = { signal: deadline.signal };
        if (request.stream) {
          const stream = await client.chat.completions.create(
            { ...body, stream: true, stream_options: { include_usage: true } },
            requestOptions,
          );
          const folded = await foldStream(stream, request);
          // The SDKs end a stream quietly when its signal aborts: an answer cut by the deadline is no answer.
          if (deadline.signal.aborted) throw deadline.signal.reason;
          return folded;
        }
        const completion = await client.chat.completions.create(body, requestOptions);
        const choice = completion.choices[0];
        return {
          text: choice?.message.content ?? '',
          tokensIn: completion.usage?.prompt_tokens ?? 0,
          tokensOut: completion.usage?.completion_tokens ?? 0,
          finishReason: finishReason(choice?.finish_reason),
          raw: completion,
        };
      } catch (error) {
        throw deadline.translate(error);
      } finally {
        deadline.clear();
      }
    },
  };
}

/** Joins a stream's chunks into one answer; stops reading once the text passes the answer cap. */
async function foldStream(
  stream: AsyncIterable<OpenAI.Chat.ChatCompletionChunk>,
  request: ModelRequest,
): Promise<ModelResponse> {
  const meter = answerMeter(request.maxTokens);
  let text = '';
  let tokensIn = 0;
  let tokensOut = 0;
  let reason: string | null | undefined;
  let id = '';
  let model = '';
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    id ||= chunk.id;
    model ||= chunk.model;
    const choice = chunk.choices[0];
    if (chunk.usage) {
      tokensIn = chunk.usage.prompt_tokens ?? tokensIn;
      tokensOut = chunk.usage.completion_tokens ?? tokensOut;
    }
    if (choice?.finish_reason) reason = choice.finish_reason;
    if (choice?.delta?.content) {
      text += choice.delta.content;
      if (!meter.add(choice.delta.content)) {
        reason = 'length'; // over the cap: leaving the loop closes the stream; callModel cuts and flags it
        break;
      }
    }
  }
  return {
    text,
    tokensIn,
    tokensOut,
    finishReason: finishReason(reason),
    raw: {
      id,
      object: 'chat.completion',
      model,
      streamed: true,
      chunks,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: reason ?? null }],
      usage: { prompt_tokens: tokensIn, completion_tokens: tokensOut, total_tokens: tokensIn + tokensOut },
    },
  };
}

/** The HTTP status of an SDK error, if the server answered. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function finishReason(reason: string | null | undefined): FinishReason {
  if (reason === 'stop') return 'stop';
  if (reason === 'length') return 'length';
  return 'other';
}
