/**
 * The coding task end to end through `evaluateNode`: scripted agents (no model) run in the real
 * harness in the process sandbox, then the hidden tests run in a second sandbox run. A perfect agent
 * (it writes the reference solutions) scores 1 on every exercise, a do-nothing agent 0; agents that
 * cheat (exit the test process early, disable assertions) fail; the hidden tests are nowhere in the
 * agent's sandbox; a model proxy session is opened for the node and its socket reaches the agent;
 * a campaign with staged evaluation and HGM counts works with coding jobs. The same evaluation
 * runs in the Docker sandbox when an engine and the image are there (required with
 * CLADE_REQUIRE_DOCKER=1).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaignFile } from '../../src/campaign-file.js';
import { createCampaign, createTask } from '../../src/create-campaign.js';
import { bundleAgent } from '../../src/harness/bundle-agent.js';
import { loadHarness } from '../../src/harness/load-harness.js';
import type { ModelProxy, ProxySession, ProxySessionOptions } from '../../src/model-proxy/types.js';
import { createDockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { createProcessSandbox } from '../../src/sandbox/process-sandbox.js';
import type { Sandbox, SandboxLimits } from '../../src/sandbox/types.js';
import { builtinExercisesDirectory, loadCodingExercises } from '../../src/tasks/coding-exercises.js';
import { createCodingTask } from '../../src/tasks/coding-task.js';
import { evaluateNode, type NodeEvaluation } from '../../src/tasks/evaluate-node.js';
import type { EvaluationJob, Task } from '../../src/tasks/types.js';
import { temporaryDirectory } from '../helpers/campaign-fixture.js';
import { dockerForTests } from '../helpers/docker.js';

const LIMITS: SandboxLimits = {
  timeoutMs: 60_000,
  memoryMb: 1024,
  outputBytes: 64 * 1024,
  cpus: 1,
  pids: 64,
  resultBytes: 16 * 1024 * 1024,
};
const AGENT_LIMITS = { maxSteps: 5, maxTokens: 20_000, timeoutSeconds: 20, testTimeoutSeconds: 30 };
const SMALL = ['bowling', 'clock', 'leap', 'two-fer'];

const root = builtinExercisesDirectory();
const solutions = Object.fromEntries(
  loadCodingExercises(root, 'all').map((exercise) => [exercise.slug, exercise.solutionFiles]),
);

/** An agent that writes the reference solution of the exercise it is given (found by its work directory's name). */
function perfectAgent(slugs: readonly string[] | 'all' = 'all'): string {
  const chosen = slugs === 'all' ? solutions : Object.fromEntries(slugs.map((slug) => [slug, solutions[slug]]));
  return `
    import { writeFileSync } from 'node:fs';
    import { basename, join } from 'node:path';
    const SOLUTIONS: Record<string, Record<string, string>> = ${JSON.stringify(chosen)};
    export async function solve(task: { workDir: string; log(line: string): void }) {
      const slug = basename(task.workDir);
      const files = SOLUTIONS[slug];
      if (!files) {
        task.log('no solution known for ' + slug);
        return { stopReason: 'done', steps: 1, tokensIn: 0, tokensOut: 0 };
      }
      for (const [name, content] of Object.entries(files)) writeFileSync(join(task.workDir, name), content);
      task.log('wrote the solution of ' + slug);
      return { stopReason: 'done', steps: 1, tokensIn: 10, tokensOut: 20 };
    }`;
}

const DO_NOTHING = `export async function solve() { return { stopReason: 'done', steps: 0, tokensIn: 0, tokensOut: 0 }; }`;

/** Writes `content` into every starting file (and `extra` files beside them): a solution that cheats. */
const cheatingAgent = (content: string, extra: Record<string, string> = {}): string => `
  import { readdirSync, writeFileSync } from 'node:fs';
  import { join } from 'node:path';
  export async function solve(task: { workDir: string }) {
    for (const name of readdirSync(task.workDir)) writeFileSync(join(task.workDir, name), ${JSON.stringify(content)});
    for (const [name, text] of Object.entries(${JSON.stringify(extra)})) writeFileSync(join(task.workDir, name), text);
    return { stopReason: 'done', steps: 1, tokensIn: 0, tokensOut: 0 };
  }`;

