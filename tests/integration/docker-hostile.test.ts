/**
 * Hostile agents against the Docker sandbox, inside a real campaign loop: a mutator hands out one
 * hostile child per iteration (network access to a loopback server on the host, reading the
 * environment, fork bomb, memory bomb, busy loop, 100 MB of output, filling the disk, writing
 * outside the work directory, a result that is a symlink, a huge result, ignoring SIGTERM) and a
 * harmless child. Each hostile child must end as a recorded, failed node with the right status;
 * the campaign must finish, the harmless child must score, the planted key must appear nowhere,
 * and no container may be left. Run for a fresh container per evaluation and for the warm pool.
 * Skipped, with the reason printed, without a Docker engine and the sandbox image.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../../src/archive/sqlite-store.js';
import { readAgentDirectory } from '../../src/campaign/agent-directory.js';
import { runCampaign } from '../../src/campaign/run-campaign.js';
import type { AgentFiles, AgentNode } from '../../src/core/types.js';
import { bundleAgent } from '../../src/harness/bundle-agent.js';
import { loadHarness } from '../../src/harness/load-harness.js';
import { createGitCodeStore } from '../../src/lineage/git-store.js';
import type { Mutator } from '../../src/mutation/types.js';
import { CONTAINER_OWNER_LABEL, ownerLabel } from '../../src/sandbox/docker-engine.js';
import { createDockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import type { SandboxLimits, SandboxRequest } from '../../src/sandbox/types.js';
import { codeFeatureDescriber } from '../../src/selection/code-features.js';
import { evaluateNode } from '../../src/tasks/evaluate-node.js';
import { createNumericTask } from '../../src/tasks/numeric-task.js';
import { expectForgingFails, FORGING_CASES } from '../contracts/sandbox-forging.js';
import { seedAgent, temporaryDirectory } from '../helpers/campaign-fixture.js';
import { dockerForTests } from '../helpers/docker.js';

const { docker, image, skipReason } = await dockerForTests('docker hostile suite');

/** The fake key planted in the campaign process's environment. */
const PLANTED_KEY = 'sk-clade-hostile-PLANTED-0123456789abcdef';

const LIMITS: SandboxLimits = {
  timeoutMs: 10_000,
  memoryMb: 512,
  outputBytes: 64 * 1024,
  cpus: 1,
  pids: 64,
  resultBytes: 1024 * 1024,
};

/** An optimizer module; `body` runs inside `optimize` (async), `prelude` at module level. */
function agent(body: string, prelude = ''): AgentFiles {
  return {
    'optimizer.ts': `${prelude}\nexport default async function optimize(problem: any): Promise<Float64Array> {\n${body}\n}\n`,
  };
}

