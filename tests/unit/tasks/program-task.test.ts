import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { createPriceTable } from '../../../src/model/prices.js';
import type { ModelClient, ModelRequest } from '../../../src/model/types.js';
import { createModelProxy } from '../../../src/model-proxy/model-proxy.js';
import { createProcessSandbox } from '../../../src/sandbox/process-sandbox.js';
import type { Sandbox, SandboxLimits } from '../../../src/sandbox/types.js';
import { evaluateNode } from '../../../src/tasks/evaluate-node.js';
import { type ProgramTaskConfig, programTaskSchema } from '../../../src/tasks/program-config.js';
import { mapScore, parseEvaluatorResult } from '../../../src/tasks/program-result.js';
import { programTaskKind } from '../../../src/tasks/program-task.js';
import type { Task, TaskRun } from '../../../src/tasks/types.js';

const limits: SandboxLimits = {
  timeoutMs: 20_000,
  memoryMb: 1024,
  outputBytes: 65_536,
  cpus: 1,
  pids: 64,
  resultBytes: 1_000_000,
};

let root: string;
let sandbox: Sandbox;

/** Writes `files` under `root/name` and returns that directory. */
const tree = (name: string, files: Record<string, string>): string => {
  const directory = path.join(root, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(directory, file)), { recursive: true });
    writeFileSync(path.join(directory, file), text);
  }
  return directory;
};

/** Parses, prepares and creates a task whose campaign file lives in `root`. */
const makeTask = (section: Record<string, unknown>): Task => {
  const parsed = programTaskSchema.parse({ kind: 'program', ...section }) as ProgramTaskConfig;
  const prepared =
    programTaskKind.prepare?.(parsed, { configDirectory: root, agentDirectory: path.join(root, 'program') }) ?? parsed;
  return programTaskKind.create(prepared, { seed: 7 });
};

const run = (task: Task, files: Record<string, string>, overrides: Partial<SandboxLimits> = {}): Promise<TaskRun> =>
  (task.runJobs as NonNullable<Task['runJobs']>)(files, task.jobs(), { sandbox, limits: { ...limits, ...overrides } });

/** A Python evaluator that imports program/solution.py and scores VALUE from it. */
const importingEvaluator = `
import importlib.util, json, os, sys
program, result = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("solution", os.path.join(program, "solution.py"))
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
value = module.value(int(sys.argv[3]))
json.dump({"score": value, "public": {"doubled": value * 2, "instance": sys.argv[4]},
           "private": {"secret": 42}, "artifacts": {"feedback": "value was %s" % value}}, open(result, "w"))
`;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'clade-program-task-'));
  sandbox = createProcessSandbox();
  tree('evaluator', { 'evaluate.py': importingEvaluator, 'helper/data.txt': 'x' });
});

afterAll(async () => {
  await sandbox.close();
  rmSync(root, { recursive: true, force: true });
});

