/**
 * @module Whole-archive reads for `clade fsck`: SQLite's own checks and every node's bookkeeping
 * in a handful of queries over a read-only connection, without parsing the nodes' JSON columns,
 * so that an archive of 100,000 nodes is checked in seconds.
 */
import type Database from 'better-sqlite3';
import { ArchiveError, describeError } from '../core/errors.js';
import type { EvaluationStatus, Metrics, NodeStatus } from '../core/types.js';
import { openReadonlyDatabase } from './sqlite-store.js';

/** The columns of a node that its invariants are about. */
export interface NodeFacts {
  id: number;
  parentId: number | null;
  commit: string;
  status: NodeStatus;
  score: number | null;
  evaluatedAt: string | null;
}

/** One evaluation row, with its metrics parsed. */
export interface EvaluationFacts {
  nodeId: number;
  problem: string;
  repeat: number;
  seed: number;
  status: EvaluationStatus;
  score: number | null;
  metrics: Metrics;
}

/** What `readArchiveFacts` found. */
export interface ArchiveFacts {
  /** `ok`, or SQLite's list of damage (`PRAGMA quick_check`). */
  quickCheck: string[];
  /** Rows that break a foreign key (`PRAGMA foreign_key_check`), as `table rowid → parent`. */
  foreignKeyProblems: string[];
  schemaVersion: number;
  campaignCount: number;
  /** The first campaign's stored configuration (parsed), or undefined. */
  campaignConfig: unknown;
  /** Every node, ordered by id. */
  nodes: NodeFacts[];
  /** Number of `node-recorded` events per node id. */
  recordedEvents: Map<number, number>;
  /** Number of evaluation rows. */
  evaluationRows: number;
  /** Evaluation rows whose node does not exist. */
  orphanEvaluations: number;
}

/**
 * Reads the facts `clade fsck` checks from the archive at `path` (read-only). Evaluations are not
 * held in memory: `forEachNodeEvaluations` streams them.
 *
 * @throws ArchiveError `ARCHIVE_CORRUPT` when the file is not a readable clade archive.
 */
export function readArchiveFacts(path: string): ArchiveFacts & {
  /** Calls `visit` once per node that has evaluations, in node id order, with its rows in insertion order. */
  forEachNodeEvaluations(visit: (nodeId: number, evaluations: EvaluationFacts[]) => void): void;
  close(): void;
} {
  let database: Database.Database;
  let release: () => void;
  try {
    ({ database, close: release } = openReadonlyDatabase(path));
  } catch (error) {
    throw new ArchiveError('ARCHIVE_NOT_FOUND', `Cannot open archive ${path}: ${describeError(error)}.`, {
      cause: error,
    });
  }
  try {
    const quickCheck = (database.pragma('quick_check') as { quick_check: string }[]).map((row) => row.quick_check);
    const tables = new Set(
      (database.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (row) => row.name,
      ),
    );
    for (const table of ['schema_migrations', 'campaigns', 'nodes', 'evaluations', 'events']) {
      if (!tables.has(table)) {
        throw new ArchiveError(
          'ARCHIVE_CORRUPT',
          `${path} is not a clade archive: it has no ${table} table. Pass a campaign directory made by \`clade run\`.`,
        );
      }
    }
    const foreignKeyProblems = (
      database.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[]
    ).map((row) => `${row.table} row ${row.rowid} → missing ${row.parent}`);
    const schemaVersion =
      (database.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null })
        .version ?? 0;
    const campaignCount = (database.prepare('SELECT COUNT(*) AS count FROM campaigns').get() as { count: number })
      .count;
    const campaignRow = database.prepare('SELECT config FROM campaigns ORDER BY rowid LIMIT 1').get() as
      | { config: string }
      | undefined;
    const nodes = (
      database
        .prepare(
          'SELECT id, parent_id AS parentId, commit_sha AS "commit", status, score, evaluated_at AS evaluatedAt FROM nodes ORDER BY id',
        )
        .all() as NodeFacts[]
    ).map((row) => ({ ...row }));
    const recordedEvents = new Map<number, number>();
    for (const row of database
      .prepare(
        "SELECT node_id AS nodeId, COUNT(*) AS count FROM events WHERE type = 'node-recorded' AND node_id IS NOT NULL GROUP BY node_id",
      )
      .all() as { nodeId: number; count: number }[]) {
      recordedEvents.set(row.nodeId, row.count);
    }
    const evaluationRows = (database.prepare('SELECT COUNT(*) AS count FROM evaluations').get() as { count: number })
      .count;
    const orphanEvaluations = (
      database
        .prepare('SELECT COUNT(*) AS count FROM evaluations WHERE node_id NOT IN (SELECT id FROM nodes)')
        .get() as { count: number }
    ).count;
    return {
      quickCheck,
      foreignKeyProblems,
      schemaVersion,
      campaignCount,
      campaignConfig: campaignRow === undefined ? undefined : (JSON.parse(campaignRow.config) as unknown),
      nodes,
      recordedEvents,
      evaluationRows,
      orphanEvaluations,
      forEachNodeEvaluations(visit) {
        const statement = database.prepare(
          'SELECT node_id AS nodeId, problem, repeat, seed, status, score, metrics FROM evaluations ORDER BY node_id, id',
        );
        let current: number | null = null;
        let group: EvaluationFacts[] = [];
        for (const row of statement.iterate() as Iterable<Omit<EvaluationFacts, 'metrics'> & { metrics: string }>) {
          if (row.nodeId !== current) {
            if (current !== null) visit(current, group);
            current = row.nodeId;
            group = [];
          }
          group.push({ ...row, metrics: JSON.parse(row.metrics) as Metrics });
        }
        if (current !== null) visit(current, group);
      },
      close() {
        release();
      },
    };
  } catch (error) {
    release();
    if (error instanceof ArchiveError) throw error;
    throw new ArchiveError(
      'ARCHIVE_CORRUPT',
      `Could not read archive ${path}: ${describeError(error)}. Restore archive.db from a backup if SQLite reports damage.`,
      { cause: error },
    );
  }
}
