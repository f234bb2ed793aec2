/**
 * @module The model proxy's contract: a host-side HTTP server on a Unix socket through which agents
 * running inside a sandbox call foundation models. The socket is the capability: one session (one
 * socket) per sandbox run, bound to the node its calls are charged to and to that run's budget. The
 * proxy adds the real key (which never enters the sandbox), enforces the budget, records every call
 * in the archive against the node, and refuses everything else.
 *
 * Wire format (HTTP/1.1 over the socket), the subset of OpenAI's chat completions an agent needs:
 * - `POST /v1/chat/completions` with `{ messages: [{ role: 'system' | 'user' | 'assistant', content: string }],
 *   temperature?, max_tokens? }` (`model` is ignored: the campaign chooses the model). The answer is an
 *   OpenAI `chat.completion` object (`choices[0].message.content`, `finish_reason`, `usage`). Tools are
 *   not passed through: agents use a text protocol for their tools, so every provider works alike.
 * - Over budget: status 429 with `{ error: { type: 'budget_exceeded', message } }`.
 * - Anything else (other paths, methods, `stream: true`, `tools`, a body over 1 MiB, bad JSON): a 4xx
 *   with `{ error: { type, message } }`, never forwarded.
 */

/** What one session may spend; a limit left out is unlimited. */
export interface ProxyBudget {
  /** Prompt plus answer tokens over all calls of the session. */
  tokens?: number;
  /** US dollars over all calls (at the campaign's prices). */
  usd?: number;
  /** Number of model calls. */
  calls?: number;
}

/** What a session has spent so far. */
export interface ProxyUsage {
  calls: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  /** Requests refused (over budget, malformed, not allowed). */
  refused: number;
}

/** Options of `ModelProxy.openSession`. */
export interface ProxySessionOptions {
  /** Node the calls are recorded against (the child being made or evaluated). */
  nodeId: number;
  /** Why the agent runs, stored with each call: e.g. `evaluation`, `self-modify`. */
  purpose: string;
  budget: ProxyBudget;
  /** Aborting refuses further calls and cancels calls in flight. */
  signal?: AbortSignal;
}

/** One sandbox run's access to models. */
export interface ProxySession {
  /** Host path of the Unix socket; pass it as `SandboxRequest.modelSocket`. */
  readonly socketPath: string;
  usage(): ProxyUsage;
  /** Stops accepting calls and removes the socket. Safe to call twice. */
  close(): Promise<void>;
}

/** The host-side proxy of a campaign (one per campaign, many sessions). */
export interface ModelProxy {
  openSession(options: ProxySessionOptions): Promise<ProxySession>;
  /** Closes every session. Safe to call twice. */
  close(): Promise<void>;
}

/** Where the socket appears inside a Docker sandbox; drivers also set `CLADE_MODEL_SOCKET` to the path the program sees. */
export const SANDBOX_MODEL_SOCKET = '/run/clade/model.sock';

/** Environment variable through which a sandboxed program learns the socket's path. */
export const MODEL_SOCKET_ENV = 'CLADE_MODEL_SOCKET';
