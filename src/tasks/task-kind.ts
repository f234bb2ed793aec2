/**
 * @module The shape of a task kind (`TaskKind`): what one file declares to add a kind of task.
 * The kinds are listed in `registry.ts`.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { PluginKind } from '../core/plugin.js';
import type { Task } from './types.js';

/** What a task kind's `prepare` may use: where the campaign file lives. */
export interface TaskPrepareContext {
  /** Absolute directory of the campaign file; relative paths in the section are resolved here. */
  configDirectory: string;
  /**
   * Absolute directory of the seed agent (`agent`): what models see and mutations change. Files a
   * task keeps from them (an evaluator) must not be inside it.
   */
  agentDirectory: string;
}

/** What a task kind's `create` gets besides its section. */
export interface TaskRuntime {
  /** The campaign's seed (jobs' seeds derive from it). */
  seed: number;
}

/**
 * One kind of task. `schema` is its section of the campaign file (strict, with `kind` as a literal);
 * `prepare` runs when the file is loaded (resolve relative paths, check that files exist; throw a
 * `ConfigError` naming the field) and its result is what the archive stores, so `clade resume`
 * needs no campaign file; `create` builds the task (it may read files; it must not start processes).
 */
export interface TaskKind<Config extends { kind: string } = { kind: string }> extends PluginKind {
  readonly schema: z.ZodType<Config>;
  prepare?(config: Config, context: TaskPrepareContext): Config;
  create(config: Config, runtime: TaskRuntime): Task;
}

/**
 * Defines a task kind with its config type inferred from the schema (the registry stores kinds
 * without it).
 */
export function defineTaskKind<Config extends { kind: string }>(kind: TaskKind<Config>): TaskKind {
  return kind as unknown as TaskKind;
}

/**
 * A path field resolved against the campaign file's directory, checked to be a directory.
 * @throws ConfigError naming the field, the value and where it was looked for.
 */
export function resolveDirectoryField(field: string, value: string, configDirectory: string): string {
  const resolved = path.resolve(configDirectory, value);
  let isDirectory = false;
  try {
    isDirectory = statSync(resolved).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory) {
    const message = `"${value}" is not a directory (resolved to ${resolved}); give a path relative to the campaign file`;
    throw new ConfigError(`${field}: ${message}.`, [{ path: field, message, value }]);
  }
  return resolved;
}
