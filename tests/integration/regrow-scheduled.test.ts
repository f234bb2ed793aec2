/**
 * Regrowing campaigns whose nodes gain evaluations after they are first recorded: HGM (one job at a
 * time, chosen by its scheduler) and staged evaluation. The regrow must stop where the recorded run
 * stopped and compare each node as it finally stands, so both report identical trees.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openArchive } from '../../src/archive/sqlite-store.js';
import { regrowCampaign } from '../../src/campaign/regrow-campaign.js';
import { loadCampaignFile } from '../../src/campaign-file.js';
import { createCampaign } from '../../src/create-campaign.js';
import { createGitCodeStore } from '../../src/lineage/git-store.js';
import { temporaryDirectory, writeSmallCampaign } from '../helpers/campaign-fixture.js';

const workspace = temporaryDirectory('clade-regrow-scheduled-');
afterAll(() => workspace.remove());

async function growAndRegrow(name: string, extra: string): Promise<{ identical: boolean; evaluations: number }> {
  const directory = path.join(workspace.path, name);
  const file = writeSmallCampaign(workspace.path, { name, iterations: '6', workers: '1', evaluationsPerDim: '200' });
  const { readFileSync, writeFileSync } = await import('node:fs');
  const campaignFile = path.join(workspace.path, `${name}.yaml`);
  writeFileSync(campaignFile, `${readFileSync(file, 'utf8')}${extra}`);
  const loaded = loadCampaignFile(campaignFile);
  const grown = await createCampaign(loaded, directory);
  await grown.run({ warn: () => {} });
  grown.close();

  const source = openArchive(path.join(directory, 'archive.db'), { readonly: true });
  const target = await createCampaign(loaded, path.join(workspace.path, `${name}-regrown`));
  try {
    const report = await regrowCampaign({
      source: { archive: source, code: createGitCodeStore(path.join(directory, 'code.git')) },
      target: { archive: target.archive, code: target.code },
      runInvocation: (invocation) =>
        target.run({
          schedule: invocation.schedule,
          seedFiles: invocation.seedFiles,
          workers: invocation.workers,
          iterations: invocation.iterations,
          onEvent: invocation.onEvent,
          stopSignal: invocation.stopSignal,
          warn: () => {},
        }),
    });
    const evaluations = source.listNodes().reduce((sum, node) => sum + source.evaluations(node.id).length, 0);
    const regrownEvaluations = target.archive
      .listNodes()
      .reduce((sum, node) => sum + target.archive.evaluations(node.id).length, 0);
    expect(regrownEvaluations).toBe(evaluations);
    if (!report.identical) throw new Error(`not identical: ${JSON.stringify(report.firstDivergence)}`);
    return { identical: report.identical, evaluations };
  } finally {
    target.close();
    source.close();
  }
}

describe('regrowing campaigns whose nodes are evaluated more than once', () => {
  it('hgm: the scheduler evaluates existing nodes between children; the regrow agrees', async () => {
    const result = await growAndRegrow('hgm', 'selection: { strategy: hgm }\n');
    expect(result.identical).toBe(true);
    // More evaluations than one per node: HGM went back to existing nodes.
    expect(result.evaluations).toBeGreaterThan(7);
  }, 240_000);

  it('staged evaluation: later stages append to recorded nodes; the regrow agrees', async () => {
    const result = await growAndRegrow('staged', 'evaluation: { stages: [{ jobs: 1, threshold: 0 }] }\n');
    expect(result.identical).toBe(true);
  }, 240_000);
});
