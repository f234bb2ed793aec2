/**
 * @module Making a campaign directory atomically: its parts are built in a temporary sibling
 * directory and moved into place with `archive.db` last, so a `kill -9` at any moment leaves either
 * no campaign, a complete one (archive with its campaign record, initialised lineage repository),
 * or a temporary directory that the next `clade run` beside it removes. Also the checks of a
 * `--dir` before anything is made, and clean errors for what the file system refuses.
 */
import { existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CAMPAIGN_FILES } from '../core/campaign-layout.js';
import { CladeError, describeError } from '../core/errors.js';

/** Prefix of the temporary directories a campaign is built in (followed by the builder's pid). */
export const BUILDING_PREFIX = '.clade-creating-';
/** Longest file name most file systems accept, in bytes. */
const NAME_MAX = 255;

/**
 * A file-system failure on a campaign directory as a `CladeError` that says what was refused and
 * what to do (`USAGE`, exit 2, for a path the user must change; `ARCHIVE_FAILED` otherwise).
 */
export function directoryError(error: unknown, action: string, directory: string): CladeError {
  if (error instanceof CladeError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const detail = describeError(error);
  switch (code) {
    case 'ENAMETOOLONG':
      return new CladeError(
        'USAGE',
        `Cannot ${action}: the path ${directory} is too long for the file system (${detail}). Choose a shorter --dir.`,
        { cause: error },
      );
    case 'ENOTDIR':
    case 'EEXIST':
      return new CladeError(
        'USAGE',
        `Cannot ${action}: ${directory} or a directory above it is a file, not a directory. Choose another --dir.`,
        { cause: error },
      );
    case 'EACCES':
    case 'EPERM':
      return new CladeError(
        'ARCHIVE_FAILED',
        `Cannot ${action}: permission denied (${detail}). Make ${directory} (and the directory holding it) writable by this user, or choose another --dir.`,
        { cause: error },
      );
    case 'EROFS':
      return new CladeError(
        'ARCHIVE_FAILED',
        `Cannot ${action}: ${directory} is on a read-only file system. Choose a --dir on a writable one.`,
        { cause: error },
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return new CladeError(
        'ARCHIVE_FAILED',
        `Cannot ${action}: the disk holding ${directory} is full. Free some space and try again.`,
        { cause: error },
      );
    default:
      return new CladeError('ARCHIVE_FAILED', `Cannot ${action} in ${directory}: ${detail}.`, { cause: error });
  }
}

/**
 * Checks a directory a new campaign is to be made in: a directory or nothing (not a file), a name
 * the file system accepts, no campaign in it yet. Says exactly what to do when one is there.
 *
 * @throws CladeError `USAGE` (a file, a name too long) or `CAMPAIGN_BUSY` (a campaign is there).
 */
export function checkNewCampaignDirectory(directory: string): void {
  const absolute = path.resolve(directory);
  for (const part of absolute.split(path.sep)) {
    if (Buffer.byteLength(part) > NAME_MAX) {
      throw new CladeError(
        'USAGE',
        `Cannot use --dir ${directory}: the name "${part.slice(0, 40)}…" is ${Buffer.byteLength(part)} bytes long; file systems allow ${NAME_MAX}. Choose a shorter name.`,
      );
    }
  }
  let stats: ReturnType<typeof statSync> | undefined;
  try {
    stats = statSync(absolute, { throwIfNoEntry: false });
  } catch (error) {
    throw directoryError(error, `use --dir ${directory}`, directory);
  }
  if (stats === undefined) return;
  if (!stats.isDirectory()) {
    throw new CladeError(
      'USAGE',
      `Cannot start a campaign in ${directory}: it is a file, not a directory. Choose another --dir (a new or empty directory).`,
    );
  }
  if (existsSync(path.join(absolute, CAMPAIGN_FILES.archive))) throw existingCampaignError(directory);
}

/** What is in a directory that already holds `archive.db`, and the one command that continues or clears it. */
function existingCampaignError(directory: string): CladeError {
  const state = readCampaignState(path.join(path.resolve(directory), CAMPAIGN_FILES.archive));
  if (state.kind === 'seed-failed') {
    return new CladeError(
      'CAMPAIGN_BUSY',
      `${directory} holds a campaign whose seed agent did not score (status ${state.status}${state.error ? `: ${state.error}` : ''}); it cannot be resumed. Look at its logs with \`clade show ${directory} 0\`, then remove it (\`rm -r ${directory}\`), fix the seed agent and run the same command again — or pick another --dir.`,
    );
  }
  if (state.kind === 'no-record') {
    return new CladeError(
      'CAMPAIGN_BUSY',
      `${directory} holds an archive.db without a campaign record (its creation was interrupted by an older clade). Nothing in it can be resumed: remove it (\`rm -r ${directory}\`) and run the same command again, or pick another --dir.`,
    );
  }
  return new CladeError(
    'CAMPAIGN_BUSY',
    `${directory} already holds a campaign. Continue it with \`clade resume ${directory}\`, or pick another --dir.`,
  );
}

type CampaignState =
  | { kind: 'ok' }
  | { kind: 'no-record' }
  | { kind: 'seed-failed'; status: string; error: string | null };

/** A quick read-only look at an existing archive (unreadable archives count as ok: resume reports them). */
function readCampaignState(file: string): CampaignState {
  let database: Database.Database | undefined;
  try {
    database = new Database(file, { readonly: true, fileMustExist: true });
    const record = database.prepare('SELECT COUNT(*) AS count FROM campaigns').get() as { count: number };
    if (record.count === 0) return { kind: 'no-record' };
    const root = database.prepare('SELECT status, error FROM nodes WHERE id = 0').get() as
      | { status: string; error: string | null }
      | undefined;
    if (root !== undefined && root.status !== 'scored') {
      return { kind: 'seed-failed', status: root.status, error: root.error?.split('\n')[0] ?? null };
    }
    return { kind: 'ok' };
  } catch {
    return { kind: 'ok' };
  } finally {
    database?.close();
  }
}

/**
 * Builds a campaign directory atomically. `build(temporary)` writes the parts (`archive.db`, closed,
 * and `code.git`) into a new temporary directory beside `directory`; they are then moved into place,
 * `archive.db` last, and the temporary directory removed. Temporary directories left beside it by
 * processes that no longer run (a `kill -9` during creation) are removed first.
 *
 * @throws CladeError `CAMPAIGN_BUSY` when another process made a campaign there first; file-system
 *   failures as `directoryError` describes them.
 */
export async function buildCampaignDirectory(
  directory: string,
  build: (temporary: string) => Promise<void>,
): Promise<void> {
  const absolute = path.resolve(directory);
  const parent = path.dirname(absolute);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (error) {
    throw directoryError(error, `create the directory ${parent}`, directory);
  }
  removeAbandonedBuilds(parent);
  const temporary = path.join(parent, `${BUILDING_PREFIX}${process.pid}-${Math.random().toString(16).slice(2, 10)}`);
  try {
    mkdirSync(temporary);
  } catch (error) {
    throw directoryError(error, `create the campaign directory ${directory}`, directory);
  }
  try {
    await build(temporary);
    moveIntoPlace(temporary, absolute, directory);
  } catch (error) {
    throw directoryError(error, `create the campaign directory ${directory}`, directory);
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
}

function moveIntoPlace(temporary: string, absolute: string, directory: string): void {
  try {
    // A new or empty directory: one rename, atomic.
    renameSync(temporary, absolute);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  // A directory with other files in it: the lineage repository first, then the archive by a hard
  // link (which fails if one appeared meanwhile), so archive.db exists only once everything does.
  if (existsSync(path.join(absolute, CAMPAIGN_FILES.archive))) throw existingCampaignError(directory);
  const code = path.join(absolute, CAMPAIGN_FILES.code);
  if (existsSync(code) && isEmptyRepository(code)) rmSync(code, { recursive: true, force: true });
  try {
    renameSync(path.join(temporary, CAMPAIGN_FILES.code), code);
  } catch (error) {
    const errorCode = (error as NodeJS.ErrnoException).code;
    if (errorCode === 'ENOTEMPTY' || errorCode === 'EEXIST') {
      throw new CladeError(
        'CAMPAIGN_BUSY',
        `${directory} already holds a lineage repository (${CAMPAIGN_FILES.code}) with nodes but no archive.db. Pick another --dir, or move it away.`,
      );
    }
    throw error;
  }
  try {
    linkSync(path.join(temporary, CAMPAIGN_FILES.archive), path.join(absolute, CAMPAIGN_FILES.archive));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw existingCampaignError(directory);
    throw error;
  }
}

/** A lineage repository with no node in it (left by an interrupted creation). */
function isEmptyRepository(code: string): boolean {
  const refs = path.join(code, 'refs', 'clade');
  return !existsSync(refs) && !existsSync(path.join(code, 'packed-refs'));
}

/** Removes `.clade-creating-<pid>-…` directories in `parent` whose process no longer runs. */
export function removeAbandonedBuilds(parent: string): string[] {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(BUILDING_PREFIX)) continue;
    const pid = Number.parseInt(name.slice(BUILDING_PREFIX.length), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) continue;
    if (pid === process.pid) continue;
    rmSync(path.join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Removes the parts of a campaign that never got a scored seed (`clade run` when the seed fails),
 * leaving other files in the directory alone, and the directory itself when nothing else is in it.
 */
export function removeCampaignParts(directory: string): void {
  const absolute = path.resolve(directory);
  for (const name of [
    CAMPAIGN_FILES.archive,
    `${CAMPAIGN_FILES.archive}-wal`,
    `${CAMPAIGN_FILES.archive}-shm`,
    CAMPAIGN_FILES.code,
  ]) {
    rmSync(path.join(absolute, name), { recursive: true, force: true });
  }
  try {
    if (readdirSync(absolute).length === 0) rmSync(absolute, { recursive: true, force: true });
  } catch {
    // Already gone.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