describe('program task: single mode', () => {
  it('runs the evaluator on the program with real python3 and reads score, metrics, private metrics and artifacts', async () => {
    const task = makeTask({
      evaluator: 'evaluator',
      command: ['python3', 'evaluate.py', '{program}', '{result}', '{seed}', '{instance}'],
      jobs: { instances: ['a', 'b'] },
    });
    const files = { 'solution.py': 'def value(seed):\n    return 1.5\n' };
    const outcome = await run(task, files);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.environment).toMatch(/python3/);
    expect(outcome.outcomes.map((entry) => entry.status)).toEqual(['ok', 'ok']);
    const first = outcome.outcomes[0];
    expect(first?.score).toBe(1.5);
    expect(first?.metrics).toMatchObject({ rawScore: 1.5, doubled: 3, instance: 'a', 'private:secret': 42 });
    expect(first?.artifacts).toEqual({ feedback: 'value was 1.5' });
    const aggregate = task.aggregate(outcome.outcomes);
    expect(aggregate.score).toBe(1.5);
    expect(aggregate.publicMetrics).toMatchObject({ rawScore: 1.5, doubled: 3, 'rawScore:a': 1.5, failedJobs: 0 });
    expect(aggregate.publicMetrics).not.toHaveProperty('secret');
    expect(aggregate.privateMetrics).toEqual({ secret: 42 });
  });

  it('maps a minimised score onto [0, 1] by the declared range, and states the rule to the model', async () => {
    const task = makeTask({
      evaluator: 'evaluator/evaluate.py',
      command: ['python3', 'evaluate.py', '{program}', '{result}', '{seed}', '{instance}'],
      direction: 'minimize',
      scoreRange: [0, 10],
    });
    const outcome = await run(task, { 'solution.py': 'def value(seed):\n    return 2.5\n' });
    expect(outcome.ok && outcome.outcomes[0]?.score).toBeCloseTo(0.75);
    // Out of range: mapped by the same line, never clamped.
    expect(mapScore(12, { direction: 'minimize', range: [0, 10] })).toBeCloseTo(-0.2);
    expect(task.describeForModel()).toMatch(/lower raw score is better.*\(10 − raw\) \/ \(10 − 0\)/s);
  });

  it('stores a crash, a missing result, a malformed result and a timeout as statuses with the reason and log', async () => {
    const task = makeTask({
      evaluator: 'evaluator',
      command: ['python3', '{program}/main.py', '{result}'],
    });
    const crashed = await run(task, {
      'main.py': 'import sys\nprint("boom happened", file=sys.stderr)\nsys.exit(3)\n',
    });
    expect(crashed.ok && crashed.outcomes[0]).toMatchObject({ status: 'crashed', score: null });
    expect(crashed.ok && crashed.outcomes[0]?.logExcerpt).toMatch(/boom happened[\s\S]*exited with code 3/);

    const missing = await run(task, { 'main.py': 'print("done")\n' });
    expect(missing.ok && missing.outcomes[0]?.status).toBe('invalid');
    expect(missing.ok && missing.outcomes[0]?.logExcerpt).toMatch(/without a usable result/);

    const nan = await run(task, { 'main.py': 'import sys\nopen(sys.argv[1], "w").write(\'{"score": "high"}\')\n' });
    expect(nan.ok && nan.outcomes[0]?.status).toBe('invalid');
    expect(nan.ok && nan.outcomes[0]?.logExcerpt).toMatch(/must be a finite number/);

    const slow = await run(task, { 'main.py': 'import time\ntime.sleep(30)\n' }, { timeoutMs: 1500 });
    expect(slow.ok && slow.outcomes[0]).toMatchObject({ status: 'timeout', score: null });
    expect(slow.ok && slow.outcomes[0]?.logExcerpt).toMatch(/wall-clock limit of 2 s/);

    const judgedFailed = await run(task, {
      'main.py':
        'import sys, json\njson.dump({"error": "circles 1 and 2 overlap", "artifacts": {"why": "overlap 0.1"}}, open(sys.argv[1], "w"))\n',
    });
    expect(judgedFailed.ok && judgedFailed.outcomes[0]).toMatchObject({
      status: 'failed',
      score: null,
      artifacts: { why: 'overlap 0.1' },
    });
  });

  it('counts failed jobs at the worse end of the range when one is declared', () => {
    const task = makeTask({ evaluator: 'evaluator', command: ['python3', 'evaluate.py'], scoreRange: [0, 4] });
    const job = { problem: 'default', repeat: 0, seed: 1 };
    const score = task.aggregate([
      { job, status: 'ok', score: 0.5, metrics: { rawScore: 2 }, durationMs: 1, logExcerpt: '' },
      { job, status: 'crashed', score: null, metrics: {}, durationMs: 1, logExcerpt: '' },
    ]).score;
    expect(score).toBeCloseTo(0.25);
  });
});

