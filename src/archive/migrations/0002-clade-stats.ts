/**
 * @module Migration 2: per-node outcome counts for clade statistics (HGM's clade metaproductivity).
 */
import type { Migration } from './migration.js';

/**
 * `node_stats`: one row per node with its depth, its number of children, its own task outcomes and
 * its clade's (own plus every descendant's). Outcomes are graded: an evaluation with score s adds s
 * passes and 1 − s failures; an evaluation without a score (timeout, crash) adds one failure.
 *
 * A new outcome updates the node's own counts and the clade counts of the node and its ancestors:
 * O(depth) rows, walked up the `parent_id` index. Existing archives are backfilled from their
 * evaluations here (a closure computed once).
 */
export const cladeStatsMigration: Migration = {
  version: 2,
  name: 'clade-stats',
  sql: `
CREATE TABLE node_stats (
  node_id        INTEGER PRIMARY KEY NOT NULL REFERENCES nodes (id),
  depth          INTEGER NOT NULL,
  children       INTEGER NOT NULL DEFAULT 0,
  own_passes     REAL NOT NULL DEFAULT 0,
  own_failures   REAL NOT NULL DEFAULT 0,
  clade_passes   REAL NOT NULL DEFAULT 0,
  clade_failures REAL NOT NULL DEFAULT 0
);

WITH RECURSIVE depths (id, depth) AS (
  SELECT id, 0 FROM nodes WHERE parent_id IS NULL
  UNION ALL
  SELECT nodes.id, depths.depth + 1 FROM nodes JOIN depths ON nodes.parent_id = depths.id
)
INSERT INTO node_stats (node_id, depth, children, own_passes, own_failures)
SELECT depths.id, depths.depth,
  (SELECT COUNT(*) FROM nodes AS child WHERE child.parent_id = depths.id),
  COALESCE((SELECT SUM(COALESCE(score, 0)) FROM evaluations WHERE node_id = depths.id), 0),
  COALESCE((SELECT SUM(1 - COALESCE(score, 0)) FROM evaluations WHERE node_id = depths.id), 0)
FROM depths;

WITH RECURSIVE closure (ancestor, descendant) AS (
  SELECT id, id FROM nodes
  UNION ALL
  SELECT nodes.parent_id, closure.descendant FROM closure JOIN nodes ON nodes.id = closure.ancestor
  WHERE nodes.parent_id IS NOT NULL
)
UPDATE node_stats SET
  clade_passes = (SELECT SUM(member.own_passes) FROM closure JOIN node_stats AS member
                  ON member.node_id = closure.descendant WHERE closure.ancestor = node_stats.node_id),
  clade_failures = (SELECT SUM(member.own_failures) FROM closure JOIN node_stats AS member
                    ON member.node_id = closure.descendant WHERE closure.ancestor = node_stats.node_id);
`,
};
