/**
 * The seed coding agent (agents/coding-agent) against the scripted model server on a real Unix
 * socket, as it talks to the model proxy in a sandbox: a recorded transcript solves an exercise
 * (checked with the exercise's hidden tests), the tools refuse what they must, and every limit
 * stops a runaway agent with the matching stop reason.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { solve as solveDirect } from '../../../agents/coding-agent/agent.js';
import { parseTurn } from '../../../agents/coding-agent/protocol.js';
import { createFile, editFile, viewPath } from '../../../agents/coding-agent/tools.js';
import type { CodingLimits, CodingTask, SolveReport } from '../../../agents/coding-agent/types.js';
import { bundleAgent } from '../../../src/harness/bundle-agent.js';
import { repositoryRoot } from '../../helpers/campaign-fixture.js';
import {
  type ScriptedAnswer,
  type ScriptedModelServer,
  type ScriptFunction,
  startScriptedModelServer,
} from '../../helpers/scripted-model-server.js';

const run = promisify(execFile);
const fixtures = path.join(repositoryRoot, 'tests/fixtures/coding-agent');
const exercise = path.join(fixtures, 'exercises/run-length-encoding');
const agentDirectory = path.join(repositoryRoot, 'agents/coding-agent');

const temporary: string[] = [];
const servers: ScriptedModelServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const directory of temporary.splice(0)) await rm(directory, { recursive: true, force: true });
});

async function readTranscript(name: string): Promise<string[]> {
  const directory = path.join(fixtures, 'transcripts', name);
  const files = (await readdir(directory)).filter((file) => /^\d+\.md$/.test(file)).sort();
  return Promise.all(files.map((file) => readFile(path.join(directory, file), 'utf8')));
}

type Solve = (task: CodingTask) => Promise<SolveReport>;

interface AgentRun {
  report: SolveReport;
  log: string[];
  server: ScriptedModelServer;
  workDir: string;
  elapsedMs: number;
}

const DEFAULT_LIMITS: CodingLimits = { maxSteps: 30, maxTokens: 200_000, timeoutMs: 30_000 };

/** Runs the agent on a copy of `startFiles` with a scripted model behind a Unix socket. */
async function runAgent(
  script: readonly ScriptedAnswer[] | ScriptFunction,
  options: {
    limits?: Partial<CodingLimits>;
    startFiles?: string;
    solve?: Solve;
    statement?: string;
    signal?: AbortSignal;
  } = {},
): Promise<AgentRun> {
  const root = await mkdtemp(path.join(tmpdir(), 'clade-coding-agent-'));
  temporary.push(root);
  const workDir = path.join(root, 'work');
  await mkdir(workDir);
  if (options.startFiles !== undefined) await cp(options.startFiles, workDir, { recursive: true });
  const server = await startScriptedModelServer({ script, socketPath: path.join(root, 'model.sock') });
  servers.push(server);
  const log: string[] = [];
  const started = Date.now();
  const report = await (options.solve ?? solveDirect)({
    workDir,
    statement: options.statement ?? (await readFile(path.join(exercise, 'statement.md'), 'utf8')),
    modelSocket: server.socketPath ?? '',
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    log: (line) => log.push(line),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  return { report, log, server, workDir, elapsedMs: Date.now() - started };
}

/** Runs the exercise's hidden tests on the agent's work directory; resolves with node --test's exit code. */
async function hiddenTests(workDir: string): Promise<{ code: number; output: string }> {
  const checkDir = await mkdtemp(path.join(tmpdir(), 'clade-coding-check-'));
  temporary.push(checkDir);
  await cp(workDir, checkDir, { recursive: true });
  await cp(path.join(exercise, 'tests'), checkDir, { recursive: true });
  try {
    const { stdout } = await run(process.execPath, ['--test'], { cwd: checkDir });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? 1, output: failed.stdout ?? '' };
  }
}

/** Whether a process runs (a zombie left to a container's init that does not reap counts as dead). */
async function isRunning(pid: number): Promise<boolean> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return !/^State:\s+[ZX]/m.test(status);
  } catch {
    if (existsSync('/proc/self')) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

const lastUserMessage = (server: ScriptedModelServer, index: number): string =>
  server.chatRequests()[index]?.messages.at(-1)?.content ?? '';

describe('coding agent: a recorded transcript', () => {
  it('solves run-length-encoding: views, edits (recovering from an ambiguous edit), tests with node, fixes, finishes', async () => {
    const transcript = await readTranscript('solve-run-length-encoding');
    const { report, log, server, workDir } = await runAgent(transcript, {
      startFiles: path.join(exercise, 'start'),
    });
    expect(report.stopReason).toBe('done');
    expect(report.steps).toBe(transcript.length);
    const requests = server.chatRequests();
    expect(requests).toHaveLength(transcript.length);
    // Usage is the sum of what the server reported (prompt tokens grow with the conversation).
    const promptTokens = requests.map((request) =>
      request.messages.reduce((sum, m) => sum + 4 + Math.ceil(m.content.length / 4), 3),
    );
    expect(report.tokensIn).toBe(promptTokens.reduce((sum, value) => sum + value, 0));
    expect(report.tokensOut).toBe(transcript.reduce((sum, answer) => sum + Math.ceil(answer.length / 4), 0));

    // The first request teaches the protocol and carries the task and the file listing.
    const first = requests[0]?.messages ?? [];
    expect(first[0]?.role).toBe('system');
    expect(first[0]?.content).toContain('```tool bash');
    expect(first[1]?.content).toContain('Run-Length Encoding');
    expect(first[1]?.content).toContain('- run-length-encoding.mjs');
    // Real tool results went back: ls, the numbered file, the ambiguous edit, the failing then passing check.
    expect(lastUserMessage(server, 1)).toMatch(/run-length-encoding\.mjs[\s\S]*\[exit code 0\]/);
    expect(lastUserMessage(server, 2)).toContain(
      " 6|   throw new Error('Remove this line and implement the function');",
    );
    expect(lastUserMessage(server, 3)).toContain('occurs 2 times in run-length-encoding.mjs (lines 6, 14)');
    expect(lastUserMessage(server, 4)).toContain('Edited run-length-encoding.mjs: 2 replacement(s)');
    expect(lastUserMessage(server, 5)).toContain('Created check.mjs');
    expect(lastUserMessage(server, 6)).toContain('AssertionError');
    expect(lastUserMessage(server, 6)).toContain('[exit code 1]');
    expect(lastUserMessage(server, 8)).toContain('all checks passed');
    expect(lastUserMessage(server, 8)).toContain('[exit code 0]');
    // The conversation is resent whole: request n holds the n answers before it.
    expect(requests[8]?.messages.filter((message) => message.role === 'assistant')).toHaveLength(8);

    // The files are what the model wrote, and the hidden tests pass on them.
    expect(await readdir(workDir)).toEqual(['run-length-encoding.mjs']);
    const solved = await readFile(path.join(workDir, 'run-length-encoding.mjs'), 'utf8');
    expect(solved).toContain('/(\\d*)(\\D)/g');
    expect(solved).not.toContain('Remove this line');
    const hidden = await hiddenTests(workDir);
    expect(hidden.output).toContain('# pass 6');
    expect(hidden.code).toBe(0);

    // One log line per step, then the stop line.
    expect(log[0]).toMatch(/^start: 1 file\(s\)/);
    expect(log.filter((line) => line.startsWith('[step '))).toHaveLength(transcript.length);
    expect(log).toContainEqual(expect.stringMatching(/^\[step 1\] bash "ls -la" → ok: exit 0/));
    expect(log).toContainEqual(
      expect.stringMatching(/^\[step 3\] edit run-length-encoding\.mjs \(1 pair\(s\)\) → failed: .*matches 2 times/),
    );
    expect(log).toContainEqual(
      expect.stringMatching(/^\[step 6\] bash "node check\.mjs" → failed: exit 1, .* s: ".*AssertionError.*"/),
    );
    expect(log).toContainEqual(expect.stringMatching(/^\[step 9\] finish: Implemented encode/));
    expect(log.at(-1)).toMatch(/^stop: done \(the model called finish\) after 9 step\(s\)/);
  });

  it('works the same once bundled with bundleAgent (self-contained: node builtins and its own files only)', async () => {
    const files: Record<string, string> = {};
    for (const name of await readdir(agentDirectory))
      files[name] = await readFile(path.join(agentDirectory, name), 'utf8');
    const bundle = await bundleAgent(files, 'agent.ts', { sourceMap: false });
    if (!bundle.ok) throw new Error(bundle.error);
    const moduleDirectory = await mkdtemp(path.join(tmpdir(), 'clade-coding-bundle-'));
    temporary.push(moduleDirectory);
    const modulePath = path.join(moduleDirectory, 'agent.mjs');
    await writeFile(modulePath, bundle.code);
    const bundled = (await import(pathToFileURL(modulePath).href)) as { solve: Solve };
    expect(typeof bundled.solve).toBe('function');

    const { report, workDir } = await runAgent(await readTranscript('solve-run-length-encoding'), {
      startFiles: path.join(exercise, 'start'),
      solve: bundled.solve,
    });
    expect(report.stopReason).toBe('done');
    expect((await hiddenTests(workDir)).code).toBe(0);
  });
});

describe('coding agent: a recorded self-modification', () => {
  it('edits a copy of its own source as a proposal asks; the new version type-checks, bundles and behaves differently', async () => {
    const name = 'self-modify-test-before-finish';
    const transcript = await readTranscript(name);
    const statement = await readFile(path.join(fixtures, 'transcripts', name, 'statement.md'), 'utf8');
    const { report, server, workDir, log } = await runAgent(transcript, { startFiles: agentDirectory, statement });
    expect(report).toMatchObject({ stopReason: 'done', steps: transcript.length });
    expect(log.filter((line) => line.includes('→ failed'))).toEqual([]);
    expect(lastUserMessage(server, 3)).toContain('Edited agent.ts: 3 replacement(s)');
    expect(lastUserMessage(server, 4)).toContain('Edited prompt.ts: 1 replacement(s)');
    expect(lastUserMessage(server, 6)).toMatch(/agent\.ts:\d+:\s+untestedFinishMessage,/);
    expect(lastUserMessage(server, 7)).toContain("if (call.tool === 'finish') {");

    const files: Record<string, string> = {};
    for (const file of await readdir(workDir)) files[file] = await readFile(path.join(workDir, file), 'utf8');
    expect(Object.keys(files).sort()).toEqual((await readdir(agentDirectory)).sort());
    expect(files['agent.ts']).toContain('remindedToTest = true;');
    expect(files['prompt.ts']).toContain('export function untestedFinishMessage(): string {');

    // The new version type-checks with the repository's strict options.
    const ts = (await import('typescript')).default;
    const program = ts.createProgram(
      Object.keys(files)
        .filter((file) => file.endsWith('.ts'))
        .map((file) => path.join(workDir, file)),
      {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        strict: true,
        noUncheckedIndexedAccess: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [path.join(repositoryRoot, 'node_modules/@types')],
      },
    );
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    expect(diagnostics).toEqual([]);

    // It bundles, and the child defers an untested finish once, where the parent stopped at once.
    const bundle = await bundleAgent(files, 'agent.ts', { sourceMap: false });
    if (!bundle.ok) throw new Error(bundle.error);
    const moduleDirectory = await mkdtemp(path.join(tmpdir(), 'clade-coding-child-'));
    temporary.push(moduleDirectory);
    await writeFile(path.join(moduleDirectory, 'agent.mjs'), bundle.code);
    const child = (await import(pathToFileURL(path.join(moduleDirectory, 'agent.mjs')).href)) as { solve: Solve };
    const hasty = ['```tool create x.mjs\nconsole.log(1)\n```', '```tool finish\n```', '```tool finish\n```'];
    const parentRun = await runAgent(hasty);
    expect(parentRun.report).toMatchObject({ stopReason: 'done', steps: 2 });
    const childRun = await runAgent(hasty, { solve: child.solve });
    expect(childRun.report).toMatchObject({ stopReason: 'done', steps: 3 });
    expect(lastUserMessage(childRun.server, 2)).toContain('You changed files after your last command');
  }, 180_000);
});

describe('coding agent: tools', () => {
  async function workDirWith(files: Record<string, string>): Promise<string> {
    const root = await mkdtemp(path.join(tmpdir(), 'clade-coding-tools-'));
    temporary.push(root);
    const workDir = path.join(root, 'work');
    await mkdir(workDir);
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(workDir, name)), { recursive: true });
      await writeFile(path.join(workDir, name), content);
    }
    await writeFile(path.join(root, 'secret.txt'), 'outside');
    return workDir;
  }

  it('edit refuses an ambiguous or missing SEARCH, shows the nearest lines, and writes nothing unless every pair applies', async () => {
    const original = 'let a = 1;\nlet b = 1;\nfunction total() {\n  return a + b;\n}\n';
    const workDir = await workDirWith({ 'sum.mjs': original });
    const ambiguous = await editFile(workDir, 'sum.mjs', [{ search: ' = 1;', replace: ' = 2;' }]);
    expect(ambiguous.ok).toBe(false);
    expect(ambiguous.output).toContain('occurs 2 times in sum.mjs (lines 1, 2)');
    const missing = await editFile(workDir, 'sum.mjs', [
      { search: 'let a = 1;', replace: 'let a = 3;' },
      { search: '  return a - b;', replace: '  return a * b;' },
    ]);
    expect(missing.ok).toBe(false);
    expect(missing.output).toContain('SEARCH #2 was not found in sum.mjs');
    expect(missing.output).toContain('4|   return a + b;');
    expect(await readFile(path.join(workDir, 'sum.mjs'), 'utf8')).toBe(original);
    const absent = await editFile(workDir, 'nope.mjs', [{ search: 'x', replace: 'y' }]);
    expect(absent.output).toMatch(/nope\.mjs does not exist.*tool create nope\.mjs.*Files in \.: sum\.mjs/s);

    // Trailing spaces the model dropped or added still match, exactly once.
    const applied = await editFile(workDir, 'sum.mjs', [
      { search: 'let b = 1;   \nfunction total() {', replace: 'let b = 5;\nfunction total() {' },
    ]);
    expect(applied.ok).toBe(true);
    expect(await readFile(path.join(workDir, 'sum.mjs'), 'utf8')).toBe(original.replace('let b = 1;', 'let b = 5;'));
  });

  it('view, edit and create refuse paths outside the work directory, symbolic links included', async () => {
    const workDir = await workDirWith({ 'inside.txt': 'hello\n' });
    await symlink(path.join(workDir, '..'), path.join(workDir, 'up'));
    await symlink(path.join(workDir, '..', 'secret.txt'), path.join(workDir, 'link.txt'));
    for (const target of ['../secret.txt', '/etc/passwd', 'up/secret.txt', 'link.txt', 'sub/../../secret.txt']) {
      const viewed = await viewPath(workDir, target);
      expect(viewed.ok, target).toBe(false);
      expect(viewed.output).toContain('is outside the work directory');
      expect((await editFile(workDir, target, [{ search: 'outside', replace: 'changed' }])).output).toContain(
        'outside the work directory',
      );
      expect((await createFile(workDir, target, 'changed')).output).toContain('outside the work directory');
    }
    expect((await createFile(workDir, 'up/new.txt', 'x')).output).toContain('outside the work directory');
    expect(await readFile(path.join(workDir, '..', 'secret.txt'), 'utf8')).toBe('outside');
    expect(existsSync(path.join(workDir, '..', 'new.txt'))).toBe(false);
    // Inside is fine, nested directories are created.
    expect((await createFile(workDir, 'deep/er/file.txt', 'a\nb\n')).output).toBe(
      'Created deep/er/file.txt (2 line(s)).',
    );
    expect((await viewPath(workDir, 'deep/er/file.txt', 2)).output).toContain('2| b');
    expect((await viewPath(workDir, '.')).output).toBe('deep/\ninside.txt\nlink.txt\nup');
  });
});

