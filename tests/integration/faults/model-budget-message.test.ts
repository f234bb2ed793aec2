/**
 * Fault suite (issue 17 finding 8): a node whose model budget ran out after it made a call must not
 * be stored (and shown by `clade show`) as "No model call made".
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAgentDirectory } from '../../../src/campaign/agent-directory.js';
import { createRandom } from '../../../src/core/random.js';
import type { AgentNode } from '../../../src/core/types.js';
import { createPriceTable } from '../../../src/model/prices.js';
import { resolveModelClients } from '../../../src/model/registry.js';
import type { ModelCallRecordInput } from '../../../src/model/types.js';
import { createLlmMutator } from '../../../src/mutation/llm-mutator.js';
import { loadPromptTemplates } from '../../../src/mutation/prompt-templates.js';
import { repositoryRoot, seedAgent } from '../../helpers/campaign-fixture.js';
import { type ModelServer, openAICompletion, startModelServer } from '../../helpers/model-server.js';

const servers: ModelServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

const parent: AgentNode = {
  id: 0,
  parentId: null,
  commit: 'c0',
  status: 'scored',
  score: 0.4,
  publicMetrics: {},
  privateMetrics: {},
  mutation: { operator: 'seed', summary: 'seed agent' },
  error: null,
  iteration: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  evaluatedAt: '2026-01-01T00:00:01.000Z',
};

describe('a model budget spent during a mutation', () => {
  it('says how many calls were made when it ran out after the first, and "No model call made" only before it', async () => {
    const noEdit = readFileSync(path.join(repositoryRoot, 'tests/fixtures/model/answer-no-edit.md'), 'utf8');
    const server = await startModelServer(() => ({ kind: 'json', body: openAICompletion(noEdit) }));
    servers.push(server);
    const seed = await readAgentDirectory(seedAgent);
    const calls: ModelCallRecordInput[] = [];
    const mutatorWith = (budgetExceeded: () => string | null) =>
      createLlmMutator({
        operator: 'llm-diff',
        ensemble: resolveModelClients([{ model: 'openai:gpt-4.1-mini' }], {
          environment: { OPENAI_API_KEY: 'sk-test-budget-1', OPENAI_BASE_URL: `${server.origin}/v1` },
        }),
        templates: loadPromptTemplates(),
        prices: createPriceTable(),
        recorder: { record: (call) => calls.push(call) },
        history: { nodes: () => [parent], evaluations: () => [] },
        taskDescription: 'Minimise sphere-d3.',
        temperature: 0.8,
        maxTokens: 4096,
        retries: 0,
        patchRetries: 2,
        stream: false,
        sleep: async () => {},
        budgetExceeded,
      });
    const request = {
      nodeId: 1,
      parent: { node: parent, files: seed },
      inspirations: [],
      random: createRandom(1, 'node', 1, 'mutation'),
    };

    // The budget runs out once one call is recorded: the second round is refused.
    const afterOne = await mutatorWith(() => (calls.length >= 1 ? 'the model budget of $0.01 is spent' : null)).mutate(
      request,
    );
    expect(calls).toHaveLength(1);
    expect(afterOne.ok).toBe(false);
    if (afterOne.ok) return;
    expect(afterOne.error).not.toMatch(/No model call made/);
    expect(afterOne.error).toMatch(/^Stopped after 1 model call whose answer did not apply: the model budget/);

    const before = await mutatorWith(() => 'the model budget of $0.01 is spent').mutate(request);
    expect(calls).toHaveLength(1);
    expect(before.ok).toBe(false);
    if (!before.ok) expect(before.error).toBe('No model call made: the model budget of $0.01 is spent.');
  });
});
