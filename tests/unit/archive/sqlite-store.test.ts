import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArchiveStore, CampaignRecord } from '../../../src/archive/index.js';
import { migrations, openArchive } from '../../../src/archive/index.js';
import { ArchiveError } from '../../../src/core/errors.js';
import type { AgentNode, EvaluationRecord } from '../../../src/core/types.js';
import { NODE_STATUSES } from '../../../src/core/types.js';

let directory: string;
let databasePath: string;
const opened: ArchiveStore[] = [];

function open(options: Parameters<typeof openArchive>[1] = {}): ArchiveStore {
  const store = openArchive(databasePath, options);
  opened.push(store);
  return store;
}

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'clade-archive-test-'));
  databasePath = join(directory, 'archive.db');
});

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  rmSync(directory, { recursive: true, force: true });
});

function makeNode(id: number, overrides: Partial<AgentNode> = {}): AgentNode {
  return {
    id,
    parentId: id === 0 ? null : id - 1,
    commit: `${id.toString(16).padStart(8, '0')}${'c'.repeat(32)}`,
    status: 'scored',
    score: 0.25 + id / 1000,
    publicMetrics: { error: 1.5e-3, evaluations: 10_000, note: 'ok', converged: true, missing: null },
    privateMetrics: { hiddenScore: 0.125 },
    mutation: {
      operator: id === 0 ? 'seed' : 'parametric',
      summary: `step ${id}`,
      details: { lambda: [1, 2, { deep: 'é' }] },
    },
    error: null,
    iteration: id,
    createdAt: '2025-01-02T03:04:05.000Z',
    evaluatedAt: '2025-01-02T03:04:06.500Z',
    ...overrides,
  };
}

function makeEvaluation(
  nodeId: number,
  problem: string,
  repeat: number,
  overrides: Partial<EvaluationRecord> = {},
): EvaluationRecord {
  return {
    nodeId,
    problem,
    repeat,
    seed: 4_294_967_295 - repeat,
    status: 'ok',
    score: 0.5,
    metrics: { finalError: 0.001, functionEvaluations: 2000 },
    durationMs: 123.5,
    logExcerpt: 'done\nbest=0.001 ✓',
    ...overrides,
  };
}

const campaign: CampaignRecord = {
  id: 'demo-abc123',
  name: 'demo',
  seed: 42,
  config: { iterations: 10, selection: { name: 'dgm', lambda: 10 } },
  configPath: '/home/user/demo.yaml',
  createdAt: '2025-01-01T00:00:00.000Z',
};

function rawDatabase(readonly = true): Database.Database {
  return new Database(databasePath, { readonly });
}

