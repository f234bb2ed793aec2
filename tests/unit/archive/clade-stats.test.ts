import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../../src/archive/migrations/index.js';
import { openArchive } from '../../../src/archive/sqlite-store.js';
import type { ArchiveStore } from '../../../src/archive/types.js';
import { gradedOutcome } from '../../../src/core/outcomes.js';
import type { AgentNode, EvaluationRecord } from '../../../src/core/types.js';
import { temporaryDirectory } from '../../helpers/campaign-fixture.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function node(id: number, parentId: number | null): AgentNode {
  return {
    id,
    parentId,
    commit: `c${id}`,
    status: 'scored',
    score: 0.5,
    publicMetrics: {},
    privateMetrics: {},
    mutation: { operator: 'test', summary: `node ${id}` },
    error: null,
    iteration: id,
    createdAt: '2026-01-01T00:00:00.000Z',
    evaluatedAt: '2026-01-01T00:00:01.000Z',
  };
}

function evaluation(nodeId: number, index: number, score: number | null): EvaluationRecord {
  return {
    nodeId,
    problem: `p${index}`,
    repeat: 0,
    seed: index,
    status: score === null ? 'timeout' : 'ok',
    score,
    metrics: {},
    durationMs: 1,
    logExcerpt: '',
  };
}

/** Clade counts recomputed from scratch: own outcomes from the evaluations, summed over subtrees. */
function recompute(archive: ArchiveStore) {
  const nodes = archive.listNodes();
  const own = new Map<number, { passes: number; failures: number }>();
  for (const current of nodes) {
    let passes = 0;
    let failures = 0;
    for (const record of archive.evaluations(current.id)) {
      const outcome = gradedOutcome(record.score);
      passes += outcome.passes;
      failures += outcome.failures;
    }
    own.set(current.id, { passes, failures });
  }
  const clade = new Map<number, { passes: number; failures: number }>();
  const children = new Map<number, number>();
  const depth = new Map<number, number>();
  for (const current of nodes) {
    depth.set(current.id, current.parentId === null ? 0 : (depth.get(current.parentId) as number) + 1);
    if (current.parentId !== null) children.set(current.parentId, (children.get(current.parentId) ?? 0) + 1);
  }
  for (const current of nodes) {
    const mine = own.get(current.id) as { passes: number; failures: number };
    for (let at: AgentNode | undefined = current; at; at = nodes.find((other) => other.id === at?.parentId)) {
      const entry = clade.get(at.id) ?? { passes: 0, failures: 0 };
      entry.passes += mine.passes;
      entry.failures += mine.failures;
      clade.set(at.id, entry);
    }
  }
  return nodes.map((current) => ({
    nodeId: current.id,
    depth: depth.get(current.id),
    children: children.get(current.id) ?? 0,
    own: own.get(current.id),
    clade: clade.get(current.id),
  }));
}

function expectClose(actual: ReturnType<ArchiveStore['nodeStats']>, expected: ReturnType<typeof recompute>) {
  expect(actual.map((entry) => [entry.nodeId, entry.depth, entry.children])).toEqual(
    expected.map((entry) => [entry.nodeId, entry.depth, entry.children]),
  );
  actual.forEach((entry, index) => {
    const wanted = expected[index];
    for (const key of ['own', 'clade'] as const) {
      expect(entry[key].passes).toBeCloseTo(wanted?.[key]?.passes as number, 9);
      expect(entry[key].failures).toBeCloseTo(wanted?.[key]?.failures as number, 9);
    }
  });
}

/** An operation: record a child of an earlier node, or append evaluations to an earlier node. */
const operationsArbitrary = fc.array(
  fc.record({
    kind: fc.constantFrom('child', 'child', 'append'),
    target: fc.nat(),
    scores: fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }), { maxLength: 4 }),
  }),
  { maxLength: 40 },
);

describe('clade statistics in the archive', () => {
  it('equal a recomputation from scratch after any sequence of records and appends (property)', () => {
    fc.assert(
      fc.property(operationsArbitrary, (operations) => {
        const archive = openArchive(':memory:');
        try {
          archive.recordNode(node(0, null), [evaluation(0, 0, 0.25)]);
          let count = 1;
          const used = new Map<number, number>([[0, 1]]);
          for (const operation of operations) {
            const target = operation.target % count;
            if (operation.kind === 'child') {
              const id = count++;
              archive.recordNode(
                node(id, target),
                operation.scores.map((score, index) => evaluation(id, index, score)),
              );
              used.set(id, operation.scores.length);
            } else {
              const start = used.get(target) ?? 0;
              archive.appendEvaluations(
                { ...node(target, null), score: 0.4 },
                operation.scores.map((score, index) => evaluation(target, start + index, score)),
              );
              used.set(target, start + operation.scores.length);
            }
          }
          expectClose(archive.nodeStats(), recompute(archive));
          // A node's own record never absorbs its descendants': own = Σ own evaluations only.
          for (const entry of archive.nodeStats()) {
            expect(entry.own.passes + entry.own.failures).toBeCloseTo(archive.evaluations(entry.nodeId).length, 9);
          }
        } finally {
          archive.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('are backfilled by migration 2 for an archive written at schema 1', () => {
    const directory = temporaryDirectory('clade-stats-');
    cleanups.push(directory.remove);
    const file = `${directory.path}/archive.db`;
    openArchive(file, { migrations: migrations.slice(0, 1) }).close();
    // Schema 1 has no node_stats: write its rows directly, as an archive made before migration 2.
    const raw = new Database(file);
    const nodeRow = raw.prepare(
      "INSERT INTO nodes (id, parent_id, commit_sha, status, score, mutation, iteration, created_at) VALUES (?, ?, 'c', 'scored', 0.5, '{}', ?, 'now')",
    );
    const evaluationRow = raw.prepare(
      "INSERT INTO evaluations (node_id, problem, repeat, seed, status, score, duration_ms) VALUES (?, ?, 0, 0, 'ok', ?, 1)",
    );
    nodeRow.run(0, null, 0);
    nodeRow.run(1, 0, 1);
    nodeRow.run(2, 1, 2);
    nodeRow.run(3, 0, 3);
    evaluationRow.run(0, 'a', 0.5);
    evaluationRow.run(1, 'a', 1);
    evaluationRow.run(1, 'b', null);
    evaluationRow.run(2, 'a', 0.25);
    evaluationRow.run(3, 'a', 0);
    raw.close();
    const upgraded = openArchive(file);
    try {
      expect(upgraded.schemaVersion()).toBe(migrations.length);
      expectClose(upgraded.nodeStats(), recompute(upgraded));
      expect(upgraded.nodeStats()[0]).toMatchObject({ depth: 0, children: 2, clade: { passes: 1.75, failures: 3.25 } });
    } finally {
      upgraded.close();
    }
  });
});
