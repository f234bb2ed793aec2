import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAgentDirectory } from '../../../src/campaign/agent-directory.js';
import { createRandom } from '../../../src/core/random.js';
import type { AgentNode, EvaluationRecord } from '../../../src/core/types.js';
import { EvaluationAbortedError } from '../../../src/harness/run-harness.js';
import { createPriceTable } from '../../../src/model/prices.js';
import { resolveModelClients } from '../../../src/model/registry.js';
import type { ModelCallRecordInput } from '../../../src/model/types.js';
import {
  formatArtifacts,
  formatInspirations,
  type MutationHistory,
  PROMPT_ARTIFACT_CHARS,
  PROMPT_ARTIFACTS_CHARS,
} from '../../../src/mutation/build-prompt.js';
import { createLlmMutator, type LlmMutatorOptions } from '../../../src/mutation/llm-mutator.js';
import { loadPromptTemplates } from '../../../src/mutation/prompt-templates.js';
import { repositoryRoot, seedAgent } from '../../helpers/campaign-fixture.js';
import {
  anthropicStream,
  type ModelServer,
  openAICompletion,
  type ServerReply,
  startModelServer,
} from '../../helpers/model-server.js';

const KEY = 'sk-test-mutator-0c9d8e7f6a5b';
const answer = (name: string): string => readFileSync(path.join(repositoryRoot, 'tests/fixtures/model', name), 'utf8');
const seed = await readAgentDirectory(seedAgent);

const servers: ModelServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function node(
  id: number,
  parentId: number | null,
  score: number | null,
  overrides: Partial<AgentNode> = {},
): AgentNode {
  return {
    id,
    parentId,
    commit: `c${id}`,
    status: score === null ? 'build_failed' : 'scored',
    score,
    publicMetrics: { 'score:sphere-d3': 0.9, log10Error: -1.25 },
    privateMetrics: { 'error:sphere-d3': 0.000123456789, holdoutSecret: 'PRIVATE-HOLDOUT-7731' },
    mutation: { operator: id === 0 ? 'seed' : 'llm-diff', summary: id === 0 ? 'seed agent' : `change ${id}` },
    error: score === null ? 'optimizer.ts:20:5: Expected ";" but found "STRATEGY"' : null,
    iteration: id,
    createdAt: '2026-01-01T00:00:00.000Z',
    evaluatedAt: '2026-01-01T00:00:01.000Z',
    ...overrides,
  };
}

const parent = node(0, null, 0.42);
const nodes: AgentNode[] = [parent, node(1, 0, 0.47), node(2, 0, null)];
const evaluations: EvaluationRecord[] = [
  {
    nodeId: 0,
    problem: 'rastrigin-d3',
    repeat: 0,
    seed: 1,
    status: 'failed',
    score: 0,
    metrics: {},
    durationMs: 10,
    logExcerpt: 'RangeError: Invalid typed array length: -3\n    at optimize (agent:optimizer.ts:52:20)',
  },
];
const history: MutationHistory = {
  nodes: () => nodes,
  evaluations: (id) => (id === 0 ? evaluations : []),
};

async function serve(replies: ServerReply[]): Promise<ModelServer> {
  const server = await startModelServer((_request, index) => {
    const reply = replies[Math.min(index, replies.length - 1)];
    if (!reply) throw new Error('no reply');
    return reply;
  });
  servers.push(server);
  return server;
}

function messagesOf(server: ModelServer, index: number): Array<{ role: string; content: string }> {
  return (server.requests[index]?.body.messages ?? []) as Array<{ role: string; content: string }>;
}

