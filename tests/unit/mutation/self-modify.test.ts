import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import type { AgentFiles, AgentNode, EvaluationRecord } from '../../../src/core/types.js';
import { bundleAgent } from '../../../src/harness/bundle-agent.js';
import { createPriceTable } from '../../../src/model/prices.js';
import { resolveModelClients } from '../../../src/model/registry.js';
import type { ModelCallRecordInput, ModelClient, ModelRequest } from '../../../src/model/types.js';
import type { ModelProxy, ProxySessionOptions } from '../../../src/model-proxy/types.js';
import {
  checkAgentTree,
  createSelfModifyMutator,
  formatFailures,
  loadSelfModifyTemplates,
  parseDiagnosis,
  type SelfModifyDetails,
  type SelfModifyOptions,
} from '../../../src/mutation/self-modify.js';
import type { Sandbox, SandboxRequest, SandboxResult } from '../../../src/sandbox/types.js';

const PARENT: AgentFiles = {
  'agent.ts':
    "import { loop } from './loop.js';\nexport async function solve(task: unknown) {\n  return loop(task);\n}\n",
  'loop.ts':
    'export async function loop(task: unknown) {\n  return { stopReason: "done", steps: 0, tokensIn: 0, tokensOut: 0 };\n}\n',
  'README.md': '# agent\n',
};

const DIAGNOSIS = {
  summary: 'Run the tests before finishing',
  proposal: 'The logs of two-fer and leap show the agent finishing without running node --test.',
  implementation: 'In loop.ts, before accepting finish, run `node --test` and feed failures back.',
};

function parentNode(): AgentNode {
  return {
    id: 0,
    parentId: null,
    commit: 'c0',
    status: 'scored',
    score: 0.5,
    publicMetrics: {},
    privateMetrics: {},
    mutation: { operator: 'seed', summary: 'seed agent' },
    error: null,
    iteration: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    evaluatedAt: '2026-01-01T00:00:01.000Z',
  };
}

function record(problem: string, score: number, log: string): EvaluationRecord {
  return {
    nodeId: 0,
    problem,
    repeat: 0,
    seed: 1,
    status: 'ok',
    score,
    metrics: {},
    durationMs: 10,
    logExcerpt: log,
  };
}

const EVALUATIONS = [
  record('two-fer', 0, 'step 1: bash ls\nstep 2: finish\nnot ok 1 - two-fer with a name\n  expected "One for Alice"'),
  record('leap', 1, 'all good'),
  record('bob', 0, 'step 7: model error 429 budget_exceeded'),
];

/** A client answering from a list, keeping the requests. */
function scriptedClient(answers: string[]): { client: ModelClient; requests: ModelRequest[] } {
  const requests: ModelRequest[] = [];
  return {
    requests,
    client: {
      provider: 'openai',
      model: 'gpt-4.1',
      async complete(request) {
        requests.push(request);
        const text = answers[requests.length - 1] ?? answers.at(-1) ?? '';
        return { text, tokensIn: 1000, tokensOut: 200, finishReason: 'stop', raw: {} };
      },
    },
  };
}

/** A sandbox that plays the harness: it hands the job to `agent`, which edits the files. */
function harnessSandbox(agent: (files: Record<string, string>) => { files?: Record<string, string>; ok?: boolean }) {
  const requests: SandboxRequest[] = [];
  const sandbox: Sandbox = {
    kind: 'process',
    async run(request): Promise<SandboxResult> {
      requests.push(request);
      const input = JSON.parse(String(request.files['input.json'])) as {
        kind: string;
        jobs: Array<{ files: Record<string, string> }>;
      };
      const job = input.jobs[0];
      const outcome = agent({ ...(job?.files ?? {}) });
      return {
        exit: 'exited',
        exitCode: 0,
        signal: null,
        stdout: '',
        stderr: '',
        stdoutTruncated: false,
        stderrTruncated: false,
        result: {
          harnessVersion: '1',
          jobs: [
            {
              index: 0,
              ok: outcome.ok ?? true,
              durationMs: 5,
              log: 'step 1: view loop.ts\nstep 2: edit loop.ts\nstep 3: finish',
              output: {
                report: { stopReason: 'done', steps: 3, tokensIn: 3000, tokensOut: 400 },
                ...(outcome.files ? { files: outcome.files } : {}),
              },
            },
          ],
        },
        resultError: null,
        durationMs: 5,
        peakMemoryMb: null,
        environment: 'node v20',
      };
    },
    async close() {},
  };
  return { sandbox, requests };
}