/** A job result is a failure unless it reports a point: throw with what happened. */
const hostile = (port: number): Array<{ name: string; files: AgentFiles; status: string[]; error?: RegExp }> => [
  {
    name: 'network',
    files: agent(`
      const net = await import('node:net');
      const outcome = await new Promise<string>((resolve) => {
        const socket = net.connect({ host: '127.0.0.1', port: ${port} });
        socket.once('connect', () => resolve('connected'));
        socket.once('error', (error: any) => resolve(error.code));
        setTimeout(() => resolve('no answer'), 2000);
      });
      throw new Error('network attempt: ' + outcome);
    `),
    status: ['crashed'],
    error: /network attempt: (ECONNREFUSED|ENETUNREACH|no answer)/,
  },
  {
    name: 'environment',
    files: agent(`
      const everything = JSON.stringify(process.env);
      console.log(everything);
      throw new Error('environment: ' + everything);
    `),
    status: ['crashed'],
    error: /environment: \{/,
  },
  {
    name: 'fork-bomb',
    files: agent(`
      const { spawn } = await import('node:child_process');
      const bomb = "const { spawn } = require('node:child_process'); for (let i = 0; i < 4; i++) { try { spawn(process.execPath, ['-e', process.argv[1]], { stdio: 'ignore' }).on('error', () => {}); } catch {} } setInterval(() => {}, 1000);";
      for (;;) {
        try { spawn(process.execPath, ['-e', bomb, bomb], { stdio: 'ignore' }).on('error', () => {}); } catch {}
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    `),
    // The pids limit stops the bomb; it ends at the time limit, or earlier when the bomb's
    // processes pass the memory cap together (both are failures the campaign records).
    status: ['timeout', 'crashed'],
  },
  {
    name: 'memory-bomb',
    files: agent(`
      const kept: Buffer[] = [];
      for (;;) { kept.push(Buffer.alloc(32 * 1024 * 1024, 1)); await new Promise((resolve) => setTimeout(resolve, 1)); }
    `),
    status: ['crashed'],
    error: /memory cap/,
  },
  { name: 'busy-loop', files: agent('for (;;) {}'), status: ['timeout'], error: /wall-clock limit/ },
  {
    name: 'output-flood',
    files: agent(`
      const line = 'y'.repeat(1023) + '\\n';
      for (let index = 0; index < 100 * 1024; index++) process.stdout.write(line);
      await new Promise((resolve) => process.stdout.write('', resolve));
      throw new Error('wrote 100 MB');
    `),
    status: ['crashed'],
    error: /wrote 100 MB/,
  },
  {
    name: 'disk-fill',
    files: agent(`
      const { writeFileSync } = await import('node:fs');
      const chunk = Buffer.alloc(4 * 1024 * 1024, 7);
      for (let index = 0; ; index++) { writeFileSync('fill-' + index, chunk); if (index % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 1)); }
    `),
    status: ['crashed'],
    error: /filling its work directory/,
  },
  {
    name: 'write-outside',
    files: agent(`
      const fs = await import('node:fs');
      const attempts: Record<string, string> = {};
      const targets = ['/clade-escape', '/etc/clade-escape', '/usr/local/bin/clade-escape', '../clade-escape', '/work/clade-escape', '${tmpdir()}/clade-escape-hostile'];
      for (const target of targets) {
        try { fs.writeFileSync(target, 'escaped'); attempts[target] = 'allowed'; } catch (error: any) { attempts[target] = error.code; }
      }
      throw new Error('outside: ' + JSON.stringify(attempts));
    `),
    status: ['crashed'],
    error: /outside: \{/,
  },
  {
    name: 'symlink-result',
    files: agent(
      'return new Float64Array(problem.dimension);',
      `import { symlinkSync, unlinkSync } from 'node:fs';
      process.on('exit', () => { try { unlinkSync('result.json'); } catch {} symlinkSync('/etc/passwd', 'result.json'); });`,
    ),
    // The harness leaves without running 'exit' hooks: its own result stands (before: refused as a link).
    status: ['scored'],
  },
  {
    name: 'huge-result',
    files: agent(
      'return new Float64Array(problem.dimension);',
      `import { writeFileSync } from 'node:fs';
      process.on('exit', () => { writeFileSync('result.json', JSON.stringify({ jobs: [], padding: 'z'.repeat(4 * 1024 * 1024) })); });`,
    ),
    // The harness leaves without running 'exit' hooks: its own result stands (before: refused as too large).
    status: ['scored'],
  },
  {
    name: 'ignores-sigterm',
    files: agent(`process.on('SIGTERM', () => {}); for (;;) {}`),
    status: ['timeout'],
    error: /wall-clock limit/,
  },
];

/** Every byte of every file under `directory` (the archive and its WAL, the git store). */
function readTree(directory: string): Buffer[] {
  const contents: Buffer[] = [];
  for (const entry of readdirSync(directory, { recursive: true }) as string[]) {
    const full = path.join(directory, entry);
    if (statSync(full).isFile()) contents.push(readFileSync(full));
  }
  return contents;
}

describe.skipIf(skipReason !== null).each([
  ['a fresh container per evaluation', 0],
  ['the warm pool', 2],
])('hostile agents in the Docker sandbox (%s)', (_label, pool) => {
  let server: Server;
  let port = 0;
  let connections = 0;
  const workspace = temporaryDirectory('clade-hostile-');
  let nodes: AgentNode[] = [];
  let summaryReason = '';
  let archiveBytes: Buffer[] = [];
  const cases = () => hostile(port);

  beforeAll(async () => {
    server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;

    const previousKey = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = PLANTED_KEY;
    process.env.CLADE_HOSTILE_PLANTED = PLANTED_KEY;
    const archive = openArchive(path.join(workspace.path, 'archive.db'));
    archive.createCampaign({
      id: 'hostile',
      name: 'hostile',
      seed: 3,
      config: {},
      configPath: path.join(workspace.path, 'hostile.yaml'),
      createdAt: new Date().toISOString(),
    });
    const code = createGitCodeStore(path.join(workspace.path, 'code.git'));
    await code.init();
    const task = createNumericTask(
      {
        kind: 'numeric',
        suite: 'builtin',
        problems: [{ fn: 'sphere', dim: 3 }],
        evaluationsPerDim: 200,
        bounds: [-100, 100],
        repeats: 1,
        errorFloor: 1e-8,
        errorCeiling: 1e4,
      } as Parameters<typeof createNumericTask>[0],
      3,
    );
    const sandbox = await createDockerSandbox({ docker, pool, diskMb: 64 });
    const harness = await loadHarness();
    const seedFiles = await readAgentDirectory(seedAgent);
    const queue = [
      ...cases().map((entry) => ({ name: entry.name, files: entry.files })),
      { name: 'harmless', files: seedFiles },
    ];
    const mutator: Mutator = {
      name: 'hostile',
      async mutate() {
        const next = queue.shift();
        if (next === undefined) throw new Error('the hostile queue is empty');
        return { ok: true, files: next.files, info: { operator: 'hostile', summary: next.name } };
      },
    };
    try {
      const summary = await runCampaign(
        { seed: 3, iterations: queue.length, wallClockSeconds: null, workers: 2, inspirations: 0, limits: LIMITS },
        {
          archive,
          code,
          evaluate: (files, signal) =>
            evaluateNode(files, {
              task,
              sandbox,
              // 100 MB through a 1-CPU container and the engine takes seconds on a loaded 2-core
              // machine: the flood gets a longer limit, so it ends by its own error, not the clock.
              limits: files['optimizer.ts']?.includes('wrote 100 MB') ? { ...LIMITS, timeoutMs: 90_000 } : LIMITS,
              bundle: bundleAgent,
              harness,
              ...(signal ? { signal } : {}),
            }),
          mutator,
          selector: { name: 'root', select: () => [0] },
          describer: codeFeatureDescriber(),
          seedFiles: async () => seedFiles,
        },
      );
      summaryReason = summary.reason;
      nodes = archive.listNodes();
    } finally {
      await sandbox.close();
      archive.close();
      if (previousKey === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = previousKey;
      delete process.env.CLADE_HOSTILE_PLANTED;
    }
    archiveBytes = readTree(workspace.path);
  }, 240_000);

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    workspace.remove();
  });

  it('finishes the campaign with every child recorded', () => {
    expect(summaryReason).toBe('iterations');
    expect(nodes).toHaveLength(cases().length + 2);
    expect(nodes[0]?.status).toBe('scored');
  });

  it.each(hostile(0).map((entry) => [entry.name]))('records %s with the right status', (name) => {
    const expected = cases().find((entry) => entry.name === name);
    const node = nodes.find((candidate) => candidate.mutation.summary === name);
    expect(node, `node for ${name}`).toBeDefined();
    expect(expected?.status, `${name}: ${node?.status} ${node?.error}`).toContain(node?.status);
    // A forging agent whose forgery no longer lands is scored on the harness's own result.
    if (node?.status === 'scored') expect(node.score).toBeGreaterThanOrEqual(0);
    else expect(node?.score).toBeNull();
    if (expected?.error) expect(node?.error ?? '').toMatch(expected.error);
    // Everything recorded about a node stays small, whatever the agent printed.
    expect((node?.error ?? '').length).toBeLessThan(8_000);
  });

  it('lets the harmless child after them score', () => {
    const harmless = nodes.find((candidate) => candidate.mutation.summary === 'harmless');
    expect(harmless?.status).toBe('scored');
    expect(harmless?.score).toBeGreaterThan(0);
  });

  it('never let the network attempt reach the host', () => {
    expect(connections).toBe(0);
  });

  it('never let the planted key into the sandbox: it appears nowhere in the archive', () => {
    const environment = nodes.find((candidate) => candidate.mutation.summary === 'environment');
    expect(environment?.error).toContain('PATH');
    for (const bytes of archiveBytes) expect(bytes.includes(PLANTED_KEY)).toBe(false);
  });

  it('let nothing be written outside the work directory', () => {
    const outside = nodes.find((candidate) => candidate.mutation.summary === 'write-outside');
    const attempts = JSON.parse(/outside: (\{[^}]*\})/.exec(outside?.error ?? '')?.[1] ?? '{}') as Record<
      string,
      string
    >;
    // The root file system is read-only; paths under /tmp land in the container's own tmpfs.
    for (const target of ['/clade-escape', '/etc/clade-escape', '/usr/local/bin/clade-escape', '/work/clade-escape'])
      expect(['EROFS', 'EACCES'], `${target}: ${attempts[target]}`).toContain(attempts[target]);
    expect(existsSync('/clade-escape')).toBe(false);
    expect(existsSync(path.join(tmpdir(), 'clade-escape'))).toBe(false);
    expect(existsSync('/etc/clade-escape')).toBe(false);
    expect(existsSync(path.join(tmpdir(), 'clade-escape-hostile'))).toBe(false);
  });

  it('left no container behind', async () => {
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`${CONTAINER_OWNER_LABEL}=${ownerLabel()}`] },
    });
    expect(left).toEqual([]);
  });
});