describe('openArchive: schema and migrations', () => {
  it('creates every table and records the schema version', () => {
    const store = open();
    expect(store.schemaVersion()).toBe(migrations.length);
    store.close();

    const database = rawDatabase();
    const tables = (database.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[])
      .map((row) => row.name)
      .sort();
    expect(tables).toEqual([
      'campaigns',
      'evaluations',
      'events',
      'model_calls',
      'node_stats',
      'nodes',
      'schema_migrations',
    ]);
    const indexes = (
      database.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'nodes'").all() as {
        name: string;
      }[]
    ).map((row) => row.name);
    expect(indexes).toEqual(expect.arrayContaining(['nodes_parent_id', 'nodes_score']));
    const applied = database.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(applied).toEqual(migrations.map((migration) => ({ version: migration.version, name: migration.name })));
    database.close();
  });

  it('numbers the shipped migrations 1, 2, 3 … in order', () => {
    expect(migrations.map((migration) => migration.version)).toEqual(migrations.map((_, index) => index + 1));
  });

  it('reopens idempotently, keeping the data and applying nothing twice', () => {
    const first = open();
    first.createCampaign(campaign);
    first.recordNode(makeNode(0), []);
    first.close();

    const second = open();
    expect(second.schemaVersion()).toBe(migrations.length);
    expect(second.getCampaign()).toEqual(campaign);
    expect(second.nodeCount()).toBe(1);
    second.close();

    const database = rawDatabase();
    expect((database.prepare('SELECT COUNT(*) AS count FROM schema_migrations').get() as { count: number }).count).toBe(
      migrations.length,
    );
    database.close();
  });

  it('refuses an archive whose schema is newer than this clade knows', () => {
    open().close();
    const database = rawDatabase(false);
    database
      .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
      .run(migrations.length + 1, 'from-the-future', '2030-01-01T00:00:00.000Z');
    database.close();

    for (const readonly of [false, true]) {
      let thrown: unknown;
      try {
        open({ readonly });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ArchiveError);
      expect((thrown as ArchiveError).code).toBe('ARCHIVE_CORRUPT');
      expect((thrown as ArchiveError).message).toMatch(/newer than this clade knows.*upgrade clade/);
    }
  });

  it('applies a later migration to an existing archive, and rolls back one that fails', () => {
    const first = migrations.slice(0, 1);
    open({ migrations: first }).close();

    const failing = {
      version: 2,
      name: 'broken',
      sql: 'CREATE TABLE half_done (a INTEGER); INSERT INTO no_such_table VALUES (1);',
    };
    expect(() => open({ migrations: [...first, failing] })).toThrow(ArchiveError);
    let database = rawDatabase();
    expect(database.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
    expect(
      (database.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number }).version,
    ).toBe(1);
    database.close();

    const addColumn = { version: 2, name: 'node-notes', sql: 'ALTER TABLE nodes ADD COLUMN notes TEXT;' };
    const upgraded = open({ migrations: [...first, addColumn] });
    expect(upgraded.schemaVersion()).toBe(2);
    upgraded.recordNode(makeNode(0), []);
    expect(upgraded.getNode(0)).toEqual(makeNode(0));
    upgraded.close();
    database = rawDatabase();
    const columns = (database.prepare('PRAGMA table_info(nodes)').all() as { name: string }[]).map(
      (column) => column.name,
    );
    expect(columns).toContain('notes');
    database.close();
  });

  it('refuses a migration list with a gap', () => {
    const gap = [
      { version: 1, name: 'a', sql: '' },
      { version: 3, name: 'c', sql: '' },
    ];
    expect(() => open({ migrations: gap })).toThrow(/numbered 1, 2, 3/);
  });

  it('turns on WAL mode and foreign keys', () => {
    const store = open();
    store.recordEvent('campaign-started', { resumed: false });
    const database = rawDatabase();
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    database.close();
    // Foreign keys: a child whose parent is missing is refused.
    expect(() => store.recordNode(makeNode(5, { parentId: 4 }), [])).toThrow(/FOREIGN KEY/);
  });

  it('says clearly when the directory does not exist', () => {
    const missing = join(directory, 'no', 'such', 'dir', 'archive.db');
    expect(() => openArchive(missing)).toThrow(ArchiveError);
    try {
      openArchive(missing);
    } catch (error) {
      expect((error as ArchiveError).code).toBe('ARCHIVE_NOT_FOUND');
      expect((error as ArchiveError).message).toContain(join(directory, 'no', 'such', 'dir'));
      expect((error as ArchiveError).message).toContain('does not exist');
    }
  });

  it('refuses a file that is not SQLite, and a SQLite database that is not an archive', () => {
    writeFileSync(
      databasePath,
      'this is not a database, just some text that is long enough to fill a header '.repeat(10),
    );
    expect(() => openArchive(databasePath)).toThrow(expect.objectContaining({ code: 'ARCHIVE_CORRUPT' }));
    rmSync(databasePath);

    const foreign = rawDatabase(false);
    foreign.exec('CREATE TABLE users (id INTEGER PRIMARY KEY)');
    foreign.close();
    expect(() => openArchive(databasePath)).toThrow(expect.objectContaining({ code: 'ARCHIVE_CORRUPT' }));
    expect(() => openArchive(databasePath, { readonly: true })).toThrow(
      expect.objectContaining({ code: 'ARCHIVE_CORRUPT' }),
    );
  });
});

