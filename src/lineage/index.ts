/**
 * @module The lineage store: node code as git commits, and the path check shared by every area
 * that writes agent files.
 */
export type { GitCodeStoreOptions } from './git-store.js';
export { createGitCodeStore, EMPTY_TREE, NODE_REF_PREFIX } from './git-store.js';
export { assertSafeRelativePath, isSafeRelativePath } from './safe-path.js';
export type { CodeStore } from './types.js';
