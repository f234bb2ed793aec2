import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxError } from '../../../src/core/errors.js';
import { looksLikeHeapOutOfMemory } from '../../../src/sandbox/driver-kit.js';
import { findHostProgram, hostProgramVersion } from '../../../src/sandbox/host-programs.js';
import { createProcessSandbox } from '../../../src/sandbox/process-sandbox.js';
import type { Sandbox } from '../../../src/sandbox/types.js';
import { CONTRACT_LIMITS, programRequest } from '../../contracts/sandbox.contract.js';

// The shared contract runs for this driver in tests/contracts/sandbox-kinds.test.ts.

/** The host's python3 as the driver finds it (shims followed), or null: the Python cases then skip. */
const hostPython = await findHostProgram('python3');
if (hostPython === null) process.stderr.write('process sandbox: no python3 on PATH, the Python cases are skipped\n');

/** Whether a process is gone (or a zombie waiting to be reaped, which is dead too). */
function isDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

async function waitUntilDead(pid: number, withinMs = 3_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (isDead(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return isDead(pid);
}

/** Program that starts `sleep 1000` and prints its pid; `then` says what the program does next. */
function grandchildProgram(stdio: 'ignore' | 'inherit', then: string): string {
  return `
    import { spawn } from 'node:child_process';
    const sleeper = spawn('sleep', ['1000'], { stdio: '${stdio}' });
    sleeper.unref();
    console.log('grandchild', sleeper.pid);
    ${then}
  `;
}

function grandchildPid(stdout: string): number {
  const match = /grandchild (\d+)/.exec(stdout);
  expect(match, `no grandchild pid in ${JSON.stringify(stdout)}`).not.toBeNull();
  return Number(match?.[1]);
}

// These cases run unisolated (`isolation: 'none'`): they check the driver's own group kill, memory
// watchdog and environment by host pids. The bubblewrap cases are in
// tests/integration/faults/sandbox-isolation.test.ts.
describe('process sandbox', () => {
  let tempRoot: string;
  let sandbox: Sandbox;

  beforeAll(async () => {
    tempRoot = await mkdtemp(join(tmpdir(), 'clade-process-sandbox-test-'));
    sandbox = createProcessSandbox({ tempRoot, isolation: 'none' });
  });

  afterAll(async () => {
    await sandbox.close();
    await rm(tempRoot, { recursive: true, force: true });
  });

  it('kills a grandchild process at the time limit', async () => {
    const result = await sandbox.run(
      programRequest(grandchildProgram('ignore', 'setInterval(() => {}, 1000);'), {
        limits: { ...CONTRACT_LIMITS, timeoutMs: 1_500 },
      }),
    );
    expect(result.exit).toBe('timeout');
    expect(await waitUntilDead(grandchildPid(result.stdout))).toBe(true);
  });

  it('kills a grandchild left behind by a program that exits on its own', async () => {
    const result = await sandbox.run(
      programRequest(grandchildProgram('ignore', 'setTimeout(() => process.exit(0), 100);')),
    );
    expect(result.exit).toBe('exited');
    expect(result.exitCode).toBe(0);
    expect(await waitUntilDead(grandchildPid(result.stdout))).toBe(true);
  });

  it('returns promptly when a grandchild holds the output pipes open', async () => {
    const startedAt = Date.now();
    const result = await sandbox.run(
      programRequest(grandchildProgram('inherit', 'setTimeout(() => process.exit(0), 100);')),
    );
    expect(result.exit).toBe('exited');
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(await waitUntilDead(grandchildPid(result.stdout))).toBe(true);
  });

  it('kills a grandchild when the run is aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const result = await sandbox.run(
      programRequest(grandchildProgram('ignore', 'setInterval(() => {}, 1000);'), { signal: controller.signal }),
    );
    expect(result.exit).toBe('aborted');
    expect(await waitUntilDead(grandchildPid(result.stdout))).toBe(true);
  });

  it('counts the memory of grandchildren against the cap', async () => {
    const hog =
      'const kept = []; for (;;) { kept.push(Buffer.alloc(16 * 1024 * 1024, 1)); await new Promise((resolve) => setTimeout(resolve, 2)); }';
    const result = await sandbox.run(
      programRequest(
        `
          import { spawn } from 'node:child_process';
          const hog = spawn(process.execPath, ['--input-type=module', '-e', ${JSON.stringify(hog)}], { stdio: 'inherit' });
          console.log('grandchild', hog.pid);
          setInterval(() => {}, 1000);
        `,
        { limits: { ...CONTRACT_LIMITS, memoryMb: 200, timeoutMs: 30_000 } },
      ),
    );
    expect(result.exit).toBe('memory');
    expect(result.peakMemoryMb).toBeGreaterThan(200);
    expect(await waitUntilDead(grandchildPid(result.stdout))).toBe(true);
  });

  it('does not pass NODE_OPTIONS from the parent', async () => {
    const previous = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = '--require=/nonexistent/clade-must-not-load.cjs';
    try {
      const result = await sandbox.run(
        programRequest(
          'import { writeFileSync } from "node:fs"; writeFileSync("result.json", JSON.stringify(process.execArgv));',
        ),
      );
      expect(result.exitCode).toBe(0);
      expect(result.result).toEqual([expect.stringMatching(/^--max-old-space-size=\d+$/)]);
    } finally {
      if (previous === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = previous;
    }
  });

  it('sets HOME and TMPDIR inside the work directory', async () => {
    const result = await sandbox.run(
      programRequest(`
        import { writeFileSync } from 'node:fs';
        import { tmpdir } from 'node:os';
        writeFileSync('result.json', JSON.stringify({ cwd: process.cwd(), home: process.env.HOME, tmp: tmpdir() }));
      `),
    );
    const { cwd, home, tmp } = result.result as { cwd: string; home: string; tmp: string };
    expect(cwd.startsWith(tempRoot)).toBe(true);
    expect(home).toBe(cwd);
    expect(tmp).toBe(join(cwd, 'tmp'));
  });

  it('reports the node that ran and its version as its environment and measures peak memory', async () => {
    const result = await sandbox.run(programRequest('await new Promise((resolve) => setTimeout(resolve, 400));'));
    expect(result.environment).toBe(`node → ${process.execPath} (${process.version}) [unisolated]`);
    expect(result.peakMemoryMb).toBeGreaterThan(5);
    expect(result.peakMemoryMb).toBeLessThan(CONTRACT_LIMITS.memoryMb);
  });

  it('rejects a relative program that is not among the files', async () => {
    const outcome = sandbox.run(programRequest('', { command: ['./missing.sh'] }));
    await expect(outcome).rejects.toMatchObject({ code: 'SANDBOX_FAILED' });
    await expect(outcome).rejects.toThrow(/"\.\/missing\.sh", which is not among the request's files/);
  });

  it('rejects nonsensical limits', async () => {
    const outcome = sandbox.run(programRequest('', { limits: { ...CONTRACT_LIMITS, timeoutMs: 0 } }));
    await expect(outcome).rejects.toBeInstanceOf(SandboxError);
    await expect(outcome).rejects.toThrow(/timeoutMs/);
  });

  it('rejects file contents that are neither text nor bytes', async () => {
    const files = { 'main.mjs': '', 'data.json': undefined as unknown as string };
    await expect(sandbox.run(programRequest('', { files }))).rejects.toThrow(
      /contents of "data\.json" must be a string or a Uint8Array/,
    );
  });

  it('reports a missing node binary as an unavailable sandbox', async () => {
    const broken = createProcessSandbox({ nodeBinary: '/nonexistent/node', tempRoot, isolation: 'none' });
    await expect(broken.run(programRequest(''))).rejects.toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
  });

  it('reports a node binary that disappeared between runs as an unavailable sandbox', async () => {
    const binary = join(tempRoot, 'fake-node');
    await writeFile(binary, '#!/bin/sh\necho v0.0.0-fake\n', { mode: 0o755 });
    const fake = createProcessSandbox({ nodeBinary: binary, tempRoot, isolation: 'none' });
    try {
      const first = await fake.run(programRequest(''));
      expect(first.environment).toBe(`node → ${binary} (v0.0.0-fake) [unisolated]`);
      expect(first.exitCode).toBe(0);
      await unlink(binary);
      await expect(fake.run(programRequest(''))).rejects.toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
    } finally {
      await rm(binary, { force: true });
    }
  });

  it('keeps UTF-8 intact at the output cap', async () => {
    const result = await sandbox.run(
      programRequest("process.stdout.write('é'.repeat(100));", { limits: { ...CONTRACT_LIMITS, outputBytes: 11 } }),
    );
    expect(result.stdoutTruncated).toBe(true);
    expect(result.stdout).toBe(`${'é'.repeat(5)}\n[… output truncated by clade: limit reached …]\n`);
  });

  it('rejects a result file that is a FIFO without hanging', async () => {
    const result = await sandbox.run(
      programRequest("import { execFileSync } from 'node:child_process'; execFileSync('mkfifo', ['result.json']);"),
    );
    expect(result.exit).toBe('exited');
    expect(result.resultError).toMatch(/not a regular file/);
  });

  it('rejects a result file under a symlinked directory', async () => {
    const result = await sandbox.run(
      programRequest("import { symlinkSync } from 'node:fs'; symlinkSync('/etc', 'out');", {
        resultFile: 'out/hostname',
      }),
    );
    expect(result.result).toBeUndefined();
    expect(result.resultError).toMatch(/"out" is a symbolic link/);
  });

  it.runIf(hostPython !== null)(
    'finds python3 on the host PATH and records the interpreter and its version',
    async () => {
      const result = await sandbox.run(
        programRequest('', {
          files: {
            'main.py':
              "import json, sys\njson.dump({'executable': sys.executable, 'argv': sys.argv[1:]}, open('result.json', 'w'))\n",
          },
          command: ['python3', 'main.py', 'a b'],
        }),
      );
      expect(result.resultError, result.stderr).toBeNull();
      expect(result.environment).toBe(
        `python3 → ${hostPython} (${await hostProgramVersion(hostPython as string)}) [unisolated]`,
      );
      expect(result.environment).toMatch(/^python3 → \/\S+ \(Python 3\.\d+\.\d+\) \[unisolated\]$/);
      expect(result.environment).not.toContain('/shims/');
      expect(result.result).toEqual({ executable: hostPython, argv: ['a b'] });
    },
  );

  it('refuses a program that is not on the PATH, naming it and the PATH searched', async () => {
    const bare = createProcessSandbox({ tempRoot, searchPath: tempRoot, isolation: 'none' });
    const outcome = bare.run(programRequest('', { command: ['python3', 'main.py'] }));
    await expect(outcome).rejects.toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
    await expect(outcome).rejects.toThrow(`"python3" is not on this host's PATH (${tempRoot})`);
  });

  it('follows a version-manager shim to the binary it stands for, and runs that binary', async () => {
    const root = await mkdtemp(join(tmpdir(), 'clade-shim-test-'));
    try {
      await mkdir(join(root, 'shims'));
      await mkdir(join(root, 'libexec'));
      await mkdir(join(root, 'versions/9.9/bin'), { recursive: true });
      const real = join(root, 'versions/9.9/bin/tool');
      await writeFile(
        real,
        '#!/bin/sh\nif [ "$1" = --version ]; then echo "Tool 9.9.1"; exit 0; fi\nprintf \'{"ran":"real","args":"%s"}\' "$*" > result.json\n',
        { mode: 0o755 },
      );
      await writeFile(
        join(root, 'libexec/fakeenv'),
        `#!/bin/sh\nif [ "$1" = which ]; then echo ${JSON.stringify(real)}; exit 0; fi\nexit 1\n`,
        { mode: 0o755 },
      );
      await writeFile(
        join(root, 'shims/tool'),
        `#!/usr/bin/env bash\nset -e\nprogram="\${0##*/}"\nexec "${root}/libexec/fakeenv" exec "$program" "$@"\n`,
        { mode: 0o755 },
      );
      expect(await findHostProgram('tool', { searchPath: join(root, 'shims') })).toBe(real);
      const shimmed = createProcessSandbox({
        tempRoot,
        searchPath: `${join(root, 'shims')}:/usr/bin:/bin`,
        isolation: 'none',
      });
      const result = await shimmed.run(programRequest('', { command: ['tool', 'x', 'y'] }));
      expect(result.resultError, result.stderr).toBeNull();
      expect(result.result).toEqual({ ran: 'real', args: 'x y' });
      expect(result.environment).toBe(`tool → ${real} (Tool 9.9.1) [unisolated]`);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it.runIf(hostPython !== null)('kills a Python program and its subprocesses at the time limit', async () => {
    const result = await sandbox.run(
      programRequest('', {
        files: {
          'main.py':
            "import subprocess, time\nchild = subprocess.Popen(['sleep', '1000'])\nprint('grandchild', child.pid, flush=True)\nwhile True:\n    pass\n",
        },
        command: ['python3', 'main.py'],
        limits: { ...CONTRACT_LIMITS, timeoutMs: 1_500 },
      }),
    );
    expect(result.exit).toBe('timeout');
    expect(await waitUntilDead(grandchildPid(result.stdout))).toBe(true);
  });

  it.runIf(hostPython !== null)('kills a Python program that grows past the memory cap', async () => {
    const result = await sandbox.run(
      programRequest('', {
        files: {
          'main.py':
            'import time\nkept = []\nwhile True:\n    kept.append(bytearray(16 * 1024 * 1024))\n    time.sleep(0.002)\n',
        },
        command: ['python3', 'main.py'],
        limits: { ...CONTRACT_LIMITS, memoryMb: 200, timeoutMs: 30_000 },
      }),
    );
    expect(result.exit).toBe('memory');
    expect(result.peakMemoryMb).toBeGreaterThan(100);
  });

  it.runIf(hostPython !== null)("gives a Python program an environment without the parent's secrets", async () => {
    process.env.OPENAI_API_KEY_CLADE_TEST = 'sk-python-planted';
    try {
      const result = await sandbox.run(
        programRequest('', {
          files: { 'main.py': "import json, os\njson.dump(dict(os.environ), open('result.json', 'w'))\n" },
          command: ['python3', 'main.py'],
        }),
      );
      expect(result.resultError, result.stderr).toBeNull();
      expect(JSON.stringify(result.result)).not.toContain('sk-python-planted');
      const environment = result.result as Record<string, string>;
      expect(Object.keys(environment).sort()).toEqual(['HOME', 'LANG', 'PATH', 'TMPDIR']);
      // The interpreter's own directory comes first, so its subprocesses find the same python3.
      expect(environment.PATH?.split(':')[0]).toBe(dirname(hostPython as string));
    } finally {
      delete process.env.OPENAI_API_KEY_CLADE_TEST;
    }
  });

  it('leaves no work directories behind, whatever happened', async () => {
    expect(await readdir(tempRoot)).toEqual([]);
  });

  it('recognises V8 heap exhaustion and a Python MemoryError in stderr', () => {
    expect(
      looksLikeHeapOutOfMemory('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory'),
    ).toBe(true);
    expect(
      looksLikeHeapOutOfMemory(
        'Traceback (most recent call last):\n  File "main.py", line 3, in <module>\nMemoryError\n',
      ),
    ).toBe(true);
    expect(looksLikeHeapOutOfMemory('ValueError: not a MemoryError at all')).toBe(false);
    expect(looksLikeHeapOutOfMemory('Error: something else\n    at main.mjs:1:1')).toBe(false);
  });

  it('measures the overhead of one run', async () => {
    const runs = 5;
    const startedAt = performance.now();
    for (let index = 0; index < runs; index++) {
      const result = await sandbox.run(
        programRequest('import { writeFileSync } from "node:fs"; writeFileSync("result.json", "{}");'),
      );
      expect(result.result).toEqual({});
    }
    const perRunMs = (performance.now() - startedAt) / runs;
    console.info(`process sandbox: ${perRunMs.toFixed(1)} ms per trivial run (spawn to parsed result)`);
    expect(perRunMs).toBeLessThan(5_000);
    expect(existsSync(tempRoot)).toBe(true);
  });
});

describe('process sandbox when the campaign process is killed', () => {
  /** The driver's source bundled into one module a plain node host can import (no build, no dist/). */
  async function bundledDriver(directory: string): Promise<string> {
    const esbuild = await import('esbuild');
    const outfile = join(directory, 'process-sandbox.mjs');
    await esbuild.build({
      entryPoints: [join(process.cwd(), 'src/sandbox/process-sandbox.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      logLevel: 'silent',
    });
    return outfile;
  }

  function isGone(pid: number): boolean {
    try {
      // A killed process that nobody reaped yet is a zombie: state Z in /proc/<pid>/stat.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
    } catch {
      return true;
    }
  }

  it.runIf(process.platform === 'linux' && existsSync('/usr/bin/setpriv'))(
    'takes the sandboxed program down with a kill -9 of its host',
    async () => {
      const root = await mkdtemp(join(tmpdir(), 'clade-pdeathsig-'));
      const bundleDirectory = await mkdtemp(join(tmpdir(), 'clade-pdeathsig-bundle-'));
      const distEntry = await bundledDriver(bundleDirectory);
      const hostScript = `
        const { createProcessSandbox } = await import(${JSON.stringify(distEntry)});
        const sandbox = createProcessSandbox({ tempRoot: ${JSON.stringify(root)}, isolation: 'none' });
        await sandbox.run({
          files: { 'main.mjs': "import { writeFileSync } from 'node:fs'; writeFileSync('pid', String(process.pid)); setInterval(() => {}, 1000);" },
          command: ['node', 'main.mjs'],
          resultFile: 'result.json',
          limits: ${JSON.stringify({ ...CONTRACT_LIMITS, timeoutMs: 600_000 })},
        });`;
      const { spawn } = await import('node:child_process');
      const host = spawn(process.execPath, ['--input-type=module', '-e', hostScript], { stdio: 'ignore' });
      let pid = 0;
      const deadline = Date.now() + 15_000;
      while (pid === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        for (const entry of await readdir(root)) {
          const file = join(root, entry, 'pid');
          if (existsSync(file)) pid = Number(readFileSync(file, 'utf8')) || 0;
        }
      }
      expect(pid).toBeGreaterThan(0);
      expect(isGone(pid)).toBe(false);
      host.kill('SIGKILL');
      await new Promise((resolve) => host.on('close', resolve));
      const gone = Date.now() + 5_000;
      while (!isGone(pid) && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(isGone(pid)).toBe(true);
      await rm(root, { recursive: true, force: true });
      await rm(bundleDirectory, { recursive: true, force: true });
    },
  );
});
