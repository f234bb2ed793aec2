/**
 * End to end: the `self-modify` mutator with the real pieces (process sandbox, bundled harness with
 * the coding-agent runner, the model proxy, the seed coding agent) against the scripted model
 * server answering from recorded transcripts; then whole campaigns through the built CLI.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAgentDirectory } from '../../src/campaign/agent-directory.js';
import { createRandom } from '../../src/core/random.js';
import type { AgentFiles, AgentNode, EvaluationRecord } from '../../src/core/types.js';
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
import { bundleAgent } from '../../src/sandbox/bundle-agent.js';
import { connectDocker, inspectSandboxImage, probeEngine } from '../../src/sandbox/docker-engine.js';
import { createDockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { loadHarness } from '../../src/sandbox/harness.js';
import { createProcessSandbox } from '../../src/sandbox/process-sandbox.js';
import { repositoryRoot } from '../helpers/campaign-fixture.js';
import {
  type ScriptedModelServer,
  type ScriptFunction,
  startScriptedModelServer,
} from '../helpers/scripted-model-server.js';
import { createSelfModifyScript, SELF_EDIT_MARKER, SELF_MODIFY_FIXTURES } from '../helpers/self-modify-script.js';

const docker = connectDocker();
const probe = await probeEngine(docker);
const image = probe.reachable ? await inspectSandboxImage(docker) : null;
const dockerSkip = !probe.reachable
  ? `no Docker engine: ${probe.reason}`
  : image === null
    ? 'the sandbox image is missing (run `clade sandbox build --offline`)'
    : null;
if (dockerSkip !== null) {
  process.stderr.write(`self-modify Docker tests skipped: ${dockerSkip}\n`);
  if (process.env.CLADE_REQUIRE_DOCKER === '1') throw new Error(`The Docker tests must run here, but ${dockerSkip}`);
}
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