describe('archive contents', () => {
  it('round-trips the campaign and refuses a second one', () => {
    const store = open();
    expect(store.getCampaign()).toBeNull();
    store.createCampaign(campaign);
    expect(store.getCampaign()).toEqual(campaign);
    expect(() => store.createCampaign({ ...campaign, id: 'other' })).toThrow(/already holds campaign demo-abc123/);
  });

  it('round-trips every field of a node and its evaluations', () => {
    const store = open();
    store.createCampaign(campaign);
    const root = makeNode(0);
    const child = makeNode(1, {
      status: 'timeout',
      score: null,
      publicMetrics: {},
      privateMetrics: { reason: 'wall clock' },
      error: 'evaluation ran past 60 s and was killed',
      evaluatedAt: null,
      mutation: { operator: 'llm-diff', summary: 'try "quotes" and\nnewlines' },
    });
    const rootEvaluations = [
      makeEvaluation(0, 'sphere-d10', 0),
      makeEvaluation(0, 'sphere-d10', 1, { status: 'failed', score: null, metrics: {}, logExcerpt: '' }),
      makeEvaluation(0, 'rastrigin-d10', 0, { score: 1, durationMs: 0 }),
    ];
    store.recordNode(root, rootEvaluations);
    store.recordNode(child, [makeEvaluation(1, 'sphere-d10', 0, { status: 'timeout', score: null })]);

    expect(store.getNode(0)).toEqual(root);
    expect(store.getNode(1)).toEqual(child);
    expect(store.getNode(2)).toBeNull();
    expect(store.listNodes()).toEqual([root, child]);
    expect(store.nodeCount()).toBe(2);
    expect(store.maxNodeId()).toBe(1);
    expect(store.evaluations(0)).toEqual(rootEvaluations);
    expect(store.evaluations(1)).toHaveLength(1);
    expect(store.evaluations(7)).toEqual([]);

    const recorded = store.events().filter((event) => event.type === 'node-recorded');
    expect(recorded.map((event) => event.nodeId)).toEqual([0, 1]);
    expect(recorded[1]?.data).toEqual({ node: child });

    const database = rawDatabase();
    expect(database.prepare('SELECT DISTINCT campaign_id FROM nodes').all()).toEqual([{ campaign_id: campaign.id }]);
    database.close();
  });

  it('accepts every node status', () => {
    const store = open();
    store.recordNode(makeNode(0), []);
    NODE_STATUSES.forEach((status, index) => {
      const score = status === 'scored' ? 0.5 : null;
      store.recordNode(makeNode(index + 1, { parentId: 0, status, score }), []);
    });
    expect(
      store
        .listNodes()
        .slice(1)
        .map((node) => node.status),
    ).toEqual([...NODE_STATUSES]);
  });

  it('writes nothing when a node fails half way (duplicate evaluation key)', () => {
    const store = open();
    store.recordNode(makeNode(0), []);
    const eventsBefore = store.events().length;
    const duplicate = [makeEvaluation(1, 'sphere-d10', 0), makeEvaluation(1, 'sphere-d10', 0, { seed: 9 })];
    let thrown: unknown;
    try {
      store.recordNode(makeNode(1), duplicate);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ArchiveError);
    expect((thrown as ArchiveError).message).toContain('record node 1');
    expect((thrown as ArchiveError).message).toContain('UNIQUE');
    expect(store.getNode(1)).toBeNull();
    expect(store.evaluations(1)).toEqual([]);
    expect(store.nodeCount()).toBe(1);
    expect(store.events()).toHaveLength(eventsBefore);

    // The same node with valid evaluations then goes in.
    store.recordNode(makeNode(1), duplicate.slice(0, 1));
    expect(store.evaluations(1)).toHaveLength(1);
  });

  it('refuses a duplicate node id, a non-finite score and an evaluation of another node', () => {
    const store = open();
    store.recordNode(makeNode(0), []);
    expect(() => store.recordNode(makeNode(0), [])).toThrow(ArchiveError);
    expect(() => store.recordNode(makeNode(1, { score: Number.NaN }), [])).toThrow(/finite/);
    expect(() =>
      store.recordNode(makeNode(1), [makeEvaluation(1, 'p', 0, { score: Number.POSITIVE_INFINITY })]),
    ).toThrow(/finite/);
    expect(() => store.recordNode(makeNode(1), [makeEvaluation(2, 'p', 0)])).toThrow(/names node 2/);
    expect(store.nodeCount()).toBe(1);
  });

  it('stores non-finite metric values as null', () => {
    const store = open();
    store.recordNode(makeNode(0, { publicMetrics: { error: Number.POSITIVE_INFINITY, ratio: Number.NaN, ok: 1 } }), []);
    expect(store.getNode(0)?.publicMetrics).toEqual({ error: null, ratio: null, ok: 1 });
  });

  it('counts the ids of children lost in a crash after they called a model as assigned', () => {
    const store = open();
    expect(store.maxAssignedNodeId()).toBeNull();
    store.recordNode(makeNode(0), []);
    expect(store.maxAssignedNodeId()).toBe(0);
    // Child 1 was created (its event written) but recorded nothing else: its id may be made again.
    store.recordEvent('node-created', { type: 'node-created', nodeId: 1, parentId: 0, operator: 'parametric' }, 1);
    expect(store.maxAssignedNodeId()).toBe(0);
    // Child 2 had called a model when the process died: its id stays taken.
    store.recordModelCall({
      nodeId: 2,
      provider: 'openai',
      model: 'gpt-4o-mini',
      request: 'r',
      response: 'a',
      tokensIn: 1,
      tokensOut: 1,
      costUsd: 0,
      latencyMs: 1,
      attempts: 1,
    });
    expect(store.maxNodeId()).toBe(0);
    expect(store.maxAssignedNodeId()).toBe(2);
  });

  it('round-trips model calls and events, stamped by the clock', () => {
    let tick = 0;
    const clock = () => new Date(Date.UTC(2025, 0, 1, 0, 0, tick++));
    const store = open({ clock });
    tick = 1; // Opening stamped each migration; the calls below start at second 1 whatever their number.
    const request = { messages: [{ role: 'user', content: 'improve ⟨this⟩' }], temperature: 0.7 };
    const response = { choices: [{ message: { content: '<<<<<<< SEARCH' } }], usage: { prompt_tokens: 12 } };
    const first = store.recordModelCall({
      nodeId: 3,
      provider: 'openai',
      model: 'gpt-4o-mini',
      request,
      response,
      tokensIn: 12,
      tokensOut: 34,
      costUsd: 0.000_123,
      latencyMs: 456.7,
      attempts: 2,
    });
    const second = store.recordModelCall({
      nodeId: null,
      provider: 'anthropic',
      model: 'claude',
      request: 'plain',
      response: undefined,
      tokensIn: 0,
      tokensOut: 0,
      costUsd: 0,
      latencyMs: 0,
      attempts: 1,
    });
    expect(second).toBeGreaterThan(first);
    expect(store.modelCalls(3)).toEqual([
      {
        id: first,
        nodeId: 3,
        provider: 'openai',
        model: 'gpt-4o-mini',
        request,
        response,
        tokensIn: 12,
        tokensOut: 34,
        costUsd: 0.000_123,
        latencyMs: 456.7,
        attempts: 2,
        // Second tick: the first stamped the applied migration.
        createdAt: '2025-01-01T00:00:01.000Z',
      },
    ]);
    expect(store.modelCalls(4)).toEqual([]);

    store.recordEvent('campaign-started', { campaign: 'demo', resumed: false, nodes: 0 });
    store.recordEvent('node-created', { nodeId: 3, parentId: 0, operator: 'parametric' }, 3);
    store.recordEvent('campaign-finished', { reason: 'iterations' });
    const all = store.events();
    expect(all.map((event) => [event.type, event.nodeId])).toEqual([
      ['campaign-started', null],
      ['node-created', 3],
      ['campaign-finished', null],
    ]);
    expect(all[1]?.data).toEqual({ nodeId: 3, parentId: 0, operator: 'parametric' });
    expect(all[0]?.createdAt).toBe('2025-01-01T00:00:03.000Z');
    const [firstEvent, secondEvent, thirdEvent] = all;
    expect(store.events({ afterId: firstEvent?.id })).toEqual([secondEvent, thirdEvent]);
    expect(store.events({ afterId: firstEvent?.id, limit: 1 })).toEqual([secondEvent]);
    expect(store.events({ limit: 2 })).toEqual([secondEvent, thirdEvent]);
    expect(store.events({ afterId: thirdEvent?.id })).toEqual([]);
  });
});

