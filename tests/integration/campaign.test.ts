import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openArchive } from '../../src/archive/sqlite-store.js';
import { loadCampaignFile } from '../../src/campaign-file.js';
import type { AgentNode } from '../../src/core/types.js';
import { createCampaign, openCampaign } from '../../src/create-campaign.js';
import { createGitCodeStore } from '../../src/lineage/git-store.js';
import { cliEntry, runCli, temporaryDirectory, writeSmallCampaign } from '../helpers/campaign-fixture.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function workspace(): string {
  const directory = temporaryDirectory('clade-campaign-');
  cleanups.push(directory.remove);
  return directory.path;
}

/** Every invariant a finished or resumed campaign directory must hold. */
async function checkInvariants(directory: string, expectedNodes: number): Promise<AgentNode[]> {
  const archive = openArchive(path.join(directory, 'archive.db'), { readonly: true });
  try {
    const nodes = archive.listNodes();
    // Ids are unique and increasing from the seed's 0. With several workers a child killed in
    // flight (kill -9, abort) leaves its id unused: it was never recorded, and resume goes on.
    expect(nodes).toHaveLength(expectedNodes);
    expect(nodes[0]?.id).toBe(0);
    for (let index = 1; index < nodes.length; index++) {
      expect(nodes[index]?.id).toBeGreaterThan(nodes[index - 1]?.id ?? Number.POSITIVE_INFINITY);
    }
    const code = createGitCodeStore(path.join(directory, 'code.git'));
    const refs = await code.nodeRefs();
    const byId = new Map(nodes.map((node) => [node.id, node]));
    for (const node of nodes) {
      expect(refs.get(node.id)).toBe(node.commit);
      if (node.status === 'scored') {
        expect(archive.evaluations(node.id)).toHaveLength(2);
        expect(node.score).toBeGreaterThanOrEqual(0);
        expect(node.score).toBeLessThanOrEqual(1);
      }
      if (node.parentId !== null) {
        const parent = byId.get(node.parentId);
        expect(parent?.status).toBe('scored');
        expect(node.parentId).toBeLessThan(node.id);
      }
    }
    return nodes;
  } finally {
    archive.close();
  }
}

