/**
 * @module The lineage store: node code as git commits. (The path check every area that writes
 * agent files shares is `core/safe-path.ts`.)
 */
export type { GitCodeStoreOptions } from './git-store.js';
export { createGitCodeStore, EMPTY_TREE, NODE_REF_PREFIX } from './git-store.js';
export type { CodeStore } from './types.js';