/** Lists every file in the agent's sandbox directory and logs any that looks like a hidden test. */
const SCANNER = `
  import { readdirSync, readFileSync, lstatSync } from 'node:fs';
  import { join, resolve } from 'node:path';
  export async function solve(task: { workDir: string; log(line: string): void }) {
    const top = resolve(task.workDir, '..', '..');
    const found: string[] = [];
    let count = 0;
    const visit = (directory: string) => {
      for (const name of readdirSync(directory)) {
        const full = join(directory, name);
        const stats = lstatSync(full);
        if (stats.isDirectory()) { visit(full); continue; }
        count++;
        const text = stats.size < 5_000_000 ? readFileSync(full, 'utf8') : '';
        // The needle is assembled at run time, so that this agent's own code does not hold it.
        if (name.endsWith('.test.mjs') || text.includes(['from ', "'node", ":test'"].join(''))) found.push(full.slice(top.length));
      }
    };
    visit(top);
    task.log('SCAN top=' + top + ' files=' + count + ' suspicious=' + JSON.stringify(found));
    return { stopReason: 'done', steps: 0, tokensIn: 0, tokensOut: 0 };
  }`;

function evaluate(
  task: Task,
  sandbox: Sandbox,
  harness: string,
  agentSource: string,
  extra: { jobs?: readonly EvaluationJob[]; modelProxy?: ModelProxy; nodeId?: number; limits?: SandboxLimits } = {},
): Promise<NodeEvaluation> {
  return evaluateNode(
    { 'agent.ts': agentSource },
    { task, sandbox, limits: LIMITS, bundle: bundleAgent, harness, ...extra },
  );
}

const codingTask = (exercises: readonly string[] | 'all' = SMALL): Task =>
  createCodingTask({ exercisesDir: root, exercises, limits: AGENT_LIMITS, campaignSeed: 3 });