function fakeProxy(): { proxy: ModelProxy; sessions: ProxySessionOptions[]; closed: number[] } {
  const sessions: ProxySessionOptions[] = [];
  const closed: number[] = [];
  return {
    sessions,
    closed,
    proxy: {
      async openSession(options) {
        sessions.push(options);
        return {
          socketPath: `/tmp/clade-proxy-test-${sessions.length}.sock`,
          usage: () => ({ calls: 3, tokensIn: 3000, tokensOut: 400, costUsd: 0.0092, refused: 0 }),
          async close() {
            closed.push(options.nodeId);
          },
        };
      },
      async close() {},
    },
  };
}

function options(
  answers: string[],
  agent: Parameters<typeof harnessSandbox>[0],
): {
  options: SelfModifyOptions;
  requests: ModelRequest[];
  sandboxRequests: SandboxRequest[];
  sessions: ProxySessionOptions[];
  closed: number[];
  recorded: ModelCallRecordInput[];
} {
  const { client, requests } = scriptedClient(answers);
  const { sandbox, requests: sandboxRequests } = harnessSandbox(agent);
  const { proxy, sessions, closed } = fakeProxy();
  const recorded: ModelCallRecordInput[] = [];
  return {
    requests,
    sandboxRequests,
    sessions,
    closed,
    recorded,
    options: {
      ensemble: resolveModelClients([{ model: 'openai:gpt-4.1' }], { models: { 'openai:gpt-4.1': client } }),
      prices: createPriceTable(),
      recorder: { record: (call) => recorded.push(call) },
      templates: loadSelfModifyTemplates(),
      history: { nodes: () => [parentNode()], evaluations: () => EVALUATIONS },
      taskDescription: 'Solve small JavaScript exercises; hidden tests decide.',
      entry: 'agent.ts',
      proxy,
      sandbox,
      limits: { timeoutMs: 60_000, memoryMb: 512, outputBytes: 65536, cpus: 1, pids: 64, resultBytes: 1 << 24 },
      agentLimits: { maxSteps: 12, maxTokens: 50_000, timeoutMs: 120_000 },
      bundle: bundleAgent,
      harness: '// harness',
      temperature: null,
      maxTokens: 4096,
      retries: 0,
      stream: false,
    },
  };
}

const request = (nodeId = 7) => ({
  nodeId,
  parent: { node: parentNode(), files: PARENT },
  inspirations: [],
  random: createRandom(1, 'node', nodeId, 'mutation'),
});

