/**
 * End to end: the `self-modify` mutator with the real pieces (process sandbox, bundled harness with
 * the coding-agent runner, the model proxy, the seed coding agent) against the scripted model
 * server answering from recorded transcripts; then whole campaigns through the built CLI.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openArchive } from '../../src/archive/sqlite-store.js';
import { readAgentDirectory } from '../../src/campaign/agent-directory.js';
import { createRandom } from '../../src/core/random.js';
import type { AgentFiles, AgentNode, EvaluationRecord } from '../../src/core/types.js';
import { bundleAgent } from '../../src/harness/bundle-agent.js';
import { loadHarness } from '../../src/harness/load-harness.js';
import { createGitCodeStore } from '../../src/lineage/git-store.js';
import { createOpenAIClient } from '../../src/model/openai.js';
import { createPriceTable } from '../../src/model/prices.js';
import { resolveModelClients } from '../../src/model/registry.js';
import type { ModelCallRecordInput } from '../../src/model/types.js';
import { createModelProxy } from '../../src/model-proxy/model-proxy.js';
import {
  createSelfModifyMutator,
  loadSelfModifyTemplates,
  type SelfModifyDetails,
  type SelfModifyOptions,
} from '../../src/mutation/self-modify.js';
import { createDockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { createProcessSandbox } from '../../src/sandbox/process-sandbox.js';
import { repositoryRoot, runCli, temporaryDirectory } from '../helpers/campaign-fixture.js';
import { dockerForTests } from '../helpers/docker.js';
import {
  type ScriptedModelServer,
  type ScriptFunction,
  startScriptedModelServer,
} from '../helpers/scripted-model-server.js';
import { createSelfModifyScript, SELF_EDIT_MARKER, SELF_MODIFY_FIXTURES } from '../helpers/self-modify-script.js';

const { docker, skipReason: dockerSkip } = await dockerForTests('self-modify Docker tests');
const SANDBOXES = dockerSkip === null ? (['process', 'docker'] as const) : (['process'] as const);

const KEY = 'sk-selfmod-e2e-4f1c9a77d2b0e3c85a61-do-not-leak';
const AGENT_DIRECTORY = path.join(repositoryRoot, 'agents/coding-agent');
const DIAGNOSIS = JSON.parse(
  /```json\n([\s\S]*?)\n```/.exec(readFileSync(path.join(SELF_MODIFY_FIXTURES, 'diagnosis.md'), 'utf8'))?.[1] ?? '{}',
) as { summary: string; proposal: string; implementation: string };

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(script: ScriptFunction): Promise<ScriptedModelServer> {
  const server = await startScriptedModelServer({ script });
  cleanups.push(() => server.close());
  return server;
}

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

const PARENT_EVALUATIONS: EvaluationRecord[] = [
  {
    nodeId: 0,
    problem: 'two-fer',
    repeat: 0,
    seed: 1,
    status: 'ok',
    score: 1,
    metrics: {},
    durationMs: 900,
    logExcerpt: 'stop: done',
  },
  {
    nodeId: 0,
    problem: 'leap',
    repeat: 0,
    seed: 1,
    status: 'ok',
    score: 0,
    metrics: {},
    durationMs: 800,
    logExcerpt:
      'step 1: view leap.mjs\nstep 2: edit leap.mjs\nstep 3: bash node -e … → false true true\nstep 4: finish\n--- hidden tests\nnot ok 7 - rejects a year that is not a positive integer\n  error: Missing expected exception (RangeError).',
  },
];

/** The mutator wired to real local pieces; `server` plays the provider behind the proxy and the diagnosis. */
async function realMutator(
  server: ScriptedModelServer,
  agentLimits: SelfModifyOptions['agentLimits'],
  sandboxKind: 'process' | 'docker' = 'process',
): Promise<{ options: SelfModifyOptions; recorded: ModelCallRecordInput[] }> {
  const recorded: ModelCallRecordInput[] = [];
  const recorder = { record: (call: ModelCallRecordInput) => recorded.push(call) };
  const prices = createPriceTable();
  const proxy = createModelProxy({
    client: createOpenAIClient({ model: 'gpt-4.1', apiKey: KEY, baseURL: server.baseURL }),
    prices,
    recorder,
    secrets: [KEY],
    retry: { retries: 0 },
  });
  cleanups.push(() => proxy.close());
  const sandbox = sandboxKind === 'docker' ? await createDockerSandbox({ docker }) : createProcessSandbox();
  cleanups.push(() => sandbox.close());
  const options: SelfModifyOptions = {
    ensemble: resolveModelClients([{ model: 'openai:gpt-4.1' }], {
      environment: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.baseURL },
    }),
    prices,
    recorder,
    templates: loadSelfModifyTemplates(),
    history: { nodes: () => [parentNode()], evaluations: () => PARENT_EVALUATIONS },
    taskDescription: 'Solve small JavaScript exercises; hidden tests run with node --test decide.',
    entry: 'agent.ts',
    proxy,
    sandbox,
    limits: { timeoutMs: 60_000, memoryMb: 1024, outputBytes: 65_536, cpus: 1, pids: 64, resultBytes: 16 << 20 },
    agentLimits,
    bundle: bundleAgent,
    harness: await loadHarness(),
    temperature: null,
    maxTokens: 4096,
    retries: 0,
    stream: false,
  };
  return { options, recorded };
}

