import { afterAll, describe, expect, it } from 'vitest';
import { createCec2022ProtocolSuite } from '../../../src/benchmark/cec2022-suite.js';
import { runProtocol } from '../../../src/benchmark/run-protocol.js';
import { readAgentDirectory } from '../../../src/campaign/agent-directory.js';
import { bundleAgent } from '../../../src/harness/bundle-agent.js';
import { buildHarnessFromSources } from '../../../src/harness/load-harness.js';
import { createProcessSandbox } from '../../../src/sandbox/process-sandbox.js';
import { CEC2022_DATA } from '../../helpers/cec2022.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const DATA = CEC2022_DATA;

describe('CEC2022 under the protocol', () => {
  const sandbox = createProcessSandbox();
  afterAll(() => sandbox.close());
  const limits = { timeoutMs: 60_000, memoryMb: 512, outputBytes: 65_536, cpus: 1, pids: 64, resultBytes: 1 << 24 };

  it('names the missing data and how to get it', () => {
    expect(() => createCec2022ProtocolSuite('/nonexistent/cec2022')).toThrow(/clade data fetch cec2022/);
  });

  it('carries only the data files of the function in each job', () => {
    const spec = createCec2022ProtocolSuite(DATA).spec(7, 20);
    expect(spec.suite === 'cec2022' ? Object.keys(spec.files).sort() : []).toEqual([
      'M_7_D20.txt',
      'shift_data_7.txt',
      'shuffle_data_7_D20.txt',
    ]);
  });

  it('runs CEC2022 F1 (D=10) with the official data and reaches error 0', async () => {
    const harness = await buildHarnessFromSources(ROOT);
    const suite = createCec2022ProtocolSuite(DATA);
    const runs = await runProtocol({
      suite: { ...suite, budget: () => 60_000 },
      agent: readAgentDirectory(`${ROOT}agents/lshade`),
      agentEntry: 'optimizer.ts',
      functions: [1],
      dimensions: [10],
      runs: 1,
      workers: 1,
      seed: 1,
      sandbox,
      limits,
      bundle: bundleAgent,
      harness,
    });
    expect(runs[0]?.message).toBeNull();
    expect(runs[0]?.error).toBe(0);
    expect(runs[0]?.evaluations).toBeLessThan(60_000);
  }, 60_000);
});