describe('loadSelfModifyTemplates', () => {
  it('loads the built-in templates and refuses an override with an unknown placeholder', () => {
    const templates = loadSelfModifyTemplates();
    expect(templates.system).toMatch(/expert on LLM-based coding agents/);
    expect(templates.diagnosis).toContain('{{failures}}');
    expect(templates.task).toContain('{{implementation}}');
    const directory = mkdtempSync(path.join(os.tmpdir(), 'clade-self-modify-prompts-'));
    try {
      writeFileSync(path.join(directory, 'mine.md'), 'Fix {{parent_code}} using {{inspirations}}.');
      expect(() => loadSelfModifyTemplates({ diagnosis: 'mine.md' }, directory)).toThrow(
        /mutation\.prompts\.diagnosis .*unknown placeholder \{\{inspirations\}\}/,
      );
      expect(() => loadSelfModifyTemplates({ task: 'missing.md' }, directory)).toThrow(/cannot read the template file/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('parseDiagnosis', () => {
  it('finds the JSON object in a fenced block with prose around it', () => {
    const answer = `Looking at the logs, the agent never runs tests.\n\n\`\`\`json\n${JSON.stringify(DIAGNOSIS, null, 2)}\n\`\`\`\nHope this helps {really}.`;
    expect(parseDiagnosis(answer)).toEqual({ ok: true, diagnosis: DIAGNOSIS });
  });

  it('handles braces inside strings and skips objects without the fields', () => {
    const inner = { ...DIAGNOSIS, implementation: 'replace `if (x) { return; }` by a loop; use "\\"quotes\\"" {' };
    const answer = `Example: {"note": 1}\n${JSON.stringify(inner)}`;
    expect(parseDiagnosis(answer)).toEqual({ ok: true, diagnosis: inner });
  });

  it('says what is wrong: no object, bad JSON, missing fields', () => {
    expect(parseDiagnosis('I would add tests.')).toMatchObject({ ok: false, error: /no JSON object/ });
    expect(parseDiagnosis('{"summary": "x", proposal: y}')).toMatchObject({ ok: false, error: /does not parse/ });
    expect(parseDiagnosis('{"summary": "x", "proposal": ""}')).toMatchObject({
      ok: false,
      error: /"proposal", "implementation"/,
    });
  });
});

describe('formatFailures', () => {
  it('shows only failing exercises with the end of their logs', () => {
    const text = formatFailures(EVALUATIONS);
    expect(text).toContain('It failed 2 of 3 exercises.');
    expect(text).toContain('## two-fer: ok, score 0');
    expect(text).toContain('expected "One for Alice"');
    expect(text).toContain('## bob');
    expect(text).not.toContain('## leap');
  });

  it('says so when nothing failed', () => {
    expect(formatFailures([record('leap', 1, '')])).toMatch(/^None: it passed all 1/);
  });
});

describe('checkAgentTree', () => {
  it('accepts a parsing, changed tree and lists the changes', async () => {
    const files = { ...PARENT, 'loop.ts': `${PARENT['loop.ts']}// tested\n`, 'tests.ts': 'export const x = 1;\n' };
    delete (files as Record<string, string>)['README.md'];
    const checked = await checkAgentTree(files, PARENT, 'agent.ts');
    expect(checked).toMatchObject({ ok: true, changed: ['loop.ts'], added: ['tests.ts'], removed: ['README.md'] });
  });

  it.each([
    [{ ...PARENT }, /changed nothing/],
    [{ ...PARENT, '../escape.ts': 'x' }, /Refused path "\.\.\/escape\.ts"/],
    [{ ...PARENT, '/etc/passwd': 'x' }, /absolute/],
    [{ ...PARENT, '.git/hooks/pre-commit': 'x' }, /\.git/],
    [{ 'loop.ts': 'export {}\n' }, /removed its entry file agent\.ts/],
    [{ ...PARENT, 'loop.ts': 'export function loop( {\n' }, /does not parse:\nloop\.ts:\d+:\d+: /],
    [{ ...PARENT, 'big.txt': 'x'.repeat(300 * 1024) }, /big\.txt has 307200 bytes/],
    [{ ...PARENT, 'data.bin': 7 }, /not text/],
    ['not a map', /no file map/],
  ])('refuses %#', async (files, error) => {
    const checked = await checkAgentTree(files, PARENT, 'agent.ts');
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.error).toMatch(error);
  });

  it('caps the number of files and the whole tree', async () => {
    const many = Object.fromEntries(Array.from({ length: 11 }, (_, index) => [`f${index}.md`, 'x']));
    expect(
      await checkAgentTree({ ...PARENT, ...many }, PARENT, 'agent.ts', { files: 10, fileBytes: 100, treeBytes: 1000 }),
    ).toMatchObject({ ok: false, error: /at most 10/ });
    const wide = Object.fromEntries(Array.from({ length: 5 }, (_, index) => [`f${index}.md`, 'x'.repeat(90)]));
    expect(
      await checkAgentTree({ ...PARENT, ...wide }, PARENT, 'agent.ts', { files: 10, fileBytes: 100, treeBytes: 500 }),
    ).toMatchObject({ ok: false, error: /at most 500 are accepted/ });
  });
});

describe('the self-modify mutator', () => {
  it('diagnoses, runs the parent on its own source through a proxy session, and keeps its edit', async () => {
    const edited = `${PARENT['loop.ts']}// run node --test before finishing\n`;
    const setup = options([`Here is my analysis.\n${JSON.stringify(DIAGNOSIS)}`], (files) => ({
      files: { ...files, 'loop.ts': edited },
    }));
    const mutator = createSelfModifyMutator(setup.options);
    const result = await mutator.mutate(request(7));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.files['loop.ts']).toBe(edited);
    expect(result.info.summary).toBe(DIAGNOSIS.summary);
    const details = result.info.details as unknown as SelfModifyDetails;
    expect(details.diagnosis).toEqual(DIAGNOSIS);
    expect(details.changed).toEqual(['loop.ts']);
    expect(details.report).toEqual({ stopReason: 'done', steps: 3, tokensIn: 3000, tokensOut: 400 });
    expect(details.agentUsage?.calls).toBe(3);
    expect(details.costUsd).toBeCloseTo((1000 * 2 + 200 * 8) / 1e6, 12);

    // The diagnosis saw the parent's code and its failing logs, and was recorded against the child.
    const prompt = setup.requests[0]?.messages[0]?.content ?? '';
    expect(prompt).toContain('export async function loop');
    expect(prompt).toContain('expected "One for Alice"');
    expect(prompt).not.toContain('## leap');
    expect(setup.recorded.map((call) => call.nodeId)).toEqual([7]);

    // The proxy session belongs to the child, with the agent's budget; it was closed.
    expect(setup.sessions).toEqual([
      expect.objectContaining({ nodeId: 7, purpose: 'self-modify', budget: { tokens: 50_000, calls: 12 } }),
    ]);
    expect(setup.closed).toEqual([7]);

    // The sandbox got the socket, the bundled parent and one coding-agent job with the proposal.
    const run = setup.sandboxRequests[0];
    expect(run?.modelSocket).toBe('/tmp/clade-proxy-test-1.sock');
    expect(run?.limits.timeoutMs).toBe(150_000);
    expect(String(run?.files['agent.mjs'])).toContain('function solve');
    const input = JSON.parse(String(run?.files['input.json']));
    expect(input.kind).toBe('coding-agent');
    expect(input.jobs[0]).toMatchObject({
      id: 'self',
      workDir: 'work/self',
      files: PARENT,
      limits: { maxSteps: 12, maxTokens: 50_000, timeoutMs: 120_000 },
    });
    expect(input.jobs[0].statement).toContain(DIAGNOSIS.proposal);
    expect(input.jobs[0].statement).toContain(DIAGNOSIS.implementation);
    expect(input.jobs[0].statement).toContain('`agent.ts` must keep exporting `solve(task)`');
  });

  it('re-asks once with the parse error, then gives up as patch_failed', async () => {
    const setup = options(['I think tests would help.', 'Still prose.'], () => ({ files: PARENT }));
    const result = await createSelfModifyMutator(setup.options).mutate(request());
    expect(result).toMatchObject({ ok: false, status: 'patch_failed', info: { summary: 'no usable diagnosis' } });
    expect(setup.requests).toHaveLength(2);
    expect(setup.requests[1]?.messages.at(-1)?.content).toMatch(/no JSON object/);
    expect(setup.sandboxRequests).toHaveLength(0);
  });

  it('takes the re-asked answer', async () => {
    const setup = options(['prose', JSON.stringify(DIAGNOSIS)], (files) => ({
      files: { ...files, 'README.md': '# agent, improved\n' },
    }));
    const result = await createSelfModifyMutator(setup.options).mutate(request());
    expect(result.ok).toBe(true);
    expect((result.info.details as unknown as SelfModifyDetails).rejected).toHaveLength(1);
  });

  it('makes a child patch_failed when the agent changed nothing, keeping the proposal', async () => {
    const setup = options([JSON.stringify(DIAGNOSIS)], (files) => ({ files }));
    const result = await createSelfModifyMutator(setup.options).mutate(request());
    expect(result).toMatchObject({ ok: false, status: 'patch_failed' });
    if (result.ok) return;
    expect(result.error).toMatch(/changed nothing.*stopped: done after 3 steps/);
    expect((result.info.details as unknown as SelfModifyDetails).diagnosis).toEqual(DIAGNOSIS);
  });

  it('makes a child patch_failed when the agent run failed without files', async () => {
    const setup = options([JSON.stringify(DIAGNOSIS)], () => ({ ok: false }));
    const result = await createSelfModifyMutator(setup.options).mutate(request());
    expect(result).toMatchObject({
      ok: false,
      status: 'patch_failed',
      error: /run on its own source failed \(the output has no files map\)/,
    });
  });

  it('starts nothing when the campaign budget is spent', async () => {
    const setup = options([JSON.stringify(DIAGNOSIS)], () => ({}));
    const result = await createSelfModifyMutator({ ...setup.options, budgetExceeded: () => 'spent' }).mutate(request());
    expect(result).toMatchObject({ ok: false, status: 'invalid' });
    expect(setup.requests).toHaveLength(0);
  });
});