function request(parentFiles: AgentFiles, nodeId = 7) {
  return {
    nodeId,
    parent: { node: parentNode(), files: parentFiles },
    inspirations: [],
    random: createRandom(3, 'node', nodeId, 'mutation'),
  };
}

const LIMITS = { maxSteps: 12, maxTokens: 200_000, timeoutMs: 60_000 };

describe('the self-modify mutator with the real sandbox, harness, proxy and seed coding agent', () => {
  it.each(SANDBOXES)(
    'diagnoses, lets the parent edit its own source through the proxy, and keeps the checked edit (%s sandbox)',
    async (sandboxKind) => {
      const { script, log } = createSelfModifyScript(KEY);
      const server = await serve(script);
      const { options, recorded } = await realMutator(server, LIMITS, sandboxKind);
      const parentFiles = readAgentDirectory(AGENT_DIRECTORY);
      const edit = readFileSync(path.join(SELF_MODIFY_FIXTURES, 'self/03.md'), 'utf8');
      const search = /<<<<<<< SEARCH\n([\s\S]*?)\n=======/.exec(edit)?.[1] ?? '<none>';
      expect(parentFiles['prompt.ts'], 'the recorded self-edit must still apply to the seed agent').toContain(search);

      const result = await createSelfModifyMutator(options).mutate(request(parentFiles));
      if (!result.ok) throw new Error(`self-modify failed: ${result.error}`);
      const details = result.info.details as unknown as SelfModifyDetails;

      // The proposal is the recorded diagnosis; the child is the parent with prompt.ts edited.
      expect(result.info.operator).toBe('self-modify');
      expect(result.info.summary).toBe(DIAGNOSIS.summary);
      expect(details.diagnosis).toEqual(DIAGNOSIS);
      expect(details.changed).toEqual(['prompt.ts']);
      expect(details.added).toEqual([]);
      expect(details.removed).toEqual([]);
      expect(result.files['prompt.ts']).toContain(SELF_EDIT_MARKER);
      expect(result.files['prompt.ts']).toContain('6. You have a limited number of turns and tokens:');
      for (const file of Object.keys(parentFiles).filter((name) => name !== 'prompt.ts')) {
        expect(result.files[file]).toBe(parentFiles[file]);
      }
      expect(details.report).toMatchObject({ stopReason: 'done', steps: 5 });
      expect(details.agentLog).toMatch(/stop: done/);
      expect(log).toMatchObject({ diagnosis: 1, self: 5 });

      // Every call of both steps was recorded against the child: 1 diagnosis + 5 agent steps.
      expect(recorded).toHaveLength(6);
      expect(recorded.every((call) => call.nodeId === 7)).toBe(true);
      expect(details.agentUsage).toMatchObject({ calls: 5, refused: 0 });
      // The upstream saw the key on every call; the agent never had it.
      expect(server.requests.every((entry) => entry.headers.authorization === `Bearer ${KEY}`)).toBe(true);

      // Step 1 ran `env` and scanned the sandbox's files: its output (sent back as step 2's last message) has no key.
      const probe = server.requests.find(
        (entry) =>
          entry.messages.filter((message) => message.role === 'assistant').length === 1 &&
          entry.messages.some((message) => message.content.includes('# Improve yourself')),
      );
      const output = probe?.messages.at(-1)?.content ?? '';
      expect(output).toContain('--- env');
      // Docker mounts the session's socket at a fixed path; the process driver passes the host path.
      expect(output).toContain(
        sandboxKind === 'docker' ? 'CLADE_MODEL_SOCKET=/run/clade/model.sock' : 'CLADE_MODEL_SOCKET=/',
      );
      expect(output).toContain('KEY-SCAN: clean');
      expect(output).not.toContain(KEY);
      expect(output).not.toMatch(/API_KEY|ANTHROPIC|OPENAI/);
      expect(JSON.stringify(recorded)).not.toContain(KEY);
      expect(JSON.stringify(result)).not.toContain(KEY);
    },
  );

  it('stops a runaway agent at its step limit', async () => {
    const diagnosis = readFileSync(path.join(SELF_MODIFY_FIXTURES, 'diagnosis.md'), 'utf8');
    const server = await serve((incoming) =>
      incoming.messages[0]?.content.includes('expert on LLM-based coding agents')
        ? diagnosis
        : 'Still exploring.\n\n```tool bash\nls\n```',
    );
    const { options, recorded } = await realMutator(server, { ...LIMITS, maxSteps: 3 });
    const result = await createSelfModifyMutator(options).mutate(request(readAgentDirectory(AGENT_DIRECTORY)));
    expect(result).toMatchObject({ ok: false, status: 'patch_failed' });
    const details = result.info.details as unknown as SelfModifyDetails;
    expect(details.report).toMatchObject({ stopReason: 'steps', steps: 3 });
    expect(details.agentUsage?.calls).toBe(3);
    expect(recorded).toHaveLength(4);
    if (!result.ok) expect(result.error).toMatch(/changed nothing.*stopped: steps after 3 steps/);
  });

  it('stops a runaway agent at its token limit (the proxy refuses past the budget)', async () => {
    const diagnosis = readFileSync(path.join(SELF_MODIFY_FIXTURES, 'diagnosis.md'), 'utf8');
    const server = await serve((incoming) =>
      incoming.messages[0]?.content.includes('expert on LLM-based coding agents')
        ? diagnosis
        : { text: 'Looking around.\n\n```tool bash\nls\n```', usage: { prompt: 40_000, completion: 100 } },
    );
    const { options } = await realMutator(server, { ...LIMITS, maxTokens: 100_000 });
    const result = await createSelfModifyMutator(options).mutate(request(readAgentDirectory(AGENT_DIRECTORY)));
    expect(result.ok).toBe(false);
    const details = result.info.details as unknown as SelfModifyDetails;
    expect(details.report?.stopReason).toBe('tokens');
    expect(details.report?.steps).toBeLessThanOrEqual(3);
    const usage = details.agentUsage;
    expect((usage?.tokensIn ?? 0) + (usage?.tokensOut ?? 0)).toBeLessThanOrEqual(100_000 + 40_100);
  });

  it('stops a runaway agent at its time limit', async () => {
    const diagnosis = readFileSync(path.join(SELF_MODIFY_FIXTURES, 'diagnosis.md'), 'utf8');
    const server = await serve((incoming) =>
      incoming.messages[0]?.content.includes('expert on LLM-based coding agents')
        ? diagnosis
        : 'This will take a while.\n\n```tool bash timeout=300\nsleep 120\n```',
    );
    const { options } = await realMutator(server, { ...LIMITS, timeoutMs: 3_000 });
    const started = Date.now();
    const result = await createSelfModifyMutator(options).mutate(request(readAgentDirectory(AGENT_DIRECTORY)));
    const seconds = (Date.now() - started) / 1000;
    expect(result.ok).toBe(false);
    const details = result.info.details as unknown as SelfModifyDetails;
    expect(details.report?.stopReason).toBe('time');
    expect(seconds).toBeLessThan(25);
  });
});

