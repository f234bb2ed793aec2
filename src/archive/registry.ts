/**
 * @module The archive stores clade can keep a campaign in (`archiveStores`). There is one built-in
 * kind, `sqlite` (`archive.db`, WAL mode); the contract suite (`tests/contracts/archive-store.contract.ts`)
 * runs every registered kind, so a store added here is checked like the built-in one.
 */
import { type PluginKind, PluginRegistry } from '../core/plugin.js';
import { openArchive } from './sqlite-store.js';
import type { ArchiveStore } from './types.js';

/** One kind of archive store: how to open (creating and migrating if needed) the store at a path. */
export interface ArchiveStoreKind extends PluginKind {
  /** Opens the store at `path` (a file path inside an existing directory), creating it when missing. */
  create(path: string): ArchiveStore;
}

/** The built-in SQLite archive. */
export const sqliteArchiveStoreKind: ArchiveStoreKind = {
  kind: 'sqlite',
  summary: 'one SQLite database per campaign (archive.db, WAL mode, numbered migrations)',
  create: (path) => openArchive(path),
};

/** Every archive store kind. Register one of your own with `archiveStores.register(kind)`. */
export const archiveStores = new PluginRegistry<ArchiveStoreKind>('archive store', 'archive.kind', [
  sqliteArchiveStoreKind,
]);
