/**
 * @module The contract every `Sandbox` driver must pass, run for every kind registered in
 * `sandboxKinds` (`tests/contracts/sandbox-kinds.test.ts` gives each kind a fixture; a registered
 * kind without one fails that suite). The programs run here are real node and Python programs;
 * nothing is mocked.
 *
 * Decisions the suite fixes for every driver:
 * - an unsafe path in `files`, `resultFile` or a relative `command[0]` makes `run` reject with a
 *   `CladeError` of code `UNSAFE_PATH` before anything runs (requests are built by clade, so it is
 *   a host fault); an empty command rejects with `SANDBOX_FAILED`;
 * - a program the sandbox does not have is not the program's failure: the run rejects with
 *   `SANDBOX_UNAVAILABLE` naming it (a remote driver may instead return exit `lost` naming it);
 * - a missing, oversized, non-JSON or symlinked result file is not an error: `result` is
 *   undefined and `resultError` says why.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CladeError } from '../../src/core/errors.js';
import { sandboxKinds } from '../../src/sandbox/registry.js';
import type { Sandbox, SandboxLimits, SandboxRequest } from '../../src/sandbox/types.js';
import { TRUNCATION_MARKER } from '../../src/sandbox/types.js';

/** Limits generous enough for a small node program on a slow machine. */
export const CONTRACT_LIMITS: SandboxLimits = {
  timeoutMs: 20_000,
  memoryMb: 512,
  outputBytes: 64 * 1024,
  cpus: 1,
  pids: 64,
  resultBytes: 1024 * 1024,
};

/** A request running one ES module program (`main.mjs`) that may write `result.json`. */
export function programRequest(source: string, overrides: Partial<SandboxRequest> = {}): SandboxRequest {
  return {
    files: { 'main.mjs': source },
    command: ['node', 'main.mjs'],
    resultFile: 'result.json',
    limits: CONTRACT_LIMITS,
    ...overrides,
  };
}

/** Variable names a sandboxed program may see; anything else came from somewhere it should not. */
const NEUTRAL_VARIABLES = new Set([
  // Docker: the run is alone in its PID namespace (the harness then kills leftovers before its final write).
  'CLADE_SANDBOX_PRIVATE_PIDS',
  'PATH',
  'HOME',
  'TMPDIR',
  'LANG',
  'LC_ALL',
  'HOSTNAME',
  'PWD',
  'TERM',
  'SHLVL',
  'NODE_VERSION',
  'YARN_VERSION',
]);

/** Options of `runSandboxContract`. */
export interface SandboxContractOptions {
  /**
   * Whether this sandbox has `python3` here (the host's PATH, the image). True: the Python case
   * must run; false: it must be refused as a missing program. Default true.
   */
  python?: boolean;
}

/**
 * Registers the shared sandbox cases under `describe(\`sandbox contract: ${name}\`)`.
 * `create` is called once; the sandbox is closed after the cases.
 */