describe('a campaign end to end', () => {
  it('grows a tree whose nodes are commits on their parents, with evaluations in the archive', async () => {
    const root = workspace();
    const loaded = loadCampaignFile(writeSmallCampaign(root));
    const directory = path.join(root, 'run');
    const campaign = await createCampaign(loaded, directory);
    const events: string[] = [];
    const summary = await campaign.run({ onEvent: (event) => events.push(event.type) });
    campaign.close();

    expect(summary.reason).toBe('iterations');
    expect(summary.nodes).toBe(9);
    expect(summary.rootScore).not.toBeNull();
    expect(summary.bestScore).toBeGreaterThanOrEqual(summary.rootScore ?? 1);
    expect(events.filter((type) => type === 'node-recorded')).toHaveLength(9);
    expect(events[0]).toBe('campaign-started');
    expect(events.at(-1)).toBe('campaign-finished');

    const nodes = await checkInvariants(directory, 9);
    const code = createGitCodeStore(path.join(directory, 'code.git'));
    const child = nodes.find((node) => node.parentId !== null && node.status === 'scored');
    expect(child).toBeDefined();
    if (child && child.parentId !== null) {
      const parent = nodes.find((node) => node.id === child.parentId);
      const diff = await code.diff(parent?.commit ?? null, child.commit);
      expect(diff).toMatch(/@evolve/);
      expect(diff).toMatch(/^-.*@evolve/m);
      expect(diff).toMatch(/^\+.*@evolve/m);
    }
    expect(existsSync(path.join(directory, 'clade.lock'))).toBe(false);
  });

  it('grows the same tree from the same seed with one worker', async () => {
    const shapes: Array<Array<[number, number | null, number | null, string]>> = [];
    for (const name of ['a', 'b']) {
      const root = workspace();
      const loaded = loadCampaignFile(writeSmallCampaign(root, { workers: '1', iterations: '5' }));
      const campaign = await createCampaign(loaded, path.join(root, name));
      await campaign.run();
      shapes.push(
        campaign.archive.listNodes().map((node) => [node.id, node.parentId, node.score, node.mutation.summary]),
      );
      campaign.close();
    }
    expect(shapes[0]).toHaveLength(6);
    expect(shapes[1]).toEqual(shapes[0]);
  });

  it('stops cleanly when asked and resumes to the full budget without losing a node', async () => {
    const root = workspace();
    const loaded = loadCampaignFile(writeSmallCampaign(root, { iterations: '10' }));
    const directory = path.join(root, 'run');
    const stop = new AbortController();
    const first = await createCampaign(loaded, directory);
    let recorded = 0;
    const summary = await first.run({
      stopSignal: stop.signal,
      onEvent: (event) => {
        if (event.type === 'node-recorded' && ++recorded === 4) stop.abort();
      },
    });
    first.close();
    expect(summary.reason).toBe('interrupted');
    expect(summary.nodes).toBeLessThan(11);
    const before = await checkInvariants(directory, summary.nodes);

    const second = await openCampaign(directory);
    const resumed = await second.run();
    second.close();
    expect(resumed.reason).toBe('iterations');
    expect(resumed.nodes).toBe(11);
    const after = await checkInvariants(directory, 11);
    expect(after.slice(0, before.length)).toEqual(before);
  });

  it('never gives a resumed child the id of a child lost in a crash after it called a model', async () => {
    const root = workspace();
    const loaded = loadCampaignFile(writeSmallCampaign(root, { iterations: '3', workers: '1' }));
    const directory = path.join(root, 'run');
    const first = await createCampaign(loaded, directory);
    await first.run();
    first.close();

    const second = await openCampaign(directory);
    const lost = (second.archive.maxNodeId() ?? 0) + 1;
    // What a kill -9 in the middle of an LLM mutation leaves: the event and a model call, no node row.
    second.archive.recordEvent(
      'node-created',
      { type: 'node-created', nodeId: lost, parentId: 0, operator: 'x' },
      lost,
    );
    second.archive.recordModelCall({
      nodeId: lost,
      provider: 'openai',
      model: 'gpt-4o-mini',
      request: 'lost child',
      response: 'answer',
      tokensIn: 10,
      tokensOut: 10,
      costUsd: 0,
      latencyMs: 1,
      attempts: 1,
    });
    await second.run({ iterations: 5 });
    const ids = second.archive.listNodes().map((node) => node.id);
    const calls = second.archive.modelCalls(lost);
    second.close();
    expect(ids).not.toContain(lost);
    expect(Math.max(...ids)).toBeGreaterThan(lost);
    expect(calls.map((call) => call.request)).toEqual(['lost child']);
  });

  it('refuses to start a second campaign in the same directory', async () => {
    const root = workspace();
    const loaded = loadCampaignFile(writeSmallCampaign(root, { iterations: '0' }));
    const directory = path.join(root, 'run');
    const campaign = await createCampaign(loaded, directory);
    await campaign.run();
    campaign.close();
    await expect(createCampaign(loaded, directory)).rejects.toThrow(/clade resume/);
  });
});

