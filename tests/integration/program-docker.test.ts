/**
 * Program tasks in the Docker sandbox: the circle-packing example improves on its seed with the
 * offline image's Python (numpy, scipy), the produce-then-judge example's outputs travel from the
 * program's container to the judge's, and the evaluator's files are read-only for the program.
 * Skips (saying why) without an engine or the image, except under CLADE_REQUIRE_DOCKER=1.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaignFile } from '../../src/campaign-file.js';
import type { AgentNode } from '../../src/core/types.js';
import { createCampaign } from '../../src/create-campaign.js';
import { createDockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { programTaskSchema } from '../../src/tasks/program-config.js';
import { programTaskKind } from '../../src/tasks/program-task.js';
import type { Task } from '../../src/tasks/types.js';
import { dockerForTests } from '../helpers/docker.js';

const { docker, skipReason } = await dockerForTests('program tasks in Docker');
const examples = path.resolve(import.meta.dirname, '../../examples');
let root = '';

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'clade-program-docker-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(skipReason !== null)('program tasks in the Docker sandbox', () => {
  it('runs the circle-packing example with the image Python and improves on the seed', async () => {
    const copy = path.join(root, 'circle-packing');
    cpSync(path.join(examples, 'circle-packing'), copy, { recursive: true });
    const campaign = await createCampaign(
      loadCampaignFile(path.join(copy, 'campaign.yaml'), { sandbox: 'docker', iterations: 8, workers: 2 }),
      path.join(root, 'circle-run'),
    );
    let nodes: AgentNode[];
    try {
      await campaign.run({ warn: () => {} });
      nodes = campaign.archive.listNodes();
    } finally {
      campaign.close();
    }
    const seed = nodes[0] as AgentNode;
    expect(seed.status).toBe('scored');
    expect(String(seed.privateMetrics.environment)).toMatch(/docker/);
    expect(seed.artifacts?.summary).toMatch(/^Valid packing of 26 circles/);
    const best = Math.max(...nodes.map((node) => node.score ?? Number.NEGATIVE_INFINITY));
    expect(best).toBeGreaterThan(seed.score as number);
  }, 600_000);

  it('runs the produce-then-judge example: outputs collected from one container, judged in another', async () => {
    const copy = path.join(root, 'blackbox-minimization');
    cpSync(path.join(examples, 'blackbox-minimization'), copy, { recursive: true });
    const campaign = await createCampaign(
      loadCampaignFile(path.join(copy, 'campaign.yaml'), { sandbox: 'docker', iterations: 2, workers: 1 }),
      path.join(root, 'blackbox-run'),
    );
    let nodes: AgentNode[];
    try {
      await campaign.run({ warn: () => {} });
      nodes = campaign.archive.listNodes();
    } finally {
      campaign.close();
    }
    expect(nodes.map((node) => node.status)).toEqual(['scored', 'scored', 'scored']);
    const seed = nodes[0] as AgentNode;
    expect(String(seed.privateMetrics.environment)).toMatch(/^docker /);
    expect(seed.score).toBeCloseTo((50 - (seed.publicMetrics.rawScore as number)) / 50, 10);
  }, 600_000);

  it("keeps the evaluator's files read-only for the program it runs (overwrite, remove, chmod refused)", async () => {
    const evaluator = path.join(root, 'guarded');
    mkdirSync(evaluator, { recursive: true });
    writeFileSync(
      path.join(evaluator, 'evaluate.py'),
      [
        'import json, runpy, sys',
        'outcome = runpy.run_path(sys.argv[1] + "/attack.py")["attempts"]',
        'json.dump({"score": 1.0, "public": outcome}, open(sys.argv[2], "w"))',
      ].join('\n'),
    );
    const section = programTaskSchema.parse({
      kind: 'program',
      evaluator: 'guarded',
      command: ['python3', 'evaluate.py', '{program}', '{result}'],
    });
    const task: Task = programTaskKind.create(
      programTaskKind.prepare?.(section, { configDirectory: root, agentDirectory: path.join(root, 'program') }) ??
        section,
      {
        seed: 1,
      },
    );
    const attack = [
      'import os',
      'def attempt(action):',
      '    try:',
      '        action()',
      '        return "done"',
      '    except OSError as error:',
      '        return type(error).__name__',
      'attempts = {',
      '    "overwrite": attempt(lambda: open("evaluate.py", "w").write("print(1)")),',
      '    "remove": attempt(lambda: os.remove("evaluate.py")),',
      '    "chmod": attempt(lambda: os.chmod("evaluate.py", 0o777)),',
      '}',
    ].join('\n');
    const sandbox = await createDockerSandbox({ docker });
    try {
      const run = await (task.runJobs as NonNullable<Task['runJobs']>)({ 'attack.py': attack }, task.jobs(), {
        sandbox,
        limits: { timeoutMs: 60_000, memoryMb: 512, outputBytes: 65_536, cpus: 1, pids: 64, resultBytes: 100_000 },
      });
      expect(run.ok).toBe(true);
      if (!run.ok) return;
      expect(run.outcomes[0]?.status).toBe('ok');
      expect(run.outcomes[0]?.metrics).toMatchObject({
        overwrite: 'PermissionError',
        remove: 'PermissionError',
        chmod: 'PermissionError',
      });
    } finally {
      await sandbox.close();
    }
  }, 300_000);
});
