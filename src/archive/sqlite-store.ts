/**
 * @module The SQLite archive (better-sqlite3): one database file per campaign, WAL mode, numbered
 * migrations, every node written with its evaluations in one transaction.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ArchiveError, describeError } from '../core/errors.js';
import { sumOutcomes } from '../core/outcomes.js';
import type {
  AgentNode,
  EvaluationRecord,
  EvaluationStatus,
  Metrics,
  MutationInfo,
  NodeStatus,
} from '../core/types.js';
import { NODE_STATUSES } from '../core/types.js';
import { migrations as knownMigrations, type Migration } from './migrations/index.js';
import type {
  ArchiveStore,
  CampaignRecord,
  EventRecord,
  ModelCallRecord,
  NodeEvaluationUpdate,
  NodeStatsRecord,
} from './types.js';

/** Options of `openArchive`. */
export interface OpenArchiveOptions {
  /**
   * Open for reading only (viewers, `clade tree`): the file must exist, nothing is migrated and every
   * write throws. Default false.
   */
  readonly?: boolean;
  /** Source of the timestamps the store adds itself (events, model calls). Default `() => new Date()`. */
  clock?: () => Date;
  /** How long a statement waits for another connection's lock before failing, in ms. Default 5000. */
  busyTimeoutMs?: number;
  /** The migrations to apply, in order. Default: every migration clade knows. For tests of upgrades. */
  migrations?: readonly Migration[];
}

/**
 * Opens (creating and migrating if needed) the archive database at `path`.
 *
 * Durability: the database runs in WAL mode with `synchronous = FULL`. In WAL mode a committed
 * transaction is in the WAL file once `COMMIT` returns, so killing the process (even with SIGKILL)
 * never loses it with either NORMAL or FULL; FULL also fsyncs the WAL at every commit, so a power
 * loss or OS crash does not lose the last nodes either. A node stands for minutes of evaluation and
 * possibly paid model calls, and nodes are written one transaction at a time, so the extra fsync
 * costs nothing that matters.
 *
 * @throws ArchiveError `ARCHIVE_NOT_FOUND` when the directory (or, read-only, the file) is missing;
 *   `ARCHIVE_CORRUPT` when the file is not a clade archive or its schema is newer than this clade.
 */
export function openArchive(path: string, options: OpenArchiveOptions = {}): ArchiveStore {
  const readonly = options.readonly ?? false;
  const inMemory = path === ':memory:';
  if (!inMemory) checkLocation(path, readonly);

  try {
    return openDatabase(path, path, options);
  } catch (error) {
    // A WAL archive read in a directory this process cannot write (a read-only mount, another
    // user's campaign) without its -shm file: SQLite cannot set up shared memory there. Nothing can
    // be writing it either, so a private copy reads the same data.
    if (readonly && !inMemory && cannotReadInPlace(error)) return openSnapshot(path, options);
    throw error;
  }
}

/**
 * A raw read-only better-sqlite3 connection to `path` (whole-archive reads such as fsck's), on a
 * private copy when SQLite cannot read the file in place (see `openArchive`). `close` closes it and
 * removes the copy.
 *
 * @throws the SQLite error when the file cannot be read at all.
 */
