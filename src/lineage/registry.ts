/**
 * @module The code stores clade can keep node code in (`codeStores`). There is one built-in kind,
 * `git` (a bare repository, `code.git`, one commit per node); the contract suite
 * (`tests/contracts/code-store.contract.ts`) runs every registered kind.
 */
import { type PluginKind, PluginRegistry } from '../core/plugin.js';
import { createGitCodeStore } from './git-store.js';
import type { CodeStore } from './types.js';

/** One kind of code store: how to make the store whose data lives at a path (`init` creates it). */
export interface CodeStoreKind extends PluginKind {
  /** The store at `path` (not created until `init`). */
  create(path: string): CodeStore;
}

/** The built-in git lineage store. */
export const gitCodeStoreKind: CodeStoreKind = {
  kind: 'git',
  summary: 'a bare git repository (code.git): every node a commit on its parent node’s commit',
  create: (path) => createGitCodeStore(path),
};

/** Every code store kind. Register one of your own with `codeStores.register(kind)`. */
export const codeStores = new PluginRegistry<CodeStoreKind>('code store', 'lineage.kind', [gitCodeStoreKind]);
