/**
 * @module `clade sandbox prune` for the process sandbox: the work directories (`clade-sandbox-…`
 * under the temporary directory) that a killed clade process (`kill -9`, a crash) never removed.
 * A directory named with its owner's pid (`clade-sandbox-<pid>-…`) is left while that process
 * runs; one without a pid is left while a process works in it (Linux: a `/proc/<pid>/cwd` inside
 * it) or while it is younger than `minimumAgeMs`.
 */
import { readdir, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';

/** Prefix of the process sandbox's work directories. */
export const PROCESS_WORK_DIRECTORY_PREFIX = 'clade-sandbox-';

/** Options of `pruneProcessWorkDirectories`. */
export interface ProcessPruneOptions {
  /** Where the work directories are made. Default `os.tmpdir()` (as the process sandbox). */
  tempRoot?: string;
  /** Remove every one, in use or not. Default false. */
  all?: boolean;
  /**
   * A directory without an owner pid younger than this may be a run being set up (no process in it
   * yet): it is left. Default 10 minutes.
   */
  minimumAgeMs?: number;
  /** The clock (tests). Default `Date.now`. */
  now?: () => number;
}

/** What `pruneProcessWorkDirectories` removed and left. */
export interface ProcessPruneReport {
  /** Removed directories (absolute paths). */
  directories: string[];
  /** Directories left because a live process owns or uses them, or they are new. */
  inUse: string[];
}

/** Removes the process sandbox's leftover work directories. */
export async function pruneProcessWorkDirectories(options: ProcessPruneOptions = {}): Promise<ProcessPruneReport> {
  const tempRoot = options.tempRoot ?? tmpdir();
  const now = options.now ?? Date.now;
  const minimumAgeMs = options.minimumAgeMs ?? 10 * 60 * 1000;
  const report: ProcessPruneReport = { directories: [], inUse: [] };
  let entries: string[];
  try {
    entries = (await readdir(tempRoot)).filter((entry) => entry.startsWith(PROCESS_WORK_DIRECTORY_PREFIX));
  } catch {
    return report;
  }
  if (entries.length === 0) return report;
  const workingDirectories = options.all ? [] : await processWorkingDirectories();
  for (const entry of entries) {
    const directory = join(tempRoot, entry);
    let modified: number;
    try {
      const stats = await stat(directory);
      if (!stats.isDirectory()) continue;
      modified = stats.mtimeMs;
    } catch {
      continue; // Removed meanwhile.
    }
    if (!options.all) {
      const owner = /^clade-sandbox-(\d+)-/.exec(entry);
      const ownerPid = owner ? Number(owner[1]) : null;
      const used =
        ownerPid !== null
          ? ownerPid === process.pid || isAlive(ownerPid)
          : workingDirectories.some((cwd) => cwd === directory || cwd.startsWith(`${directory}${sep}`)) ||
            now() - modified < minimumAgeMs;
      if (used) {
        report.inUse.push(directory);
        continue;
      }
    }
    await rm(directory, { recursive: true, force: true });
    report.directories.push(directory);
  }
  return report;
}

/** The working directories of this machine's processes (Linux `/proc`; empty elsewhere). */
async function processWorkingDirectories(): Promise<string[]> {
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const directories: string[] = [];
  for (const pid of pids) {
    try {
      directories.push(await readlink(`/proc/${pid}/cwd`));
    } catch {
      // Gone, or another user's process.
    }
  }
  return directories;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
