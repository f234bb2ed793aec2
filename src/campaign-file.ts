/**
 * @module Campaign files: the schema assembled from the plug-in registries (task kinds, mutation
 * operators, selection strategies), validation with errors that name the field, the value and what
 * is allowed, and loading a file (YAML or JSON, `${VAR}` from the environment, flags over fields,
 * each task kind's paths resolved against the file). A kind registered from TypeScript is in the
 * schema from then on.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  applyOverrides,
  type ConfigOverrides,
  type LoadedCampaign,
  parseCampaignText,
  resolveEnvironment,
  validateWith,
} from './config/load.js';
import { buildCampaignSchema, type CampaignConfig, type MutationSection, type TaskSection } from './config/schema.js';
import { ConfigError } from './core/errors.js';
import type { PluginRegistry } from './core/plugin.js';
import { mutatorKinds } from './mutation/registry.js';
import { sandboxKinds, selectableSandboxKinds } from './sandbox/registry.js';
import { selectionSectionSchema, selectorKinds } from './selection/registry.js';
import { taskKinds } from './tasks/registry.js';

export type { ConfigOverrides, LoadedCampaign } from './config/load.js';

let cached: { versions: string; schema: z.ZodType<CampaignConfig> } | null = null;

/** The discriminated union of a registry's kinds' schemas on `field` (one kind: its schema). */
function unionOf<T>(registry: PluginRegistry<{ kind: string; summary: string; schema: z.ZodType<T> }>, field: string) {
  const schemas = registry.list().map((kind) => kind.schema);
  if (schemas.length === 1) return schemas[0] as z.ZodType<T>;
  // Every kind's schema is a strict object with `field` as a literal (checked by the contract suites).
  return z.discriminatedUnion(field, schemas as never) as unknown as z.ZodType<T>;
}

/**
 * The campaign-file schema with every registered kind. Rebuilt when a registry changed since the
 * last call (a library registered a kind).
 */
export function campaignSchema(): z.ZodType<CampaignConfig> {
  const versions = [taskKinds, mutatorKinds, selectorKinds, sandboxKinds].map((registry) => registry.version).join('/');
  if (cached?.versions === versions) return cached.schema;
  const schema = buildCampaignSchema({
    task: unionOf<TaskSection>(taskKinds, 'kind'),
    mutation: unionOf<MutationSection>(mutatorKinds, 'operator'),
    defaultOperator: mutatorKinds.names()[0] ?? 'parametric',
    selection: selectionSectionSchema(),
    sandboxKinds: selectableSandboxKinds() as [string, ...string[]],
  }) as unknown as z.ZodType<CampaignConfig>;
  cached = { versions, schema };
  return schema;
}

/** Validates plain data against the campaign schema (defaults applied). @throws ConfigError */
export function validateCampaign(raw: unknown, file = 'campaign'): CampaignConfig {
  return validateWith(campaignSchema(), raw, file);
}

/** The fields a mutation operator's section has, for flags that switch operators. */
function operatorFields(operator: string): readonly string[] | undefined {
  if (!mutatorKinds.has(operator)) return undefined;
  const schema = mutatorKinds.get(operator).schema as unknown as { shape?: Record<string, unknown> };
  return schema.shape ? Object.keys(schema.shape) : undefined;
}

/**
 * Reads, resolves and validates a campaign file; the task kind's `prepare` resolves its paths
 * against the file (stored absolute, so `clade resume` needs no file). Throws `ConfigError`;
 * creates nothing.
 */
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
  applyOverrides(resolved, overrides, operatorFields);
  const validated = validateCampaign(resolved, file);
  const configDirectory = path.dirname(absolute);
  const agentDirectory = path.resolve(configDirectory, validated.agent);
  const kind = taskKinds.get(validated.task.kind);
  const config: CampaignConfig = kind.prepare
    ? { ...validated, task: kind.prepare(validated.task, { configDirectory, agentDirectory }) }
    : validated;
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