export function runSandboxContract(
  name: string,
  create: () => Promise<Sandbox> | Sandbox,
  options: SandboxContractOptions = {},
): void {
  describe(`sandbox contract: ${name}`, () => {
    let sandbox: Sandbox;

    beforeAll(async () => {
      sandbox = await create();
    });

    afterAll(async () => {
      await sandbox.close();
      // Closing twice is allowed.
      await sandbox.close();
    });

    it('runs the entry with its files and arguments and returns the parsed result file', async () => {
      const result = await sandbox.run({
        files: {
          'main.mjs': `
            import { readFileSync, writeFileSync } from 'node:fs';
            import { triple } from './lib/helper.mjs';
            const data = readFileSync('data/bytes.bin');
            console.log('hello from the sandbox');
            console.error('a warning');
            writeFileSync('result.json', JSON.stringify({ args: process.argv.slice(2), bytes: [...data], tripled: triple(14) }));
          `,
          'lib/helper.mjs': 'export const triple = (value) => value * 3;',
          'data/bytes.bin': new Uint8Array([0, 1, 2, 255]),
        },
        command: ['node', 'main.mjs', 'first', 'second argument'],
        resultFile: 'result.json',
        limits: CONTRACT_LIMITS,
      });
      expect(result.exit).toBe('exited');
      expect(result.exitCode).toBe(0);
      expect(result.signal).toBeNull();
      expect(result.resultError).toBeNull();
      expect(result.result).toEqual({ args: ['first', 'second argument'], bytes: [0, 1, 2, 255], tripled: 42 });
      expect(result.stdout).toBe('hello from the sandbox\n');
      expect(result.stderr).toBe('a warning\n');
      expect(result.stdoutTruncated).toBe(false);
      expect(result.stderrTruncated).toBe(false);
      expect(result.environment).toMatch(/\S/);
      expect(result.durationMs).toBeGreaterThanOrEqual(0);
    });

    it('reports a non-zero exit code as an exit, with the missing result explained', async () => {
      const result = await sandbox.run(programRequest('console.error("giving up"); process.exit(3);'));
      expect(result.exit).toBe('exited');
      expect(result.exitCode).toBe(3);
      expect(result.result).toBeUndefined();
      expect(result.resultError).toMatch(/no result file "result\.json"/);
      expect(result.stderr).toContain('giving up');
    });

    it('kills a program at the wall-clock limit', async () => {
      const timeoutMs = 1_500;
      const result = await sandbox.run(
        programRequest('console.log("started"); setInterval(() => {}, 1000); for (;;) { /* spin */ }', {
          limits: { ...CONTRACT_LIMITS, timeoutMs },
        }),
      );
      expect(result.exit).toBe('timeout');
      expect(result.exitCode).toBeNull();
      expect(result.durationMs).toBeGreaterThanOrEqual(timeoutMs - 50);
      expect(result.durationMs).toBeLessThan(timeoutMs + 5_000);
      expect(result.resultError).toMatch(/no result file/);
    });

    it('caps stdout and stderr, appends the marker, and never blocks the program', async () => {
      const outputBytes = 1_000;
      const result = await sandbox.run(
        programRequest(
          `
            import { writeFileSync } from 'node:fs';
            const line = 'x'.repeat(1023) + '\\n';
            for (let index = 0; index < 4096; index++) { process.stdout.write(line); process.stderr.write(line); }
            process.stdout.write('', () => process.stderr.write('', () => writeFileSync('result.json', '{"done":true}')));
          `,
          { limits: { ...CONTRACT_LIMITS, outputBytes } },
        ),
      );
      expect(result.exit).toBe('exited');
      expect(result.exitCode).toBe(0);
      expect(result.result).toEqual({ done: true });
      for (const [text, truncated] of [
        [result.stdout, result.stdoutTruncated],
        [result.stderr, result.stderrTruncated],
      ] as const) {
        expect(truncated).toBe(true);
        expect(text.endsWith(TRUNCATION_MARKER)).toBe(true);
        expect(Buffer.byteLength(text.slice(0, -TRUNCATION_MARKER.length))).toBeLessThanOrEqual(outputBytes);
        expect(text.startsWith('x'.repeat(900))).toBe(true);
      }
    });

    it('gives the program an environment with nothing from the parent', async () => {
      const previousKey = process.env.OPENAI_API_KEY;
      process.env.OPENAI_API_KEY = 'sk-test-secret';
      process.env.CLADE_CONTRACT_PARENT_MARKER = 'parent-only';
      try {
        const result = await sandbox.run(
          programRequest(`
            import { writeFileSync } from 'node:fs';
            writeFileSync('result.json', JSON.stringify({ env: process.env }));
          `),
        );
        expect(result.resultError).toBeNull();
        const env = (result.result as { env: Record<string, string> }).env;
        expect(env.OPENAI_API_KEY).toBeUndefined();
        expect(env.CLADE_CONTRACT_PARENT_MARKER).toBeUndefined();
        expect(Object.values(env)).not.toContain('sk-test-secret');
        expect(JSON.stringify(env)).not.toContain('sk-test-secret');
        for (const variable of Object.keys(env))
          expect(NEUTRAL_VARIABLES.has(variable), `unexpected variable ${variable}`).toBe(true);
      } finally {
        if (previousKey === undefined) delete process.env.OPENAI_API_KEY;
        else process.env.OPENAI_API_KEY = previousKey;
        delete process.env.CLADE_CONTRACT_PARENT_MARKER;
      }
    });

    it('kills a program that allocates far past the memory cap (off-heap buffers)', async () => {
      const memoryMb = 160;
      const result = await sandbox.run(
        programRequest(
          `
            const kept = [];
            for (let index = 0; index < 400; index++) {
              kept.push(Buffer.alloc(16 * 1024 * 1024, index % 255));
              await new Promise((resolve) => setTimeout(resolve, 2));
            }
            console.log('allocated', kept.length * 16, 'MiB without being stopped');
          `,
          { limits: { ...CONTRACT_LIMITS, memoryMb, timeoutMs: 30_000 } },
        ),
      );
      expect(result.exit).toBe('memory');
      expect(result.stdout).not.toContain('without being stopped');
      if (result.peakMemoryMb !== null) expect(result.peakMemoryMb).toBeGreaterThan(memoryMb * 0.5);
    });

    it('kills a program whose JavaScript heap grows past the memory cap', async () => {
      const memoryMb = 160;
      const result = await sandbox.run(
        programRequest(
          `
            const kept = [];
            for (let index = 0; index < 2_000; index++) {
              kept.push(Array.from({ length: 100_000 }, (_, item) => ({ item, index })));
              if (index % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
            }
            console.log('kept', kept.length, 'arrays without being stopped');
          `,
          { limits: { ...CONTRACT_LIMITS, memoryMb, timeoutMs: 60_000 } },
        ),
      );
      expect(result.exit).toBe('memory');
      expect(result.stdout).not.toContain('without being stopped');
    });

    it('explains a missing result file', async () => {
      const result = await sandbox.run(programRequest('console.log("no result written");'));
      expect(result.exit).toBe('exited');
      expect(result.exitCode).toBe(0);
      expect(result.result).toBeUndefined();
      expect(result.resultError).toMatch(/no result file "result\.json"/);
    });

    it('rejects a result file that is not JSON', async () => {
      const result = await sandbox.run(
        programRequest('import { writeFileSync } from "node:fs"; writeFileSync("result.json", "{not json");'),
      );
      expect(result.exit).toBe('exited');
      expect(result.result).toBeUndefined();
      expect(result.resultError).toMatch(/not valid JSON/);
    });

    it('rejects a result file larger than the limit', async () => {
      const result = await sandbox.run(
        programRequest(
          'import { writeFileSync } from "node:fs"; writeFileSync("result.json", JSON.stringify({ padding: "y".repeat(5000) }));',
          {
            limits: { ...CONTRACT_LIMITS, resultBytes: 1_000 },
          },
        ),
      );
      expect(result.exit).toBe('exited');
      expect(result.result).toBeUndefined();
      expect(result.resultError).toMatch(/larger than the limit of 1000 bytes/);
    });

    it('rejects a result file that is a symbolic link', async () => {
      const result = await sandbox.run(
        programRequest(`
          import { symlinkSync, writeFileSync } from 'node:fs';
          writeFileSync('real.json', '{"secret":true}');
          symlinkSync('/etc/hostname', 'result.json');
        `),
      );
      expect(result.exit).toBe('exited');
      expect(result.result).toBeUndefined();
      expect(result.resultError).toMatch(/symbolic link/);
    });

    it('reads a result file in a subdirectory', async () => {
      const result = await sandbox.run(
        programRequest(
          'import { mkdirSync, writeFileSync } from "node:fs"; mkdirSync("out"); writeFileSync("out/result.json", "[1,2,3]");',
          {
            resultFile: 'out/result.json',
          },
        ),
      );
      expect(result.resultError).toBeNull();
      expect(result.result).toEqual([1, 2, 3]);
    });

    it.each([
      ['a file path with ..', { files: { 'main.mjs': '', '../escape.mjs': 'x' } }],
      ['an absolute file path', { files: { 'main.mjs': '', '/tmp/clade-escape.mjs': 'x' } }],
      ['a backslash in a file path', { files: { 'main.mjs': '', 'dir\\escape.mjs': 'x' } }],
      ['a NUL byte in a file path', { files: { 'main.mjs': '', 'bad\u0000.mjs': 'x' } }],
      ['a program path outside the work directory', { command: ['../main.mjs'] }],
      ['a result file outside the work directory', { resultFile: '../result.json' }],
      ['an absolute result file', { resultFile: '/tmp/result.json' }],
    ] as const)('refuses %s before running anything', async (_label, overrides) => {
      const request = programRequest(
        'import { writeFileSync } from "node:fs"; writeFileSync("ran.txt", "ran");',
        overrides as Partial<SandboxRequest>,
      );
      const outcome = sandbox.run(request);
      await expect(outcome).rejects.toBeInstanceOf(CladeError);
      await expect(outcome).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
      expect(existsSync('/tmp/clade-escape.mjs')).toBe(false);
    });

    it('refuses an empty command before running anything', async () => {
      const outcome = sandbox.run(programRequest('', { command: [] }));
      await expect(outcome).rejects.toBeInstanceOf(CladeError);
      await expect(outcome).rejects.toMatchObject({ code: 'SANDBOX_FAILED' });
    });

    it('runs a program file of the request named by a relative path', async () => {
      const result = await sandbox.run(
        programRequest('', {
          files: { 'bin/run.sh': '#!/bin/sh\nprintf \'["%s","%s"]\' "$1" "$2" > result.json\n' },
          executableFiles: ['bin/run.sh'],
          command: ['./bin/run.sh', 'x', 'two words'],
        }),
      );
      expect(result.resultError).toBeNull();
      expect(result.result).toEqual(['x', 'two words']);
    });

    it('does not treat a program it does not have as the program failing', async () => {
      const missing = 'clade-contract-no-such-program';
      const outcome = sandbox.run(programRequest('', { command: [missing, 'main.mjs'] }));
      const settled = await outcome.then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      if ('error' in settled) {
        expect(settled.error).toBeInstanceOf(CladeError);
        expect(settled.error).toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
        expect(String((settled.error as Error).message)).toContain(missing);
      } else {
        expect(settled.result.exit).toBe('lost');
        expect(settled.result.resultError).toContain(missing);
      }
    }, 60_000);

    const python = options.python ?? true;
    it(python
      ? 'runs a python3 command with its files and arguments'
      : 'refuses a python3 command, naming python3, where this sandbox has none', async () => {
      const request = programRequest('', {
        files: {
          'evaluate.py': [
            'import json, os, sys',
            'from helper import triple',
            "with open('data/bytes.bin', 'rb') as handle: data = list(handle.read())",
            "print('hello from python')",
            "print('a warning', file=sys.stderr)",
            "json.dump({'argv': sys.argv[1:], 'bytes': data, 'tripled': triple(14), 'cwd': os.getcwd()}, open('result.json', 'w'))",
          ].join('\n'),
          'helper.py': 'def triple(value):\n    return value * 3\n',
          'data/bytes.bin': new Uint8Array([0, 1, 2, 255]),
        },
        command: ['python3', 'evaluate.py', 'first', 'second argument'],
      });
      if (!python) {
        const settled = await sandbox.run(request).then(
          (result) => ({ result }),
          (error: unknown) => ({ error }),
        );
        if ('error' in settled) {
          expect(settled.error).toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
          expect(String((settled.error as Error).message)).toContain('python3');
        } else {
          expect(settled.result.exit).toBe('lost');
          expect(settled.result.resultError).toContain('python3');
        }
        return;
      }
      const result = await sandbox.run(request);
      expect(result.exit).toBe('exited');
      expect(result.exitCode).toBe(0);
      expect(result.resultError).toBeNull();
      expect(result.result).toMatchObject({
        argv: ['first', 'second argument'],
        bytes: [0, 1, 2, 255],
        tripled: 42,
      });
      expect(result.stdout).toBe('hello from python\n');
      expect(result.stderr).toBe('a warning\n');
      expect(result.environment).toMatch(/python|docker/i);
    }, 60_000);

    it('stops a run when its signal is aborted', async () => {
      const controller = new AbortController();
      const startedAt = Date.now();
      setTimeout(() => controller.abort(), 300);
      const result = await sandbox.run(programRequest('setInterval(() => {}, 1000);', { signal: controller.signal }));
      expect(result.exit).toBe('aborted');
      expect(Date.now() - startedAt).toBeLessThan(10_000);
    });

    it('does not start a run whose signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      const result = await sandbox.run(
        programRequest('import { writeFileSync } from "node:fs"; writeFileSync("result.json", "1");', {
          signal: controller.signal,
        }),
      );
      expect(result.exit).toBe('aborted');
      expect(result.result).toBeUndefined();
    });

    it('runs requests concurrently without mixing them up', async () => {
      const source = (value: number): string => `
        import { writeFileSync } from 'node:fs';
        await new Promise((resolve) => setTimeout(resolve, 200));
        writeFileSync('result.json', JSON.stringify({ value: ${value}, cwd: process.cwd() }));
      `;
      const results = await Promise.all([1, 2, 3].map((value) => sandbox.run(programRequest(source(value)))));
      expect(results.map((result) => (result.result as { value: number }).value)).toEqual([1, 2, 3]);
      const directories = results.map((result) => (result.result as { cwd: string }).cwd);
      expect(new Set(directories).size).toBe(3);
    });

    it('removes the work directory after a run', async () => {
      const result = await sandbox.run(
        programRequest(`
          import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
          mkdirSync('locked/inner', { recursive: true });
          writeFileSync('locked/inner/file.txt', 'x');
          chmodSync('locked/inner', 0o000);
          chmodSync('locked', 0o500);
          writeFileSync('result.json', JSON.stringify({ cwd: process.cwd() }));
        `),
      );
      expect(result.resultError).toBeNull();
      const { cwd } = result.result as { cwd: string };
      expect(existsSync(cwd)).toBe(false);
    });
  });
}