describe('the CLI', () => {
  it('exits 2 on a bad campaign file, names the field, and creates nothing', async () => {
    const root = workspace();
    const file = writeSmallCampaign(root, { workers: '0' });
    const directory = path.join(root, 'never');
    const result = await runCli(['run', file, '--dir', directory]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('workers');
    expect(result.stderr).toContain('0');
    expect(existsSync(directory)).toBe(false);
  });

  it('exits 2 on a bad flag', async () => {
    const root = workspace();
    const result = await runCli([
      'run',
      writeSmallCampaign(root),
      '--iterations',
      'many',
      '--dir',
      path.join(root, 'x'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--iterations');
  });

  it('resumes after kill -9 with every recorded node intact', async () => {
    const root = workspace();
    const file = writeSmallCampaign(root, { iterations: '14', evaluationsPerDim: '1500' });
    const directory = path.join(root, 'run');
    const child = spawn(process.execPath, [cliEntry, 'run', file, '--dir', directory], { stdio: 'ignore' });
    const databasePath = path.join(directory, 'archive.db');
    const deadline = Date.now() + 60_000;
    let nodesBeforeKill = 0;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (!existsSync(databasePath)) continue;
      let archive: ReturnType<typeof openArchive>;
      try {
        archive = openArchive(databasePath, { readonly: true });
      } catch {
        continue; // The writer is still creating the schema.
      }
      nodesBeforeKill = archive.nodeCount();
      archive.close();
      if (nodesBeforeKill >= 4) break;
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    expect(nodesBeforeKill).toBeGreaterThanOrEqual(4);
    expect(existsSync(path.join(directory, 'clade.lock'))).toBe(true);

    const resumed = await runCli(['resume', directory]);
    expect(resumed.stderr).toContain('Resuming campaign small');
    expect(resumed.code).toBe(0);
    await checkInvariants(directory, 15);

    const tree = await runCli(['tree', directory, '--json']);
    expect(tree.code).toBe(0);
    const parsed = JSON.parse(tree.stdout) as {
      nodes: Array<{ id: number; parentId: number | null; status: string; score: number | null }>;
    };
    expect(parsed.nodes).toHaveLength(15);
    expect(parsed.nodes[0]).toMatchObject({ id: 0, parentId: null, status: 'scored' });
  });

  it('stops cleanly on Ctrl-C (exit 130, nothing half-written) and resumes to the full budget', async () => {
    const root = workspace();
    const file = writeSmallCampaign(root, { iterations: '12', evaluationsPerDim: '1500' });
    const directory = path.join(root, 'run');
    const child = spawn(process.execPath, [cliEntry, 'run', file, '--dir', directory], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const databasePath = path.join(directory, 'archive.db');
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (!existsSync(databasePath)) continue;
      let archive: ReturnType<typeof openArchive>;
      try {
        archive = openArchive(databasePath, { readonly: true });
      } catch {
        continue; // The writer is still creating the schema.
      }
      const count = archive.nodeCount();
      archive.close();
      if (count >= 3) break;
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toContain('Stopping: waiting for');
    expect(stderr).toContain('stopped (interrupted)');
    expect(code).toBe(130);
    expect(existsSync(path.join(directory, 'clade.lock'))).toBe(false);
    const archive = openArchive(databasePath, { readonly: true });
    const stopped = archive.nodeCount();
    archive.close();
    expect(stopped).toBeLessThan(13);
    await checkInvariants(directory, stopped);

    const resumed = await runCli(['resume', directory]);
    expect(resumed.code).toBe(0);
    await checkInvariants(directory, 13);
  });

  it('shows a node with its per-problem scores and its diff', async () => {
    const root = workspace();
    const file = writeSmallCampaign(root, { iterations: '2', workers: '1' });
    const directory = path.join(root, 'run');
    const run = await runCli(['run', file, '--dir', directory]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/best score/);
    const shown = await runCli(['show', directory, '1']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/sphere-d3/);
    expect(shown.stdout).toMatch(/Diff against parent #0/);
    const json = JSON.parse((await runCli(['show', directory, '1', '--json'])).stdout) as {
      node: { id: number };
      evaluations: unknown[];
      diff: string;
    };
    expect(json.node.id).toBe(1);
    expect(json.evaluations).toHaveLength(2);
    const missing = await runCli(['show', directory, '99']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ids run from 0 to 2/);
  });
});
