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

/** An example of a well-formed base URL, shown when one is refused. */
export const BASE_URL_EXAMPLE = 'http://127.0.0.1:11434/v1';

/**
 * `value` when it is an absolute http(s) URL with a host, e.g. `http://127.0.0.1:11434/v1`.
 *
 * @param source where it came from, named in the error: an environment variable (`OPENAI_BASE_URL`)
 * or a campaign-file field (`mutation.models.0.baseURL`).
 * @throws ConfigError naming `source`, the value and an example.
 */
export function requireBaseURL(
  value: string,
  source: string,
  context: Pick<ModelProviderContext, 'field' | 'name'>,
): string {
  let problem: string | null = null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      problem = `its scheme is ${url.protocol.replace(/:$/, '')}, not http or https`;
    else if (url.hostname === '') problem = 'it names no host';
  } catch {
    problem = 'it is not an absolute URL';
  }
  if (problem === null) return value;
  const where = /^[A-Z][A-Z0-9_]*$/.test(source) ? `the environment variable ${source}` : source;
  throw new ConfigError(
    `${where} is "${value}", which is not a base URL (${problem}); ${context.name} (${context.field}) cannot be reached there. ` +
      `Write the server's address with its scheme and path, e.g. ${BASE_URL_EXAMPLE} (Ollama) or https://api.openai.com/v1.`,
    [{ path: source, message: `not a base URL: ${problem}`, value }],
  );
}

/**
 * The field a model entry's `baseURL` is written in: `mutation.models.0` → `mutation.models.0.baseURL`,
 * `agentModel.model` → `agentModel.baseURL`.
 */
export function baseURLField(field: string): string {
  return field.endsWith('.model') ? `${field.slice(0, -'.model'.length)}.baseURL` : `${field}.baseURL`;
}

/**
 * The base URL of a provider's model: the entry's (checked, named by its field), else the
 * environment variable `variable`'s (checked, named by the variable), else undefined.
 */
export function resolveBaseURL(
  context: ModelProviderContext,
  variable: string,
): { baseURL: string; source: string } | undefined {
  if (context.baseURL !== undefined) {
    const source = baseURLField(context.field);
    return { baseURL: requireBaseURL(context.baseURL.trim(), source, context), source };
  }
  const fromEnvironment = nonEmpty(context.environment[variable]);
  if (fromEnvironment === undefined) return undefined;
  return { baseURL: requireBaseURL(fromEnvironment, variable, context), source: variable };
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