export function openReadonlyDatabase(path: string): { database: Database.Database; close(): void } {
  const attempt = (file: string): Database.Database => {
    const database = new Database(file, { readonly: true, fileMustExist: true });
    try {
      database.prepare('SELECT COUNT(*) FROM sqlite_master').get();
      return database;
    } catch (error) {
      database.close();
      throw error;
    }
  };
  try {
    const database = attempt(path);
    return { database, close: () => database.open && database.close() };
  } catch (error) {
    if (!cannotReadInPlace(error)) throw error;
  }
  const directory = mkdtempSync(join(tmpdir(), 'clade-readonly-archive-'));
  try {
    const copy = join(directory, 'archive.db');
    copyFileSync(path, copy);
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
    const database = attempt(copy);
    return {
      database,
      close: () => {
        if (database.open) database.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}

function cannotReadInPlace(error: unknown): boolean {
  const cause = error instanceof ArchiveError ? error.cause : error;
  const code = cause instanceof Database.SqliteError ? cause.code : '';
  return code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN');
}

/** Opens a read-only copy of `path` (and its WAL, when there is one) in a temporary directory removed on close. */
function openSnapshot(path: string, options: OpenArchiveOptions): ArchiveStore {
  let directory: string;
  try {
    directory = mkdtempSync(join(tmpdir(), 'clade-readonly-archive-'));
  } catch (error) {
    throw new ArchiveError(
      'ARCHIVE_FAILED',
      `Cannot read archive ${path}: SQLite cannot read it in place (its directory is read-only and it has no -shm file), and no private copy could be made in ${tmpdir()} (${describeError(error)}). Set TMPDIR to a writable directory, or make ${dirname(resolve(path))} writable.`,
      { cause: error },
    );
  }
  try {
    const copy = join(directory, 'archive.db');
    copyFileSync(path, copy);
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
    return openDatabase(copy, path, options, () => rmSync(directory, { recursive: true, force: true }));
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw translateError(error, `open archive ${path} (read-only copy)`, path);
  }
}

/** Opens the database file `file`, named `path` in messages and in the store. */
function openDatabase(file: string, path: string, options: OpenArchiveOptions, onClose?: () => void): ArchiveStore {
  const readonly = options.readonly ?? false;
  let database: Database.Database;
  try {
    database = new Database(file, { readonly, fileMustExist: readonly });
  } catch (error) {
    throw translateError(error, `open archive ${path}`, path);
  }
  try {
    configure(database, path, readonly, options.busyTimeoutMs ?? 5000);
    const migrations = options.migrations ?? knownMigrations;
    checkMigrationList(migrations);
    if (readonly) checkSchemaReadable(database, path, migrations);
    else migrate(database, path, migrations, options.clock ?? (() => new Date()));
    return new SqliteArchiveStore(database, path, readonly, options.clock ?? (() => new Date()), onClose);
  } catch (error) {
    database.close();
    throw translateError(error, `open archive ${path}`, path);
  }
}

function checkLocation(path: string, readonly: boolean): void {
  const directory = dirname(resolve(path));
  if (!existsSync(directory)) {
    throw new ArchiveError(
      'ARCHIVE_NOT_FOUND',
      `Cannot open archive ${path}: its directory ${directory} does not exist. Create the directory first, or check the campaign directory you passed.`,
    );
  }
  if (!statSync(directory).isDirectory()) {
    throw new ArchiveError('ARCHIVE_NOT_FOUND', `Cannot open archive ${path}: ${directory} is not a directory.`);
  }
  if (readonly && !existsSync(path)) {
    throw new ArchiveError(
      'ARCHIVE_NOT_FOUND',
      `No archive at ${path}: the file does not exist. Pass a campaign directory that holds archive.db (made by \`clade run\`).`,
    );
  }
}

function configure(database: Database.Database, path: string, readonly: boolean, busyTimeoutMs: number): void {
  // The first statement reads the file header: a file that is not SQLite fails here with SQLITE_NOTADB.
  database.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  database.pragma('foreign_keys = ON');
  if (readonly) {
    // The writer set WAL mode; it is a property of the file, not of the connection.
    return;
  }
  const mode = database.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal' && mode !== 'memory') {
    throw new ArchiveError(
      'ARCHIVE_FAILED',
      `Could not switch archive ${path} to WAL mode (SQLite answered "${String(mode)}"). Put the campaign directory on a local file system.`,
    );
  }
  database.pragma('synchronous = FULL');
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new ArchiveError(
        'ARCHIVE_FAILED',
        `Migration "${migration.name}" has version ${migration.version} at position ${index + 1}; migrations must be numbered 1, 2, 3 … in order without gaps.`,
      );
    }
  });
}

const CREATE_SCHEMA_MIGRATIONS = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY NOT NULL,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

function userTables(database: Database.Database): string[] {
  const rows = database
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all() as { name: string }[];
  return rows.map((row) => row.name);
}

function appliedVersion(database: Database.Database): number {
  const row = database.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as {
    version: number | null;
  };
  return row.version ?? 0;
}

function refuseNewerSchema(path: string, version: number, migrations: readonly Migration[]): void {
  if (version > migrations.length) {
    throw new ArchiveError(
      'ARCHIVE_CORRUPT',
      `Archive ${path} has schema version ${version}, newer than this clade knows (${migrations.length}). It was written by a newer clade: upgrade clade to open it.`,
    );
  }
}

function migrate(database: Database.Database, path: string, migrations: readonly Migration[], clock: () => Date): void {
  const tables = userTables(database);
  if (tables.length > 0 && !tables.includes('schema_migrations')) {
    throw new ArchiveError(
      'ARCHIVE_CORRUPT',
      `${path} is a SQLite database but not a clade archive (it has tables ${tables.join(', ')} and no schema_migrations). Pass a campaign directory made by \`clade run\`, or another path.`,
    );
  }
  database.exec(CREATE_SCHEMA_MIGRATIONS);
  refuseNewerSchema(path, appliedVersion(database), migrations);

  const record = database.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of migrations) {
    // IMMEDIATE takes the write lock before reading the version, so two processes opening a new
    // archive at once apply each migration exactly once.
    database
      .transaction(() => {
        if (appliedVersion(database) >= migration.version) return;
        database.exec(migration.sql);
        record.run(migration.version, migration.name, clock().toISOString());
      })
      .immediate();
  }
}

function checkSchemaReadable(database: Database.Database, path: string, migrations: readonly Migration[]): void {
  if (!userTables(database).includes('schema_migrations')) {
    throw new ArchiveError(
      'ARCHIVE_CORRUPT',
      `${path} is not a clade archive (it has no schema_migrations table). Pass a campaign directory made by \`clade run\`.`,
    );
  }
  const version = appliedVersion(database);
  refuseNewerSchema(path, version, migrations);
  if (version < migrations.length) {
    throw new ArchiveError(
      'ARCHIVE_FAILED',
      `Archive ${path} has schema version ${version}, older than this clade's (${migrations.length}), and it was opened read-only, so it cannot be upgraded. Open it once read-write (for example with \`clade fsck\`) to migrate it.`,
    );
  }
}

