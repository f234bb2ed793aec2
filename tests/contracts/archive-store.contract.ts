/**
 * @module The contract every `ArchiveStore` must pass, run for every kind registered in
 * `archiveStores` (src/archive/registry.ts): a kind's descriptor opens a store at a path, so every
 * registered kind is run without a fixture of its own.
 *
 * What the suite fixes for every store:
 * - a campaign, nodes (every status, metrics of every JSON type, mutation details, artifacts) and
 *   their evaluations come back as written, in id order, also after closing and reopening;
 * - the tree queries (`childIds`, `nodeStats`: depth, children, own and clade outcome counts,
 *   `bestNode`) agree with a reference computed here from the parent links of a seeded random tree,
 *   and stay in agreement when evaluations are appended to a node deep in the tree;
 * - model calls are recorded and listed per node and in total (ids increasing, request and response
 *   JSON kept), and a call filed under a node not yet recorded counts in `maxAssignedNodeId`;
 * - events are kept in order and read incrementally.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchiveStoreKind } from '../../src/archive/registry.js';
import { archiveStores } from '../../src/archive/registry.js';
import type { ArchiveStore, CampaignRecord } from '../../src/archive/types.js';
import { type OutcomeCounts, sumOutcomes } from '../../src/core/outcomes.js';
import { createRandom } from '../../src/core/random.js';
import type { AgentNode, EvaluationRecord, NodeStatus } from '../../src/core/types.js';
import { NODE_STATUSES } from '../../src/core/types.js';

/** Nodes of the random tree. */
const TREE_SIZE = 40;

/** A seeded random tree: node i's parent is drawn from 0..i-1 (more often a recent node, so it gets deep). */
export function randomTree(size: number, seed: number): Array<number | null> {
  const random = createRandom(seed, 'archive-contract-tree');
  const parents: Array<number | null> = [null];
  for (let id = 1; id < size; id++) {
    parents.push(random.next() < 0.6 ? id - 1 - random.int(Math.min(id, 3)) : random.int(id));
  }
  return parents;
}

function sampleNode(id: number, parentId: number | null, status: NodeStatus, score: number | null): AgentNode {
  return {
    id,
    parentId,
    commit: `${id.toString(16).padStart(8, '0')}${'ab'.repeat(16)}`,
    status,
    score,
    publicMetrics: {
      error: 1.5e-3 * (id + 1),
      evaluations: 1000 + id,
      note: `node ${id} é ✓`,
      converged: id % 2 === 0,
      missing: null,
    },
    privateMetrics: { hidden: id / 7 },
    mutation: {
      operator: id === 0 ? 'seed' : 'contract',
      summary: `made node ${id}`,
      details: { nested: [1, 'two', { three: 3, empty: null }], id },
    },
    error: status === 'scored' ? null : `node ${id} is ${status}`,
    iteration: id,
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, id)).toISOString(),
    evaluatedAt: new Date(Date.UTC(2025, 0, 1, 0, 1, id)).toISOString(),
    ...(id % 5 === 0 ? { artifacts: { feedback: `node ${id}: line one\nline two`, 'stderr.txt': '' } } : {}),
  };
}

function sampleEvaluations(node: AgentNode, count: number, offset = 0): EvaluationRecord[] {
  return Array.from({ length: count }, (_, index) => ({
    nodeId: node.id,
    problem: `problem-${(index + offset) % 2}`,
    repeat: index + offset,
    seed: 1000 * node.id + index + offset,
    status: node.status === 'scored' ? 'ok' : index % 2 === 0 ? 'crashed' : 'timeout',
    score: node.status === 'scored' ? ((node.id * 7 + index + offset) % 11) / 10 : null,
    metrics: { error: index + 0.5, label: `job ${index}`, passed: index % 2 === 0, none: null },
    durationMs: 10 * index + 1,
    logExcerpt: `log of node ${node.id} job ${index + offset}\nsecond line`,
  }));
}

