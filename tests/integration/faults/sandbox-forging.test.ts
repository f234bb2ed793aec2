/**
 * Issue 17, finding 2: an agent rewrote `result.json` after the harness wrote it — from a
 * `process.on('exit')` hook, or from a detached process that outlived the harness — and the host
 * stored the forged evaluation count and logs. Here the real harness runs agents that try each, in
 * the process sandbox (isolated by bubblewrap; the exit hook also unisolated), and what the host
 * reads must be the harness's own result: the true evaluation count, the agent's true log, no
 * forged field; and no process the agent started may be left on the host. The Docker cases (fresh
 * container and warm pool) are in tests/integration/docker-hostile.test.ts.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { loadHarness } from '../../../src/harness/load-harness.js';
import { probeIsolation } from '../../../src/sandbox/isolation.js';
import { createProcessSandbox } from '../../../src/sandbox/process-sandbox.js';
import type { Sandbox } from '../../../src/sandbox/types.js';
import { expectForgingFails, FORGING_CASES } from '../../contracts/sandbox-forging.js';

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