function mutatorFor(server: ModelServer, overrides: Partial<LlmMutatorOptions> = {}, provider = 'openai') {
  const calls: ModelCallRecordInput[] = [];
  const environment =
    provider === 'openai'
      ? { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${server.origin}/v1` }
      : { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: server.origin };
  const ensemble = resolveModelClients(
    [{ model: provider === 'openai' ? 'openai:gpt-4.1-mini' : 'anthropic:claude-haiku-4-5' }],
    { environment },
  );
  const mutator = createLlmMutator({
    operator: 'llm-diff',
    ensemble,
    templates: loadPromptTemplates(),
    prices: createPriceTable(),
    recorder: { record: (call) => calls.push(call) },
    history,
    taskDescription: 'Minimise sphere-d3 and rastrigin-d3.',
    temperature: 0.8,
    maxTokens: 4096,
    retries: 1,
    patchRetries: 2,
    stream: false,
    sleep: async () => {},
    ...overrides,
  });
  return { mutator, calls };
}

const request = (nodeId = 9) => ({
  nodeId,
  parent: { node: parent, files: seed },
  inspirations: [{ node: nodes[1] as AgentNode, files: seed }],
  random: createRandom(1, 'node', nodeId, 'mutation'),
});

describe('llm-diff through the OpenAI SDK', () => {
  it('re-asks after no edit and after a stale SEARCH (showing the nearest lines), then applies the diff', async () => {
    const server = await serve([
      { kind: 'json', body: openAICompletion(answer('answer-no-edit.md'), { prompt: 5000, completion: 300 }) },
      { kind: 'json', body: openAICompletion(answer('answer-diff-stale.md'), { prompt: 5400, completion: 120 }) },
      { kind: 'json', body: openAICompletion(answer('answer-diff-crossover.md'), { prompt: 5800, completion: 260 }) },
    ]);
    const { mutator, calls } = mutatorFor(server);
    const result = await mutator.mutate(request());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.files['optimizer.ts']).toContain("'current-to-pbest1';");
    expect(result.info.operator).toBe('llm-diff');
    expect(result.info.summary).toMatch(/^Switch to JADE-style current-to-pbest\/1/);
    expect(result.info.details).toMatchObject({
      model: 'openai:gpt-4.1-mini',
      rounds: 3,
      tokensIn: 16_200,
      tokensOut: 680,
    });
    expect((result.info.details as { rejected: string[] }).rejected).toHaveLength(2);

    expect(calls.map((call) => call.nodeId)).toEqual([9, 9, 9]);
    expect(calls[2]?.costUsd).toBeCloseTo((5800 * 0.4 + 260 * 1.6) / 1e6, 12);
    const third = messagesOf(server, 2);
    expect(third.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(third[3]?.content).toMatch(/no SEARCH\/REPLACE block/);
    expect(third[5]?.content).toMatch(/nearest lines are optimizer.ts 14–15/);
    expect(third[5]?.content).toContain('! 15 | const DIFFERENTIAL_WEIGHT = /* @evolve float 0..2 */ 0.5;');
    expect(third[5]?.content).toMatch(/0 more attempts after this one/);
  });

  it('builds the prompt from code, public metrics, failing logs, inspirations and history — never private metrics', async () => {
    const server = await serve([{ kind: 'json', body: openAICompletion(answer('answer-diff-crossover.md')) }]);
    const { mutator, calls } = mutatorFor(server);
    await mutator.mutate(request());
    const prompt = messagesOf(server, 0)[1]?.content ?? '';
    expect(prompt).toContain('Minimise sphere-d3 and rastrigin-d3.');
    expect(prompt).toContain('const DIFFERENTIAL_WEIGHT = /* @evolve float 0..2 */ 0.5;');
    expect(prompt).toContain('- log10Error: -1.25000');
    expect(prompt).toContain('RangeError: Invalid typed array length: -3');
    expect(prompt).toMatch(/node #2, "change 2"\) build_failed: optimizer.ts:20:5/);
    expect(prompt).toMatch(/## Node #1, score 0.4700: change 1/);
    expect(prompt).toMatch(/3 programs so far/);
    expect(prompt).toMatch(/#1 from #0: change 1 → score 0.4700 \(\+0.0500 vs parent\)/);
    expect(prompt).toContain('optimizer.ts: lines 14–29');
    const everything = JSON.stringify(server.requests) + JSON.stringify(calls);
    expect(everything).not.toContain('PRIVATE-HOLDOUT-7731');
    expect(everything).not.toContain('0.000123456789');
    expect(everything).not.toContain('holdoutSecret');
    expect(JSON.stringify(calls)).not.toContain(KEY);
  });

  it('sends back code that does not parse, and gives up as patch_failed after the re-asks', async () => {
    const broken =
      'Break it.\n\noptimizer.ts\n<<<<<<< SEARCH\nconst CROSSOVER_RATE = /* @evolve float 0..1 */ 0.9;\n=======\nconst CROSSOVER_RATE = = 0.9;\n>>>>>>> REPLACE\n';
    const server = await serve([{ kind: 'json', body: openAICompletion(broken) }]);
    const { mutator, calls } = mutatorFor(server, { patchRetries: 1 });
    const result = await mutator.mutate(request());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe('patch_failed');
    expect(result.error).toMatch(/No usable edit after 2 answers from openai:gpt-4.1-mini/);
    expect(result.error).toMatch(/does not parse:\noptimizer.ts:\d+:\d+: Unexpected "="/);
    expect(calls).toHaveLength(2);
    expect(messagesOf(server, 1)[3]?.content).toMatch(/does not parse/);
  });

  it('marks the child invalid when the call finally fails, and records the failed call', async () => {
    const server = await serve([{ kind: 'json', status: 503, body: { error: { message: 'upstream unavailable' } } }]);
    const { mutator, calls } = mutatorFor(server);
    const result = await mutator.mutate(request(4));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe('invalid');
    expect(result.error).toMatch(
      /The model call failed: openai:gpt-4.1-mini call failed, gave up after 2 attempts: HTTP 503/,
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ nodeId: 4, attempts: 2, costUsd: 0 });
  });

  it('makes no call once the budget is spent, and turns an abort into an aborted evaluation', async () => {
    const server = await serve([{ kind: 'hang' }]);
    const spent = mutatorFor(server, { budgetExceeded: () => 'the model budget of $1 is spent' });
    const refused = await spent.mutator.mutate(request());
    expect(refused).toMatchObject({
      ok: false,
      status: 'invalid',
      error: 'No model call made: the model budget of $1 is spent.',
    });
    expect(server.requests).toHaveLength(0);

    const { mutator } = mutatorFor(server);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(mutator.mutate({ ...request(), signal: controller.signal })).rejects.toBeInstanceOf(
      EvaluationAbortedError,
    );
  });
});

describe('llm-rewrite through the Anthropic SDK, streaming', () => {
  it('replaces the whole target file with the fenced answer', async () => {
    const rewritten = (seed['optimizer.ts'] ?? '').replace("'binomial';", "'exponential';");
    const text = `Use exponential crossover, which keeps runs of coordinates together.\n\n\`\`\`typescript\n${rewritten}\`\`\`\n`;
    const server = await serve([{ kind: 'sse', events: anthropicStream(text, { input: 7000, output: 2600 }) }]);
    const { mutator, calls } = mutatorFor(server, { operator: 'llm-rewrite', stream: true }, 'anthropic');
    const result = await mutator.mutate(request());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.files['optimizer.ts']).toBe(rewritten);
    expect(result.info.summary).toBe('Use exponential crossover, which keeps runs of coordinates together.');
    expect(calls[0]).toMatchObject({
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
      tokensIn: 7000,
      tokensOut: 2600,
    });
    expect(calls[0]?.costUsd).toBeCloseTo((7000 * 1 + 2600 * 5) / 1e6, 12);
    const prompt = messagesOf(server, 0)[0]?.content ?? '';
    expect(prompt).toMatch(/complete new version of `optimizer.ts`/);
  });
});