describe('read-only archives', () => {
  it('reads while a writer is open and after it closed, and cannot write', () => {
    const writer = open();
    writer.createCampaign(campaign);
    writer.recordNode(makeNode(0), [makeEvaluation(0, 'sphere-d10', 0)]);

    const whileOpen = open({ readonly: true });
    expect(whileOpen.listNodes()).toEqual([makeNode(0)]);
    writer.recordNode(makeNode(1), []);
    expect(whileOpen.nodeCount()).toBe(2);
    whileOpen.close();
    writer.close();

    const viewer = open({ readonly: true });
    expect(viewer.getCampaign()).toEqual(campaign);
    expect(viewer.evaluations(0)).toHaveLength(1);
    expect(() => viewer.recordEvent('x', {})).toThrow(/opened read-only/);
    expect(() => viewer.recordNode(makeNode(2), [])).toThrow(ArchiveError);
    expect(() =>
      viewer.recordModelCall({
        nodeId: null,
        provider: 'p',
        model: 'm',
        request: {},
        response: {},
        tokensIn: 0,
        tokensOut: 0,
        costUsd: 0,
        latencyMs: 0,
        attempts: 1,
      }),
    ).toThrow(ArchiveError);
    expect(() => viewer.createCampaign({ ...campaign, id: 'x' })).toThrow(ArchiveError);
    expect(viewer.nodeCount()).toBe(2);
  });

  it('refuses to open a missing file read-only without creating it', () => {
    expect(() => openArchive(databasePath, { readonly: true })).toThrow(
      expect.objectContaining({ code: 'ARCHIVE_NOT_FOUND' }),
    );
    const nested = join(directory, 'sub');
    mkdirSync(nested);
    expect(() => openArchive(join(nested, 'archive.db'), { readonly: true })).toThrow(/does not exist/);
  });
});