/** Every byte a campaign directory holds, git objects decompressed. */
function everythingStored(directory: string): string {
  const parts: string[] = [];
  const walk = (current: string): void => {
    for (const name of readdirSync(current)) {
      const full = path.join(current, name);
      if (statSync(full).isDirectory()) walk(full);
      else parts.push(readFileSync(full).toString('latin1'));
    }
  };
  walk(directory);
  parts.push(
    execFileSync('git', ['--git-dir', path.join(directory, 'code.git'), 'cat-file', '--batch-all-objects', '--batch'], {
      encoding: 'latin1',
      maxBuffer: 256 * 1024 * 1024,
    }),
  );
  return parts.join('\n');
}

function writeCampaign(root: string): string {
  const file = path.join(root, 'self-modify.yaml');
  writeFileSync(
    file,
    `name: self-modify-e2e
seed: 3
agent: ${JSON.stringify(AGENT_DIRECTORY)}
task:
  kind: coding
  exercises: [two-fer, leap]
  limits: { maxSteps: 8, maxTokens: 100000, timeoutSeconds: 60, testTimeoutSeconds: 30 }
mutation:
  operator: self-modify
  models: [openai:gpt-4.1]
  retries: 0
  agentLimits: { maxSteps: 10, maxTokens: 200000, timeoutSeconds: 120 }
evaluation:
  stages:
    - { jobs: 1, threshold: 0.5 }
    - {}
budget:
  iterations: 1
workers: 1
sandbox:
  timeoutSeconds: 300
`,
  );
  return file;
}

