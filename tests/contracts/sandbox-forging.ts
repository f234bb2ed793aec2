/**
 * @module Forging agents for the hostile suites (issue 17, finding 2): agents that try to change
 * what the host stores after the harness wrote its result — an exit hook, a detached process
 * (after exit, or racing the final write), a `setsid` process — and the check that the host read
 * the harness's own result and that nothing the agent started is left. Used by
 * tests/integration/faults/sandbox-forging.test.ts (process sandbox) and
 * tests/integration/docker-hostile.test.ts (fresh container and warm pool).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { bundleAgent } from '../../src/harness/bundle-agent.js';
import { runHarness } from '../../src/harness/run-harness.js';
import type { Sandbox } from '../../src/sandbox/types.js';
import { CONTRACT_LIMITS } from './sandbox.contract.js';

/** What a forger writes: a plausible harness output with a false count and a false log. */
export const FORGED_RESULT = JSON.stringify({
  harnessVersion: '1',
  jobs: [{ index: 0, ok: true, output: { evaluations: 7, forged: true }, durationMs: 0, log: 'FORGED' }],
});

/** One sphere job in 2 dimensions; the agent below evaluates 3 points, so the true count is 3. */
export const FORGING_JOB = {
  problem: 'sphere-d2',
  fn: 'sphere',
  dim: 2,
  instanceSeed: 1,
  bounds: [-100, 100],
  budget: 100,
  runSeed: 1,
};

/** A node program (for `node -e`) that rewrites `path` with the forged result whenever it differs, every millisecond, for 5 s. */
export function racingForger(path: string): string {
  return `const fs = require('node:fs'); const forged = ${JSON.stringify(FORGED_RESULT)};
const stop = Date.now() + 5000;
const tick = () => { try { if (fs.readFileSync(${JSON.stringify(path)}, 'utf8') !== forged) fs.writeFileSync(${JSON.stringify(path)}, forged); } catch {} if (Date.now() < stop) setTimeout(tick, 1); };
tick();`;
}

/**
 * The forging agents, as TypeScript sources, by case. Each evaluates 3 points honestly and logs
 * `honest run`, so a stored result that says otherwise was forged. `token` marks the processes
 * they leave, to look for them on the host afterwards.
 */
export function forgingAgents(token: string): Record<string, string> {
  const optimize = `
export default function optimize(problem: { dimension: number; evaluate(points: Float64Array): Float64Array }): Float64Array {
  console.log('honest run');
  for (let index = 0; index < 3; index++) problem.evaluate(new Float64Array(problem.dimension));
  startForger();
  return new Float64Array(problem.dimension);
}`;
  return {
    'exit hook': `
import { writeFileSync } from 'node:fs';
process.on('exit', () => writeFileSync('result.json', ${JSON.stringify(FORGED_RESULT)}));
function startForger(): void {}
${optimize}`,
    'detached process after exit': `
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
function startForger(): void {
  const path = resolve('result.json');
  const script = "setTimeout(() => require('node:fs').writeFileSync(" + JSON.stringify(path) + ", " + JSON.stringify(${JSON.stringify(FORGED_RESULT)}) + "), 300); setTimeout(() => {}, ${token})";
  spawn(process.execPath, ['-e', script], { detached: true, stdio: 'ignore' }).unref();
}
${optimize}`,
    'racing detached process': `
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
function startForger(): void {
  const script = ${JSON.stringify(racingForger('RESULT_PATH'))}.replaceAll('"RESULT_PATH"', JSON.stringify(resolve('result.json'))) + '; setTimeout(() => {}, ${token})';
  spawn(process.execPath, ['-e', script], { detached: true, stdio: 'ignore' }).unref();
}
${optimize}`,
    'patched JSON.stringify and fs': `
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
const forge = (text: string): string => text.replace('"evaluations":3', '"evaluations":7').replace('honest run', 'FORGED');
const originalStringify = JSON.stringify;
JSON.stringify = ((value: unknown, ...rest: unknown[]) => {
  const text = (originalStringify as (...args: unknown[]) => string)(value, ...rest);
  return typeof text === 'string' ? forge(text) : text;
}) as typeof JSON.stringify;
const originalWrite = fs.writeFileSync;
(fs as { writeFileSync: unknown }).writeFileSync = (path: unknown, data: unknown, ...rest: unknown[]) =>
  (originalWrite as (...args: unknown[]) => void)(path, typeof data === 'string' ? forge(data) : data, ...rest);
syncBuiltinESMExports();
function startForger(): void {}
${optimize}`,
    'setsid process': `
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
function startForger(): void {
  const script = ${JSON.stringify(racingForger('RESULT_PATH'))}.replaceAll('"RESULT_PATH"', JSON.stringify(resolve('result.json'))) + '; setTimeout(() => {}, ${token})';
  spawn('setsid', [process.execPath, '-e', script], { stdio: 'ignore' }).unref();
}
${optimize}`,
  };
}

/** Host processes whose command line holds `token` (zombies excluded). */
export function hostProcessesWith(token: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
      const state = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (commandLine.includes(token) && !state.slice(state.lastIndexOf(')') + 2).startsWith('Z'))
        found.push(Number(entry));
    } catch {
      // Exited since the listing.
    }
  }
  return found;
}

/** Runs the forging agent of `name` through the real harness and checks the host read the harness's result. */
export async function expectForgingFails(
  sandbox: Sandbox,
  harness: string,
  name: string,
  options: { checkHostProcesses?: boolean } = {},
): Promise<void> {
  const token = String(700_000_000 + Math.floor(Math.random() * 90_000_000));
  const source = forgingAgents(token)[name] as string;
  const bundled = await bundleAgent({ 'agent.ts': source }, 'agent.ts');
  if (!bundled.ok) throw new Error(bundled.error);
  try {
    const run = await runHarness({
      sandbox,
      harness,
      agentCode: bundled.code,
      kind: 'numeric',
      jobs: [FORGING_JOB],
      limits: { ...CONTRACT_LIMITS, timeoutMs: 20_000, memoryMb: 512, pids: 64 },
    });
    expect(run.ok, run.ok ? '' : run.reason).toBe(true);
    if (!run.ok) return;
    const [job] = run.output.jobs;
    expect(JSON.stringify(run.output)).not.toContain('FORGED');
    expect(job).toMatchObject({ index: 0, ok: true });
    expect(job?.output).toMatchObject({ evaluations: 3 });
    expect((job?.output as Record<string, unknown> | undefined)?.forged).toBeUndefined();
    expect(job?.log).toContain('honest run');
    // Nothing the agent started is left running (Docker: the container's processes are on the host too).
    if (options.checkHostProcesses !== false) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(hostProcessesWith(token)).toEqual([]);
    }
  } finally {
    for (const pid of hostProcessesWith(token)) process.kill(pid, 'SIGKILL');
  }
}

/** The forging cases by name, in the order the suites run them. */
export const FORGING_CASES = [
  'exit hook',
  'detached process after exit',
  'racing detached process',
  'setsid process',
  'patched JSON.stringify and fs',
];
