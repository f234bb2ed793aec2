/**
 * @module Migration 3: a node's artifacts (text its evaluator handed back: errors, feedback), shown
 * by `clade show`, the viewer and `--json`, and put into its children's prompts.
 */
import type { Migration } from './migration.js';

/** `nodes.artifacts`: a JSON object of name → text, capped by the store; NULL when the node has none. */
export const nodeArtifactsMigration: Migration = {
  version: 3,
  name: 'node-artifacts',
  sql: `
ALTER TABLE nodes ADD COLUMN artifacts TEXT;
`,
};
