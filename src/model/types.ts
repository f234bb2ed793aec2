/**
 * @module The `ModelClient` plug-in point: one chat completion from a foundation model, with its
 * token usage. Providers (OpenAI, Anthropic, OpenAI-compatible servers, LangChain chat models,
 * recorded-call replay) live beside it, one per file; retries, prices and recording wrap any of
 * them (`call-model.ts`), so a provider only translates one request into one answer.
 */

/** One message of a conversation. The system prompt travels separately (`ModelRequest.system`). */
export interface ModelMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** What a mutator asks a model. Stored verbatim (never with a key) in the archive's `model_calls`. */
export interface ModelRequest {
  /** Instructions for the whole conversation. */
  system?: string;
  /** The conversation so far; the last message is the user's. */
  messages: ModelMessage[];
  /** Sampling temperature. Provider default when absent. */
  temperature?: number;
  /** Most tokens the answer may have. */
  maxTokens: number;
  /** Receive the answer as a server-sent event stream (same result, less time to first token). */
  stream?: boolean;
}

/** Why a model stopped writing. */
export type FinishReason = 'stop' | 'length' | 'other';

/** One answer. */
export interface ModelResponse {
  /** The answer's text (all text parts joined). */
  text: string;
  /** Prompt tokens the provider counted (0 when it reports none). */
  tokensIn: number;
  /** Answer tokens the provider counted (0 when it reports none). */
  tokensOut: number;
  finishReason: FinishReason;
  /** The provider's own response (JSON body, or the events of a stream folded into one object), for the archive. */
  raw: unknown;
}

/** Per-call options. */
export interface ModelCallOptions {
  /** Aborts the call (the campaign's abort signal). */
  signal?: AbortSignal;
}

/**
 * A foundation model behind one provider. `complete` makes exactly one attempt: errors are thrown
 * as they come (`ModelCallError`, or the provider SDK's own), and `callModel` decides whether to
 * retry them.
 */
export interface ModelClient {
  /** Provider name as written in `provider:model`, e.g. `openai`, `anthropic`, `openai-compatible`. */
  readonly provider: string;
  /** Model name as the provider knows it, e.g. `gpt-4.1-mini`. */
  readonly model: string;
  complete(request: ModelRequest, options?: ModelCallOptions): Promise<ModelResponse>;
}

/**
 * Options shared by the HTTP providers (the shape follows openai-node: one documented options
 * type, I/O injected). Keys are never read here from the environment: the registry reads them
 * (`resolveModelClients`) and passes them in.
 */
export interface HttpModelClientOptions {
  /** Model name as the provider knows it. */
  model: string;
  /** The secret. Sent in a header by the SDK; never stored, logged or passed to a sandbox. */
  apiKey: string;
  /** Base URL of the API, e.g. `http://127.0.0.1:8000/v1` for a vLLM server. Provider default when absent. */
  baseURL?: string;
  /** Wall-clock limit of one attempt in milliseconds. Default 120000. */
  timeoutMs?: number;
  /** `fetch` to use (tests, proxies). Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Provider name to report (`openai-compatible` for local servers). */
  provider?: string;
}

/** A model call as the archive stores it (see `ArchiveStore.recordModelCall`). */
export interface ModelCallRecordInput {
  nodeId: number | null;
  provider: string;
  model: string;
  request: unknown;
  response: unknown;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  latencyMs: number;
  attempts: number;
}

/** Where finished calls go (the archive, through the campaign's ledger). */
export interface ModelCallRecorder {
  record(call: ModelCallRecordInput): void;
}
