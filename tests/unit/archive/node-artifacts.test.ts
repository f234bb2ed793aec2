import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations, openArchive } from '../../../src/archive/index.js';
import { capNodeArtifacts, NODE_ARTIFACTS_CHARS } from '../../../src/archive/sqlite-store.js';
import type { AgentNode } from '../../../src/core/types.js';

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'clade-artifacts-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

const node = (id: number, overrides: Partial<AgentNode> = {}): AgentNode => ({
  id,
  parentId: id === 0 ? null : 0,
  commit: 'c'.repeat(40),
  status: 'scored',
  score: 2.5,
  publicMetrics: {},
  privateMetrics: {},
  mutation: { operator: id === 0 ? 'seed' : 'parametric', summary: '' },
  error: null,
  iteration: id,
  createdAt: '2026-01-01T00:00:00.000Z',
  evaluatedAt: '2026-01-01T00:00:01.000Z',
  ...overrides,
});

describe('node artifacts (migration 3)', () => {
  it('stores, reads back, replaces and omits a node artifacts', () => {
    const store = openArchive(join(directory, 'archive.db'));
    store.recordNode(node(0), []);
    store.recordNode(node(1, { score: 3, artifacts: { stderr: 'warning: <b>x</b>', feedback: 'overlap of 0.1' } }), []);
    expect(store.getNode(0)).not.toHaveProperty('artifacts');
    expect(store.getNode(1)?.artifacts).toEqual({ stderr: 'warning: <b>x</b>', feedback: 'overlap of 0.1' });
    expect(store.listNodes()[1]?.artifacts).toEqual({ stderr: 'warning: <b>x</b>', feedback: 'overlap of 0.1' });
    expect(store.bestNode()?.artifacts).toEqual({ stderr: 'warning: <b>x</b>', feedback: 'overlap of 0.1' });

    const base = node(1);
    store.appendEvaluations({ ...base, artifacts: { feedback: 'stage two' } }, []);
    expect(store.getNode(1)?.artifacts).toEqual({ feedback: 'stage two' });
    store.appendEvaluations({ ...base }, []);
    expect(store.getNode(1)?.artifacts).toEqual({ feedback: 'stage two' });
    store.appendEvaluations({ ...base, artifacts: {} }, []);
    expect(store.getNode(1)).not.toHaveProperty('artifacts');
    store.close();
  });

  it('caps what a node keeps, saying how many were dropped', () => {
    const big = 'x'.repeat(30_000);
    const capped = capNodeArtifacts({ a: big, b: big, c: big, d: 'small' });
    expect(Object.keys(capped ?? {})).toEqual(['a', 'b', 'clade:dropped']);
    expect(capped?.['clade:dropped']).toMatch(/2 more artifact\(s\) dropped/);
    const total = Object.entries(capped ?? {}).reduce((sum, [name, text]) => sum + name.length + text.length, 0);
    expect(total).toBeLessThan(NODE_ARTIFACTS_CHARS + 200);
    expect(capNodeArtifacts({})).toBeNull();
    expect(capNodeArtifacts(undefined)).toBeNull();
  });

  it('upgrades an archive made before migration 3 and keeps its nodes', () => {
    const path = join(directory, 'archive.db');
    const old = openArchive(path, { migrations: migrations.slice(0, 2) });
    old.recordNode(node(0, { artifacts: { dropped: 'the old schema has no column' } }), []);
    expect(old.getNode(0)).not.toHaveProperty('artifacts');
    old.close();
    const upgraded = openArchive(path);
    expect(upgraded.schemaVersion()).toBe(migrations.length);
    expect(upgraded.getNode(0)).toEqual(node(0));
    upgraded.recordNode(node(1, { artifacts: { note: 'kept' } }), []);
    expect(upgraded.getNode(1)?.artifacts).toEqual({ note: 'kept' });
    upgraded.close();
    const database = new Database(path, { readonly: true });
    const row = database.prepare('SELECT artifacts FROM nodes WHERE id = 1').get() as { artifacts: string };
    expect(JSON.parse(row.artifacts)).toEqual({ note: 'kept' });
    database.close();
  });
});