/** The tree written by the suite: nodes with their evaluations, statuses drawn from every status. */
function sampleTree(seed: number): Array<{ node: AgentNode; evaluations: EvaluationRecord[] }> {
  const random = createRandom(seed, 'archive-contract-nodes');
  return randomTree(TREE_SIZE, seed).map((parentId, id) => {
    const status: NodeStatus =
      id < NODE_STATUSES.length ? (NODE_STATUSES[id] as NodeStatus) : random.next() < 0.7 ? 'scored' : 'crashed';
    // Ties on purpose (bestNode takes the lowest id), one of them the best score.
    const score = status === 'scored' ? Math.round(random.next() * 8) / 10 : null;
    const node = sampleNode(id, parentId, status, id === 17 || id === 23 ? 0.95 : score);
    return { node, evaluations: status === 'patch_failed' ? [] : sampleEvaluations(node, 1 + (id % 3)) };
  });
}

/** Reference lineage queries from parent links alone. */
function reference(parents: ReadonlyArray<number | null>, scores: ReadonlyMap<number, Array<number | null>>) {
  const children = parents.map((_, id) => parents.flatMap((parent, child) => (parent === id ? [child] : [])));
  const ancestors = (id: number): number[] => {
    const found: number[] = [];
    for (let parent = parents[id] ?? null; parent !== null; parent = parents[parent] ?? null) found.push(parent);
    return found;
  };
  const subtree = (id: number): number[] => [id, ...(children[id] ?? []).flatMap(subtree)];
  const own = (id: number): OutcomeCounts => sumOutcomes(scores.get(id) ?? []);
  const clade = (id: number): OutcomeCounts => sumOutcomes(subtree(id).flatMap((member) => scores.get(member) ?? []));
  return { children, ancestors, subtree, own, clade };
}

/** Counts compared to 1e-9 (sums of fractions in another order). */
function expectCounts(actual: OutcomeCounts, expected: OutcomeCounts, what: string): void {
  expect(actual.passes, `${what} passes`).toBeCloseTo(expected.passes, 9);
  expect(actual.failures, `${what} failures`).toBeCloseTo(expected.failures, 9);
}

const CAMPAIGN: CampaignRecord = {
  id: 'contract-1a2b3c',
  name: 'contract',
  seed: 42,
  config: {
    task: { kind: 'numeric', problems: [{ fn: 'sphere', dim: 2 }] },
    nested: { list: [1, 2.5, 'x', null, true] },
  },
  configPath: '/campaigns/contract.yaml',
  createdAt: '2025-01-01T00:00:00.000Z',
};

