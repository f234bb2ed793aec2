/**
 * @module One running process per campaign directory. The lock file holds the owner's pid; a lock
 * left by a process that no longer runs (a `kill -9`) is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { CAMPAIGN_FILES } from '../core/campaign-layout.js';
import { CladeError } from '../core/errors.js';

export interface DirectoryLock {
  release(): void;
}

const LOCK_NAME = CAMPAIGN_FILES.lock;

export function lockCampaignDirectory(directory: string): DirectoryLock {
  const file = path.join(directory, LOCK_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const descriptor = openSync(file, 'wx');
      writeSync(descriptor, `${process.pid}\n`);
      closeSync(descriptor);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new CladeError(
          'CAMPAIGN_BUSY',
          `Campaign directory ${directory} is in use by process ${owner}. Wait for it to finish or stop it (Ctrl-C) first.`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new CladeError(
    'CAMPAIGN_BUSY',
    `Could not lock campaign directory ${directory}; remove ${file} if no clade process uses it.`,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
