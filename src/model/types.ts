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

/**
 * What identifies a model call within its campaign: the node it is made for, why it is made, and
 * its place among that node's calls of that purpose (0 for the first; a mutator's re-ask after an
 * unusable answer is 1, …). Recorded with the call; recorded-call replay answers by it.
 */
export interface ModelCallKey {
  nodeId: number;
  /** e.g. `mutation` (a mutator's own calls), `self-modify` or `evaluation` (an agent's, through the model proxy). */
  purpose: string;
  /** 0-based ordinal among the node's calls of this purpose. */
  sequence: number;
}

/** Per-call options. */
export interface ModelCallOptions {
  /** Aborts the call (the campaign's abort signal). */
  signal?: AbortSignal;
  /** What the call is within its campaign (set by `callModel` when a ledger numbers calls). */
  call?: ModelCallKey;
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
  /**
   * Checks with one cheap request (the provider's model lookup, not a completion where it can) that
   * the address answers, the key is accepted and the model exists. Resolves when all three hold;
   * otherwise throws a `ConfigError` that says what to fix (the key's variable, the model names the
   * server lists, the base URL's variable or field). Optional: clients without it are not checked
   * (`preflight.ts`).
   */
  check?(signal?: AbortSignal): Promise<void>;
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
  /**
   * Wall-clock limit of one attempt in milliseconds, covering the whole response: connecting, the
   * headers and every byte of the body (a stream included). Default 120000.
   */
  timeoutMs?: number;
  /**
   * Most bytes one response body may have on the wire before the attempt fails (a guard against a
   * server that never stops sending; answers are cut to `answerByteLimit` separately). Default 32 MiB.
   */
  maxResponseBytes?: number;
  /** `fetch` to use (tests, proxies). Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Provider name to report (`openai-compatible` for local servers). */
  provider?: string;
  /** Where the key came from, named when the server refuses it (`check`), e.g. `OPENAI_API_KEY`. */
  keyVariable?: string;
  /** Where the base URL came from, named when nothing answers there (`check`), e.g. `OPENAI_BASE_URL`. */
  baseURLSource?: string;
  /** Wall-clock limit of `check`, in milliseconds. Default 5000. */
  checkTimeoutMs?: number;
}

/**
 * The `response` of a stored model call, as `callModel` writes it: the answer (`text`,
 * `finishReason`, `raw`) or, for a call that failed for good, `error`; either way the reasons of
 * failed attempts before it. The viewer, `clade show` and replay read this shape.
 */
export interface StoredModelResponse {
  text?: string;
  finishReason?: FinishReason;
  /** The provider's response; for an answer over the byte limit, only what identifies it (no text). */
  raw?: unknown;
  /** Set when the call failed after its retries: what went wrong. */
  error?: string;
  /**
   * With `error`: what kind of failure ended the call. `connection` and `timeout`: nothing answered
   * (a streak of them stops the campaign, see `ModelLedger.modelUnreachable`); `http`: the server
   * answered with an error status; `other`: anything else (an answer over the byte guard …).
   */
  errorClass?: 'connection' | 'timeout' | 'http' | 'other';
  /** One line per failed attempt before the last. */
  failedAttempts?: string[];
  /** Set when the answer was longer than `answerByteLimit`: `text` holds its start and a marker. */
  truncated?: { answerBytes: number; limitBytes: number };
  /** What identifies the call in the campaign (absent in archives recorded before it was kept). */
  call?: { purpose: string; sequence: number; requestHash: string };
  /** Calls made through the model proxy: why the agent ran, and its session. */
  proxy?: { purpose: string; session: string };
}

/**
 * A model call as the archive stores it: the one declaration of the record (the archive's
 * `ModelCallRecord` is this type; the ledger's store, replay and the model proxy use it).
 */
export interface StoredModelCall {
  id: number;
  nodeId: number | null;
  provider: string;
  model: string;
  /** The `ModelRequest`, verbatim (never with a key). */
  request: unknown;
  /** A `StoredModelResponse`. */
  response: unknown;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  latencyMs: number;
  /** Attempts made (1 when the first answered). */
  attempts: number;
  createdAt: string;
}

/** A model call about to be stored (see `ArchiveStore.recordModelCall`): the record without its id and time. */
export type ModelCallRecordInput = Omit<StoredModelCall, 'id' | 'createdAt'>;

/** Where finished calls go (the archive, through the campaign's ledger). */
export interface ModelCallRecorder {
  record(call: ModelCallRecordInput): void;
  /**
   * Numbers a call that is about to start: its place among `nodeId`'s calls of `purpose` (see
   * `ModelCallKey`). A recorder without it leaves calls unnumbered (replay then matches them by
   * request alone).
   */
  nextSequence?(nodeId: number, purpose: string): number;
}
