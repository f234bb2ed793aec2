import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openArchive } from '../../../src/archive/sqlite-store.js';
import type { AgentNode } from '../../../src/core/types.js';
import { temporaryDirectory } from '../../helpers/campaign-fixture.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function archiveWithNodes(): string {
  const directory = temporaryDirectory('clade-damaged-rows-');
  cleanups.push(directory.remove);
  const file = path.join(directory.path, 'archive.db');
  const archive = openArchive(file);
  archive.createCampaign({ id: 'c', name: 'c', seed: 1, config: {}, configPath: '/c.yaml', createdAt: 'now' });
  for (const id of [0, 1]) {
    const node: AgentNode = {
      id,
      parentId: id === 0 ? null : 0,
      commit: 'a'.repeat(40),
      status: 'scored',
      score: 0.5,
      publicMetrics: {},
      privateMetrics: {},
      mutation: { operator: 'seed', summary: 'seed' },
      error: null,
      iteration: id,
      createdAt: 'now',
      evaluatedAt: 'now',
    };
    archive.recordNode(node, [
      {
        nodeId: id,
        problem: 'p',
        repeat: 0,
        seed: 1,
        status: 'ok',
        score: 0.5,
        metrics: {},
        durationMs: 1,
        logExcerpt: '',
      },
    ]);
  }
  archive.close();
  return file;
}

function damage(file: string, statement: string): void {
  const database = new Database(file);
  database.exec(statement);
  database.close();
}

describe('rows read from a damaged archive', () => {
  it('a score stored as text is an ARCHIVE_CORRUPT error naming the node and fsck', () => {
    const file = archiveWithNodes();
    damage(file, "UPDATE nodes SET score = 'high' WHERE id = 1");
    const archive = openArchive(file, { readonly: true });
    try {
      expect(() => archive.listNodes()).toThrow(
        /Node #1 in archive .* is damaged: its score is "high" \(string\)[\s\S]*clade fsck/,
      );
      expect(() => archive.getNode(1)).toThrow(expect.objectContaining({ code: 'ARCHIVE_CORRUPT' }));
      expect(archive.getNode(0)?.score).toBe(0.5);
    } finally {
      archive.close();
    }
  });

  it('an unknown status, broken JSON metrics and a text evaluation score are refused the same way', () => {
    const file = archiveWithNodes();
    damage(
      file,
      "PRAGMA ignore_check_constraints = ON; UPDATE nodes SET status = 'great' WHERE id = 0; UPDATE nodes SET public_metrics = '{oops' WHERE id = 1; UPDATE evaluations SET score = 'x' WHERE node_id = 1",
    );
    const archive = openArchive(file, { readonly: true });
    try {
      expect(() => archive.getNode(0)).toThrow(/its status is "great"/);
      expect(() => archive.getNode(1)).toThrow(/its public metrics is not valid JSON/);
      expect(() => archive.evaluations(1)).toThrow(/Evaluation p #0 of node #1 .* its score is "x"/);
    } finally {
      archive.close();
    }
  });

  it('the clade counts of a node whose parents form a cycle are written without spinning', () => {
    const file = archiveWithNodes();
    damage(file, 'UPDATE nodes SET parent_id = 1 WHERE id = 0');
    const archive = openArchive(file);
    try {
      archive.appendEvaluations(
        { id: 1, status: 'scored', score: 0.5, publicMetrics: {}, privateMetrics: {}, error: null, evaluatedAt: 'now' },
        [
          {
            nodeId: 1,
            problem: 'p',
            repeat: 1,
            seed: 2,
            status: 'ok',
            score: 1,
            metrics: {},
            durationMs: 1,
            logExcerpt: '',
          },
        ],
      );
      expect(archive.evaluations(1)).toHaveLength(2);
    } finally {
      archive.close();
    }
  });
});