/** How one registered sandbox kind runs the contract here. */
export interface SandboxContractFixture {
  /** Shown in the suite's name (`docker (warm pool)`). */
  label: string;
  create: () => Promise<Sandbox> | Sandbox;
  /** Whether python3 must run in it here (see `SandboxContractOptions.python`). */
  python: boolean;
  /** Starts what the sandbox needs (a Redis, a worker) before `create`. */
  setUp?: () => Promise<void>;
  /** Stops it after the cases. */
  tearDown?: () => Promise<void>;
}

/** Per registered kind: its fixtures, or why they cannot run on this machine (printed, then skipped). */
export type SandboxContractFixtures = Record<string, readonly SandboxContractFixture[] | { skip: string }>;

/** Registered sandbox kinds that `fixtures` does not cover: each one fails the suite. */
export function uncoveredSandboxKinds(fixtures: SandboxContractFixtures): string[] {
  return sandboxKinds.names().filter((kind) => !Object.hasOwn(fixtures, kind));
}

/**
 * Runs the contract for every kind in `sandboxKinds`, with the fixtures given for it. A registered
 * kind without a fixture, or a fixture for a kind that is not registered, fails; a kind whose
 * fixture says `skip` (no Docker engine, no redis-server) is skipped with the reason printed.
 */
