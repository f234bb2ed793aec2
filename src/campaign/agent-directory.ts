/**
 * @module Reads a seed agent's directory into an `AgentFiles` map. Symlinks and paths outside the
 * tree are refused; `node_modules`, `__pycache__` (Python's compiled files, written beside a program
 * whenever it is imported), `.git` and other dot-entries are skipped.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CladeError, UnsafePathError } from '../core/errors.js';
import type { AgentFiles } from '../core/types.js';

const MAX_FILES = 500;
/** Directories of generated files, never part of an agent's source. */
const SKIPPED_DIRECTORIES = new Set(['node_modules', '__pycache__']);
const MAX_TOTAL_BYTES = 5 * 1024 * 1024;

export function readAgentDirectory(directory: string): AgentFiles {
  const files: AgentFiles = {};
  let total = 0;
  let count = 0;
  const visit = (relative: string): void => {
    const absolute = path.join(directory, relative);
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || SKIPPED_DIRECTORIES.has(entry.name)) continue;
      const childRelative = relative ? `${relative}/${entry.name}` : entry.name;
      const stats = lstatSync(path.join(directory, childRelative));
      if (stats.isSymbolicLink())
        throw new UnsafePathError(childRelative, 'symbolic links are not allowed in an agent tree');
      if (stats.isDirectory()) {
        visit(childRelative);
        continue;
      }
      if (!stats.isFile()) continue;
      count++;
      total += stats.size;
      if (count > MAX_FILES || total > MAX_TOTAL_BYTES) {
        throw new CladeError(
          'AGENT_INVALID',
          `Agent directory ${directory} is too large (more than ${MAX_FILES} files or ${MAX_TOTAL_BYTES / 1024 / 1024} MiB). Keep only the agent's source in it.`,
        );
      }
      const content = readFileSync(path.join(directory, childRelative));
      if (content.includes(0)) {
        throw new CladeError(
          'AGENT_INVALID',
          `Agent file ${childRelative} in ${directory} is binary; agent trees hold text files only.`,
        );
      }
      files[childRelative] = content.toString('utf8');
    }
  };
  visit('');
  if (count === 0) throw new CladeError('AGENT_INVALID', `Agent directory ${directory} holds no files.`);
  return files;
}