describe('program task: build step', () => {
  it('compiles a C program in the sandbox and hands the executable to the evaluator', async () => {
    tree('c-evaluator', {
      'judge.py':
        'import json, subprocess, sys\nout = subprocess.run([sys.argv[1], "5"], capture_output=True, text=True, check=True).stdout\njson.dump({"score": float(out)}, open(sys.argv[2], "w"))\n',
    });
    const task = makeTask({
      evaluator: 'c-evaluator',
      build: ['cc', '-O2', '-o', '{build}/square', '{program}/square.c'],
      command: ['python3', 'judge.py', '{build}/square', '{result}'],
    });
    const source =
      '#include <stdio.h>\n#include <stdlib.h>\nint main(int c, char **v) { int x = atoi(v[1]); printf("%d\\n", x * x); return 0; }\n';
    const built = await run(task, { 'square.c': source });
    expect(built.ok && built.outcomes[0]).toMatchObject({ status: 'ok', score: 25 });
    // Where it ran: the job's python3 first, then the compiler that built it.
    expect(built.ok && built.environment).toMatch(/^python3 → .*; build: cc → /);

    const broken = await run(task, { 'square.c': 'int main( {' });
    expect(broken.ok).toBe(false);
    if (broken.ok) return;
    expect(broken.status).toBe('build_failed');
    expect(broken.error).toMatch(/The build \(cc -O2[^)]*\) exited with code 1[\s\S]*square\.c/);
  });
});

describe('program task: produce then judge', () => {
  it('collects the declared outputs and judges them in a run without the program', async () => {
    tree('judge', {
      'judge.py': [
        'import json, os, sys',
        'assert not os.path.exists("program"), "the judge must not see the program"',
        'point = json.load(open(os.path.join(sys.argv[1], "best.json")))',
        'json.dump({"score": sum(v * v for v in point), "public": {"dims": len(point)}}, open(sys.argv[2], "w"))',
      ].join('\n'),
    });
    const task = makeTask({
      evaluator: 'judge',
      mode: 'produce-then-judge',
      produce: ['python3', '{program}/search.py', '{output}', '{seed}'],
      outputs: ['best.json'],
      command: ['python3', 'judge.py', '{output}', '{result}'],
      direction: 'minimize',
    });
    const program = {
      'search.py':
        'import json, os, sys\njson.dump([0.5, -1.0], open(os.path.join(sys.argv[1], "best.json"), "w"))\nprint("searched")\n',
    };
    const judged = await run(task, program);
    expect(judged.ok && judged.outcomes[0]).toMatchObject({
      status: 'ok',
      score: -1.25,
      metrics: { rawScore: 1.25, dims: 2 },
    });

    const silent = await run(task, { 'search.py': 'print("forgot to write")\n' });
    expect(silent.ok && silent.outcomes[0]?.status).toBe('invalid');
    expect(silent.ok && silent.outcomes[0]?.logExcerpt).toMatch(
      /forgot to write[\s\S]*without writing \{output\}\/best\.json/,
    );
  });

  it('gives the model socket to the produce run only, never to the judge, with a budget per job', async () => {
    const task = makeTask({
      evaluator: 'judge',
      mode: 'produce-then-judge',
      produce: ['python3', '{program}/search.py', '{output}', '{seed}'],
      outputs: ['best.json'],
      command: ['python3', 'judge.py', '{output}', '{result}'],
      modelAccess: { tokens: 1000, calls: 3 },
      jobs: { repeats: 2 },
    });
    expect(task.modelAccess?.(task.jobs())).toEqual({ purpose: 'evaluation', budget: { tokens: 2000, calls: 6 } });
    const seen: Array<{ command: readonly string[]; socket: string | undefined; files: string[] }> = [];
    // The real process sandbox, with each request noted on its way in.
    const noting: Sandbox = {
      kind: sandbox.kind,
      run: (request) => {
        seen.push({ command: request.command, socket: request.modelSocket, files: Object.keys(request.files) });
        return sandbox.run(request);
      },
      close: () => sandbox.close(),
    };
    const socket = path.join(root, 'model.sock');
    const server = (await import('node:net')).createServer().listen(socket);
    try {
      const outcome = await (task.runJobs as NonNullable<Task['runJobs']>)(
        { 'search.py': 'import json, os, sys\njson.dump([0.0], open(os.path.join(sys.argv[1], "best.json"), "w"))\n' },
        task.jobs(),
        { sandbox: noting, limits, modelSocket: socket },
      );
      expect(outcome.ok && outcome.outcomes.map((entry) => entry.status)).toEqual(['ok', 'ok']);
    } finally {
      server.close();
    }
    expect(seen.map((entry) => [entry.command[1], entry.socket])).toEqual([
      ['program/search.py', socket],
      ['judge.py', undefined],
      ['program/search.py', socket],
      ['judge.py', undefined],
    ]);
    expect(seen[1]?.files.some((file) => file.startsWith('program/'))).toBe(false);
    expect(seen[1]?.files).toContain('output/best.json');
    expect(seen[0]?.files).not.toContain('judge.py');
  });

  it('refuses a judge command that names the program, and produce without the mode', () => {
    const judgeWithProgram = programTaskSchema.safeParse({
      kind: 'program',
      evaluator: 'judge',
      mode: 'produce-then-judge',
      produce: ['python3', 'x.py'],
      command: ['python3', 'judge.py', '{program}'],
    });
    expect(judgeWithProgram.success).toBe(false);
    expect(JSON.stringify(judgeWithProgram.error?.issues)).toMatch(/cannot use \{program\}/);
    const unknown = programTaskSchema.safeParse({
      kind: 'program',
      evaluator: 'e',
      command: ['python3', '{programme}'],
    });
    expect(JSON.stringify(unknown.error?.issues)).toMatch(/unknown placeholder \{programme\}/);
  });
});

