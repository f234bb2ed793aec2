/**
 * @module The parts of reading a campaign file that know no plug-in: YAML/JSON parsing, `${VAR}`
 * references resolved from the environment, command-line overrides, and validation against a
 * schema with issues that name the field, the value and what is allowed. `src/campaign-file.ts`
 * puts them together with the schema assembled from the plug-in registries.
 */
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue, describeError } from '../core/errors.js';
import type { CampaignConfig } from './schema.js';

/** Command-line flags that override fields of the file. */
export interface ConfigOverrides {
  iterations?: number;
  workers?: number;
  sandbox?: string;
  seed?: number;
  /** `--data-dir`: the CEC2022 data directory (`task.dataDir`; ignored by other suites). */
  dataDir?: string;
  selection?: string;
  mutator?: string;
  /** `provider:model`: the only model of the LLM mutator (a parametric campaign switches to `llm-diff`). */
  model?: string;
}

export interface LoadedCampaign {
  config: CampaignConfig;
  /** Absolute path of the campaign file. */
  file: string;
  /** Absolute path of the seed agent's directory. */
  agentDirectory: string;
}

/** Most alias expansions a campaign file may use (yaml counts each expansion of each alias). */
const MAX_ALIAS_COUNT = 100;

/** Parses YAML (JSON is YAML) into plain data, with the line of the first syntax error. */
export function parseCampaignText(text: string, file: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const where = first?.linePos?.[0] ? ` (line ${first.linePos[0].line}, column ${first.linePos[0].col})` : '';
    throw new ConfigError(
      `Campaign file ${file} is not valid YAML or JSON${where}: ${first?.message.split('\n')[0] ?? 'parse error'}`,
      [],
      file,
    );
  }
  let value: unknown;
  try {
    // yaml's default alias limit (100 expansions) stops a "billion laughs" document; it throws.
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new ConfigError(
      `Campaign file ${file} could not be read: ${describeError(error)}. A campaign file needs few YAML aliases (*name); write the values out instead.`,
      [],
      file,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(
      `Campaign file ${file} must hold a mapping (name:, agent:, task: …), not ${describeValue(value)}.`,
      [],
      file,
    );
  }
  return value;
}

/** Validates plain data against `schema` (defaults applied); a `ConfigError` lists every issue. */
export function validateWith<T>(schema: z.ZodType<T>, raw: unknown, file = 'campaign'): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => toConfigIssue(issue, raw));
  const lines = issues.map((issue) => `  - ${issue.path || '(top level)'}: ${issue.message}`);
  throw new ConfigError(`Invalid campaign file ${file}:\n${lines.join('\n')}`, issues, file);
}

function toConfigIssue(issue: z.core.$ZodIssue, raw: unknown): ConfigIssue {
  const fieldPath = issue.path.map(String).join('.');
  const value = valueAt(raw, issue.path);
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((key) => `"${key}"`).join(', ');
    return {
      path: fieldPath,
      message: `unknown field ${names}; check the spelling against docs/CONFIGURATION.md (every field, its type and default)`,
      value: issue.keys,
    };
  }
  if (value === undefined && issue.code === 'invalid_type') {
    return { path: fieldPath, message: `is required (${issue.message.replace(/, received undefined$/, '')})` };
  }
  return { path: fieldPath, message: `${issue.message}; found ${describeValue(value)}`, value };
}

function valueAt(raw: unknown, fieldPath: readonly PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const key of fieldPath) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Replaces `${VAR}` in every string with the environment's value; a missing variable is an error. */
export function resolveEnvironment(
  value: unknown,
  environment: NodeJS.ProcessEnv,
  file: string,
  fieldPath: string,
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
      const found = environment[name];
      if (found === undefined) {
        throw new ConfigError(
          `Invalid campaign file ${file}:\n  - ${fieldPath}: refers to \${${name}}, but the environment variable ${name} is not set. Set it, or write the value in the file.`,
          [{ path: fieldPath, message: `environment variable ${name} is not set`, value }],
          file,
        );
      }
      return found;
    });
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => resolveEnvironment(item, environment, file, `${fieldPath}.${index}`));
  }
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      result[key] = resolveEnvironment(item, environment, file, fieldPath ? `${fieldPath}.${key}` : key);
    }
    return result;
  }
  return value;
}

function ensureObject(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const existing = parent[key];
  if (existing !== null && typeof existing === 'object' && !Array.isArray(existing)) {
    return existing as Record<string, unknown>;
  }
  const created: Record<string, unknown> = {};
  parent[key] = created;
  return created;
}

/**
 * Flags win over the file; they are validated with it, so a bad flag is reported like a bad field.
 * `operatorFields(name)` lists the fields of a mutation operator (undefined for an unknown one):
 * switching operators keeps the fields both know and drops the rest.
 */
export function applyOverrides(
  raw: unknown,
  overrides: ConfigOverrides,
  operatorFields: (operator: string) => readonly string[] | undefined,
): void {
  const root = raw as Record<string, unknown>;
  if (overrides.seed !== undefined) root.seed = overrides.seed;
  if (overrides.dataDir !== undefined) {
    // Only CEC2022 tasks read data; the flag is relative to the working directory.
    const task = root.task as Record<string, unknown> | undefined;
    if (task !== undefined && task !== null && task.suite === 'cec2022') task.dataDir = path.resolve(overrides.dataDir);
  }
  if (overrides.workers !== undefined) root.workers = overrides.workers;
  if (overrides.iterations !== undefined) ensureObject(root, 'budget').iterations = overrides.iterations;
  if (overrides.sandbox !== undefined) ensureObject(root, 'sandbox').kind = overrides.sandbox;
  if (overrides.selection !== undefined) ensureObject(root, 'selection').strategy = overrides.selection;
  if (overrides.mutator !== undefined) switchOperator(root, overrides.mutator, operatorFields);
  if (overrides.model !== undefined) {
    const operator = (root.mutation as Record<string, unknown> | undefined)?.operator;
    if (operator === undefined || !operatorFields(String(operator))?.includes('models'))
      switchOperator(root, 'llm-diff', operatorFields);
    ensureObject(root, 'mutation').models = [overrides.model];
  }
}

/** Sets `mutation.operator`, keeping the fields the new operator knows and dropping the others. */
function switchOperator(
  root: Record<string, unknown>,
  operator: string,
  operatorFields: (operator: string) => readonly string[] | undefined,
): void {
  const mutation = ensureObject(root, 'mutation');
  const known = operatorFields(operator);
  const kept: Record<string, unknown> = { operator };
  if (known !== undefined) {
    for (const [field, value] of Object.entries(mutation))
      if (known.includes(field) && field !== 'operator') kept[field] = value;
  }
  root.mutation = known === undefined ? { ...mutation, operator } : kept;
}
