/**
 * @module Reads a campaign file (YAML or JSON), resolves `${VAR}` references from the
 * environment, applies command-line overrides, and validates it with the one schema.
 * A bad file raises a `ConfigError` naming the field, the value and what is allowed.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../core/errors.js';
import { type CampaignConfig, campaignSchema } from './schema.js';

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

/** Reads, resolves and validates a campaign file. Throws `ConfigError`; creates nothing. */
export function loadCampaignFile(
  file: string,
  overrides: ConfigOverrides = {},
  environment: NodeJS.ProcessEnv = process.env,
): LoadedCampaign {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new ConfigError(
      `Campaign file ${file} ${reason}. Pass the path of a YAML or JSON campaign file, e.g. benchmarks/demo.yaml.`,
      [],
      file,
      { cause: error },
    );
  }
  const raw = parseCampaignText(text, file);
  const resolved = resolveEnvironment(raw, environment, file, '');
  applyOverrides(resolved, overrides);
  const config = validateCampaign(resolved, file);
  // task.dataDir is relative to the campaign file; stored absolute, so `clade resume` finds it.
  if (config.task.kind === 'numeric' && config.task.dataDir !== undefined) {
    config.task.dataDir = path.resolve(path.dirname(absolute), config.task.dataDir);
  }
  // The same for a coding task's exercises folder.
  if (config.task.kind === 'coding' && config.task.exercisesDir !== undefined) {
    config.task.exercisesDir = path.resolve(path.dirname(absolute), config.task.exercisesDir);
  }
  const agentDirectory = path.resolve(path.dirname(absolute), config.agent);
  let isDirectory = false;
  try {
    isDirectory = statSync(agentDirectory).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory) {
    throw new ConfigError(
      `Invalid campaign file ${file}:\n  - agent: "${config.agent}" is not a directory (resolved to ${agentDirectory}). ` +
        'Give the seed agent\'s directory relative to the campaign file, e.g. "../agents/de-optimizer".',
      [{ path: 'agent', message: 'not a directory', value: config.agent }],
      file,
    );
  }
  return { config, file: absolute, agentDirectory };
}

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
  const value: unknown = document.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(
      `Campaign file ${file} must hold a mapping (name:, agent:, task: …), not ${describeValue(value)}.`,
      [],
      file,
    );
  }
  return value;
}

/** Validates plain data against the campaign schema (defaults applied). */
export function validateCampaign(raw: unknown, file = 'campaign'): CampaignConfig {
  const parsed = campaignSchema.safeParse(raw);
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
      message: `unknown field ${names}; check the spelling against the README's configuration table`,
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
function resolveEnvironment(value: unknown, environment: NodeJS.ProcessEnv, file: string, fieldPath: string): unknown {
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

/** Flags win over the file; they are validated with it, so a bad flag is reported like a bad field. */
function applyOverrides(raw: unknown, overrides: ConfigOverrides): void {
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
  if (overrides.mutator !== undefined) switchOperator(root, overrides.mutator);
  if (overrides.model !== undefined) {
    const operator = (root.mutation as Record<string, unknown> | undefined)?.operator;
    if (operator === undefined || operator === 'parametric') switchOperator(root, 'llm-diff');
    ensureObject(root, 'mutation').models = [overrides.model];
  }
}

/** Sets `mutation.operator`; fields of the other family (parametric vs LLM) are dropped, not reported. */
function switchOperator(root: Record<string, unknown>, operator: string): void {
  const mutation = ensureObject(root, 'mutation');
  const family = (name: unknown): string =>
    typeof name === 'string' && name.startsWith('llm-') ? 'llm' : String(name);
  if (mutation.operator !== undefined && family(mutation.operator) !== family(operator)) {
    root.mutation = { operator };
    return;
  }
  mutation.operator = operator;
}