/** Registers the archive-store cases for one kind under `describe('archive store contract: <kind>')`. */
export function runArchiveStoreContract(kind: ArchiveStoreKind): void {
  describe(`archive store contract: ${kind.kind}`, () => {
    let directory: string;
    let file: string;
    let store: ArchiveStore;
    const tree = sampleTree(7);
    const parents = tree.map(({ node }) => node.parentId);

    beforeAll(() => {
      directory = mkdtempSync(path.join(os.tmpdir(), `clade-archive-contract-${kind.kind}-`));
      file = path.join(directory, 'archive.db');
      store = kind.create(file);
    });
    afterAll(() => {
      store?.close();
      rmSync(directory, { recursive: true, force: true });
    });

    it('starts empty, then keeps the campaign record as written', () => {
      expect(store.getCampaign()).toBeNull();
      expect(store.nodeCount()).toBe(0);
      expect(store.maxNodeId()).toBeNull();
      expect(store.maxAssignedNodeId()).toBeNull();
      expect(store.bestNode()).toBeNull();
      expect(store.listNodes()).toEqual([]);
      expect(store.schemaVersion()).toBeGreaterThanOrEqual(1);
      store.createCampaign(CAMPAIGN);
      expect(store.getCampaign()).toEqual(CAMPAIGN);
    });

    it('round-trips nodes and their evaluations (every status, every metric type, artifacts), in id order', () => {
      for (const { node, evaluations } of tree) store.recordNode(node, evaluations);
      expect(store.nodeCount()).toBe(TREE_SIZE);
      expect(store.maxNodeId()).toBe(TREE_SIZE - 1);
      expect(store.listNodes()).toEqual(tree.map(({ node }) => node));
      for (const { node, evaluations } of tree) {
        expect(store.getNode(node.id), `node ${node.id}`).toEqual(node);
        expect(store.evaluations(node.id), `evaluations of node ${node.id}`).toEqual(evaluations);
      }
      expect(store.getNode(TREE_SIZE + 5)).toBeNull();
      expect(store.evaluations(TREE_SIZE + 5)).toEqual([]);
    });

    it('refuses a node whose parent is not recorded, and writes nothing of it', () => {
      const orphan = sampleNode(TREE_SIZE + 10, TREE_SIZE + 9, 'scored', 0.5);
      expect(() => store.recordNode(orphan, sampleEvaluations(orphan, 2))).toThrow();
      expect(store.getNode(orphan.id)).toBeNull();
      expect(store.evaluations(orphan.id)).toEqual([]);
      expect(store.nodeCount()).toBe(TREE_SIZE);
    });

    it('answers lineage queries (children, depth = ancestors, subtree outcome counts) as the reference computed from parent links', () => {
      const scores = new Map(tree.map(({ node, evaluations }) => [node.id, evaluations.map((entry) => entry.score)]));
      const expected = reference(parents, scores);
      const stats = store.nodeStats();
      expect(stats.map((entry) => entry.nodeId)).toEqual(tree.map(({ node }) => node.id));
      // The sample tree is deep and branched, so the queries are tested on more than a chain.
      expect(Math.max(...stats.map((entry) => entry.depth))).toBeGreaterThanOrEqual(5);
      expect(stats.filter((entry) => entry.children > 1).length).toBeGreaterThanOrEqual(3);
      for (const entry of stats) {
        const id = entry.nodeId;
        expect(store.childIds(id), `children of ${id}`).toEqual(expected.children[id]);
        expect(entry.children, `child count of ${id}`).toBe(expected.children[id]?.length);
        expect(entry.depth, `depth of ${id}`).toBe(expected.ancestors(id).length);
        expectCounts(entry.own, expected.own(id), `own counts of ${id}`);
        expectCounts(entry.clade, expected.clade(id), `clade counts of ${id}`);
      }
      // The subtree walked through childIds is the reference subtree.
      const walk = (id: number): number[] => [id, ...store.childIds(id).flatMap(walk)];
      for (const id of [0, 1, 5, TREE_SIZE - 1])
        expect(walk(id).sort((a, b) => a - b)).toEqual(expected.subtree(id).sort((a, b) => a - b));
      // Ancestors walked through getNode are the reference ancestors.
      const leaf = TREE_SIZE - 1;
      const chain: number[] = [];
      for (
        let parent = store.getNode(leaf)?.parentId ?? null;
        parent !== null;
        parent = store.getNode(parent)?.parentId ?? null
      )
        chain.push(parent);
      expect(chain).toEqual(expected.ancestors(leaf));
    });

    it('picks the best scored node, the lowest id on ties', () => {
      expect(store.bestNode()?.id).toBe(17);
      expect(store.bestNode()?.score).toBe(0.95);
    });

    it("appends evaluations to a deep node: its record is updated, its ancestors' clade counts grow by the new outcomes, nobody else's", () => {
      const before = new Map(store.nodeStats().map((entry) => [entry.nodeId, entry]));
      const deepest = [...before.values()].reduce((best, entry) => (entry.depth > best.depth ? entry : best));
      const target = tree[deepest.nodeId]?.node as AgentNode;
      const added = sampleEvaluations({ ...target, status: 'scored' }, 2, 50).map((entry) => ({ ...entry, score: 1 }));
      const update = {
        id: target.id,
        status: 'scored' as const,
        score: 0.99,
        publicMetrics: { stage: 2 },
        privateMetrics: { hidden: 'kept' },
        error: null,
        evaluatedAt: '2025-02-02T00:00:00.000Z',
        artifacts: { feedback: 'second stage' },
      };
      store.appendEvaluations(update, added);
      const node = store.getNode(target.id);
      expect(node).toMatchObject(update);
      expect(store.evaluations(target.id).slice(-2)).toEqual(added);
      expect(store.bestNode()?.id).toBe(target.id);
      const grown = sumOutcomes(added.map((entry) => entry.score));
      const chain = new Set([target.id, ...reference(parents, new Map()).ancestors(target.id)]);
      for (const entry of store.nodeStats()) {
        const old = before.get(entry.nodeId);
        if (old === undefined) throw new Error(`node ${entry.nodeId} appeared in nodeStats`);
        const expected = chain.has(entry.nodeId)
          ? { passes: old.clade.passes + grown.passes, failures: old.clade.failures + grown.failures }
          : old.clade;
        expectCounts(entry.clade, expected, `clade counts of ${entry.nodeId} after appending to ${target.id}`);
        expect(entry.depth).toBe(old.depth);
      }
    });

    it('records model calls and lists them per node, in total and with their sums', () => {
      const calls = [0, 1, 1, null, TREE_SIZE + 3].map((nodeId, index) => ({
        nodeId,
        provider: index % 2 === 0 ? 'openai' : 'anthropic',
        model: `model-${index}`,
        request: { system: 'sys', messages: [{ role: 'user', content: `ask ${index} é` }], maxTokens: 100 },
        response: { text: `answer ${index}`, finishReason: 'stop', raw: { id: index, nested: [null, true] } },
        tokensIn: 100 + index,
        tokensOut: 10 + index,
        costUsd: 0.001 * (index + 1),
        latencyMs: 50 + index,
        attempts: 1 + (index % 2),
      }));
      const ids = calls.map((call) => store.recordModelCall(call));
      for (let index = 1; index < ids.length; index++) expect(ids[index]).toBeGreaterThan(ids[index - 1] as number);
      const listed = store.listModelCalls();
      expect(listed.map((call) => call.id)).toEqual(ids);
      for (const [index, call] of listed.entries()) {
        expect(call).toMatchObject(calls[index] as object);
        expect(Number.isNaN(Date.parse(call.createdAt))).toBe(false);
      }
      expect(store.modelCalls(1).map((call) => call.model)).toEqual(['model-1', 'model-2']);
      expect(store.modelCalls(2)).toEqual([]);
      const totals = store.modelCallTotals();
      expect(totals.count).toBe(5);
      expect(totals.tokensIn).toBe(calls.reduce((sum, call) => sum + call.tokensIn, 0));
      expect(totals.tokensOut).toBe(calls.reduce((sum, call) => sum + call.tokensOut, 0));
      expect(totals.costUsd).toBeCloseTo(0.015, 12);
      // A call filed under a child that was never recorded keeps that id taken.
      expect(store.maxNodeId()).toBe(TREE_SIZE - 1);
      expect(store.maxAssignedNodeId()).toBe(TREE_SIZE + 3);
    });

    it('keeps events in order and reads them incrementally', () => {
      const start = store.events().at(-1)?.id ?? 0;
      store.recordEvent('contract-first', { value: 1 }, 3);
      store.recordEvent('contract-second', { list: [1, 'two'] });
      const after = store.events({ afterId: start });
      expect(after.map((event) => [event.type, event.nodeId, event.data])).toEqual([
        ['contract-first', 3, { value: 1 }],
        ['contract-second', null, { list: [1, 'two'] }],
      ]);
      expect(store.events({ afterId: after[0]?.id ?? 0 }).map((event) => event.type)).toEqual(['contract-second']);
    });

    it('keeps everything after closing and reopening the same path', () => {
      const nodes = store.listNodes();
      const stats = store.nodeStats();
      const calls = store.listModelCalls();
      const evaluations = nodes.map((node) => store.evaluations(node.id));
      store.close();
      store = kind.create(file);
      expect(store.getCampaign()).toEqual(CAMPAIGN);
      expect(store.listNodes()).toEqual(nodes);
      expect(store.nodeStats()).toEqual(stats);
      expect(store.listModelCalls()).toEqual(calls);
      expect(nodes.map((node) => store.evaluations(node.id))).toEqual(evaluations);
      expect(store.maxAssignedNodeId()).toBe(TREE_SIZE + 3);
    });
  });
}

/** Runs the contract for every kind in `archiveStores`. */
export function runRegisteredArchiveStoreContracts(): void {
  describe('archive store contract coverage', () => {
    it('runs at least the built-in sqlite store', () => {
      expect(archiveStores.names()).toContain('sqlite');
    });
  });
  for (const kind of archiveStores.list()) runArchiveStoreContract(kind);
}
