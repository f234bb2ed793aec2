/**
 * @module Errors with a stable `code`. Only infrastructure faults throw; a child's failure is a
 * stored result with a status (see `NodeStatus`).
 */

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'ARCHIVE_FAILED'
  | 'ARCHIVE_NOT_FOUND'
  | 'ARCHIVE_CORRUPT'
  | 'LINEAGE_FAILED'
  | 'UNSAFE_PATH'
  | 'SANDBOX_FAILED'
  | 'SANDBOX_TIMEOUT'
  | 'SANDBOX_UNAVAILABLE'
  | 'AGENT_INVALID'
  | 'PATCH_APPLY_FAILED'
  | 'MODEL_CALL_FAILED'
  | 'MODEL_PROXY_FAILED'
  | 'TASK_INVALID'
  | 'NODE_NOT_FOUND'
  | 'CAMPAIGN_BUSY'
  | 'VIEWER_FAILED'
  | 'QUEUE_FAILED'
  | 'DATA_NOT_FOUND'
  | 'DATA_INVALID'
  | 'DATA_FETCH_FAILED'
  | 'USAGE';

export interface CladeErrorOptions {
  cause?: unknown;
  /** Whether repeating the same operation may succeed (network hiccups, busy resources). */
  isRetryable?: boolean;
}

/** Base class of every error clade throws on purpose. The message says what, to what, and what to do. */
export class CladeError extends Error {
  readonly code: ErrorCode;
  readonly isRetryable: boolean;

  constructor(code: ErrorCode, message: string, options: CladeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.isRetryable = options.isRetryable ?? false;
  }
}

/** One problem found in a campaign file. */
export interface ConfigIssue {
  /** Dotted path of the field, e.g. `selection.lambda`. */
  path: string;
  /** What is wrong and what is allowed. */
  message: string;
  /** The value found there, if any. */
  value?: unknown;
}

/** A campaign file (or flag) is invalid. The CLI exits with code 2. */
export class ConfigError extends CladeError {
  readonly issues: readonly ConfigIssue[];
  readonly file: string | undefined;

  constructor(message: string, issues: readonly ConfigIssue[] = [], file?: string, options: CladeErrorOptions = {}) {
    super('CONFIG_INVALID', message, options);
    this.issues = issues;
    this.file = file;
  }
}

/** A path in an agent tree, patch or archive points outside the tree. */
export class UnsafePathError extends CladeError {
  constructor(path: string, reason: string) {
    super('UNSAFE_PATH', `Refused path "${path}": ${reason}. Agent files must stay inside the agent's directory.`);
  }
}

/** The sandbox itself failed (not the code in it). */
export class SandboxError extends CladeError {}

/** The archive (SQLite) or lineage store (git) failed. */
export class ArchiveError extends CladeError {}

/** Turns anything thrown into a one-line message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