const kindOf = (request: unknown): 'diagnosis' | 'self' | 'evaluation' => {
  const text = JSON.stringify(request);
  if (text.includes('expert on LLM-based coding agents')) return 'diagnosis';
  if (text.includes('# Improve yourself')) return 'self';
  return 'evaluation';
};

describe('a self-modify campaign through the built CLI', () => {
  it.each(SANDBOXES)(
    'creates, evaluates and records a self-modified child; no key anywhere (%s sandbox)',
    async (sandboxKind) => {
      const { script, log } = createSelfModifyScript(KEY);
      const server = await serve(script);
      const root = temporaryDirectory('clade-self-modify-e2e-');
      cleanups.push(root.remove);
      const file = writeCampaign(root.path);
      const directory = path.join(root.path, 'run');
      const result = await runCli(['run', file, '--dir', directory, '--sandbox', sandboxKind, '--json'], {
        env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.baseURL },
      });
      expect(result.stderr).not.toContain('unexpected failure');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout + result.stderr).not.toContain(KEY);

      const archive = openArchive(path.join(directory, 'archive.db'), { readonly: true });
      const code = createGitCodeStore(path.join(directory, 'code.git'));
      try {
        const [seed, child] = archive.listNodes();
        // The seed passes two-fer and fails leap (it skips the RangeError the statement asks for).
        expect(seed?.status).toBe('scored');
        expect(seed?.score).toBe(0.5);
        expect(archive.evaluations(0).map((record) => [record.problem, record.score])).toEqual(
          expect.arrayContaining([
            ['two-fer', 1],
            ['leap', 0],
          ]),
        );
        // The child: the proposal in its details, prompt.ts edited by the agent, both stages passed.
        expect(child?.parentId).toBe(0);
        expect(child?.mutation.operator).toBe('self-modify');
        expect(child?.mutation.summary).toBe(DIAGNOSIS.summary);
        const details = child?.mutation.details as unknown as SelfModifyDetails;
        expect(details.diagnosis).toEqual(DIAGNOSIS);
        expect(details.changed).toEqual(['prompt.ts']);
        expect(details.report).toMatchObject({ stopReason: 'done', steps: 5 });
        expect(child?.status).toBe('scored');
        expect(child?.score).toBe(1);
        expect(archive.evaluations(1)).toHaveLength(2);

        // The commit's diff is exactly the agent's edit.
        const diff = await code.diff(seed?.commit ?? null, child?.commit ?? '');
        const changedFiles = [...diff.matchAll(/^\+\+\+ b\/(.+)$/gm)].map((match) => match[1]);
        expect(changedFiles).toEqual(['prompt.ts']);
        expect(diff).toMatch(new RegExp(`^\\+5\\. Before you call finish, ${SELF_EDIT_MARKER}`, 'm'));
        expect(diff).toMatch(/^-5\. You have a limited number of turns and tokens:/m);
        expect(diff).toMatch(/^\+6\. You have a limited number of turns and tokens:/m);

        // Model calls: the seed's evaluations against node 0; diagnosis, self-modification and
        // evaluations against the child.
        const seedCalls = archive.modelCalls(0);
        const childCalls = archive.modelCalls(1);
        expect(seedCalls.every((call) => kindOf(call.request) === 'evaluation')).toBe(true);
        expect(seedCalls).toHaveLength(8); // two-fer 4 steps + leap (hasty) 4 steps
        const kinds = childCalls.map((call) => kindOf(call.request));
        expect(kinds.filter((kind) => kind === 'diagnosis')).toHaveLength(1);
        expect(kinds.filter((kind) => kind === 'self')).toHaveLength(5);
        expect(kinds.filter((kind) => kind === 'evaluation')).toHaveLength(9); // two-fer 4 + leap (careful) 5
        expect(archive.listModelCalls()).toHaveLength(8 + 15);
        expect(log).toMatchObject({
          diagnosis: 1,
          self: 5,
          evaluation: { 'two-fer': 8, 'leap-hasty': 4, 'leap-careful': 5 },
        });

        // Inside the sandbox, `env` shows the socket and no key; the scan of its files finds none.
        const probe = server.requests.find(
          (entry) =>
            entry.messages.filter((message) => message.role === 'assistant').length === 1 &&
            entry.messages.some((message) => message.content.includes('# Improve yourself')),
        );
        const output = probe?.messages.at(-1)?.content ?? '';
        expect(output).toContain('CLADE_MODEL_SOCKET=');
        expect(output).toContain('KEY-SCAN: clean');
        expect(output).not.toContain(KEY);
        expect(output).not.toMatch(/API_KEY/);
      } finally {
        archive.close();
      }
      // Nothing the campaign stored (archive, git objects, logs) holds the key.
      expect(everythingStored(directory)).not.toContain(KEY);

      // clade show tells the story: the proposal, the agent's run, the files, the diff.
      const shown = await runCli(['show', directory, '1']);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain(`mutation   self-modify: ${DIAGNOSIS.summary}`);
      expect(shown.stdout).toContain('Self-modification (diagnosis by openai:gpt-4.1):');
      expect(shown.stdout).toContain(DIAGNOSIS.proposal.slice(0, 80));
      expect(shown.stdout).toMatch(
        /agent run {2}stopped: done after 5 step\(s\), \d+ tokens \(proxy: 5 call\(s\), \$0\.\d{4}, 0 refused\)/,
      );
      expect(shown.stdout).toContain('files      ~prompt.ts');
      expect(shown.stdout).not.toContain(KEY);
    },
    300_000,
  );
});
