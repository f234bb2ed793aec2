/**
 * @module The shape of a model provider (`ModelProviderKind`): what one file declares to add a
 * provider that campaign files name as `provider:model`. The providers are listed in `registry.ts`.
 */
import { ConfigError } from '../core/errors.js';
import type { PluginKind } from '../core/plugin.js';
import type { ModelClient } from './types.js';

/** What a provider's `create` gets: the entry, where keys are read, and the field for messages. */
export interface ModelProviderContext {
  /** The model name after `provider:`. */
  model: string;
  /** The entry's base URL, if it gives one. */
  baseURL?: string;
  /** Where keys and base URLs are read (keys come from the environment only). */
  environment: NodeJS.ProcessEnv;
  /** `fetch` for HTTP providers (tests pass a local one). */
  fetch?: typeof fetch;
  /** Wall-clock limit of one attempt, in milliseconds. */
  timeoutMs?: number;
  /** The campaign-file field the model came from, for messages (e.g. `mutation.models.0`). */
  field: string;
  /** `provider:model` as written. */
  name: string;
}

/** A provider's client, and the keys it uses (scrubbed from anything stored or sent to a sandbox). */
export interface ProvidedModel {
  client: ModelClient;
  secrets: readonly string[];
}

/**
 * One model provider. `create` reads its key and base URL from the environment and builds the
 * client; a missing key is a `ConfigError` naming the variable (`requireVariable`).
 */
export interface ModelProviderKind extends PluginKind {
  /** The environment variables it reads, for `clade doctor` and docs (e.g. `OPENAI_API_KEY`). */
  readonly variables: readonly string[];
  create(context: ModelProviderContext): ProvidedModel;
}

/** A variable's value when it is set to something other than blanks. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

/** The value of the environment variable `name`. @throws ConfigError naming the variable and the field. */
export function requireVariable(context: ModelProviderContext, name: string): string {
  const value = nonEmpty(context.environment[name]);
  if (value === undefined) {
    throw new ConfigError(
      `${context.field}: ${context.name} needs an API key: set the environment variable ${name}. ` +
        'Keys are read from the environment only, never from the campaign file.',
      [{ path: context.field, message: `environment variable ${name} is not set`, value: context.name }],
    );
  }
  return value;
}