describe("the parent's artifacts in the prompt (OpenEvolve's side channel)", () => {
  const traceback = `Traceback (most recent call last):\n${'  File "pack.py", line 20, in place\n'.repeat(200)}ValueError: overlap of circles 3 and 7`;
  const withArtifacts = node(0, null, 0.42, {
    artifacts: { stderr: traceback, feedback: 'Circle 3 leaves the square at x = 1.02.', empty: '  ' },
    publicMetrics: { sum_radii: 2.41 },
  });

  it('shows them under a heading, each capped with its head and tail, never private metrics', async () => {
    const server = await serve([{ kind: 'json', body: openAICompletion(answer('answer-diff-crossover.md')) }]);
    const { mutator } = mutatorFor(server);
    await mutator.mutate({ ...request(), parent: { node: withArtifacts, files: seed } });
    const prompt = messagesOf(server, 0)[1]?.content ?? '';
    expect(prompt).toContain(
      '## Artifacts of its evaluation\n### feedback\n```\nCircle 3 leaves the square at x = 1.02.\n```',
    );
    const stderr = /### stderr\n```\n([\s\S]*?)\n```/.exec(prompt)?.[1] ?? '';
    expect(stderr.length).toBeLessThanOrEqual(PROMPT_ARTIFACT_CHARS);
    expect(stderr.startsWith('Traceback (most recent call last):')).toBe(true);
    expect(stderr.endsWith('ValueError: overlap of circles 3 and 7')).toBe(true);
    expect(stderr).toMatch(/\n… \(\d+ characters cut\) …\n/);
    expect(prompt).not.toContain('### empty');
    expect(prompt).not.toContain('PRIVATE-HOLDOUT-7731');
    expect(prompt).not.toContain('holdoutSecret');
  });

  it('caps them all together, says which were left out, and fences text that holds backticks', () => {
    const many = Object.fromEntries(
      Array.from({ length: 6 }, (_unused, index) => [`log-${index}`, `${String(index).repeat(3000)}`]),
    );
    const text = formatArtifacts(node(0, null, 0.5, { artifacts: { ...many, 'a-markdown': '```\ncode\n```' } }));
    expect(text.length).toBeLessThan(PROMPT_ARTIFACTS_CHARS + 600);
    expect(text).toContain('### a-markdown\n````\n```\ncode\n```\n````');
    expect(text).toMatch(/\(\d more left out: (log-\d, )*log-5\)$/);
    expect(formatArtifacts(node(0, null, 0.5))).toBe('');
    expect(formatArtifacts(node(0, null, 0.5, { artifacts: {} }))).toBe('');
  });

  it("shows inspirations' public metrics, not their private ones", () => {
    const text = formatInspirations([{ node: node(4, 0, 0.6, { publicMetrics: { sum_radii: 2.5 } }), files: seed }]);
    expect(text).toMatch(/## Node #4, score 0.6000: change 4\nPublic metrics: sum_radii 2.50000/);
    expect(text).not.toContain('PRIVATE-HOLDOUT-7731');
  });
});

describe('a Python program through a local OpenAI-compatible server', () => {
  const programs = new URL('./programs/', import.meta.url);
  const python = { 'pack.py': readFileSync(new URL('pack.py', programs), 'utf8') };
  const original = python['pack.py'];
  const pythonRequest = () => ({ ...request(), parent: { node: parent, files: python }, inspirations: [] });

  it('llm-diff: edits inside the # EVOLVE-BLOCKs only, with an empty SEARCH adding at the end', async () => {
    const outside = 'Use cmath.\n\npack.py\n<<<<<<< SEARCH\nimport math\n=======\nimport cmath\n>>>>>>> REPLACE\n';
    const good =
      'Shrink less and print the count.\n\n```python\npack.py\n<<<<<<< SEARCH\nSHRINK = 0.97  # @evolve float 0.5..1\n=======\nSHRINK = 0.99  # @evolve float 0.5..1\n>>>>>>> REPLACE\n\npack.py\n<<<<<<< SEARCH\n=======\n    print("placed")\n>>>>>>> REPLACE\n```\n';
    const server = await serve([
      { kind: 'json', body: openAICompletion(outside) },
      { kind: 'json', body: openAICompletion(good) },
    ]);
    const { mutator } = mutatorFor(server);
    const result = await mutator.mutate(pythonRequest());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.files['pack.py']).toBe(
      original.replace('SHRINK = 0.97', 'SHRINK = 0.99').replace('    main()\n', '    main()\n    print("placed")\n'),
    );
    expect(messagesOf(server, 1)[3]?.content).toMatch(
      /found at pack\.py line 2, which is outside the editable regions/,
    );
    const prompt = messagesOf(server, 0)[1]?.content ?? '';
    expect(prompt).toContain('### pack.py\n```python\n');
    expect(prompt).toMatch(/pack\.py: lines 8–23, line 33\)/);
  });

  it('llm-rewrite: refuses a changed import outside the blocks, then keeps the outside byte for byte', async () => {
    const withImport = original
      .replace('import sys\n', 'import sys\nimport random\n')
      .replace('SHRINK = 0.97', 'SHRINK = 0.9');
    const reformatted = `${original.replace('SHRINK = 0.97', 'SHRINK = 0.9').replace('import sys\n', '  import sys   \n\n')}\n\n`;
    const server = await serve([
      { kind: 'json', body: openAICompletion(`Add randomness.\n\n\`\`\`python\n${withImport}\`\`\`\n`) },
      { kind: 'json', body: openAICompletion(`Shrink a bit more.\n\n\`\`\`python\n${reformatted}\`\`\`\n`) },
    ]);
    const { mutator } = mutatorFor(server, { operator: 'llm-rewrite' });
    const result = await mutator.mutate(pythonRequest());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.files['pack.py']).toBe(original.replace('SHRINK = 0.97', 'SHRINK = 0.9'));
    expect(messagesOf(server, 1)[3]?.content).toMatch(/you added line 4, `import random`/);
    expect(messagesOf(server, 0)[1]?.content).toMatch(
      /complete new version of `pack.py` in a single fenced code block:\n\n```python\n/,
    );
  });

  it('sends back Python that does not parse (checked with ast.parse on the host)', async () => {
    const broken =
      'Break it.\n\npack.py\n<<<<<<< SEARCH\nPASSES = 3  # @evolve int 1..10\n=======\nPASSES = = 3\n>>>>>>> REPLACE\n';
    const server = await serve([{ kind: 'json', body: openAICompletion(broken) }]);
    const { mutator } = mutatorFor(server, { patchRetries: 0 });
    const result = await mutator.mutate(pythonRequest());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/does not parse:\npack\.py:10:\d+: invalid syntax \(Python 3\.\d+\)/);
  });
});