describe('program task: prepare', () => {
  it('refuses an evaluator inside the program directory (models would see and change it)', () => {
    tree('inside-agent/judge', { 'e.py': 'print(1)' });
    const parsed = programTaskSchema.parse({
      kind: 'program',
      evaluator: 'inside-agent/judge',
      command: ['python3', 'e.py'],
    });
    expect(() =>
      programTaskKind.prepare?.(parsed, { configDirectory: root, agentDirectory: path.join(root, 'inside-agent') }),
    ).toThrow(/task\.evaluator: .* is inside the program's directory/);
    // Beside it is fine.
    expect(() =>
      programTaskKind.prepare?.(parsed, { configDirectory: root, agentDirectory: path.join(root, 'elsewhere') }),
    ).not.toThrow();
  });

  it('names task.evaluator when the evaluator is missing or uses a reserved name', () => {
    const parsed = programTaskSchema.parse({ kind: 'program', evaluator: 'nowhere', command: ['python3', 'e.py'] });
    expect(() =>
      programTaskKind.prepare?.(parsed, { configDirectory: root, agentDirectory: path.join(root, 'program') }),
    ).toThrow(ConfigError);
    expect(() =>
      programTaskKind.prepare?.(parsed, { configDirectory: root, agentDirectory: path.join(root, 'program') }),
    ).toThrow(/task\.evaluator: "nowhere" does not exist/);
    tree('reserved', { 'result.json': '{}' });
    const reserved = programTaskSchema.parse({ kind: 'program', evaluator: 'reserved', command: ['python3', 'e.py'] });
    expect(() =>
      programTaskKind.prepare?.(reserved, { configDirectory: root, agentDirectory: path.join(root, 'program') }),
    ).toThrow(/"result\.json", a name clade uses/);
  });

  it('reads a Markdown description file for the model', () => {
    writeFileSync(path.join(root, 'about.md'), '# Pack circles\nMaximise the sum of radii.');
    const task = makeTask({ evaluator: 'evaluator', command: ['python3', 'evaluate.py'], description: 'about.md' });
    expect(task.describeForModel()).toMatch(/^# Pack circles\nMaximise the sum of radii\.[\s\S]*not shown to you/);
  });
});

describe('evaluator results', () => {
  it("accepts OpenEvolve's combined_score and metrics, and caps artifacts", () => {
    const parsed = parseEvaluatorResult({
      metrics: { combined_score: 0.9, validity: 1 },
      artifacts: { big: 'x'.repeat(10_000), obj: { a: 1 } },
    });
    expect(typeof parsed).not.toBe('string');
    if (typeof parsed === 'string') return;
    expect(parsed.score).toBe(0.9);
    expect(parsed.publicMetrics).toEqual({ validity: 1 });
    expect(parsed.artifacts.big?.length).toBeLessThan(4200);
    expect(parsed.artifacts.obj).toContain('"a": 1');
    expect(parseEvaluatorResult([1])).toMatch(/an array/);
    expect(parseEvaluatorResult({ score: Number.POSITIVE_INFINITY })).toMatch(/finite number/);
    expect(parseEvaluatorResult({ public: {} })).toMatch(/no "score"/);
  });
});

describe('program task: a program that calls a model (ADAS-style)', () => {
  it("reaches the model through the node's proxy session, within its per-job budget", async () => {
    tree('agent-judge', {
      'judge.py': [
        'import importlib.util, json, os, sys',
        'spec = importlib.util.spec_from_file_location("agent", os.path.join(sys.argv[1], "agent.py"))',
        'agent = importlib.util.module_from_spec(spec); spec.loader.exec_module(agent)',
        'answers = [agent.solve("What is 2 + 2?") for _ in range(3)]',
        'json.dump({"score": sum(1.0 for a in answers if a.startswith("echo:")),',
        '           "public": {"first": answers[0][:40], "refused": sum(1 for a in answers if a == "refused")}},',
        '          open(sys.argv[2], "w"))',
      ].join('\n'),
    });
    const agent = [
      'import http.client, json, os, socket',
      'class UnixConnection(http.client.HTTPConnection):',
      '    def connect(self):',
      '        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)',
      '        self.sock.connect(os.environ["CLADE_MODEL_SOCKET"])',
      'def solve(question):',
      '    connection = UnixConnection("localhost")',
      '    body = json.dumps({"messages": [{"role": "user", "content": question}]})',
      '    connection.request("POST", "/v1/chat/completions", body, {"content-type": "application/json"})',
      '    response = connection.getresponse()',
      '    answer = json.loads(response.read())',
      '    return answer["choices"][0]["message"]["content"] if response.status == 200 else "refused"',
    ].join('\n');
    const seen: ModelRequest[] = [];
    const client: ModelClient = {
      provider: 'openai-compatible',
      model: 'echo-1',
      async complete(request) {
        seen.push(request);
        const text = `echo: ${request.messages.at(-1)?.content ?? ''}`;
        return { text, tokensIn: 10, tokensOut: 5, finishReason: 'stop', raw: {} };
      },
    } as ModelClient;
    const proxy = createModelProxy({ client, prices: createPriceTable() });
    try {
      const task = makeTask({
        evaluator: 'agent-judge',
        command: ['python3', 'judge.py', '{program}', '{result}'],
        modelAccess: { tokens: 1000, calls: 2 },
      });
      const evaluation = await evaluateNode(
        { 'agent.py': agent },
        {
          task,
          sandbox,
          limits,
          bundle: async () => ({ ok: false, error: 'unused' }),
          harness: '',
          modelProxy: proxy,
          nodeId: 3,
        },
      );
      expect(evaluation.status).toBe('scored');
      // Two calls reached the model (the per-job budget), the third was refused by the proxy.
      expect(evaluation.score).toBe(2);
      expect(evaluation.publicMetrics).toMatchObject({ first: 'echo: What is 2 + 2?', refused: 1 });
      expect(seen).toHaveLength(2);
    } finally {
      await proxy.close();
    }
  });
});