export function runRegisteredSandboxContracts(fixtures: SandboxContractFixtures): void {
  describe('sandbox contract coverage', () => {
    it('has a fixture for every registered sandbox kind, and none for a kind that is not registered', () => {
      expect(uncoveredSandboxKinds(fixtures), 'registered sandbox kinds without a contract fixture').toEqual([]);
      const registered = new Set(sandboxKinds.names());
      expect(
        Object.keys(fixtures).filter((kind) => !registered.has(kind)),
        'fixtures of kinds that are not registered',
      ).toEqual([]);
    });
  });
  for (const kind of sandboxKinds.names()) {
    const entry = fixtures[kind];
    if (entry === undefined) continue;
    if ('skip' in entry) {
      process.stderr.write(`sandbox contract: ${kind} skipped: ${entry.skip}\n`);
      describe.skip(`sandbox contract: ${kind} (${entry.skip})`, () => {
        it('runs', () => {});
      });
      continue;
    }
    for (const fixture of entry) {
      describe(`${kind}`, () => {
        if (fixture.setUp) beforeAll(fixture.setUp, 120_000);
        if (fixture.tearDown) afterAll(fixture.tearDown, 120_000);
        runSandboxContract(fixture.label, fixture.create, { python: fixture.python });
      });
    }
  }
}
