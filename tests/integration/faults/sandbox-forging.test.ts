/**
 * Issue 17, finding 2: an agent rewrote `result.json` after the harness wrote it — from a
 * `process.on('exit')` hook, or from a detached process that outlived the harness — and the host
 * stored the forged evaluation count and logs. Here the real harness runs agents that try each, in
 * the process sandbox (isolated by bubblewrap; the exit hook also unisolated), and what the host
 * reads must be the harness's own result: the true evaluation count, the agent's true log, no
 * forged field; and no process the agent started may be left on the host. The Docker cases (fresh
 * container and warm pool) are in tests/integration/docker-hostile.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHarness } from '../../../src/harness/load-harness.js';
import { probeIsolation } from '../../../src/sandbox/isolation.js';
import { createProcessSandbox } from '../../../src/sandbox/process-sandbox.js';
import type { Sandbox } from '../../../src/sandbox/types.js';
import { CONTRACT_LIMITS } from '../../contracts/sandbox.contract.js';
import { expectForgingFails, FORGING_CASES, hostProcessesWith } from '../../contracts/sandbox-forging.js';

const isolation = await probeIsolation();
const requireIsolation = process.env.CLADE_REQUIRE_BWRAP === '1';
if (!isolation.available && !requireIsolation) {
  process.stderr.write(
    `sandbox forging: bubblewrap unusable here (${isolation.reason}); the isolated cases are skipped\n`,
  );
}

describe('results the agent cannot forge (process sandbox)', () => {
  let harness: string;
  let isolated: Sandbox;
  let unisolated: Sandbox;

  beforeAll(async () => {
    harness = await loadHarness();
    isolated = createProcessSandbox({ isolation: isolation.available ? 'bubblewrap' : 'none' });
    unisolated = createProcessSandbox({ isolation: 'none' });
  });

  afterAll(async () => {
    await isolated.close();
    await unisolated.close();
  });

  it.runIf(isolation.available || requireIsolation).each(FORGING_CASES.map((name) => [name]))(
    'keeps what the harness wrote against a %s (bubblewrap)',
    async (name) => {
      await expectForgingFails(isolated, harness, name);
    },
  );

  it('keeps what the harness wrote against an exit hook, even unisolated', async () => {
    await expectForgingFails(unisolated, harness, 'exit hook');
  });
});

/**
 * Produce then judge (program tasks): the judge runs in a later sandbox run without the candidate's
 * code. A process the candidate's run left behind must not reach the judge's work directory and
 * rewrite its result. Isolated, it dies with its run and never saw the host's /tmp; unisolated it
 * survives (`setsid` leaves the group) and forges: the case the unsafe flag's name warns of.
 */
describe('a later run (the judge) cannot be forged by a leftover of an earlier one', () => {
  const limits = { ...CONTRACT_LIMITS, timeoutMs: 20_000, memoryMb: 512 };
  const producer = (token: string) => `
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
const script = \`const fs = require('node:fs'); const path = require('node:path');
const root = \${JSON.stringify(dirname(process.cwd()))}; const own = \${JSON.stringify(process.cwd())};
const stop = Date.now() + 6000;
const tick = () => { try { for (const name of fs.readdirSync(root)) { const directory = path.join(root, name);
  if (directory !== own && name.startsWith('clade-sandbox-')) { try { fs.writeFileSync(path.join(directory, 'verdict.json'), '{"score":1e9,"forged":true}'); } catch {} } } } catch {}
  if (Date.now() < stop) setTimeout(tick, 2); };
tick(); setTimeout(() => {}, ${token});\`;
spawn('setsid', [process.execPath, '-e', script], { stdio: 'ignore' }).unref();
`;
  const judge = `
import { writeFileSync } from 'node:fs';
writeFileSync('verdict.json', JSON.stringify({ score: 0.5 }));
await new Promise((resolve) => setTimeout(resolve, 600));
`;

  async function produceThenJudge(sandbox: Sandbox, token: string): Promise<unknown> {
    const produced = await sandbox.run({
      files: { 'candidate.mjs': producer(token) },
      command: ['node', 'candidate.mjs'],
      resultFile: 'out.json',
      limits,
    });
    expect(produced.exit).toBe('exited');
    const judged = await sandbox.run({
      files: { 'judge.mjs': judge },
      command: ['node', 'judge.mjs'],
      resultFile: 'verdict.json',
      limits,
    });
    // Unisolated, the forger may be caught mid-write (the file then is not JSON): the verdict is lost either way.
    return judged.resultError === null ? judged.result : judged.resultError;
  }

  it.runIf(isolation.available || requireIsolation)("keeps the judge's verdict (bubblewrap)", async () => {
    const token = String(600_000_000 + Math.floor(Math.random() * 90_000_000));
    const sandbox = createProcessSandbox({ isolation: 'bubblewrap' });
    try {
      expect(await produceThenJudge(sandbox, token)).toEqual({ score: 0.5 });
      expect(hostProcessesWith(token)).toEqual([]);
    } finally {
      for (const pid of hostProcessesWith(token)) process.kill(pid, 'SIGKILL');
      await sandbox.close();
    }
  });

  it('is forged unisolated (what --unsafe-process-sandbox accepts)', async () => {
    const token = String(500_000_000 + Math.floor(Math.random() * 90_000_000));
    const sandbox = createProcessSandbox({ isolation: 'none' });
    try {
      expect(await produceThenJudge(sandbox, token)).not.toEqual({ score: 0.5 });
    } finally {
      for (const pid of hostProcessesWith(token)) process.kill(pid, 'SIGKILL');
      await sandbox.close();
    }
  });
});
