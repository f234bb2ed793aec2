/**
 * @module Preflight: before a campaign makes its first child, one cheap request per configured model
 * (the provider's model lookup) checks the address, the key and the model name, all models at once
 * under a short deadline. A failure is a `ConfigError` (exit 2) that says what to fix, so a dead
 * server or a wrong key costs seconds instead of a campaign of `invalid` children.
 */
import { ConfigError } from '../core/errors.js';
import { classifyModelError } from './errors.js';
import type { ModelClient } from './types.js';

/** Default wall-clock limit of one model's check, in milliseconds. */
export const DEFAULT_CHECK_TIMEOUT_MS = 5000;

/** What a check failure names: the model, where it was asked, and where the key and address came from. */
export interface CheckTarget {
  provider: string;
  model: string;
  /** The base URL the request went to. */
  baseURL: string;
  /** The key's environment variable (`OPENAI_API_KEY`), when the provider has one. */
  keyVariable?: string;
  /** The base URL's environment variable or campaign-file field, when one set it. */
  baseURLSource?: string;
}

/** Most model names quoted from a server's list. */
const LISTED_NAMES = 20;

/**
 * The `ConfigError` for a failed check: a refused key (401, 403), a model the server does not have
 * (404; `available` are the names it lists), nothing answering (no status: refused connection,
 * unknown host, timeout), or another answer.
 */
export function modelCheckError(error: unknown, target: CheckTarget, available?: readonly string[]): ConfigError {
  const verdict = classifyModelError(error);
  const name = `${target.provider}:${target.model}`;
  const address = target.baseURL.replace(/\/+$/, '');
  const addressHint = target.baseURLSource
    ? /^[A-Z][A-Z0-9_]*$/.test(target.baseURLSource)
      ? `check ${target.baseURLSource}`
      : `check ${target.baseURLSource} in the campaign file`
    : 'check the base URL';
  let message: string;
  let path: string;
  if (verdict.status === 401 || verdict.status === 403) {
    const key = target.keyVariable ?? 'the API key';
    message =
      `${key} was refused by ${address} (${verdict.reason}). Set ${key} to a key that server accepts` +
      ` (keys are read from the environment only).`;
    path = target.keyVariable ?? name;
  } else if (verdict.status === 404 || available !== undefined) {
    const listed =
      available === undefined
        ? ''
        : available.length === 0
          ? '; it lists no models'
          : `; it lists: ${[...available].sort().slice(0, LISTED_NAMES).join(', ')}${available.length > LISTED_NAMES ? `, … (${available.length} in all)` : ''}`;
    message = `${address} has no model ${target.model}${listed}. Name one it serves in the campaign file (or --model ${target.provider}:<name>).`;
    path = name;
  } else if (verdict.status === undefined) {
    message = `nothing answers at ${address} for ${name} (${verdict.reason}): ${addressHint}, and that the server is running.`;
    path = target.baseURLSource ?? name;
  } else {
    message = `${address} answered the check of ${name} with ${verdict.reason}. Check the server, the key and the model name.`;
    path = name;
  }
  return new ConfigError(`Model check failed: ${message} (\`--no-preflight\` skips this check.)`, [
    { path, message: verdict.reason, value: name },
  ]);
}

/** One model to check, and the campaign-file field that named it. */
export interface PreflightEntry {
  client: ModelClient;
  /** e.g. `mutation.models.0`, `agentModel.model`. */
  field: string;
}

/** Options of `preflightModels`. */
export interface PreflightOptions {
  /** Aborts every check. */
  signal?: AbortSignal;
}

/**
 * Checks every client that has a `check`, all at once (clients without one, such as injected or
 * replayed ones, are skipped; a client named twice is checked once).
 *
 * @throws ConfigError listing every model that failed, each with what to fix.
 */
export async function preflightModels(
  entries: readonly PreflightEntry[],
  options: PreflightOptions = {},
): Promise<void> {
  const unique = new Map<ModelClient, PreflightEntry>();
  for (const entry of entries) if (entry.client.check && !unique.has(entry.client)) unique.set(entry.client, entry);
  const outcomes = await Promise.allSettled(
    [...unique.values()].map(async (entry) =>
      (entry.client.check as (signal?: AbortSignal) => Promise<void>)(options.signal),
    ),
  );
  const failures = outcomes.flatMap((outcome, index) =>
    outcome.status === 'rejected'
      ? [{ entry: [...unique.values()][index] as PreflightEntry, error: outcome.reason as unknown }]
      : [],
  );
  if (failures.length === 0) return;
  if (failures.length === 1) {
    const { error } = failures[0] as { error: unknown };
    throw error instanceof ConfigError ? error : new ConfigError(`Model check failed: ${String(error)}`);
  }
  throw new ConfigError(
    failures
      .map(({ entry, error }) => `${entry.field}: ${error instanceof Error ? error.message : String(error)}`)
      .join('\n'),
    failures.flatMap(({ error }) => (error instanceof ConfigError ? error.issues : [])),
  );
}

/** What `preflightCampaign` reads of a prepared campaign: the mutator's models and the agents' model. */
export interface PreflightCampaign {
  /** The prepared mutator: an LLM mutator's holds its `ensemble`. */
  mutator: unknown;
  agentModel: { client: ModelClient; source: string } | null;
}

/** Options of `preflightCampaign`. */
export interface PreflightCampaignOptions {
  /** false skips the checks (`--no-preflight`). Default true. */
  preflight?: boolean;
  /** Recorded-call replay answers every model: nothing to check. */
  replay?: unknown;
  /** Clients passed in by `provider:model`: not checked (the caller vouches for them). */
  models?: Readonly<Record<string, unknown>>;
  signal?: AbortSignal;
}

/**
 * Checks the models a campaign will call before its first child: the mutator's ensemble and the
 * agents' model. Skipped with `preflight: false`, under recorded-call replay, and for injected clients.
 *
 * @throws ConfigError (exit 2) naming what to fix.
 */
export async function preflightCampaign(
  prepared: PreflightCampaign,
  options: PreflightCampaignOptions = {},
): Promise<void> {
  if (options.preflight === false || options.replay !== undefined) return;
  const injected = new Set(Object.keys(options.models ?? {}));
  const members =
    (prepared.mutator as { ensemble?: { members?: ReadonlyArray<{ client: ModelClient }> } } | null)?.ensemble
      ?.members ?? [];
  const entries: PreflightEntry[] = members.map((member, index) => ({
    client: member.client,
    field: `mutation.models.${index}`,
  }));
  if (prepared.agentModel) entries.push({ client: prepared.agentModel.client, field: prepared.agentModel.source });
  await preflightModels(
    entries.filter((entry) => !injected.has(`${entry.client.provider}:${entry.client.model}`)),
    options.signal ? { signal: options.signal } : {},
  );
}
