/**
 * @module What a campaign directory holds, declared once: the archive (SQLite), the lineage
 * repository (bare git) and the lock file. Every command that opens a campaign directory finds its
 * parts here.
 */
import path from 'node:path';

/** File names inside a campaign directory. */
export const CAMPAIGN_FILES = {
  /** The SQLite archive (with its `-wal` and `-shm` files beside it while open). */
  archive: 'archive.db',
  /** The bare git repository holding every node's code (`refs/clade/nodes/<id>`). */
  code: 'code.git',
  /** Held by the one process running the campaign; holds its pid. */
  lock: 'clade.lock',
} as const;

/** Absolute-or-relative paths of a campaign directory's parts, as `directory` is given. */
export function campaignPaths(directory: string): { archive: string; code: string; lock: string } {
  return {
    archive: path.join(directory, CAMPAIGN_FILES.archive),
    code: path.join(directory, CAMPAIGN_FILES.code),
    lock: path.join(directory, CAMPAIGN_FILES.lock),
  };
}