describe('coding agent: protocol', () => {
  it('reads tool blocks tolerantly', () => {
    expect(parseTurn('Look.\n~~~ TOOL: Shell\nnode --test\n~~~\n')).toEqual({
      kind: 'tool',
      call: { tool: 'bash', command: 'node --test' },
      ignoredBlocks: 0,
    });
    expect(parseTurn('```tool bash timeout=120\nnpm test\n```')).toMatchObject({ call: { timeoutSeconds: 120 } });
    expect(parseTurn('```tool view "src/a b.mjs" 10-20\n```')).toMatchObject({
      call: { tool: 'view', path: 'src/a b.mjs', startLine: 10, endLine: 20 },
    });
    expect(parseTurn('```tool view src/a.mjs:7\n```')).toMatchObject({ call: { path: 'src/a.mjs', startLine: 7 } });
    expect(parseTurn('```tool cat\nREADME.md\n```')).toMatchObject({ call: { tool: 'view', path: 'README.md' } });
    // Fences inside an edit's SEARCH/REPLACE pair are content.
    const edit = parseTurn(
      '```tool edit README.md\n<<<<<<< SEARCH\n```js\nold()\n```\n=======\n```js\nnew()\n```\n>>>>>>> REPLACE\n```',
    );
    expect(edit).toMatchObject({
      call: { tool: 'edit', replacements: [{ search: '```js\nold()\n```', replace: '```js\nnew()\n```' }] },
    });
    // A longer fence holds ``` lines; so does a create whose inner fences the model forgot to lengthen.
    const long = parseTurn('````tool create README.md\n# T\n```sh\nnode x\n```\n````\nthen test');
    expect(long).toMatchObject({ call: { tool: 'create', content: '# T\n```sh\nnode x\n```\n' } });
    const short = parseTurn('```tool create README.md\n# T\n```sh\nnode x\n```\n```');
    expect(short).toMatchObject({ call: { tool: 'create', content: '# T\n```sh\nnode x\n```\n' } });
    expect(parseTurn('```tool bash\nls\n```\n```tool finish\n```')).toMatchObject({ ignoredBlocks: 1 });
    expect(parseTurn('All done.\n```tool finish')).toMatchObject({ call: { tool: 'finish', summary: '' } });
  });

  it('never throws, and reads back any command or file content it is given', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 400 }), (answer) => {
        const turn = parseTurn(answer);
        expect(['tool', 'malformed']).toContain(turn.kind);
        if (turn.kind === 'tool') expect(['bash', 'view', 'edit', 'create', 'finish']).toContain(turn.call.tool);
      }),
    );
    const line = fc
      .string({ unit: 'grapheme-ascii', maxLength: 60 })
      .filter((text) => !text.includes('\n') && !/^\s*(`{3,}|~{3,})/.test(text));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), fc.string({ maxLength: 80 }), (lines, thought) => {
        const command = lines.join('\n');
        fc.pre(command.trim() !== '' && !thought.includes('`') && !thought.includes('~'));
        expect(parseTurn(`${thought}\n\`\`\`tool bash\n${command}\n\`\`\``)).toMatchObject({
          call: { tool: 'bash', command: command.trim() },
        });
        expect(parseTurn(`${thought}\n\`\`\`\`tool create a.txt\n${command}\n\`\`\`\``)).toMatchObject({
          call: { content: `${command}\n` },
        });
      }),
    );
  });

  it('says what is wrong with a malformed turn', () => {
    expect(parseTurn('I would run the tests now.')).toMatchObject({
      kind: 'malformed',
      problem: expect.stringContaining('no tool block'),
    });
    expect(parseTurn('```tool constructor\nx\n```')).toMatchObject({
      problem: expect.stringContaining('Unknown tool'),
    });
    expect(parseTurn('```tool compile\nx\n```')).toMatchObject({
      problem: expect.stringContaining('Unknown tool "compile"'),
    });
    expect(parseTurn('```tool bash\nls')).toMatchObject({ problem: expect.stringContaining('not closed') });
    expect(parseTurn('```tool edit a.mjs\nreplace foo with bar\n```')).toMatchObject({
      problem: expect.stringContaining('no SEARCH/REPLACE pair'),
    });
    expect(parseTurn('```tool edit a.mjs\n<<<<<<< SEARCH\nfoo\n```')).toMatchObject({
      problem: expect.stringContaining('unfinished pair'),
    });
    expect(parseTurn('```tool view\n```')).toMatchObject({ problem: expect.stringContaining('names no file') });
  });
});

