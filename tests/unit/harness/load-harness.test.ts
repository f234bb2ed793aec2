import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as harnessMain from '../../../sandbox/harness/main.js';
import { bundleAgent } from '../../../src/harness/bundle-agent.js';
import {
  buildHarnessFromSources,
  HARNESS_AGENT_FILE,
  HARNESS_ENTRY_FILE,
  HARNESS_INPUT_FILE,
  HARNESS_RESULT_FILE,
  HARNESS_VERSION,
  loadHarness,
} from '../../../src/harness/index.js';
import type { HarnessInput, HarnessOutput } from '../../../src/harness/types.js';
import { createProcessSandbox } from '../../../src/sandbox/process-sandbox.js';
import type { Sandbox, SandboxResult } from '../../../src/sandbox/types.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const LIMITS = {
  timeoutMs: 20_000,
  memoryMb: 512,
  outputBytes: 64 * 1024,
  cpus: 1,
  pids: 64,
  resultBytes: 1024 * 1024,
};

/** A numeric job on sphere in `dim` dimensions. */
function job(dim: number, runSeed = 1): Record<string, unknown> {
  return { problem: `sphere-d${dim}`, fn: 'sphere', dim, instanceSeed: 1, bounds: [-100, 100], budget: 100, runSeed };
}

describe('sandbox harness', () => {
  let harness: string;
  let sandbox: Sandbox;

  beforeAll(async () => {
    harness = await loadHarness();
    sandbox = createProcessSandbox();
  });

  afterAll(async () => {
    await sandbox.close();
  });

  /** Runs the real harness in the process sandbox with an agent module's code. */
  async function runHarness(agentCode: string, jobs: unknown[], kind = 'numeric'): Promise<SandboxResult> {
    const input: HarnessInput = { kind, agent: HARNESS_AGENT_FILE, jobs };
    return sandbox.run({
      files: {
        [HARNESS_ENTRY_FILE]: harness,
        [HARNESS_AGENT_FILE]: agentCode,
        [HARNESS_INPUT_FILE]: JSON.stringify(input),
      },
      command: ['node', HARNESS_ENTRY_FILE],
      resultFile: HARNESS_RESULT_FILE,
      limits: LIMITS,
    });
  }

  /** Bundles a one-file TypeScript agent. */
  async function tsAgent(source: string): Promise<string> {
    const bundled = await bundleAgent({ 'agent.ts': source }, 'agent.ts');
    if (!bundled.ok) throw new Error(bundled.error);
    return bundled.code;
  }

  function output(result: SandboxResult): HarnessOutput {
    expect(result.exit, result.stderr).toBe('exited');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.resultError).toBeNull();
    return result.result as HarnessOutput;
  }

  it('runs every job with the agent, capturing its console per job', async () => {
    const agent = await tsAgent(`
      import type { OptimizerProblem } from './types.js';
      let calls = 0;
      console.log('agent module loaded');
      export default function optimize(problem: { dimension: number; evaluate(points: Float64Array): Float64Array }): Float64Array {
        calls += 1;
        console.log('call', calls, 'dimension', problem.dimension);
        console.warn('a warning', { nested: [1, 2] });
        problem.evaluate(new Float64Array(problem.dimension));
        return new Float64Array(problem.dimension);
      }
    `);
    const result = output(await runHarness(agent, [job(2), job(3)]));
    expect(result.harnessVersion).toBe(HARNESS_VERSION);
    expect(result.jobs).toHaveLength(2);
    const [first, second] = result.jobs;
    expect(first).toMatchObject({ index: 0, ok: true });
    expect(second).toMatchObject({ index: 1, ok: true });
    expect(first?.output).toMatchObject({ evaluations: 1, returnedValid: true });
    expect(first?.output).toMatchObject({ bestPoint: [0, 0] });
    expect(second?.output).toMatchObject({ bestPoint: [0, 0, 0] });
    expect(first?.log).toContain('agent module loaded');
    expect(first?.log).toContain('call 1 dimension 2');
    expect(first?.log).toContain('a warning { nested: [ 1, 2 ] }');
    expect(first?.log).not.toContain('dimension 3');
    expect(second?.log).toContain('call 2 dimension 3');
    expect(second?.log).not.toContain('agent module loaded');
    expect(first?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('deletes input.json before the agent module loads', async () => {
    const agent = await tsAgent(`
      import { existsSync, readdirSync } from 'node:fs';
      console.log('at import: input exists =', existsSync('input.json'), 'files =', readdirSync('.').sort().join(','));
      export default function optimize(problem: { dimension: number; evaluate(points: Float64Array): Float64Array }) {
        console.log('in job: input exists =', existsSync('input.json'));
        problem.evaluate(new Float64Array(problem.dimension));
        return new Float64Array(problem.dimension);
      }
    `);
    const result = output(await runHarness(agent, [job(2)]));
    const log = result.jobs[0]?.log ?? '';
    expect(log).toContain('at import: input exists = false');
    expect(log).toContain('in job: input exists = false');
    expect(log).not.toContain('input.json');
  });

  it('marks a throwing job failed, with a stack pointing into the agent source, and goes on', async () => {
    const agent = await tsAgent(`
      export default function optimize(problem: { dimension: number; evaluate(points: Float64Array): Float64Array }) {
        if (problem.dimension === 2) {
          console.log('about to fail');
          throw new RangeError('step size became negative');
        }
        problem.evaluate(new Float64Array(problem.dimension));
        return new Float64Array(problem.dimension);
      }
    `);
    const result = output(await runHarness(agent, [job(2), job(3)]));
    const [failed, passed] = result.jobs;
    expect(failed?.ok).toBe(false);
    expect(failed?.error).toMatch(/^RangeError: step size became negative/);
    expect(failed?.error).toMatch(/agent\.ts:5:\d+/);
    expect(failed?.log).toContain('about to fail');
    expect(passed?.ok).toBe(true);
  });

  it('fails every job, and still writes the result, when the agent module does not load', async () => {
    const result = output(await runHarness('export default function optimize( {', [job(2), job(3)]));
    expect(result.jobs).toHaveLength(2);
    for (const failed of result.jobs) {
      expect(failed.ok).toBe(false);
      expect(failed.error).toMatch(
        /the agent module failed to load: .*SyntaxError|the agent module failed to load: .*Unexpected/s,
      );
    }
  });

  it('fails every job when the agent module throws at import', async () => {
    const agent = await tsAgent("console.log('loading'); throw new Error('missing configuration');");
    const result = output(await runHarness(agent, [job(2)]));
    expect(result.jobs[0]?.ok).toBe(false);
    expect(result.jobs[0]?.error).toContain('missing configuration');
    expect(result.jobs[0]?.log).toContain('loading');
  });

  it('fails a job on an uncaught exception or unhandled rejection in agent code, and goes on', async () => {
    const agent = await tsAgent(`
      export default async function optimize(problem: { dimension: number; evaluate(points: Float64Array): Float64Array }) {
        if (problem.dimension === 2) {
          setTimeout(() => { throw new Error('thrown from a timer'); }, 10);
          return new Promise(() => {});
        }
        if (problem.dimension === 3) {
          void Promise.reject(new Error('rejected and never handled'));
          return new Promise(() => {});
        }
        problem.evaluate(new Float64Array(problem.dimension));
        return new Float64Array(problem.dimension);
      }
    `);
    const result = output(await runHarness(agent, [job(2), job(3), job(4)]));
    expect(result.jobs.map((entry) => entry.ok)).toEqual([false, false, true]);
    expect(result.jobs[0]?.error).toContain('thrown from a timer');
    expect(result.jobs[1]?.error).toContain('rejected and never handled');
  });

  it('turns process.exit in agent code into a failed job', async () => {
    const agent = await tsAgent('export default function optimize() { process.exit(0); }');
    const result = output(await runHarness(agent, [job(2)]));
    expect(result.jobs[0]?.ok).toBe(false);
    expect(result.jobs[0]?.error).toContain('the agent called process.exit(0)');
  });

  it('exits when done even if the agent left timers running', async () => {
    const agent = await tsAgent(`
      setInterval(() => {}, 1000);
      export default function optimize(problem: { dimension: number; evaluate(points: Float64Array): Float64Array }) {
        setInterval(() => console.log('tick'), 50);
        problem.evaluate(new Float64Array(problem.dimension));
        return new Float64Array(problem.dimension);
      }
    `);
    const result = await runHarness(agent, [job(2)]);
    expect(result.exit).toBe('exited');
    expect(result.durationMs).toBeLessThan(10_000);
    expect(output(result).jobs[0]?.ok).toBe(true);
  });

  it('says on stderr which job was running when the sandbox killed it', async () => {
    const agent = await tsAgent(`
      export default function optimize(problem: { dimension: number; evaluate(points: Float64Array): Float64Array }) {
        if (problem.dimension === 3) for (;;) {}
        problem.evaluate(new Float64Array(problem.dimension));
        return new Float64Array(problem.dimension);
      }
    `);
    const input: HarnessInput = { kind: 'numeric', agent: HARNESS_AGENT_FILE, jobs: [job(2), job(3)] };
    const result = await sandbox.run({
      files: {
        [HARNESS_ENTRY_FILE]: harness,
        [HARNESS_AGENT_FILE]: agent,
        [HARNESS_INPUT_FILE]: JSON.stringify(input),
      },
      command: ['node', HARNESS_ENTRY_FILE],
      resultFile: HARNESS_RESULT_FILE,
      limits: { ...LIMITS, timeoutMs: 1_500 },
    });
    expect(result.exit).toBe('timeout');
    expect(result.stderr).toMatch(
      /job 1 of 2 started\nclade harness: job 1 finished in \d+ ms\nclade harness: job 2 of 2 started\n$/,
    );
  });

  it('caps a job log, keeping its start and its end', async () => {
    const agent = await tsAgent(`
      export default function optimize(problem: { dimension: number; evaluate(points: Float64Array): Float64Array }) {
        for (let line = 0; line < 5000; line++) console.log('line ' + line);
        problem.evaluate(new Float64Array(problem.dimension));
        return new Float64Array(problem.dimension);
      }
    `);
    const log = output(await runHarness(agent, [job(2)])).jobs[0]?.log ?? '';
    expect(log.length).toBeLessThanOrEqual(harnessMain.HARNESS_LOG_LIMIT + 200);
    expect(log).toContain('line 0\n');
    expect(log).toContain('line 4999\n');
    expect(log).toMatch(/\[… \d+ log line\(s\) dropped by the harness …\]/);
  });

  it('reports a job the runner rejects as failed', async () => {
    const agent = await tsAgent('export default function optimize() { return [0, 0]; }');
    const result = output(await runHarness(agent, [{ problem: 'x', fn: 'no-such-function' }]));
    expect(result.jobs[0]?.ok).toBe(false);
    expect(result.jobs[0]?.error).toMatch(/Malformed numeric job/);
  });

  it('exits with code 2 on an unknown task kind, without a result', async () => {
    const result = await runHarness('export default () => [0]', [job(2)], 'quantum');
    expect(result.exit).toBe('exited');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('unknown task kind "quantum"');
    expect(result.result).toBeUndefined();
  });

  it('exits with code 2 on unusable input', async () => {
    const result = await sandbox.run({
      files: { [HARNESS_ENTRY_FILE]: harness, [HARNESS_INPUT_FILE]: '{"kind": "numeric"' },
      command: ['node', HARNESS_ENTRY_FILE],
      resultFile: HARNESS_RESULT_FILE,
      limits: LIMITS,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('clade harness: cannot use');
  });

  it('agrees with the host on its protocol constants', () => {
    expect(harnessMain.HARNESS_VERSION).toBe(HARNESS_VERSION);
    expect(harnessMain.HARNESS_INPUT_FILE).toBe(HARNESS_INPUT_FILE);
    expect(harnessMain.HARNESS_RESULT_FILE).toBe(HARNESS_RESULT_FILE);
  });

  it('loads one cached bundle that needs nothing but node builtins', async () => {
    expect(await loadHarness()).toBe(harness);
    expect(harness.startsWith(`// clade sandbox harness, protocol ${HARNESS_VERSION}`)).toBe(true);
    const imports = [...harness.matchAll(/^import .* from "([^"]+)";$/gm)].map((match) => match[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const specifier of imports) expect(specifier).toMatch(/^node:/);
  });

  it('builds the same bundle with the build script as in memory', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'clade-harness-build-'));
    try {
      const outfile = join(directory, 'harness.mjs');
      await promisify(execFile)(process.execPath, [join(root, 'scripts/build-harness.mjs'), '--outfile', outfile], {
        cwd: root,
      });
      expect(await readFile(outfile, 'utf8')).toBe(await buildHarnessFromSources(root));
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
