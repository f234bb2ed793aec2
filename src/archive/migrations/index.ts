/**
 * @module The archive's schema migrations, in order. Add a migration by writing
 * `NNNN-name.ts` beside this file and appending it here.
 */
import { initialMigration } from './0001-initial.js';
import { cladeStatsMigration } from './0002-clade-stats.js';
import { nodeArtifactsMigration } from './0003-node-artifacts.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

/** Every migration, ordered by version (1, 2, 3 … without gaps). */
export const migrations: readonly Migration[] = [initialMigration, cladeStatsMigration, nodeArtifactsMigration];
