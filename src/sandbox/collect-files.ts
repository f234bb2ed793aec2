/**
 * @module Files a sandbox run hands back besides its result file (`SandboxRequest.collect`): a
 * build step's products, a produce phase's outputs. Every driver that shares the host's file
 * system with its work directory (process, Docker) reads them here after the run, before the work
 * directory is removed. Links are never followed; the total is capped.
 */
import { chmod, lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SandboxError } from '../core/errors.js';
import { assertSafeRelativePath } from '../core/safe-path.js';

/** What a request asks to get back (see `SandboxRequest.collect`). */
export interface CollectRequest {
  /** Relative POSIX paths of files or directories (read recursively) in the work directory. */
  paths: readonly string[];
  /** Cap on the bytes of all collected files together. */
  maxBytes: number;
}

/** What came back (see `SandboxResult.collected`). */
export interface CollectedFiles {
  /** Relative POSIX path (in the work directory) → contents. A path that does not exist is left out. */
  files: Record<string, Uint8Array>;
  /** Those of `files` that had an execute bit (a compiled program). */
  executables: string[];
  /** Why collection stopped early (over the byte cap, a link, too many files); null when complete. */
  error: string | null;
}

/** Largest number of files collected from one run. */
const MAX_COLLECTED_FILES = 10_000;

/** Checks the request's paths (the same rule as request files). @throws UnsafePathError */
export function validateCollectRequest(collect: CollectRequest): void {
  for (const path of collect.paths) assertSafeRelativePath(path);
}

/** Reads the requested files and directories from `workDir`. Never throws for what the program left. */
export async function collectFiles(workDir: string, collect: CollectRequest): Promise<CollectedFiles> {
  const files: Record<string, Uint8Array> = {};
  const executables: string[] = [];
  let bytes = 0;
  let count = 0;
  const visit = async (relative: string): Promise<string | null> => {
    const absolute = join(workDir, relative);
    let stats: Awaited<ReturnType<typeof lstat>>;
    try {
      stats = await lstat(absolute);
    } catch {
      return null; // Not written: the caller decides whether that is a failure.
    }
    if (stats.isSymbolicLink()) return `"${relative}" is a symbolic link; collected files must be plain files`;
    if (stats.isDirectory()) {
      let entries: string[];
      try {
        entries = await readdir(absolute);
      } catch (error) {
        return `the directory "${relative}" cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
      }
      entries.sort();
      for (const entry of entries) {
        const problem = await visit(`${relative}/${entry}`);
        if (problem !== null) return problem;
      }
      return null;
    }
    if (!stats.isFile()) return `"${relative}" is not a plain file`;
    count += 1;
    if (count > MAX_COLLECTED_FILES) return `more than ${MAX_COLLECTED_FILES} files to collect`;
    bytes += stats.size;
    if (bytes > collect.maxBytes) {
      return `the collected files pass the cap of ${collect.maxBytes} bytes (at "${relative}")`;
    }
    try {
      files[relative] = new Uint8Array(await readFile(absolute));
    } catch (error) {
      return `"${relative}" cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    }
    if ((stats.mode & 0o111) !== 0) executables.push(relative);
    return null;
  };
  for (const path of collect.paths) {
    const problem = await visit(path.replace(/\/+$/, ''));
    if (problem !== null) return { files, executables, error: problem };
  }
  return { files, executables, error: null };
}

/**
 * Checks `SandboxRequest.executableFiles` (each a safe path among the request's files).
 * @throws SandboxError (`SANDBOX_FAILED`) or UnsafePathError: requests are built by clade.
 */
export function validateExecutableFiles(
  files: Readonly<Record<string, unknown>>,
  executables: readonly string[],
): void {
  for (const path of executables) {
    assertSafeRelativePath(path);
    if (!Object.hasOwn(files, path)) {
      throw new SandboxError('SANDBOX_FAILED', `The executable file "${path}" is not among the request's files.`);
    }
  }
}

/** Gives the request's executable files mode 0755 in a driver whose program runs as the host user (process). */
export async function markExecutables(workDir: string, executables: readonly string[] = []): Promise<void> {
  for (const path of executables) await chmod(join(workDir, path), 0o755);
}
