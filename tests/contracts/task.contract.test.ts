/**
 * The task contract for every kind registered in `taskKinds`, with one fixture per kind:
 * - `numeric`: sphere in 2 dimensions, 20 evaluations per dimension, the seed optimizer of
 *   `agents/de-optimizer`; its path field (`dataDir`, suite cec2022) against the shipped data;
 * - `coding`: one exercise (`two-fer`), the seed coding agent of `agents/coding-agent` calling a
 *   scripted OpenAI-compatible model (the recorded two-fer transcript) through a real model proxy;
 * - `program`: a tiny Python program and evaluator (tests/fixtures/contracts/program/).
 * A kind registered without a fixture here fails the suite, naming the kind.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readAgentDirectory } from '../../src/campaign/agent-directory.js';
import { createOpenAIClient } from '../../src/model/openai.js';
import { createPriceTable } from '../../src/model/prices.js';
import { createModelProxy } from '../../src/model-proxy/model-proxy.js';
import { taskKinds } from '../../src/tasks/registry.js';
import { repositoryRoot } from '../helpers/campaign-fixture.js';
import { startScriptedModelServer } from '../helpers/scripted-model-server.js';
import { createSelfModifyScript } from '../helpers/self-modify-script.js';
import { uncoveredKinds } from './registry-coverage.js';
import { runRegisteredTaskContracts, type TaskContractFixtures } from './task.contract.js';

const FIXTURES = path.join(repositoryRoot, 'tests/fixtures/contracts');
const PROGRAM = path.join(FIXTURES, 'program');
const KEY = 'sk-task-contract-3b9e1d7c55a2f08e-never-in-a-sandbox';

const fixtures: TaskContractFixtures = {
  numeric: {
    section: { kind: 'numeric', problems: [{ fn: 'sphere', dim: 2 }], evaluationsPerDim: 20 },
    configDirectory: path.join(FIXTURES, 'numeric'),
    paths: {
      fields: ['dataDir'],
      section: {
        kind: 'numeric',
        suite: 'cec2022',
        dataDir: '../../../../data/cec2022',
        problems: [{ fn: 1, dim: 10 }],
      },
    },
    seed: () => readAgentDirectory(path.join(repositoryRoot, 'agents/de-optimizer')),
    broken: {
      'optimizer.ts':
        "export default function optimize(): number[] {\n  throw new Error('broken on purpose: this optimizer returns no point');\n}\n",
    },
  },
  coding: {
    section: {
      kind: 'coding',
      exercises: ['two-fer'],
      exercisesDir: '../../../../benchmarks/coding/exercises',
      limits: { maxSteps: 6, maxTokens: 50_000, timeoutSeconds: 60, testTimeoutSeconds: 30 },
    },
    configDirectory: path.join(FIXTURES, 'coding'),
    paths: { fields: ['exercisesDir'] },
    seed: () => readAgentDirectory(path.join(repositoryRoot, 'agents/coding-agent')),
    // The recorded two-fer transcript solves the exercise: every hidden test passes.
    seedScore: 1,
    // It does not compile: the node never runs.
    broken: { 'agent.ts': 'export async function solve(task) {\n  return { stopReason: "done", steps: 0 \n' },
    async setUp() {
      const { script } = createSelfModifyScript(KEY);
      const server = await startScriptedModelServer({ script });
      const proxy = createModelProxy({
        client: createOpenAIClient({ model: 'gpt-4.1-mini', apiKey: KEY, baseURL: server.baseURL }),
        prices: createPriceTable(),
        secrets: [KEY],
        retry: { retries: 0 },
      });
      return {
        modelProxy: proxy,
        close: async () => {
          await proxy.close();
          await server.close();
        },
      };
    },
  },
  program: {
    section: {
      kind: 'program',
      evaluator: 'evaluator',
      command: ['python3', 'evaluate.py', '{program}', '{result}', '{instance}', '{seed}'],
      direction: 'maximize',
      scoreRange: [0, 1],
      jobs: { instances: ['small', 'large'], repeats: 2 },
      description: 'description.md',
      timeoutSeconds: 30,
    },
    configDirectory: PROGRAM,
    paths: { fields: ['evaluator'] },
    seed: () => readAgentDirectory(path.join(PROGRAM, 'seed')),
    broken: readAgentDirectory(path.join(PROGRAM, 'broken')),
  },
};

runRegisteredTaskContracts(fixtures);

describe('task contract coverage check', () => {
  it('names a kind registered from outside clade until it gets a fixture', () => {
    taskKinds.register({
      kind: 'contract-outsider',
      summary: 'a task kind a library user registers',
      schema: z.object({ kind: z.literal('contract-outsider') }).strict(),
      create: () => {
        throw new Error('not used');
      },
    });
    try {
      expect(uncoveredKinds(taskKinds, fixtures)).toEqual(['contract-outsider']);
    } finally {
      taskKinds.unregister('contract-outsider');
    }
    expect(uncoveredKinds(taskKinds, fixtures)).toEqual([]);
  });
});