describe('coding task in the process sandbox', () => {
  let harness: string;
  let sandbox: Sandbox;
  beforeAll(async () => {
    harness = await loadHarness();
    sandbox = createProcessSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('scores the perfect agent 1 on every exercise of the suite (hidden tests via node --test)', async () => {
    const task = codingTask('all');
    const result = await evaluate(task, sandbox, harness, perfectAgent());
    const failing = result.evaluations.filter((evaluation) => evaluation.score !== 1);
    expect(failing.map((evaluation) => `${evaluation.problem}: ${evaluation.logExcerpt}`)).toEqual([]);
    expect(result.status).toBe('scored');
    expect(result.score).toBe(1);
    expect(result.evaluations).toHaveLength(task.jobs().length);
    expect(result.publicMetrics.passed).toBe(task.jobs().length);
    const bowling = result.evaluations.find((evaluation) => evaluation.problem === 'bowling');
    expect(bowling?.status).toBe('ok');
    expect(bowling?.metrics.testsPassed).toBe(bowling?.metrics.testsTotal);
    expect(bowling?.logExcerpt).toMatch(/^PASS bowling: 2\d of 2\d test\(s\) passed/);
    expect(bowling?.logExcerpt).toContain('wrote the solution of bowling');
  }, 240_000);

  it('scores the do-nothing agent 0, with the failing tests in each job log', async () => {
    const result = await evaluate(codingTask(), sandbox, harness, DO_NOTHING);
    expect(result.status).toBe('scored');
    expect(result.score).toBe(0);
    for (const evaluation of result.evaluations) {
      expect(evaluation.status).toBe('ok');
      expect(evaluation.score).toBe(0);
      expect(evaluation.logExcerpt).toMatch(new RegExp(`^FAIL ${evaluation.problem}: 0 of \\d+ test\\(s\\) passed`));
      expect(evaluation.logExcerpt).toMatch(/not ok \d+ - .*\n[\s\S]*not implemented/);
      expect(evaluation.logExcerpt).toContain('agent: stopped (done) after 0 step(s)');
    }
  }, 120_000);

  it('gives partial credit per exercise, and fails agents that cheat', async () => {
    const half = await evaluate(codingTask(), sandbox, harness, perfectAgent(['leap', 'clock']));
    expect(half.score).toBe(0.5);
    expect(half.evaluations.map((evaluation) => [evaluation.problem, evaluation.score])).toEqual([
      ['bowling', 0],
      ['clock', 1],
      ['leap', 1],
      ['two-fer', 0],
    ]);
    const exits = await evaluate(
      codingTask(['leap', 'two-fer']),
      sandbox,
      harness,
      cheatingAgent('process.exit(0);\n'),
    );
    expect(exits.score).toBe(0);
    expect(exits.evaluations[0]?.logExcerpt).toMatch(/the test process ended early/);
    const patchesAssert = await evaluate(
      codingTask(['leap']),
      sandbox,
      harness,
      cheatingAgent(
        "import assert from 'node:assert/strict';\ntry { assert.equal = () => {}; assert.throws = () => {}; } catch {}\nexport const isLeap = () => true;\n",
      ),
    );
    expect(patchesAssert.score).toBe(0);
    // A solution that is right only if it can read the hidden test file (by fs, fs.promises or a
    // subprocess) fails; one that reads a file of its own through fs passes.
    const readsTests = await evaluate(
      codingTask(['leap']),
      sandbox,
      harness,
      cheatingAgent(
        [
          "import fs from 'node:fs';",
          "import { execSync } from 'node:child_process';",
          "const file = new URL('./leap.test.mjs', import.meta.url);",
          'let seen = 0;',
          'try { seen += fs.readFileSync(file, "utf8").length; } catch {}',
          'try { seen += (await fs.promises.readFile(file, "utf8")).length; } catch {}',
          'try { seen += String(execSync("cat leap.test.mjs")).length; } catch {}',
          'export const isLeap = (year) => {',
          "  if (seen === 0) return 'the tests were not readable';",
          "  if (!Number.isInteger(year) || year <= 0) throw new RangeError('year must be a positive integer');",
          '  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;',
          '};',
          '',
        ].join('\n'),
      ),
    );
    expect(readsTests.score).toBe(0);
    const ownFile = await evaluate(
      codingTask(['leap']),
      sandbox,
      harness,
      cheatingAgent(
        [
          "import fs from 'node:fs';",
          "const rule = JSON.parse(fs.readFileSync(new URL('./rule.json', import.meta.url), 'utf8')).every;",
          'export const isLeap = (year) => {',
          "  if (!Number.isInteger(year) || year <= 0) throw new RangeError('year must be a positive integer');",
          '  return (year % 4 === 0 && year % 100 !== 0) || year % rule === 0;',
          '};',
          '',
        ].join('\n'),
        { 'rule.json': '{"every":400}' },
      ),
    );
    expect(ownFile.score, ownFile.evaluations[0]?.logExcerpt).toBe(1);
  }, 120_000);

  it('never puts the hidden tests into the agent sandbox', async () => {
    const result = await evaluate(codingTask(), sandbox, harness, SCANNER);
    for (const evaluation of result.evaluations) {
      const scan = /SCAN top=\S+ files=(\d+) suspicious=(\[.*\])/.exec(evaluation.logExcerpt);
      expect(scan, evaluation.logExcerpt).not.toBeNull();
      expect(Number(scan?.[1])).toBeGreaterThanOrEqual(3); // the harness, the agent, the starting file(s)
      expect(JSON.parse(scan?.[2] ?? 'null')).toEqual([]);
    }
    expect(result.score).toBe(0);
  }, 120_000);

  it('opens a model proxy session for the node and hands its socket to the agent', async () => {
    const directory = temporaryDirectory('clade-fake-proxy-');
    const sessions: { options: ProxySessionOptions; closed: boolean; requests: string[] }[] = [];
    const servers: Server[] = [];
    // A fake proxy: each session is a real HTTP server on a Unix socket that answers a chat
    // completion with the reference solution of the exercise named in the prompt.
    const proxy: ModelProxy = {
      async openSession(options) {
        const record = { options, closed: false, requests: [] as string[] };
        sessions.push(record);
        const socketPath = path.join(directory.path, `session-${sessions.length}.sock`);
        const server = createServer((request, response) => {
          let body = '';
          request.on('data', (chunk) => {
            body += chunk;
          });
          request.on('end', () => {
            record.requests.push(body);
            const prompt = (JSON.parse(body) as { messages: { content: string }[] }).messages[0]?.content ?? '';
            const slug = /^# ([A-Za-z-]+)/.exec(prompt)?.[1]?.toLowerCase().replace(/ /g, '-') ?? '';
            const content = Object.values(solutions[slug] ?? {})[0] ?? '';
            response.setHeader('content-type', 'application/json');
            response.end(
              JSON.stringify({
                object: 'chat.completion',
                choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
                usage: { prompt_tokens: 11, completion_tokens: 22, total_tokens: 33 },
              }),
            );
          });
        });
        servers.push(server);
        await new Promise<void>((resolve) => server.listen(socketPath, resolve));
        const session: ProxySession = {
          socketPath,
          usage: () => ({ calls: record.requests.length, tokensIn: 0, tokensOut: 0, costUsd: 0, refused: 0 }),
          async close() {
            record.closed = true;
            await new Promise<void>((resolve) => server.close(() => resolve()));
          },
        };
        return session;
      },
      async close() {},
    };
    const modelAgent = `
      import { request } from 'node:http';
      import { readdirSync, writeFileSync } from 'node:fs';
      import { join } from 'node:path';
      export async function solve(task: any) {
        if (!task.modelSocket) return { stopReason: 'model-error', steps: 0, tokensIn: 0, tokensOut: 0 };
        const answer: any = await new Promise((resolve, reject) => {
          const outgoing = request({ socketPath: task.modelSocket, path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' } }, (incoming) => {
            let text = '';
            incoming.setEncoding('utf8');
            incoming.on('data', (chunk) => { text += chunk; });
            incoming.on('end', () => resolve(JSON.parse(text)));
          });
          outgoing.on('error', reject);
          outgoing.end(JSON.stringify({ messages: [{ role: 'user', content: task.statement }] }));
        });
        const file = readdirSync(task.workDir).find((name) => name.endsWith('.mjs'));
        writeFileSync(join(task.workDir, file), answer.choices[0].message.content);
        return { stopReason: 'done', steps: 1, tokensIn: answer.usage.prompt_tokens, tokensOut: answer.usage.completion_tokens };
      }`;
    try {
      const task = codingTask(['leap', 'two-fer']);
      const result = await evaluate(task, sandbox, harness, modelAgent, { modelProxy: proxy, nodeId: 7 });
      expect(result.score).toBe(1);
      expect(sessions).toHaveLength(1);
      expect(sessions[0]?.options).toMatchObject({
        nodeId: 7,
        purpose: 'evaluation',
        budget: { tokens: 2 * AGENT_LIMITS.maxTokens, calls: 2 * AGENT_LIMITS.maxSteps },
      });
      expect(sessions[0]?.closed).toBe(true);
      expect(sessions[0]?.requests).toHaveLength(2);
      expect(result.publicMetrics.agentTokens).toBe(2 * 33);
      // Without a proxy the agent gets no socket and says so.
      const alone = await evaluate(task, sandbox, harness, modelAgent);
      expect(alone.score).toBe(0);
      expect(alone.evaluations[0]?.metrics.stopReason).toBe('model-error');
      await expect(evaluate(task, sandbox, harness, modelAgent, { modelProxy: proxy })).rejects.toThrow(/nodeId/);
    } finally {
      for (const server of servers) server.close();
      directory.remove();
    }
  }, 120_000);

  it('keeps the exercises finished before an agent blocked its sandbox run until the time limit', async () => {
    const task = createCodingTask({
      exercisesDir: root,
      exercises: ['leap', 'two-fer', 'clock'],
      limits: { ...AGENT_LIMITS, timeoutSeconds: 1 },
      campaignSeed: 3,
    });
    const blocking = perfectAgent(['leap']).replace(
      'const slug = basename(task.workDir);',
      "const slug = basename(task.workDir);\n      if (slug === 'two-fer') for (;;) {}",
    );
    // The agent run's limit: at least 3 exercises × 1 s + 30 s, whatever the campaign's.
    const result = await evaluate(task, sandbox, harness, blocking, { limits: { ...LIMITS, timeoutMs: 5_000 } });
    expect(result.status).toBe('scored');
    expect(result.evaluations.map((evaluation) => [evaluation.problem, evaluation.status, evaluation.score])).toEqual([
      ['leap', 'ok', 1],
      ['two-fer', 'timeout', 0],
      ['clock', 'timeout', 0],
    ]);
    expect(result.evaluations[1]?.logExcerpt).toMatch(/wrote no result for this exercise/);
    expect(result.score).toBeCloseTo(1 / 3);
  }, 120_000);

  it('refuses an agent tree without agent.ts or solve before running anything', async () => {
    const task = codingTask(['leap']);
    const missing = await evaluateNode(
      { 'other.ts': DO_NOTHING },
      { task, sandbox, limits: LIMITS, bundle: bundleAgent, harness },
    );
    expect(missing.status).toBe('build_failed');
    expect(missing.error).toMatch(/no agent\.ts/);
    const noSolve = await evaluate(task, sandbox, harness, 'export const run = 1;');
    expect(noSolve.status).toBe('build_failed');
    expect(noSolve.error).toMatch(/exports no solve function/);
  });
});

describe('coding campaigns: staged evaluation and HGM counts', () => {
  const workspace = temporaryDirectory('clade-coding-campaign-');
  afterAll(() => workspace.remove());

  /** A seed agent solving the first SOLVED exercises (alphabetical); the parametric mutator varies SOLVED. */
  function writeAgent(): string {
    const directory = path.join(workspace.path, 'agent');
    mkdirSync(directory, { recursive: true });
    const ordered = ['hamming', 'leap', 'pangram', 'raindrops'];
    writeFileSync(
      path.join(directory, 'agent.ts'),
      `import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
// EVOLVE-BLOCK-START
const SOLVED = /* @evolve int 0..4 */ 2;
// EVOLVE-BLOCK-END
const ORDER = ${JSON.stringify(ordered)};
const SOLUTIONS: Record<string, Record<string, string>> = ${JSON.stringify(Object.fromEntries(ordered.map((slug) => [slug, solutions[slug]])))};
export async function solve(task: { workDir: string }) {
  const slug = basename(task.workDir);
  if (ORDER.indexOf(slug) < SOLVED) {
    for (const [name, content] of Object.entries(SOLUTIONS[slug] ?? {})) writeFileSync(join(task.workDir, name), content);
  }
  return { stopReason: 'done', steps: 1, tokensIn: 0, tokensOut: 0 };
}
`,
    );
    return directory;
  }

  it('runs a few exercises first and the rest only for children that reach the threshold; outcomes are pass/fail counts', async () => {
    const agent = writeAgent();
    const file = path.join(workspace.path, 'coding.yaml');
    writeFileSync(
      file,
      `name: coding-staged
seed: 5
agent: ${JSON.stringify(agent)}
task:
  kind: coding
  exercises: [hamming, leap, pangram, raindrops]
  limits: { maxSteps: 3, maxTokens: 10000, timeoutSeconds: 20 }
evaluation:
  stages:
    - { problems: [pangram, raindrops], threshold: 0.5 }
    - {}
budget:
  iterations: 6
sandbox:
  kind: process
  timeoutSeconds: 60
`,
    );
    const loaded = loadCampaignFile(file);
    expect(
      createTask(loaded.config)
        .jobs()
        .map((job) => job.problem),
    ).toEqual(['hamming', 'leap', 'pangram', 'raindrops']);
    const campaign = await createCampaign(loaded, path.join(workspace.path, 'run'));
    try {
      await campaign.run();
      const nodes = campaign.archive.listNodes();
      const stats = new Map(campaign.archive.nodeStats().map((entry) => [entry.nodeId, entry]));
      // The seed solves hamming and leap, and runs every job: 2 of 4.
      const seed = nodes.find((node) => node.id === 0);
      expect(seed?.score).toBe(0.5);
      expect(stats.get(0)?.own).toEqual({ passes: 2, failures: 2 });
      let full = 0;
      let stopped = 0;
      for (const node of nodes.filter((candidate) => candidate.id > 0 && candidate.status === 'scored')) {
        const evaluations = campaign.archive.evaluations(node.id);
        const passes = evaluations.filter((evaluation) => evaluation.score === 1).length;
        // Per-exercise outcomes are exactly the node's own pass/fail counts.
        expect(stats.get(node.id)?.own).toEqual({ passes, failures: evaluations.length - passes });
        const first = evaluations.filter((evaluation) => ['pangram', 'raindrops'].includes(evaluation.problem));
        expect(first).toHaveLength(2);
        if (first.some((evaluation) => evaluation.score === 1)) {
          expect(evaluations).toHaveLength(4);
          full++;
        } else {
          expect(evaluations).toHaveLength(2);
          stopped++;
        }
      }
      // With seed 5 both happen: children that solve neither stage-1 exercise stop there.
      expect(
        [full, stopped].map((count) => count > 0),
        JSON.stringify(nodes.map((node) => [node.id, node.status, node.score])),
      ).toEqual([true, true]);
    } finally {
      campaign.close();
    }
  }, 300_000);
});

const { docker, skipReason: dockerSkipReason } = await dockerForTests('coding task Docker suite');

describe.skipIf(dockerSkipReason !== null)('coding task in the Docker sandbox', () => {
  let harness: string;
  let sandbox: Sandbox;
  beforeAll(async () => {
    harness = await loadHarness();
    sandbox = await createDockerSandbox({ docker, pruneOrphans: false });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('scores the perfect agent 1 and the do-nothing agent 0, and hides the tests from the agent', async () => {
    const perfect = await evaluate(codingTask(), sandbox, harness, perfectAgent());
    expect(perfect.evaluations.filter((evaluation) => evaluation.score !== 1).map((e) => e.logExcerpt)).toEqual([]);
    expect(perfect.score).toBe(1);
    const nothing = await evaluate(codingTask(), sandbox, harness, DO_NOTHING);
    expect(nothing.status).toBe('scored');
    expect(nothing.score).toBe(0);
    const scan = await evaluate(codingTask(['leap']), sandbox, harness, SCANNER);
    expect(scan.evaluations[0]?.logExcerpt).toMatch(/SCAN top=\S+ files=\d+ suspicious=\[\]/);
  }, 240_000);
});
