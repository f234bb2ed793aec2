/**
 * The mutator contract for every kind registered in `mutatorKinds`, with one fixture per kind:
 * - `parametric`: the seed optimizer (agents/de-optimizer, @evolve-annotated); it fails on a parent
 *   with no annotation;
 * - `llm-diff`, `llm-rewrite`: the same parent, a scripted model (openai SDK, local server) answering
 *   with a SEARCH/REPLACE edit or a rewritten file; they fail when every answer has no usable edit;
 * - `self-modify`: the seed coding agent (agents/coding-agent) diagnosed by the scripted model and
 *   editing its own source in the process sandbox through a real model proxy (the recorded
 *   transcripts of tests/fixtures/self-modify); it fails when the agent runs out of steps unchanged.
 * A kind registered without a fixture here fails the suite, naming it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readAgentDirectory } from '../../src/campaign/agent-directory.js';
import type { AgentNode, EvaluationRecord } from '../../src/core/types.js';
import { mutatorKinds } from '../../src/mutation/registry.js';
import { repositoryRoot, seedAgent } from '../helpers/campaign-fixture.js';
import { createSelfModifyScript, SELF_MODIFY_FIXTURES } from '../helpers/self-modify-script.js';
import {
  MUTATOR_CONTRACT_KEY,
  type MutatorContractFixtures,
  runRegisteredMutatorContracts,
} from './mutator.contract.js';
import { uncoveredKinds } from './registry-coverage.js';

const modelAnswer = (name: string): string =>
  readFileSync(path.join(repositoryRoot, 'tests/fixtures/model', name), 'utf8');

const optimizer = readAgentDirectory(seedAgent);
const codingAgent = readAgentDirectory(path.join(repositoryRoot, 'agents/coding-agent'));

function parentNode(score: number): AgentNode {
  return {
    id: 0,
    parentId: null,
    commit: 'c0',
    status: 'scored',
    score,
    publicMetrics: { 'score:sphere-d2': score },
    privateMetrics: {},
    mutation: { operator: 'seed', summary: 'seed agent' },
    error: null,
    iteration: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    evaluatedAt: '2026-01-01T00:00:01.000Z',
  };
}

function evaluation(problem: string, score: number, logExcerpt: string): EvaluationRecord {
  return { nodeId: 0, problem, repeat: 0, seed: 1, status: 'ok', score, metrics: {}, durationMs: 500, logExcerpt };
}

const NUMERIC_TASK = { kind: 'numeric', problems: [{ fn: 'sphere', dim: 2 }], evaluationsPerDim: 20 };
const NUMERIC_DESCRIPTION =
  'Improve a black-box minimisation algorithm run on sphere in 2 dimensions; the score is in [0, 1], higher is better.';
const numericParent = {
  node: parentNode(0.4),
  files: optimizer,
  evaluations: [evaluation('sphere-d2', 0.4, 'best error 1.2e-3 after 40 evaluations')],
};
const openAIEnvironment = (baseURL: string): NodeJS.ProcessEnv => ({
  OPENAI_API_KEY: MUTATOR_CONTRACT_KEY,
  OPENAI_BASE_URL: baseURL,
});

/** An LLM section whose every unusable answer is sent back at most once. */
const llmSection = (operator: string) => () => ({
  operator,
  models: ['openai:gpt-4.1-mini'],
  retries: 0,
  patchRetries: 1,
  timeoutSeconds: 30,
});

const rewritten = (optimizer['optimizer.ts'] ?? '').replace("'binomial';", "'exponential';");
const DIAGNOSIS = readFileSync(path.join(SELF_MODIFY_FIXTURES, 'diagnosis.md'), 'utf8');

const selfModifySection = (maxSteps: number) => () => ({
  operator: 'self-modify',
  models: ['openai:gpt-4.1-mini'],
  retries: 0,
  timeoutSeconds: 30,
  agentLimits: { maxSteps, maxTokens: 200_000, timeoutSeconds: 60 },
});

const fixtures: MutatorContractFixtures = {
  parametric: {
    task: NUMERIC_TASK,
    taskDescription: NUMERIC_DESCRIPTION,
    agentEntry: 'optimizer.ts',
    parent: numericParent,
    environment: () => ({}),
    succeeds: { section: () => ({ operator: 'parametric', crossoverRate: 1 }) },
    fails: {
      section: () => ({ operator: 'parametric' }),
      files: { 'optimizer.ts': 'export default function optimize(): number[] {\n  return [0, 0];\n}\n' },
    },
  },
  'llm-diff': {
    task: NUMERIC_TASK,
    taskDescription: NUMERIC_DESCRIPTION,
    agentEntry: 'optimizer.ts',
    parent: numericParent,
    environment: openAIEnvironment,
    keyVariable: 'OPENAI_API_KEY',
    succeeds: { section: llmSection('llm-diff'), script: () => modelAnswer('answer-diff-crossover.md') },
    fails: { section: llmSection('llm-diff'), script: () => modelAnswer('answer-no-edit.md') },
  },
  'llm-rewrite': {
    task: NUMERIC_TASK,
    taskDescription: NUMERIC_DESCRIPTION,
    agentEntry: 'optimizer.ts',
    parent: numericParent,
    environment: openAIEnvironment,
    keyVariable: 'OPENAI_API_KEY',
    succeeds: {
      section: llmSection('llm-rewrite'),
      script: () =>
        `Use exponential crossover, which keeps runs of coordinates together.\n\n\`\`\`typescript\n${rewritten}\`\`\`\n`,
    },
    fails: { section: llmSection('llm-rewrite'), script: () => 'I would not change anything; the code is fine.' },
  },
  'self-modify': {
    task: { kind: 'coding', exercises: ['two-fer', 'leap'] },
    taskDescription: 'Solve small JavaScript exercises; hidden tests run with node --test decide.',
    agentEntry: 'agent.ts',
    parent: {
      node: parentNode(0.5),
      files: codingAgent,
      evaluations: [
        evaluation('two-fer', 1, 'stop: done'),
        evaluation(
          'leap',
          0,
          'step 1: view leap.mjs\nstep 2: edit leap.mjs\n--- hidden tests\nnot ok 7 - rejects a year that is not a positive integer',
        ),
      ],
    },
    environment: openAIEnvironment,
    keyVariable: 'OPENAI_API_KEY',
    needsProxy: true,
    succeeds: { section: selfModifySection(12), script: createSelfModifyScript(MUTATOR_CONTRACT_KEY).script },
    fails: {
      section: selfModifySection(2),
      // The diagnosis is made; the agent then only looks around until its steps run out.
      script: (request) =>
        request.messages[0]?.content.includes('expert on LLM-based coding agents')
          ? DIAGNOSIS
          : 'Still exploring.\n\n```tool bash\nls\n```',
    },
  },
};

runRegisteredMutatorContracts(fixtures);

describe('mutator contract coverage check', () => {
  it('names a kind registered from outside clade until it gets a fixture', () => {
    mutatorKinds.register({
      kind: 'contract-outsider',
      summary: 'a mutation operator a library user registers',
      schema: z.object({ operator: z.literal('contract-outsider') }).strict(),
      writesCode: false,
      callsModels: false,
      prepare: () => ({}),
      create: () => {
        throw new Error('not used');
      },
    });
    try {
      expect(uncoveredKinds(mutatorKinds, fixtures)).toEqual(['contract-outsider']);
    } finally {
      mutatorKinds.unregister('contract-outsider');
    }
    expect(uncoveredKinds(mutatorKinds, fixtures)).toEqual([]);
  });
});
