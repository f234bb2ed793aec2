/**
 * A library user adds a task kind from outside clade's sources: one value, one `register` call, and
 * the campaign file, the wiring, the sandbox and the offline mutator take it like a built-in kind.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaignFile, validateCampaign } from '../../src/campaign-file.js';
import { ConfigError } from '../../src/core/errors.js';
import { createCampaign } from '../../src/create-campaign.js';
import { taskKinds } from '../../src/tasks/registry.js';
import { targetTaskKind } from '../fixtures/plugins/target-task.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/plugins');
let directory: string;

beforeAll(() => {
  taskKinds.register(targetTaskKind);
  directory = mkdtempSync(path.join(tmpdir(), 'clade-plugin-'));
  cpSync(path.join(fixtures, 'target-agent'), path.join(directory, 'agent'), { recursive: true });
});

afterAll(() => {
  taskKinds.unregister('target');
  rmSync(directory, { recursive: true, force: true });
});

describe('a task kind registered from outside src/', () => {
  it('is part of the campaign-file schema, which still names bad fields', () => {
    const config = validateCampaign({ name: 't', agent: '.', task: { kind: 'target', target: [3, -4] } });
    expect(config.task).toEqual({ kind: 'target', target: [3, -4] });
    expect(() =>
      validateCampaign({ name: 't', agent: '.', task: { kind: 'target', target: [3, -4], colour: 'red' } }),
    ).toThrow(/task: unknown field "colour"/);
    try {
      validateCampaign({ name: 't', agent: '.', task: { kind: 'nonsense' } });
      expect.unreachable('an unknown kind must be refused');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      // The allowed kinds come from the registry, the new one included.
      expect((error as ConfigError).message).toMatch(/task\.kind/);
      expect((error as ConfigError).message).toContain('target');
    }
  });

  it('runs a campaign: prepared paths, its own sandbox command, the offline mutator improving it', async () => {
    const file = path.join(directory, 'campaign.yaml');
    writeFileSync(
      file,
      [
        'name: target',
        'seed: 3',
        'agent: agent',
        'task: { kind: target, target: [3, -4], notes: notes.md }',
        'budget: { iterations: 12 }',
        'sandbox: { kind: process, timeoutSeconds: 20 }',
        '',
      ].join('\n'),
    );
    const loaded = loadCampaignFile(file);
    expect((loaded.config.task as { notes?: string }).notes).toBe(path.join(directory, 'notes.md'));
    const campaign = await createCampaign(loaded, path.join(directory, 'run'));
    try {
      const summary = await campaign.run({ warn: () => {} });
      expect(summary.nodes).toBe(13);
      const nodes = campaign.archive.listNodes();
      const seed = nodes.find((node) => node.parentId === null);
      expect(seed?.status).toBe('scored');
      expect(seed?.score).toBeCloseTo(1 / 6, 10); // (0, 0) is 5 from (3, -4)
      const best = Math.max(...nodes.map((node) => node.score ?? 0));
      expect(best).toBeGreaterThan(seed?.score ?? 1);
      // What the task says reaches the archive: its metrics and its artifacts.
      expect(typeof seed?.publicMetrics.distance).toBe('number');
      expect(seed?.artifacts?.landed).toMatch(/^\(0, 0\), 5\.000 from the target/);
    } finally {
      campaign.close();
    }
  });
});