/** Wraps a SQLite (or other) failure in an `ArchiveError` saying what was being done. */
function translateError(error: unknown, action: string, path: string): ArchiveError {
  if (error instanceof ArchiveError) return error;
  const code = error instanceof Database.SqliteError ? error.code : '';
  const detail = describeError(error);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new ArchiveError(
      'ARCHIVE_CORRUPT',
      `Could not ${action}: the file is not a readable SQLite database (${detail}). Check the path, or restore archive.db from a backup.`,
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new ArchiveError(
      'ARCHIVE_FAILED',
      `Could not ${action}: the database is locked by another connection (${detail}). Another clade process may be writing ${path}; wait for it or stop it.`,
      { cause: error, isRetryable: true },
    );
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new ArchiveError(
      'ARCHIVE_FAILED',
      `Could not ${action}: ${path} cannot be written (${detail}). Check that this user may write archive.db and the directory holding it (SQLite writes archive.db-wal and archive.db-shm beside it); a read-only campaign can still be looked at with \`clade tree\` and \`clade show\`.`,
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new ArchiveError(
      'ARCHIVE_FAILED',
      `Could not ${action}: ${detail}. Nothing was written. Ids must be new, a node's parent must be recorded before it, and each (node, problem, repeat) may appear once.`,
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new ArchiveError(
      'ARCHIVE_NOT_FOUND',
      `Could not ${action}: SQLite cannot open the file (${detail}). Check that the path exists and is readable and writable.`,
      { cause: error },
    );
  }
  return new ArchiveError('ARCHIVE_FAILED', `Could not ${action}: ${detail}.`, { cause: error });
}

interface CampaignRow {
  id: string;
  name: string;
  seed: number;
  config: string;
  config_path: string;
  created_at: string;
}

interface NodeRow {
  id: number;
  parent_id: number | null;
  commit_sha: string;
  status: NodeStatus;
  score: number | null;
  public_metrics: string;
  private_metrics: string;
  mutation: string;
  error: string | null;
  iteration: number;
  created_at: string;
  evaluated_at: string | null;
  /** JSON object of text (migration 3); null when the node has none, absent before migration 3. */
  artifacts?: string | null;
}

interface EvaluationRow {
  node_id: number;
  problem: string;
  repeat: number;
  seed: number;
  status: EvaluationStatus;
  score: number | null;
  metrics: string;
  duration_ms: number;
  log_excerpt: string;
}

interface ModelCallRow {
  id: number;
  node_id: number | null;
  provider: string;
  model: string;
  request: string;
  response: string;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  latency_ms: number;
  attempts: number;
  created_at: string;
}

interface EventRow {
  id: number;
  type: string;
  node_id: number | null;
  data: string;
  created_at: string;
}

const NODE_COLUMNS =
  'id, parent_id, commit_sha, status, score, public_metrics, private_metrics, mutation, error, iteration, created_at, evaluated_at';
const EVALUATION_COLUMNS = 'node_id, problem, repeat, seed, status, score, metrics, duration_ms, log_excerpt';
const MODEL_CALL_COLUMNS =
  'id, node_id, provider, model, request, response, tokens_in, tokens_out, cost_usd, latency_ms, attempts, created_at';
const EVENT_COLUMNS = 'id, type, node_id, data, created_at';

/**
 * JSON text for a JSON column. `undefined` becomes `null`; non-finite numbers become `null`
 * (JSON has no NaN or Infinity).
 */
function toJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/**
 * A column a hand edit or damage left with the wrong type (a score stored as text …) is refused
 * here, naming the row and `clade fsck`, instead of failing later in a printer.
 */
function corrupt(path: string, what: string, detail: string): ArchiveError {
  return new ArchiveError(
    'ARCHIVE_CORRUPT',
    `${what} in archive ${path} is damaged: ${detail}. Run \`clade fsck\` on the campaign directory for the full report, and restore archive.db from a backup.`,
  );
}

function checkNumberColumn(path: string, what: string, column: string, value: unknown, nullable: boolean): void {
  if (value === null && nullable) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw corrupt(
      path,
      what,
      `its ${column} is ${JSON.stringify(value) ?? String(value)} (${value === null ? 'null' : typeof value}), not a ${nullable ? 'finite number or null' : 'finite number'}`,
    );
  }
}

function parseColumn<T>(path: string, what: string, column: string, text: unknown): T {
  if (typeof text !== 'string') throw corrupt(path, what, `its ${column} is not JSON text`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw corrupt(path, what, `its ${column} is not valid JSON (${text.length > 40 ? `${text.slice(0, 40)}…` : text})`);
  }
}

function nodeFromRow(row: NodeRow, path: string): AgentNode {
  const what = `Node #${String(row.id)}`;
  checkNumberColumn(path, what, 'id', row.id, false);
  checkNumberColumn(path, what, 'parent id', row.parent_id, true);
  checkNumberColumn(path, what, 'score', row.score, true);
  checkNumberColumn(path, what, 'iteration', row.iteration, false);
  if (!NODE_STATUSES.includes(row.status)) {
    throw corrupt(
      path,
      what,
      `its status is ${JSON.stringify(row.status)} (expected one of ${NODE_STATUSES.join(', ')})`,
    );
  }
  if (typeof row.commit_sha !== 'string') throw corrupt(path, what, 'its commit is not text');
  const mutation = parseColumn<MutationInfo>(path, what, 'mutation', row.mutation);
  if (typeof mutation !== 'object' || mutation === null) throw corrupt(path, what, 'its mutation is not an object');
  return {
    id: row.id,
    parentId: row.parent_id,
    commit: row.commit_sha,
    status: row.status,
    score: row.score,
    publicMetrics: parseColumn<Metrics>(path, what, 'public metrics', row.public_metrics),
    privateMetrics: parseColumn<Metrics>(path, what, 'private metrics', row.private_metrics),
    mutation,
    error: row.error,
    iteration: row.iteration,
    createdAt: row.created_at,
    evaluatedAt: row.evaluated_at,
    ...(typeof row.artifacts === 'string' ? { artifacts: JSON.parse(row.artifacts) as Record<string, string> } : {}),
  };
}

/** Most characters of a node's artifacts stored (names and texts together); later ones are dropped with a note. */
export const NODE_ARTIFACTS_CHARS = 65_536;

/**
 * A node's artifacts as stored: texts only, at most `NODE_ARTIFACTS_CHARS` characters in all (the
 * artifacts that would pass the cap are dropped and `clade:dropped` says how many); null when there
 * are none.
 */
export function capNodeArtifacts(
  artifacts: Readonly<Record<string, string>> | undefined,
): Record<string, string> | null {
  if (artifacts === undefined) return null;
  const entries = Object.entries(artifacts);
  if (entries.length === 0) return null;
  const kept: Record<string, string> = {};
  let total = 0;
  for (const [index, [name, text]] of entries.entries()) {
    const value = typeof text === 'string' ? text : String(text);
    if (total + name.length + value.length > NODE_ARTIFACTS_CHARS) {
      kept['clade:dropped'] =
        `${entries.length - index} more artifact(s) dropped: a node keeps ${NODE_ARTIFACTS_CHARS} characters of artifacts.`;
      break;
    }
    total += name.length + value.length;
    kept[name] = value;
  }
  return kept;
}

function evaluationFromRow(row: EvaluationRow, path: string): EvaluationRecord {
  const what = `Evaluation ${String(row.problem)} #${String(row.repeat)} of node #${String(row.node_id)}`;
  checkNumberColumn(path, what, 'score', row.score, true);
  checkNumberColumn(path, what, 'duration', row.duration_ms, false);
  return {
    nodeId: row.node_id,
    problem: row.problem,
    repeat: row.repeat,
    seed: row.seed,
    status: row.status,
    score: row.score,
    metrics: parseColumn<Metrics>(path, what, 'metrics', row.metrics),
    durationMs: row.duration_ms,
    logExcerpt: row.log_excerpt,
  };
}

function modelCallFromRow(row: ModelCallRow): ModelCallRecord {
  return {
    id: row.id,
    nodeId: row.node_id,
    provider: row.provider,
    model: row.model,
    request: JSON.parse(row.request) as unknown,
    response: JSON.parse(row.response) as unknown,
    tokensIn: row.tokens_in,
    tokensOut: row.tokens_out,
    costUsd: row.cost_usd,
    latencyMs: row.latency_ms,
    attempts: row.attempts,
    createdAt: row.created_at,
  };
}

function eventFromRow(row: EventRow): EventRecord {
  return {
    id: row.id,
    type: row.type,
    nodeId: row.node_id,
    data: JSON.parse(row.data) as unknown,
    createdAt: row.created_at,
  };
}

function checkScore(score: number | null, what: string): void {
  if (score !== null && !Number.isFinite(score)) {
    throw new ArchiveError(
      'ARCHIVE_FAILED',
      `Refused to record ${what}: its score is ${String(score)}; a score must be a finite number or null. Fix the scoring code that produced it.`,
    );
  }
}

/** Statements prepared once per connection. */
interface Statements {
  getCampaign: Database.Statement<[], CampaignRow>;
  insertCampaign: Database.Statement;
  insertNode: Database.Statement;
  insertEvaluation: Database.Statement;
  insertEvent: Database.Statement;
  insertModelCall: Database.Statement;
  getNode: Database.Statement<[number], NodeRow>;
  listNodes: Database.Statement<[], NodeRow>;
  nodeCount: Database.Statement<[], { count: number }>;
  maxNodeId: Database.Statement<[], { id: number | null }>;
  maxAssignedNodeId: Database.Statement<[], { id: number | null }>;
  childIds: Database.Statement<[number], { id: number }>;
  bestNode: Database.Statement<[], NodeRow>;
  evaluations: Database.Statement<[number], EvaluationRow>;
  modelCalls: Database.Statement<[number], ModelCallRow>;
  allModelCalls: Database.Statement<[], ModelCallRow>;
  modelCallTotals: Database.Statement<[], { count: number; tokensIn: number; tokensOut: number; costUsd: number }>;
  eventsAfter: Database.Statement<[number, number], EventRow>;
  eventsLatest: Database.Statement<[number], EventRow>;
  schemaVersion: Database.Statement<[], { version: number | null }>;
  updateNodeEvaluation: Database.Statement;
}

/** Statements on `node_stats` (migration 2); absent when a test opens with an older migration list. */
interface StatsStatements {
  insertNodeStats: Database.Statement<[number, number | null]>;
  addChild: Database.Statement<[number]>;
  addOwnOutcomes: Database.Statement<[number, number, number]>;
  addCladeOutcomes: Database.Statement<[{ node: number; passes: number; failures: number }]>;
  nodeStats: Database.Statement<[], NodeStatsRow>;
}

interface NodeStatsRow {
  node_id: number;
  depth: number;
  children: number;
  own_passes: number;
  own_failures: number;
  clade_passes: number;
  clade_failures: number;
}

class SqliteArchiveStore implements ArchiveStore {
  readonly path: string;
  readonly #database: Database.Database;
  readonly #readonly: boolean;
  readonly #clock: () => Date;
  readonly #statements: Statements;
  readonly #stats: StatsStatements | null;
  /** Sets a node's artifacts (migration 3); null on an archive opened with an older migration list. */
  readonly #setArtifacts: Database.Statement<[string | null, number]> | null;
  readonly #recordNodeTransaction: (node: AgentNode, evaluations: readonly EvaluationRecord[]) => void;
  readonly #appendEvaluationsTransaction: (
    update: NodeEvaluationUpdate,
    evaluations: readonly EvaluationRecord[],
  ) => void;

  /** Runs after the database closes (removes a read-only copy). */
  readonly #onClose: (() => void) | undefined;

  constructor(database: Database.Database, path: string, readonly: boolean, clock: () => Date, onClose?: () => void) {
    this.path = path;
    this.#onClose = onClose;
    this.#database = database;
    this.#readonly = readonly;
    this.#clock = clock;
    // Node artifacts arrived with migration 3; a test may open an archive with an older migration list.
    const hasArtifacts = (database.prepare('PRAGMA table_info(nodes)').all() as { name: string }[]).some(
      (column) => column.name === 'artifacts',
    );
    const nodeColumns = hasArtifacts ? `${NODE_COLUMNS}, artifacts` : NODE_COLUMNS;
    const prepare = <Parameters extends unknown[] = unknown[], Row = unknown>(sql: string) =>
      database.prepare<Parameters, Row>(sql);
    this.#statements = {
      getCampaign: prepare<[], CampaignRow>(
        'SELECT id, name, seed, config, config_path, created_at FROM campaigns ORDER BY rowid LIMIT 1',
      ),
      insertCampaign: prepare(
        'INSERT INTO campaigns (id, name, seed, config, config_path, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      insertNode: prepare(
        `INSERT INTO nodes (campaign_id, ${NODE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertEvaluation: prepare(`INSERT INTO evaluations (${EVALUATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      insertEvent: prepare(
        'INSERT INTO events (campaign_id, type, node_id, data, created_at) VALUES ((SELECT id FROM campaigns ORDER BY rowid LIMIT 1), ?, ?, ?, ?)',
      ),
      insertModelCall: prepare(
        `INSERT INTO model_calls (${MODEL_CALL_COLUMNS.replace('id, ', '')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      getNode: prepare<[number], NodeRow>(`SELECT ${nodeColumns} FROM nodes WHERE id = ?`),
      listNodes: prepare<[], NodeRow>(`SELECT ${nodeColumns} FROM nodes ORDER BY id`),
      nodeCount: prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM nodes'),
      maxNodeId: prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM nodes'),
      maxAssignedNodeId: prepare<[], { id: number | null }>(
        `SELECT MAX(id) AS id FROM (
           SELECT MAX(id) AS id FROM nodes
           UNION ALL SELECT MAX(node_id) FROM model_calls)`,
      ),
      childIds: prepare<[number], { id: number }>('SELECT id FROM nodes WHERE parent_id = ? ORDER BY id'),
      bestNode: prepare<[], NodeRow>(
        `SELECT ${nodeColumns} FROM nodes WHERE status = 'scored' AND score IS NOT NULL ORDER BY score DESC, id ASC LIMIT 1`,
      ),
      evaluations: prepare<[number], EvaluationRow>(
        `SELECT ${EVALUATION_COLUMNS} FROM evaluations WHERE node_id = ? ORDER BY id`,
      ),
      modelCalls: prepare<[number], ModelCallRow>(
        `SELECT ${MODEL_CALL_COLUMNS} FROM model_calls WHERE node_id = ? ORDER BY id`,
      ),
      allModelCalls: prepare<[], ModelCallRow>(`SELECT ${MODEL_CALL_COLUMNS} FROM model_calls ORDER BY id`),
      modelCallTotals: prepare<[], { count: number; tokensIn: number; tokensOut: number; costUsd: number }>(
        'SELECT COUNT(*) AS count, COALESCE(SUM(tokens_in), 0) AS tokensIn, COALESCE(SUM(tokens_out), 0) AS tokensOut, COALESCE(SUM(cost_usd), 0) AS costUsd FROM model_calls',
      ),
      eventsAfter: prepare<[number, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE id > ? ORDER BY id LIMIT ?`,
      ),
      eventsLatest: prepare<[number], EventRow>(
        `SELECT * FROM (SELECT ${EVENT_COLUMNS} FROM events ORDER BY id DESC LIMIT ?) ORDER BY id`,
      ),
      schemaVersion: prepare<[], { version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations'),
      updateNodeEvaluation: prepare(
        'UPDATE nodes SET status = ?, score = ?, public_metrics = ?, private_metrics = ?, error = ?, evaluated_at = ? WHERE id = ?',
      ),
    };
    const hasStats =
      database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'node_stats'").get() !== undefined;
    this.#stats = hasStats
      ? {
          insertNodeStats: prepare<[number, number | null]>(
            `INSERT INTO node_stats (node_id, depth)
             VALUES (?, COALESCE((SELECT depth + 1 FROM node_stats WHERE node_id = ?), 0))`,
          ),
          addChild: prepare<[number]>('UPDATE node_stats SET children = children + 1 WHERE node_id = ?'),
          addOwnOutcomes: prepare<[number, number, number]>(
            'UPDATE node_stats SET own_passes = own_passes + ?, own_failures = own_failures + ? WHERE node_id = ?',
          ),
          // The node and its ancestors, walked up parent_id: O(depth) rows. UNION, not UNION ALL:
          // a parent cycle in a damaged archive ends the walk instead of spinning forever.
          addCladeOutcomes: prepare<[{ node: number; passes: number; failures: number }]>(
            `WITH RECURSIVE lineage (id) AS (
               SELECT @node UNION SELECT nodes.parent_id FROM nodes JOIN lineage ON nodes.id = lineage.id
               WHERE nodes.parent_id IS NOT NULL)
             UPDATE node_stats SET clade_passes = clade_passes + @passes, clade_failures = clade_failures + @failures
             WHERE node_id IN (SELECT id FROM lineage)`,
          ),
          nodeStats: prepare<[], NodeStatsRow>(
            'SELECT node_id, depth, children, own_passes, own_failures, clade_passes, clade_failures FROM node_stats ORDER BY node_id',
          ),
        }
      : null;
    this.#setArtifacts = hasArtifacts
      ? prepare<[string | null, number]>('UPDATE nodes SET artifacts = ? WHERE id = ?')
      : null;
    this.#recordNodeTransaction = database.transaction((given: AgentNode, evaluations: readonly EvaluationRecord[]) => {
      const { artifacts: _given, ...rest } = given;
      const artifacts = capNodeArtifacts(given.artifacts);
      const node: AgentNode = artifacts ? { ...rest, artifacts } : rest;
      this.#statements.insertNode.run(
        this.#statements.getCampaign.get()?.id ?? null,
        node.id,
        node.parentId,
        node.commit,
        node.status,
        node.score,
        toJson(node.publicMetrics),
        toJson(node.privateMetrics),
        toJson(node.mutation),
        node.error,
        node.iteration,
        node.createdAt,
        node.evaluatedAt,
      );
      if (artifacts) this.#setArtifacts?.run(toJson(artifacts), node.id);
      for (const evaluation of evaluations) {
        this.#statements.insertEvaluation.run(
          evaluation.nodeId,
          evaluation.problem,
          evaluation.repeat,
          evaluation.seed,
          evaluation.status,
          evaluation.score,
          toJson(evaluation.metrics),
          evaluation.durationMs,
          evaluation.logExcerpt,
        );
      }
      this.#stats?.insertNodeStats.run(node.id, node.parentId);
      if (node.parentId !== null) this.#stats?.addChild.run(node.parentId);
      this.#addOutcomes(node.id, evaluations);
      this.#statements.insertEvent.run('node-recorded', node.id, toJson({ node }), this.#now());
    });
    this.#appendEvaluationsTransaction = database.transaction(
      (update: NodeEvaluationUpdate, evaluations: readonly EvaluationRecord[]) => {
        const changed = this.#statements.updateNodeEvaluation.run(
          update.status,
          update.score,
          toJson(update.publicMetrics),
          toJson(update.privateMetrics),
          update.error,
          update.evaluatedAt,
          update.id,
        );
        if (changed.changes !== 1) {
          throw new ArchiveError(
            'ARCHIVE_FAILED',
            `Cannot append evaluations to node ${update.id}: it is not recorded. Record the node first.`,
          );
        }
        if (update.artifacts !== undefined) {
          const artifacts = capNodeArtifacts(update.artifacts);
          this.#setArtifacts?.run(artifacts ? toJson(artifacts) : null, update.id);
        }
        for (const evaluation of evaluations) this.#insertEvaluation(evaluation);
        this.#addOutcomes(update.id, evaluations);
        const summary = {
          nodeId: update.id,
          evaluations: evaluations.length,
          status: update.status,
          score: update.score,
        };
        this.#statements.insertEvent.run('evaluations-appended', update.id, toJson(summary), this.#now());
      },
    );
  }

  /** Own counts of the node, clade counts of the node and its ancestors. */
  #addOutcomes(nodeId: number, evaluations: readonly EvaluationRecord[]): void {
    if (evaluations.length === 0 || this.#stats === null) return;
    const outcome = sumOutcomes(evaluations.map((evaluation) => evaluation.score));
    this.#stats.addOwnOutcomes.run(outcome.passes, outcome.failures, nodeId);
    this.#stats.addCladeOutcomes.run({ node: nodeId, ...outcome });
  }

  #insertEvaluation(evaluation: EvaluationRecord): void {
    this.#statements.insertEvaluation.run(
      evaluation.nodeId,
      evaluation.problem,
      evaluation.repeat,
      evaluation.seed,
      evaluation.status,
      evaluation.score,
      toJson(evaluation.metrics),
      evaluation.durationMs,
      evaluation.logExcerpt,
    );
  }

  #statsStatements(): StatsStatements {
    if (this.#stats === null) {
      throw new ArchiveError(
        'ARCHIVE_FAILED',
        `Archive ${this.path} has no clade statistics (schema version ${this.schemaVersion()}); open it read-write with this clade to migrate it.`,
      );
    }
    return this.#stats;
  }

  #now(): string {
    return this.#clock().toISOString();
  }

  #checkWritable(action: string): void {
    if (this.#readonly) {
      throw new ArchiveError(
        'ARCHIVE_FAILED',
        `Cannot ${action}: archive ${this.path} was opened read-only. Open it without \`readonly\` to write.`,
      );
    }
  }

  /** Runs `body`, turning SQLite failures into `ArchiveError`s that name the action. */
  #guard<T>(action: string, body: () => T): T {
    try {
      return body();
    } catch (error) {
      throw translateError(error, `${action} in archive ${this.path}`, this.path);
    }
  }

  getCampaign(): CampaignRecord | null {
    return this.#guard('read the campaign', () => {
      const row = this.#statements.getCampaign.get();
      if (row === undefined) return null;
      return {
        id: row.id,
        name: row.name,
        seed: row.seed,
        config: JSON.parse(row.config) as unknown,
        configPath: row.config_path,
        createdAt: row.created_at,
      };
    });
  }

  createCampaign(campaign: CampaignRecord): void {
    this.#checkWritable(`create campaign ${campaign.id}`);
    const existing = this.getCampaign();
    if (existing !== null) {
      throw new ArchiveError(
        'ARCHIVE_FAILED',
        `Cannot create campaign ${campaign.id}: archive ${this.path} already holds campaign ${existing.id}. Resume it with \`clade resume\`, or use another directory.`,
      );
    }
    this.#guard(`create campaign ${campaign.id}`, () => {
      this.#statements.insertCampaign.run(
        campaign.id,
        campaign.name,
        campaign.seed,
        toJson(campaign.config),
        campaign.configPath,
        campaign.createdAt,
      );
    });
  }

  recordNode(node: AgentNode, evaluations: readonly EvaluationRecord[]): void {
    const what = `node ${node.id}`;
    this.#checkWritable(`record ${what}`);
    if (!NODE_STATUSES.includes(node.status)) {
      throw new ArchiveError(
        'ARCHIVE_FAILED',
        `Refused to record ${what}: unknown status "${String(node.status)}" (expected one of ${NODE_STATUSES.join(', ')}).`,
      );
    }
    checkScore(node.score, what);
    for (const evaluation of evaluations) {
      const evaluationName = `evaluation ${evaluation.problem}#${evaluation.repeat} of ${what}`;
      checkScore(evaluation.score, evaluationName);
      if (evaluation.nodeId !== node.id) {
        throw new ArchiveError(
          'ARCHIVE_FAILED',
          `Refused to record ${what}: ${evaluationName} names node ${evaluation.nodeId}. Every evaluation passed with a node must belong to it.`,
        );
      }
    }
    this.#guard(`record ${what}`, () => this.#recordNodeTransaction(node, evaluations));
  }

  appendEvaluations(update: NodeEvaluationUpdate, evaluations: readonly EvaluationRecord[]): void {
    const what = `node ${update.id}`;
    this.#checkWritable(`append evaluations to ${what}`);
    if (!NODE_STATUSES.includes(update.status)) {
      throw new ArchiveError(
        'ARCHIVE_FAILED',
        `Refused to update ${what}: unknown status "${String(update.status)}" (expected one of ${NODE_STATUSES.join(', ')}).`,
      );
    }
    checkScore(update.score, what);
    for (const evaluation of evaluations) {
      const evaluationName = `evaluation ${evaluation.problem}#${evaluation.repeat} of ${what}`;
      checkScore(evaluation.score, evaluationName);
      if (evaluation.nodeId !== update.id) {
        throw new ArchiveError(
          'ARCHIVE_FAILED',
          `Refused to append to ${what}: ${evaluationName} names node ${evaluation.nodeId}. Every evaluation appended to a node must belong to it.`,
        );
      }
    }
    this.#guard(`append evaluations to ${what}`, () => this.#appendEvaluationsTransaction(update, evaluations));
  }

  nodeStats(): NodeStatsRecord[] {
    return this.#guard('read clade statistics', () =>
      this.#statsStatements()
        .nodeStats.all()
        .map((row) => ({
          nodeId: row.node_id,
          depth: row.depth,
          children: row.children,
          own: { passes: row.own_passes, failures: row.own_failures },
          clade: { passes: row.clade_passes, failures: row.clade_failures },
        })),
    );
  }

  getNode(id: number): AgentNode | null {
    return this.#guard(`read node ${id}`, () => {
      const row = this.#statements.getNode.get(id);
      return row === undefined ? null : nodeFromRow(row, this.path);
    });
  }

  listNodes(): AgentNode[] {
    return this.#guard('list nodes', () => this.#statements.listNodes.all().map((row) => nodeFromRow(row, this.path)));
  }

  nodeCount(): number {
    return this.#guard('count nodes', () => this.#statements.nodeCount.get()?.count ?? 0);
  }

  maxNodeId(): number | null {
    return this.#guard('read the largest node id', () => this.#statements.maxNodeId.get()?.id ?? null);
  }

  maxAssignedNodeId(): number | null {
    return this.#guard('read the largest assigned node id', () => this.#statements.maxAssignedNodeId.get()?.id ?? null);
  }

  childIds(nodeId: number): number[] {
    return this.#guard(`read the children of node ${nodeId}`, () =>
      this.#statements.childIds.all(nodeId).map((row) => row.id),
    );
  }

  bestNode(): AgentNode | null {
    return this.#guard('read the best node', () => {
      const row = this.#statements.bestNode.get();
      return row === undefined ? null : nodeFromRow(row, this.path);
    });
  }

  evaluations(nodeId: number): EvaluationRecord[] {
    return this.#guard(`read evaluations of node ${nodeId}`, () =>
      this.#statements.evaluations.all(nodeId).map((row) => evaluationFromRow(row, this.path)),
    );
  }

  recordModelCall(call: Omit<ModelCallRecord, 'id' | 'createdAt'>): number {
    const what = `a ${call.provider}:${call.model} model call`;
    this.#checkWritable(`record ${what}`);
    return this.#guard(`record ${what}`, () => {
      const result = this.#statements.insertModelCall.run(
        call.nodeId,
        call.provider,
        call.model,
        toJson(call.request),
        toJson(call.response),
        call.tokensIn,
        call.tokensOut,
        call.costUsd,
        call.latencyMs,
        call.attempts,
        this.#now(),
      );
      return Number(result.lastInsertRowid);
    });
  }

  modelCalls(nodeId: number): ModelCallRecord[] {
    return this.#guard(`read model calls of node ${nodeId}`, () =>
      this.#statements.modelCalls.all(nodeId).map(modelCallFromRow),
    );
  }

  modelCallTotals(): { count: number; tokensIn: number; tokensOut: number; costUsd: number } {
    return this.#guard('sum model calls', () => {
      const row = this.#statements.modelCallTotals.get();
      return row ?? { count: 0, tokensIn: 0, tokensOut: 0, costUsd: 0 };
    });
  }

  listModelCalls(): ModelCallRecord[] {
    return this.#guard('read model calls', () => this.#statements.allModelCalls.all().map(modelCallFromRow));
  }

  recordEvent(type: string, data: unknown, nodeId: number | null = null): void {
    this.#checkWritable(`record a ${type} event`);
    this.#guard(`record a ${type} event`, () => {
      this.#statements.insertEvent.run(type, nodeId, toJson(data), this.#now());
    });
  }

  /**
   * Events in order of id (most recent last). With `afterId`: the first `limit` events after it,
   * for incremental reads. Without: the `limit` most recent events. `limit` defaults to all.
   */
  events(options: { afterId?: number; limit?: number } = {}): EventRecord[] {
    const limit = options.limit ?? -1; // SQLite: a negative LIMIT means no limit.
    return this.#guard('read events', () => {
      const rows =
        options.afterId === undefined && limit >= 0
          ? this.#statements.eventsLatest.all(limit)
          : this.#statements.eventsAfter.all(options.afterId ?? 0, limit);
      return rows.map(eventFromRow);
    });
  }

  schemaVersion(): number {
    return this.#guard('read the schema version', () => this.#statements.schemaVersion.get()?.version ?? 0);
  }

  close(): void {
    if (!this.#database.open) return;
    this.#database.close();
    this.#onClose?.();
  }
}