/** Limits of the hostile Python programs: small, so the bombs hit them quickly. */
const PYTHON_LIMITS: SandboxLimits = { ...LIMITS, timeoutMs: 20_000, memoryMb: 256, pids: 32 };

/** A Python program that writes `result.json` from what `body` leaves in `result` (a dict). */
function python(body: string): string {
  return `import errno, json, os, socket, sys, time\nresult = {}\n${body}\njson.dump(result, open('result.json', 'w'))\n`;
}

/** Why the Python programs cannot run here: no Docker, or an image built without Python. */
const pythonSkipReason =
  skipReason ??
  (image?.pythonVersion == null
    ? 'the sandbox image has no Python (`clade sandbox build --offline` adds the host python3 with numpy and scipy)'
    : null);
if (pythonSkipReason !== null && skipReason === null) {
  process.stderr.write(`hostile Python programs skipped: ${pythonSkipReason}\n`);
  if (process.env.CLADE_REQUIRE_DOCKER === '1')
    throw new Error(`The hostile Python programs must run here, but ${pythonSkipReason}`);
}

describe.skipIf(pythonSkipReason !== null).each([
  ['a fresh container per run', 0],
  ['the warm pool', 2],
])('hostile Python programs in the Docker sandbox (%s)', (_label, pool) => {
  let server: Server;
  let port = 0;
  let connections = 0;
  let sandbox: Awaited<ReturnType<typeof createDockerSandbox>>;
  const hostTarget = path.join(tmpdir(), `clade-python-escape-${process.pid}-${pool}`);

  beforeAll(async () => {
    server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    // Every interface: a container reaching the host's bridge address would count too.
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    port = (server.address() as { port: number }).port;
    sandbox = await createDockerSandbox({ docker, pool, diskMb: 64 });
  });

  afterAll(async () => {
    await sandbox?.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const run = (source: string, overrides: Partial<SandboxRequest> = {}) =>
    sandbox.run({
      files: { 'hostile.py': source, 'data.txt': 'read-only data', 'input.json': '{}' },
      command: ['python3', 'hostile.py'],
      resultFile: 'result.json',
      consumedFiles: ['input.json'],
      limits: PYTHON_LIMITS,
      ...overrides,
    });

  it('runs numpy and scipy (the control)', async () => {
    const result = await run(
      python(
        'import numpy, scipy.optimize\nresult["fun"] = float(scipy.optimize.minimize(lambda x: float((x ** 2).sum()), numpy.ones(4)).fun)\nresult["versions"] = [numpy.__version__, scipy.__version__]',
      ),
    );
    expect(result.resultError, result.stderr).toBeNull();
    expect((result.result as { fun: number }).fun).toBeLessThan(1e-8);
    expect(result.environment).toMatch(/docker .*@sha256:[0-9a-f]{64} .*python 3\./);
  });

  it('cannot reach the network', async () => {
    const result = await run(
      python(`
targets = ['127.0.0.1', '172.17.0.1', '10.0.2.2', '8.8.8.8']
for host in targets:
    try:
        socket.create_connection((host, ${port}), timeout=2).close()
        result[host] = 'connected'
    except OSError as error:
        result[host] = errno.errorcode.get(error.errno, str(error))
result['interfaces'] = sorted(name for _, name in socket.if_nameindex())
`),
    );
    expect(result.resultError, result.stderr).toBeNull();
    const outcome = result.result as Record<string, unknown>;
    expect(outcome.interfaces).toEqual(['lo']);
    for (const host of ['127.0.0.1', '172.17.0.1', '10.0.2.2', '8.8.8.8']) expect(outcome[host]).not.toBe('connected');
    expect(connections).toBe(0);
  });

  it('cannot write outside its work directory, nor change or delete the request files', async () => {
    const result = await run(
      python(`
def attempt(action):
    try:
        action()
        return 'allowed'
    except OSError as error:
        return errno.errorcode.get(error.errno, str(error))
for target in ['/clade-escape', '/etc/clade-escape', '/usr/local/bin/clade-escape', '/work/clade-escape', '../clade-escape', ${JSON.stringify(hostTarget)}]:
    result[target] = attempt(lambda: open(target, 'w').write('escaped'))
result['append-code'] = attempt(lambda: open('hostile.py', 'a').write('# changed'))
result['delete-data'] = attempt(lambda: os.remove('data.txt'))
result['rename-data'] = attempt(lambda: os.rename('data.txt', 'moved.txt'))
result['delete-input'] = attempt(lambda: os.remove('input.json'))
result['write-tmp'] = attempt(lambda: open('/tmp/scratch', 'w').write('x'))
result['write-new'] = attempt(lambda: open('new.txt', 'w').write('x'))
result['cwd'] = os.getcwd()
`),
    );
    expect(result.resultError, result.stderr).toBeNull();
    const outcome = result.result as Record<string, string>;
    for (const target of ['/clade-escape', '/etc/clade-escape', '/usr/local/bin/clade-escape', '/work/clade-escape'])
      expect(['EROFS', 'EACCES'], `${target}: ${outcome[target]}`).toContain(outcome[target]);
    // The work directory's parent is the container's own /tmp (fresh container) or the pool's
    // directory (not writable): either way nothing lands beside the work directory on the host.
    expect(existsSync(path.join(path.dirname(outcome.cwd ?? '/nonexistent/x'), 'clade-escape'))).toBe(false);
    expect(outcome['append-code']).toBe('EACCES');
    expect(['EPERM', 'EACCES']).toContain(outcome['delete-data']);
    expect(['EPERM', 'EACCES']).toContain(outcome['rename-data']);
    expect(outcome['delete-input']).toBe('allowed');
    expect(outcome['write-tmp']).toBe('allowed');
    expect(outcome['write-new']).toBe('allowed');
    // A path under the host's temp directory lands in the container's own /tmp, never the host's.
    expect(existsSync(hostTarget)).toBe(false);
    expect(existsSync('/clade-escape')).toBe(false);
    expect(existsSync('/etc/clade-escape')).toBe(false);
  });

  it('stops a fork bomb at the pids limit', async () => {
    const result = await run(
      python(`
forks = 0
error = None
while forks < 1000:
    try:
        pid = os.fork()
    except OSError as failure:
        error = errno.errorcode.get(failure.errno, str(failure))
        break
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    forks += 1
result['forks'] = forks
result['error'] = error
`),
    );
    expect(result.exit, result.stderr).toBe('exited');
    const outcome = result.result as { forks: number; error: string };
    expect(outcome.error).toBe('EAGAIN');
    expect(outcome.forks).toBeLessThan(PYTHON_LIMITS.pids);
  });

  it('kills a program that grows past the memory cap', async () => {
    const result = await run(
      python(`
kept = []
while True:
    kept.append(bytearray(16 * 1024 * 1024))
    time.sleep(0.001)
`),
    );
    expect(result.exit).toBe('memory');
    expect(result.result).toBeUndefined();
  });

  it('kills a busy loop that ignores SIGTERM at the time limit', async () => {
    const result = await run(
      python(`
import signal
signal.signal(signal.SIGTERM, signal.SIG_IGN)
while True:
    pass
`),
      { limits: { ...PYTHON_LIMITS, timeoutMs: 3_000 } },
    );
    expect(result.exit).toBe('timeout');
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it('sees no secret of the campaign process in its environment', async () => {
    process.env.CLADE_HOSTILE_PLANTED = PLANTED_KEY;
    try {
      const result = await run(python('result["environment"] = dict(os.environ)'));
      expect(result.resultError, result.stderr).toBeNull();
      expect(JSON.stringify(result.result)).not.toContain(PLANTED_KEY);
      expect(Object.keys((result.result as { environment: object }).environment).sort()).toEqual(
        expect.arrayContaining(['HOME', 'PATH']),
      );
    } finally {
      delete process.env.CLADE_HOSTILE_PLANTED;
    }
  });

  it('left no container behind once closed', async () => {
    await sandbox.close();
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`${CONTAINER_OWNER_LABEL}=${ownerLabel()}`] },
    });
    expect(left).toEqual([]);
  });
});

// Issue 17, finding 2: an agent that rewrites result.json after the harness wrote it (an exit hook,
// a detached process after exit or racing the final write, a setsid process) must not change what
// the host stores, in a fresh container and in a warm one (where the container outlives the run).
describe.skipIf(skipReason !== null).each([
  ['a fresh container per evaluation', 0],
  ['the warm pool', 1],
])('forging agents in the Docker sandbox (%s)', (_label, pool) => {
  let sandbox: Awaited<ReturnType<typeof createDockerSandbox>>;
  let harness: string;

  beforeAll(async () => {
    sandbox = await createDockerSandbox({ docker, pool, diskMb: 64 });
    harness = await loadHarness();
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it.each(FORGING_CASES.map((name) => [name]))('keeps what the harness wrote against a %s', async (name) => {
    // Twice: in the warm pool the second run takes the container the first one used.
    for (let round = 0; round < 2; round++) {
      await expectForgingFails(sandbox, harness, name);
    }
  });
});