describe('coding agent: limits and errors', () => {
  const busy: ScriptFunction = (_request, index) =>
    `Let me look again (${index}).\n\n\`\`\`tool bash\necho step ${index}\n\`\`\``;

  it('a runaway agent stops at maxSteps', async () => {
    const { report, server, log } = await runAgent(busy, { limits: { maxSteps: 4 } });
    expect(report).toMatchObject({ stopReason: 'steps', steps: 4 });
    expect(server.chatRequests()).toHaveLength(4);
    expect(lastUserMessage(server, 3)).toContain('only 1 turn(s) left');
    expect(log.at(-1)).toMatch(/^stop: steps \(reached the step limit of 4\) after 4 step\(s\)/);
  });

  it('a runaway agent stops at maxTokens, counted from the usage the proxy reports', async () => {
    const { report, server } = await runAgent(
      (request, index) => ({ text: busy(request, index) as string, usage: { prompt: 900, completion: 100 } }),
      { limits: { maxTokens: 3_500 } },
    );
    expect(report).toMatchObject({ stopReason: 'tokens', steps: 4, tokensIn: 3_600, tokensOut: 400 });
    expect(server.chatRequests()).toHaveLength(4);
    // It asks for no more answer tokens than are left.
    expect(server.chatRequests()[3]?.body.max_tokens).toBe(500);
  });

  it('a runaway agent stops at timeoutMs, killing the command it runs and every process that command started', async () => {
    const { report, elapsedMs, workDir } = await runAgent(
      ['```tool bash\n(sleep 30; echo late > late.txt) & echo $! > child.pid; sleep 30\n```'],
      { limits: { timeoutMs: 1_500 } },
    );
    expect(report.stopReason).toBe('time');
    expect(report.steps).toBe(1);
    expect(elapsedMs).toBeLessThan(6_000);
    const childPid = Number(await readFile(path.join(workDir, 'child.pid'), 'utf8'));
    expect(await isRunning(childPid)).toBe(false);
  });

  it('kills a command at its own timeout and goes on', async () => {
    const { report, server, elapsedMs } = await runAgent([
      'The build may hang.\n```tool bash timeout=1\necho started; sleep 20\n```',
      '```tool finish\n```',
    ]);
    expect(report).toMatchObject({ stopReason: 'done', steps: 2 });
    expect(lastUserMessage(server, 1)).toMatch(
      /^Result of bash:\nstarted\n\n\[The command was killed after 1 s \(timeout\)/,
    );
    expect(elapsedMs).toBeLessThan(8_000);
  });

  it('returns when the command exits, without waiting for a background process it left running', async () => {
    const { report, server, elapsedMs } = await runAgent([
      '```tool bash\nsleep 4 & echo started in background\n```',
      '```tool finish\n```',
    ]);
    expect(report).toMatchObject({ stopReason: 'done', steps: 2 });
    expect(lastUserMessage(server, 1)).toContain(
      'started in background\n\n[A background process started by the command is still running',
    );
    expect(lastUserMessage(server, 1)).toContain('[exit code 0]');
    expect(elapsedMs).toBeLessThan(3_500);
  });

  it('stops at timeoutMs while waiting for a model that does not answer', async () => {
    const { report, elapsedMs } = await runAgent([{ hang: true }], { limits: { timeoutMs: 800 } });
    expect(report).toMatchObject({ stopReason: 'time', steps: 1, tokensIn: 0 });
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it("stops with time when the runner's signal aborts, even before its own time limit", async () => {
    const runner = new AbortController();
    setTimeout(() => runner.abort(), 300);
    const { report, elapsedMs } = await runAgent(['```tool bash\nsleep 20\n```'], { signal: runner.signal });
    expect(report).toMatchObject({ stopReason: 'time', steps: 1 });
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it('a 429 budget_exceeded from the proxy stops it with model-error, as does any other model error', async () => {
    const budget = await runAgent([
      '```tool bash\necho hi\n```',
      {
        status: 429,
        body: { error: { type: 'budget_exceeded', message: 'This session has spent 50000 of 50000 tokens.' } },
      },
    ]);
    expect(budget.report).toMatchObject({ stopReason: 'model-error', steps: 2 });
    expect(budget.log).toContainEqual(
      expect.stringContaining('429 budget_exceeded: This session has spent 50000 of 50000 tokens.'),
    );
    expect(budget.log.at(-1)).toMatch(/^stop: model-error \(the model budget is spent\)/);

    const empty = await runAgent([
      { status: 200, body: { choices: [{ message: { role: 'assistant', content: null }, finish_reason: 'length' }] } },
      { status: 200, body: { object: 'chat.completion', choices: [] } },
    ]);
    expect(empty.report).toMatchObject({ stopReason: 'model-error', steps: 2 });
    expect(lastUserMessage(empty.server, 1)).toContain('no tool block');
    expect(empty.log).toContainEqual(expect.stringContaining("The model proxy's answer has no choices[0]"));

    const broken = await runAgent([
      { status: 502, body: { error: { type: 'upstream_error', message: 'provider unavailable' } } },
    ]);
    expect(broken.report).toMatchObject({ stopReason: 'model-error', steps: 1 });

    const noSocket = await solveDirect({
      workDir: tmpdir(),
      statement: 'x',
      modelSocket: '',
      limits: DEFAULT_LIMITS,
      log: () => {},
    });
    expect(noSocket).toEqual({ stopReason: 'model-error', steps: 0, tokensIn: 0, tokensOut: 0 });
  });

  it('a malformed answer gets a corrective message and the loop goes on', async () => {
    const { report, server, log } = await runAgent([
      'I think the solution is to implement encode with a loop over the characters.',
      '```tool edit run-length-encoding.mjs\nreplace the throw with a loop\n```',
      'You are right.\n\n```tool finish\nGave up.\n```',
    ]);
    expect(report).toMatchObject({ stopReason: 'done', steps: 3 });
    expect(lastUserMessage(server, 1)).toMatch(
      /^I could not run a tool from your answer: Your answer has no tool block/,
    );
    expect(lastUserMessage(server, 2)).toContain('no SEARCH/REPLACE pair');
    expect(log.filter((line) => line.includes('no tool:'))).toHaveLength(2);
  });
});
