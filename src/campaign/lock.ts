/**
 * @module One running process per campaign directory. The lock file holds the owner's pid (first
 * line) and a random token (second line). It is created whole and atomically (written under a
 * private name, then hard-linked into place, which fails if the lock exists), so no process ever
 * reads a half-written lock. A lock left by a process that no longer runs (a `kill -9`) is taken
 * over under a short-lived takeover file (itself created atomically): only the process holding it
 * may remove a stale lock, and only if the lock still holds the stale content it saw, so two
 * processes can never both take the directory.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { CAMPAIGN_FILES } from '../core/campaign-layout.js';
import { CladeError, describeError } from '../core/errors.js';

/** A held directory lock. */
export interface DirectoryLock {
  /** Removes the lock file (if it is still this lock's). Idempotent. */
  release(): void;
}

const LOCK_NAME = CAMPAIGN_FILES.lock;
/** A takeover file older than this was left by a process killed during a takeover; it is removed. */
const STALE_TAKEOVER_MS = 5000;
/** How long `lockCampaignDirectory` keeps trying while other processes take over a stale lock. */
const ACQUIRE_PATIENCE_MS = 3000;

/** Tokens of the locks this process holds now (a second lock of the same directory is refused). */
const heldTokens = new Set<string>();

/**
 * Takes the campaign directory's lock, taking over a lock whose owner no longer runs.
 *
 * @throws CladeError `CAMPAIGN_BUSY` when a live process (this one included) holds it, or when it
 *   could not be taken (with the file to remove).
 */
export function lockCampaignDirectory(directory: string): DirectoryLock {
  const file = path.join(directory, LOCK_NAME);
  const content = `${process.pid}\n${randomBytes(12).toString('hex')}\n`;
  const deadline = Date.now() + ACQUIRE_PATIENCE_MS;
  while (Date.now() < deadline) {
    if (createExclusive(file, content)) return heldLock(file, content);
    const existing = readLock(file);
    if (existing === null) continue; // Released in between: try again.
    const owner = Number.parseInt(existing, 10);
    if (Number.isInteger(owner) && owner > 0) {
      if (heldTokens.has(existing)) {
        throw new CladeError(
          'CAMPAIGN_BUSY',
          `Campaign directory ${directory} is already open in this process. Close the other campaign first.`,
        );
      }
      if (owner !== process.pid && isAlive(owner)) {
        throw new CladeError(
          'CAMPAIGN_BUSY',
          `Campaign directory ${directory} is in use by process ${owner}. Wait for it to finish or stop it (Ctrl-C) first.`,
        );
      }
    }
    // The owner is gone (or the file is not a lock clade wrote): take it over, atomically.
    takeOverStale(file, existing, content);
  }
  throw new CladeError(
    'CAMPAIGN_BUSY',
    `Could not lock campaign directory ${directory}: other processes kept taking it. Remove ${file} (and ${file}.takeover) if no clade process uses the directory.`,
  );
}

function heldLock(file: string, content: string): DirectoryLock {
  heldTokens.add(content);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      heldTokens.delete(content);
      // Only our own lock: a lock another process took over after a wrong stale judgement stays.
      if (readLock(file) === content) rmSync(file, { force: true });
    },
  };
}

/**
 * Creates `file` holding `content`, atomically: written under a private name and hard-linked into
 * place (the link fails when `file` exists). False when it exists. File systems without hard links
 * fall back to an exclusive create.
 */
function createExclusive(file: string, content: string): boolean {
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeWhole(temporary, content, 'wx');
  } catch (error) {
    throw new CladeError(
      'ARCHIVE_FAILED',
      `Could not create the lock file in ${path.dirname(file)}: ${describeError(error)}. Check that the directory exists and is writable.`,
      { cause: error },
    );
  }
  try {
    linkSync(temporary, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    try {
      writeWhole(file, content, 'wx');
      return true;
    } catch (fallbackError) {
      if ((fallbackError as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallbackError;
    }
  } finally {
    rmSync(temporary, { force: true });
  }
}

function writeWhole(file: string, content: string, flags: string): void {
  const descriptor = openSync(file, flags);
  try {
    writeSync(descriptor, content);
  } finally {
    closeSync(descriptor);
  }
}

/** The lock file's content, or null when there is none. */
function readLock(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Removes the lock at `file` if it still holds `stale`, under `<file>.takeover` (created
 * atomically): between the check and the removal no other process can remove or replace it, and a
 * new lock is only ever created where none exists, so at most one process gets in.
 */
function takeOverStale(file: string, stale: string, content: string): void {
  const takeover = `${file}.takeover`;
  if (!createExclusive(takeover, content)) {
    // Another process is taking over right now. A takeover file that stays was left by a process
    // killed during its takeover (microseconds): remove it once it is clearly old.
    try {
      if (Date.now() - statSync(takeover).mtimeMs > STALE_TAKEOVER_MS) rmSync(takeover, { force: true });
    } catch {
      // Gone already.
    }
    pause(2 + Math.floor(Math.random() * 8));
    return;
  }
  try {
    if (readLock(file) === stale) unlinkSync(file);
  } finally {
    rmSync(takeover, { force: true });
  }
}

/** Sleeps synchronously (the lock is taken before anything runs). */
function pause(milliseconds: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, milliseconds);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
