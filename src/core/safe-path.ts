/**
 * @module Checks that a path named by an agent, a patch or an archive stays inside the agent's tree.
 */
import { UnsafePathError } from './errors.js';

/**
 * Throws `UnsafePathError` unless `path` is a plain relative POSIX path inside a tree:
 * not empty, not absolute, no backslashes or NUL bytes, and no empty, `.`, `..` or `.git`
 * segments. Accepted paths are canonical, so two different accepted strings never name the same file
 * (on a case-sensitive file system).
 *
 * `.git` segments are refused (in any letter case, as git itself does) because git will not store
 * them and because a `.git/hooks/…` file written into a checkout could run code.
 */
export function assertSafeRelativePath(path: string): void {
  if (typeof path !== 'string' || path.length === 0) {
    throw new UnsafePathError(String(path), 'the path is empty');
  }
  if (path.includes('\u0000')) {
    throw new UnsafePathError(path.replaceAll('\u0000', '\\0'), 'it contains a NUL byte');
  }
  if (path.includes('\\')) {
    throw new UnsafePathError(path, 'it contains a backslash; use "/" as the separator');
  }
  if (path.startsWith('/')) {
    throw new UnsafePathError(path, 'it is absolute; use a path relative to the agent directory');
  }
  if (/^[A-Za-z]:/.test(path)) {
    throw new UnsafePathError(path, 'it starts with a drive letter; use a path relative to the agent directory');
  }
  for (const segment of path.split('/')) {
    if (segment === '') {
      throw new UnsafePathError(path, 'it has an empty segment (a doubled or trailing "/")');
    }
    if (segment === '.') {
      throw new UnsafePathError(path, 'it has a "." segment; write the path without it');
    }
    if (segment === '..') {
      throw new UnsafePathError(path, 'it has a ".." segment, which could leave the agent directory');
    }
    if (/^[. ]+$/.test(segment)) {
      // "...", ".. ": never an agent's file, and Windows reads ".. " as "..".
      throw new UnsafePathError(path, `it has a segment made only of dots and spaces ("${segment}")`);
    }
    if (segment.toLowerCase() === '.git') {
      throw new UnsafePathError(path, 'it has a ".git" segment, which git will not store');
    }
  }
}

/** Whether `path` passes `assertSafeRelativePath`. */
export function isSafeRelativePath(path: string): boolean {
  try {
    assertSafeRelativePath(path);
    return true;
  } catch (error) {
    if (error instanceof UnsafePathError) return false;
    throw error;
  }
}
