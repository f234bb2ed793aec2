/**
 * A bad `evaluation.stages` (one the task cannot satisfy) is refused before the campaign directory
 * exists: `createCampaign` throws a ConfigError naming the stage, and `clade run` exits 2.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCampaignFile } from '../../src/campaign-file.js';
import { ConfigError } from '../../src/core/errors.js';
import { createCampaign } from '../../src/create-campaign.js';
import { runCli, seedAgent, temporaryDirectory } from '../helpers/campaign-fixture.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function writeCampaign(directory: string, stages: string): string {
  const file = path.join(directory, 'campaign.yaml');
  writeFileSync(
    file,
    `name: stages
seed: 1
agent: ${JSON.stringify(seedAgent)}
task:
  kind: numeric
  problems:
    - { fn: sphere, dim: 3 }
    - { fn: rastrigin, dim: 3 }
  evaluationsPerDim: 100
budget:
  iterations: 2
sandbox:
  kind: process
evaluation:
  stages:
${stages}`,
  );
  return file;
}

describe('evaluation.stages checked before the campaign directory exists', () => {
  it('createCampaign throws a ConfigError naming the stage and creates nothing', async () => {
    const root = temporaryDirectory('clade-stages-');
    cleanups.push(root.remove);
    const cases = [
      ['    - { problems: [nope-d3], threshold: 0.5 }\n    - {}\n', 'evaluation.stages[0].problems', /nope-d3/],
      ['    - { jobs: 2, threshold: 0.5 }\n    - { jobs: 1 }\n', 'evaluation.stages[1]', /no jobs left/],
      ['    - { threshold: 0.5 }\n    - { jobs: 1 }\n', 'evaluation.stages[0]', /neither jobs nor problems/],
    ] as const;
    for (const [index, [stages, field, message]] of cases.entries()) {
      const directory = path.join(root.path, `campaign-${index}`);
      const loaded = loadCampaignFile(writeCampaign(root.path, stages));
      const error = await createCampaign(loaded, directory).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues[0]?.path).toBe(field);
      expect((error as Error).message).toMatch(message);
      expect(existsSync(directory)).toBe(false);
    }
  });

  it('clade run exits 2 and leaves no directory behind', async () => {
    const root = temporaryDirectory('clade-stages-cli-');
    cleanups.push(root.remove);
    const file = writeCampaign(root.path, '    - { problems: [nope-d3], threshold: 0.5 }\n    - {}\n');
    const directory = path.join(root.path, 'run');
    const result = await runCli(['run', file, '--dir', directory]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/evaluation\.stages\[0\]/);
    expect(existsSync(directory)).toBe(false);
  });
});