describe('large archives', () => {
  it('lists 100,000 nodes in id order', () => {
    open().close();
    const database = rawDatabase(false);
    const insert = database.prepare(
      `INSERT INTO nodes (id, parent_id, commit_sha, status, score, public_metrics, private_metrics, mutation, error, iteration, created_at, evaluated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
    );
    const total = 100_000;
    database.transaction(() => {
      for (let id = 0; id < total; id++) {
        const parent = id === 0 ? null : Math.floor((id - 1) / 3);
        insert.run(
          id,
          parent,
          `sha${id}`,
          id % 7 === 0 ? 'crashed' : 'scored',
          id % 7 === 0 ? null : (id % 1000) / 1000,
          JSON.stringify({ error: id }),
          '{}',
          JSON.stringify({ operator: 'parametric', summary: `n${id}` }),
          id,
          '2025-01-01T00:00:00.000Z',
          '2025-01-01T00:00:01.000Z',
        );
      }
    })();
    database.close();

    const store = open({ readonly: true });
    expect(store.nodeCount()).toBe(total);
    expect(store.maxNodeId()).toBe(total - 1);
    const started = performance.now();
    const nodes = store.listNodes();
    if (process.env.CLADE_REPORT_TIMINGS)
      console.log(`listNodes(${total}): ${(performance.now() - started).toFixed(0)} ms`);
    expect(nodes).toHaveLength(total);
    for (let index = 0; index < total; index += 9973) {
      const node = nodes[index];
      expect(node?.id).toBe(index);
      expect(node?.publicMetrics).toEqual({ error: index });
    }
    expect(nodes.every((node, index) => node.id === index)).toBe(true);
    expect(nodes[total - 1]?.parentId).toBe(Math.floor((total - 2) / 3));
  });
});
