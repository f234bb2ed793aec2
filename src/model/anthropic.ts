/**
 * @module Anthropic messages through the official `@anthropic-ai/sdk`. The key is passed to the
 * SDK explicitly (so it never falls back to a credential chain or reads the environment itself);
 * the SDK's own retries are off: `callModel` retries. One deadline bounds each attempt's whole
 * response, and a streamed answer stops being read once it passes the answer byte cap (see
 * `attempt-limits.ts`).
 */
import Anthropic from '@anthropic-ai/sdk';
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

/** A `ModelClient` speaking the Anthropic messages wire format. */
export function createAnthropicClient(options: HttpModelClientOptions): ModelClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  const client = new Anthropic({
    apiKey: options.apiKey,
    // An explicit base URL, so ANTHROPIC_BASE_URL is read by the registry, not behind its back.
    baseURL: options.baseURL ?? 'https://api.anthropic.com',
    fetch: boundedFetch(options.fetch ?? globalThis.fetch, options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES),
    maxRetries: 0,
    timeout: timeoutMs,
  });
  const provider = options.provider ?? 'anthropic';
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
      const timeout = options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
      const deadline = startAttemptDeadline(timeout, signal);
      const requestOptions = { signal: deadline.signal, timeout };
      try {
        try {
          await client.models.retrieve(options.model, {}, requestOptions);
        } catch (error) {
          const status = (deadline.translate(error) as { status?: unknown } | null)?.status;
          if (status !== 404) throw error;
          // The names it does serve make the message actionable; a failure to list them only loses the hint.
          const names = await client.models
            .list({ limit: 100 }, requestOptions)
            .then((page) => page.data.map((model) => model.id))
            .catch(() => undefined);
          throw modelCheckError(error, target, names);
        }
      } catch (error) {
        if (error instanceof ConfigError) throw error;
        throw modelCheckError(deadline.translate(error), target);
      } finally {
        deadline.clear();
      }
    },
    async complete(request, callOptions = {}): Promise<ModelResponse> {
      const body = {
        model: options.model,
        max_tokens: request.maxTokens,
        messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
        ...(request.system !== undefined ? { system: request.system } : {}),
        ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      };
      const deadline = startAttemptDeadline(timeoutMs, callOptions.signal);
      try {
        const requestOptions = { signal: deadline.signal };
        if (request.stream) {
          const stream = await client.messages.create({ ...body, stream: true }, requestOptions);
          const folded = await foldStream(stream, request);
          // The SDKs end a stream quietly when its signal aborts: an answer cut by the deadline is no answer.
          if (deadline.signal.aborted) throw deadline.signal.reason;
          return folded;
        }
        const message = await client.messages.create(body, requestOptions);
        const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
        return {
          text,
          tokensIn: message.usage.input_tokens ?? 0,
          tokensOut: message.usage.output_tokens ?? 0,
          finishReason: finishReason(message.stop_reason),
          raw: message,
        };
      } catch (error) {
        throw deadline.translate(error);
      } finally {
        deadline.clear();
      }
    },
  };
}

/** Joins a stream's events into one answer; stops reading once the text passes the answer cap. */
async function foldStream(
  stream: AsyncIterable<Anthropic.Messages.RawMessageStreamEvent>,
  request: ModelRequest,
): Promise<ModelResponse> {
  const meter = answerMeter(request.maxTokens);
  let text = '';
  let tokensIn = 0;
  let tokensOut = 0;
  let stopReason: string | null = null;
  let id = '';
  let model = '';
  let events = 0;
  for await (const event of stream) {
    events++;
    if (event.type === 'message_start') {
      id = event.message.id;
      model = event.message.model;
      tokensIn = event.message.usage.input_tokens ?? 0;
      tokensOut = event.message.usage.output_tokens ?? 0;
    } else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
      text += event.delta.text;
      if (!meter.add(event.delta.text)) {
        stopReason = 'max_tokens'; // over the cap: leaving the loop closes the stream; callModel cuts and flags it
        break;
      }
    } else if (event.type === 'message_delta') {
      stopReason = event.delta.stop_reason ?? stopReason;
      tokensOut = event.usage.output_tokens ?? tokensOut;
      if (typeof event.usage.input_tokens === 'number') tokensIn = event.usage.input_tokens;
    }
  }
  return {
    text,
    tokensIn,
    tokensOut,
    finishReason: finishReason(stopReason),
    raw: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      streamed: true,
      events,
      content: [{ type: 'text', text }],
      stop_reason: stopReason,
      usage: { input_tokens: tokensIn, output_tokens: tokensOut },
    },
  };
}

function finishReason(reason: string | null | undefined): FinishReason {
  if (reason === 'end_turn' || reason === 'stop_sequence') return 'stop';
  if (reason === 'max_tokens') return 'length';
  return 'other';
}
