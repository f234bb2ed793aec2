/**
 * @module The task kinds a campaign file may name (`task.kind`). A kind is one descriptor — its
 * section schema, an optional `prepare` that resolves paths against the campaign file, and
 * `create` — listed here. Library users add theirs with `taskKinds.register(kind)`.
 */
import { PluginRegistry } from '../core/plugin.js';
import { codingTaskKind } from './coding-kind.js';
import { numericTaskKind } from './numeric-kind.js';
import { programTaskKind } from './program-task.js';
import type { TaskKind } from './task-kind.js';

export type { TaskKind, TaskPrepareContext, TaskRuntime } from './task-kind.js';
export { defineTaskKind, resolveDirectoryField } from './task-kind.js';

/** Every task kind, built-in first. */
export const taskKinds = new PluginRegistry<TaskKind>('task kind', 'task.kind', [
  numericTaskKind,
  codingTaskKind,
  programTaskKind,
]);
