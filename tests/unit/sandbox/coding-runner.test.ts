/**
 * The harness's `coding-agent` runner, run for real (bundled harness, process sandbox) with small
 * scripted agents: starting files written, `solve` called with the contract's task, files read back
 * with caps, a throwing or hanging `solve` still returns its files, and the results of finished
 * jobs survive a later job that blocks the harness until the sandbox kills it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleAgent } from '../../../src/harness/bundle-agent.js';
import {
  type CodingAgentJob,
  type CodingAgentOutput,
  parseCodingAgentOutput,
} from '../../../src/harness/coding-agent-job.js';
import {
  HARNESS_AGENT_FILE,
  HARNESS_ENTRY_FILE,
  HARNESS_INPUT_FILE,
  HARNESS_RESULT_FILE,
  loadHarness,
} from '../../../src/harness/index.js';
import type { HarnessInput, HarnessOutput } from '../../../src/harness/types.js';
import { createProcessSandbox } from '../../../src/sandbox/process-sandbox.js';
import type { Sandbox, SandboxLimits, SandboxResult } from '../../../src/sandbox/types.js';

const LIMITS: SandboxLimits = {
  timeoutMs: 30_000,
  memoryMb: 512,
  outputBytes: 64 * 1024,
  cpus: 1,
  pids: 64,
  resultBytes: 8 * 1024 * 1024,
};

const job = (id: string, overrides: Partial<CodingAgentJob> = {}): CodingAgentJob => ({
  id,
  workDir: `work/${id}`,
  statement: `# ${id}\nMake it work.`,
  files: { [`${id}.mjs`]: "export const f = () => { throw new Error('not implemented'); };\n", 'lib/helper.mjs': '' },
  limits: { maxSteps: 5, maxTokens: 10_000, timeoutMs: 5_000 },
  ...overrides,
});

describe('coding-agent harness runner', () => {
  let harness: string;
  let sandbox: Sandbox;
  beforeAll(async () => {
    harness = await loadHarness();
    sandbox = createProcessSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  async function run(agentSource: string, jobs: CodingAgentJob[] | unknown[], limits = LIMITS): Promise<SandboxResult> {
    const bundled = await bundleAgent({ 'agent.ts': agentSource }, 'agent.ts');
    if (!bundled.ok) throw new Error(bundled.error);
    const input: HarnessInput = { kind: 'coding-agent', agent: HARNESS_AGENT_FILE, jobs };
    return sandbox.run({
      files: {
        [HARNESS_ENTRY_FILE]: harness,
        [HARNESS_AGENT_FILE]: bundled.code,
        [HARNESS_INPUT_FILE]: JSON.stringify(input),
      },
      command: ['node', HARNESS_ENTRY_FILE],
      resultFile: HARNESS_RESULT_FILE,
      consumedFiles: [HARNESS_INPUT_FILE],
      limits,
    });
  }

  const outputs = (
    result: SandboxResult,
  ): { ok: boolean; output: CodingAgentOutput | null; log: string; error?: string }[] =>
    (result.result as HarnessOutput).jobs.map((entry) => {
      const parsed = parseCodingAgentOutput(entry.output);
      return {
        ok: entry.ok,
        output: parsed.ok ? parsed.value : null,
        log: entry.log,
        ...(entry.error ? { error: entry.error } : {}),
      };
    });

  it('writes the starting files, calls solve with the task, and returns the report and every file', async () => {
    const agent = `
      import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
      import { join, basename } from 'node:path';
      export async function solve(task: any) {
        const slug = basename(task.workDir);
        const start = readFileSync(join(task.workDir, slug + '.mjs'), 'utf8');
        task.log('statement starts ' + JSON.stringify(task.statement.split('\\n')[0]));
        task.log('limits ' + JSON.stringify(task.limits) + ' socket ' + JSON.stringify(task.modelSocket));
        console.log('console goes to the log too');
        writeFileSync(join(task.workDir, slug + '.mjs'), 'export const f = () => 42; // was ' + start.length + ' chars\\n');
        mkdirSync(join(task.workDir, 'node_modules/pkg'), { recursive: true });
        writeFileSync(join(task.workDir, 'node_modules/pkg/index.js'), 'skipped');
        writeFileSync(join(task.workDir, 'notes.md'), 'new file');
        return { stopReason: 'done', steps: 3, tokensIn: 120, tokensOut: 45 };
      }`;
    const result = await run(agent, [job('alpha'), job('beta')]);
    expect(result.exitCode, result.stderr).toBe(0);
    const [alpha, beta] = outputs(result);
    for (const [entry, slug] of [
      [alpha, 'alpha'],
      [beta, 'beta'],
    ] as const) {
      expect(entry?.ok).toBe(true);
      expect(entry?.output?.report).toEqual({ stopReason: 'done', steps: 3, tokensIn: 120, tokensOut: 45 });
      expect(Object.keys(entry?.output?.files ?? {}).sort()).toEqual(
        ['lib/helper.mjs', 'notes.md', `${slug}.mjs`].sort(),
      );
      expect(entry?.output?.files[`${slug}.mjs`]).toMatch(/^export const f = \(\) => 42; \/\/ was 6\d chars/);
      expect(entry?.output?.truncated).toBeUndefined();
      expect(entry?.log).toContain(`statement starts "# ${slug}"`);
      expect(entry?.log).toContain('limits {"maxSteps":5,"maxTokens":10000,"timeoutMs":5000} socket ""');
      expect(entry?.log).toContain('console goes to the log too');
    }
  });

  it('keeps the files when solve throws, times out or returns a malformed report; later jobs still run', async () => {
    const agent = `
      import { writeFileSync } from 'node:fs';
      import { join, basename } from 'node:path';
      export async function solve(task: any) {
        const slug = basename(task.workDir);
        writeFileSync(join(task.workDir, 'progress.txt'), 'before stopping');
        if (slug === 'throws') throw new RangeError('the agent broke');
        if (slug === 'hangs') {
          await new Promise((resolve) => task.signal.addEventListener('abort', resolve));
          task.log('saw the abort signal');
          return new Promise(() => {});
        }
        if (slug === 'malformed') return { stopReason: 'finished', steps: 'many' };
        return { stopReason: 'steps', steps: 5, tokensIn: 1, tokensOut: 2 };
      }`;
    const hangs = job('hangs', { limits: { maxSteps: 1, maxTokens: 1000, timeoutMs: 300 } });
    const result = await run(agent, [job('throws'), hangs, job('malformed'), job('fine')]);
    expect(result.exitCode, result.stderr).toBe(0);
    const [throws, hung, malformed, fine] = outputs(result);
    expect(throws?.ok).toBe(true);
    expect(throws?.output?.report.stopReason).toBe('error');
    expect(throws?.output?.error).toMatch(/solve threw RangeError: the agent broke/);
    expect(throws?.output?.files['progress.txt']).toBe('before stopping');
    expect(hung?.output?.report.stopReason).toBe('time');
    expect(hung?.output?.error).toMatch(/did not return within the job's limit of 300 ms/);
    expect(hung?.output?.files['progress.txt']).toBe('before stopping');
    expect(hung?.log).toContain('saw the abort signal');
    expect(malformed?.output?.report.stopReason).toBe('error');
    expect(malformed?.output?.error).toMatch(/malformed report: report.stopReason "finished"/);
    expect(fine?.output?.report).toEqual({ stopReason: 'steps', steps: 5, tokensIn: 1, tokensOut: 2 });
  });

  it('caps what it reads back: files, bytes, links and binary files are left out and named', async () => {
    const agent = `
      import { writeFileSync, symlinkSync } from 'node:fs';
      import { join } from 'node:path';
      export async function solve(task: any) {
        for (let index = 0; index < 300; index++) writeFileSync(join(task.workDir, 'f' + String(index).padStart(3, '0') + '.txt'), 'x');
        writeFileSync(join(task.workDir, 'big.txt'), 'y'.repeat(1100 * 1024));
        writeFileSync(join(task.workDir, 'blob.bin'), Buffer.from([1, 0, 2]));
        symlinkSync('/etc/passwd', join(task.workDir, 'link'));
        return { stopReason: 'done', steps: 0, tokensIn: 0, tokensOut: 0 };
      }`;
    const result = await run(agent, [job('caps', { files: { 'a.mjs': 'a' } })]);
    const [caps] = outputs(result);
    const files = caps?.output?.files ?? {};
    expect(Object.keys(files)).toHaveLength(256);
    expect(files['a.mjs']).toBe('a');
    expect(files.link).toBeUndefined();
    expect(files['big.txt']).toBeUndefined();
    expect(caps?.output?.truncated).toMatch(/left out: .*big\.txt \(1126400 bytes would pass the 1048576-byte cap\)/);
    expect(caps?.output?.truncated).toMatch(/blob\.bin \(binary\)/);
    expect(caps?.output?.truncated).toMatch(/link \(symbolic link\)/);
    expect(caps?.output?.truncated).toMatch(/45 file\(s\) past the cap of 256 files \(f255\.txt … f299\.txt\)/);
  });

  it('refuses unsafe paths and a module without solve', async () => {
    const agent = `export async function solve() { return { stopReason: 'done', steps: 0, tokensIn: 0, tokensOut: 0 }; }`;
    const result = await run(agent, [
      job('escape', { workDir: '../outside' }),
      job('sneaky', { files: { '../../etc/x': 'no' } }),
    ]);
    const [escaping, sneaky] = outputs(result);
    expect(escaping?.ok).toBe(false);
    expect(escaping?.error).toMatch(/\.\.\/outside/);
    expect(sneaky?.ok).toBe(false);
    expect(sneaky?.error).toMatch(/\.\.\/\.\.\/etc\/x/);
    const none = await run('export const nothing = 1;', [job('x')]);
    expect(outputs(none)[0]?.error).toMatch(/exports no solve function/);
  });

  it('keeps the results of finished jobs when a later job blocks the harness until the sandbox kills it', async () => {
    const agent = `
      import { basename } from 'node:path';
      export async function solve(task: any) {
        if (basename(task.workDir) === 'blocks') for (;;) {}
        return { stopReason: 'done', steps: 1, tokensIn: 0, tokensOut: 0 };
      }`;
    const result = await run(agent, [job('first'), job('blocks'), job('never')], { ...LIMITS, timeoutMs: 4_000 });
    expect(result.exit).toBe('timeout');
    const jobs = (result.result as HarnessOutput).jobs;
    expect(jobs.map((entry) => entry.index)).toEqual([0]);
    expect(parseCodingAgentOutput(jobs[0]?.output).ok).toBe(true);
  });
});
