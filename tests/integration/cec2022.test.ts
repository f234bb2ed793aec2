import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readAgentDirectory } from '../../src/campaign/agent-directory.js';
import { validateCampaign } from '../../src/campaign-file.js';
import { bundleAgent } from '../../src/harness/bundle-agent.js';
import { loadHarness } from '../../src/harness/load-harness.js';
import { createCec2022Function } from '../../src/numeric/cec2022/index.js';
import { createProcessSandbox } from '../../src/sandbox/process-sandbox.js';
import type { SandboxLimits, SandboxRequest } from '../../src/sandbox/types.js';
import { evaluateNode } from '../../src/tasks/evaluate-node.js';
import type { NumericTaskConfig } from '../../src/tasks/numeric-kind.js';
import { createNumericTask } from '../../src/tasks/numeric-task.js';
import { cliEntry, repositoryRoot, seedAgent, temporaryDirectory } from '../helpers/campaign-fixture.js';
import { CEC2022_DATA, parseHexFloat, readCec2022Reference } from '../helpers/cec2022.js';

// Each CLI call starts node (seconds on a loaded machine); campaigns run sandboxes.
vi.setConfig({ testTimeout: 300_000 });

const workspace = temporaryDirectory('clade-cec2022-');
afterAll(() => workspace.remove());

/** An environment with no CEC2022 data of its own: no variable, an empty home and cache (clade's shipped copy is found). */
const emptyHome = path.join(workspace.path, 'home');
const bareEnvironment = (): NodeJS.ProcessEnv => {
  const environment: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', HOME: emptyHome };
  delete environment.CLADE_CEC2022_DATA;
  delete environment.XDG_CACHE_HOME;
  return environment;
};
/**
 * An environment whose CEC2022 data directory is empty: CLADE_CEC2022_DATA names a directory
 * without the files (it comes before the shipped copy, so nothing else is looked at).
 */
const emptyDataDirectory = path.join(workspace.path, 'no-data');
mkdirSync(emptyDataDirectory, { recursive: true });
const missingDataEnvironment = (): NodeJS.ProcessEnv => ({
  ...bareEnvironment(),
  CLADE_CEC2022_DATA: emptyDataDirectory,
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI with `input` on stdin. */
function cli(args: readonly string[], input = '', environment = bareEnvironment()): Promise<Run> {
  if (!existsSync(cliEntry)) throw new Error(`${cliEntry} is missing: run \`npm run build\` before the tests.`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliEntry, ...args], { cwd: repositoryRoot, env: environment });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const reference = readCec2022Reference();

describe('clade problems eval (built CLI)', () => {
  it('writes the official values at full precision for CEC2022', async () => {
    // The unit tests cover all 24 cases in process; here, the CLI path on four (quirky F3 and F7 among them).
    const cases = ['F1_D10', 'F7_D10', 'F3_D20', 'F12_D20'].map((name) => reference.cases[name]);
    for (const testCase of cases) {
      if (testCase === undefined) throw new Error('reference case missing');
      const points = testCase.points.map((point) => point.x);
      const run = await cli(
        [
          'problems',
          'eval',
          '--suite',
          'cec2022',
          '--fn',
          String(testCase.func),
          '--dim',
          String(testCase.dim),
          '--data-dir',
          CEC2022_DATA,
        ],
        JSON.stringify(points),
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const values = JSON.parse(run.stdout) as number[];
      const expected = testCase.points.map((point) => parseHexFloat(point.f_hex));
      const local = createCec2022Function(testCase.func, testCase.dim as 10 | 20, CEC2022_DATA);
      // Round trip through JSON keeps every bit; equal to the in-process kernels and the reference.
      expect(values).toEqual(testCase.points.map((point) => local.evaluate(point.x)));
      for (const [index, value] of values.entries()) {
        expect(Math.abs(value - (expected[index] as number))).toBeLessThanOrEqual(Math.abs(value) * 2 ** -52);
      }
    }
  }, 240_000);

  it('finds the data through CLADE_CEC2022_DATA, and evaluates builtin functions by seed', async () => {
    const point = Array.from({ length: 20 }, (_, index) => index - 10);
    const run = await cli(
      ['problems', 'eval', '--suite', 'cec2022', '--fn', '12', '--dim', '20'],
      JSON.stringify([point]),
      {
        ...bareEnvironment(),
        CLADE_CEC2022_DATA: CEC2022_DATA,
      },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([createCec2022Function(12, 20, CEC2022_DATA).evaluate(point)]);
    const builtin = await cli(
      ['problems', 'eval', '--suite', 'builtin', '--fn', 'sphere', '--dim', '2', '--seed', '3'],
      '[[0,0],[1,1]]',
    );
    expect(builtin.code).toBe(0);
    const values = JSON.parse(builtin.stdout) as number[];
    expect(values).toHaveLength(2);
    expect(values.every((value) => value > 0)).toBe(true);
  });

  it('exits 2 on bad input and 1 on missing data, with messages that say what to do', async () => {
    const badJson = await cli(
      ['problems', 'eval', '--suite', 'cec2022', '--fn', '1', '--dim', '10', '--data-dir', CEC2022_DATA],
      '[[1,2',
    );
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toMatch(/stdin is not JSON/);
    const shortPoint = await cli(
      ['problems', 'eval', '--suite', 'cec2022', '--fn', '1', '--dim', '10', '--data-dir', CEC2022_DATA],
      '[[1,2]]',
    );
    expect(shortPoint.code).toBe(2);
    expect(shortPoint.stderr).toMatch(/point 0 must be an array of 10 numbers; got 2 items/);
    const badCase = await cli(['problems', 'eval', '--suite', 'cec2022', '--fn', '13', '--dim', '10'], '[]');
    expect(badCase.code).toBe(2);
    expect(badCase.stderr).toMatch(/functions 1..12 in dimensions 10 and 20/);
    const badSuite = await cli(['problems', 'eval', '--suite', 'cec2017', '--fn', '1', '--dim', '10'], '[]');
    expect(badSuite.code).toBe(2);
    expect(badSuite.stderr).toMatch(/use one of cec2022, builtin/);
    const missing = await cli(
      ['problems', 'eval', '--suite', 'cec2022', '--fn', '2', '--dim', '20'],
      '[]',
      missingDataEnvironment(),
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(emptyDataDirectory);
    expect(missing.stderr).toMatch(/CLADE_CEC2022_DATA/);
    expect(missing.stderr).toMatch(/clade data fetch cec2022.*--data-dir/s);
  });

  it('clade data fetch cec2022 fails clearly without network', async () => {
    const run = await cli([
      'data',
      'fetch',
      'cec2022',
      '--dir',
      path.join(workspace.path, 'fetch'),
      '--url',
      'http://127.0.0.1:1/CEC2022.zip',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Could not download the CEC2022 data/);
    expect(run.stderr).toMatch(/C-Code\/input_data/);
    const unknown = await cli(['data', 'fetch', 'cec2017']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/knows: cec2022/);
  });
});

const LIMITS: SandboxLimits = {
  timeoutMs: 60_000,
  memoryMb: 1024,
  outputBytes: 65_536,
  cpus: 1,
  pids: 64,
  resultBytes: 16 * 1024 * 1024,
};

/** An optimizer that looks for the data files (and the optimum in them) before optimizing. */
const SNOOPING_AGENT = `
import { existsSync, readdirSync } from 'node:fs';
export default function optimize(problem) {
  const found = [];
  for (const place of ['.', 'data', 'data/cec2022']) {
    if (existsSync(place)) found.push(place + ': ' + readdirSync(place).join(','));
  }
  console.log('snoop ' + (found.join(' | ') || 'nothing'));
  const point = new Float64Array(problem.dimension);
  let best = null;
  let bestValue = Infinity;
  while (problem.remaining() > 0) {
    for (let i = 0; i < point.length; i++) point[i] = problem.random.uniform(-100, 100);
    const value = problem.evaluate([point])[0];
    if (value < bestValue) { bestValue = value; best = Float64Array.from(point); }
  }
  return best;
}
`;

describe('CEC2022 as a campaign task, end to end in the process sandbox', () => {
  const config = validateCampaign({
    name: 'cec',
    agent: '.',
    task: {
      kind: 'numeric',
      suite: 'cec2022',
      dataDir: CEC2022_DATA,
      problems: [
        { fn: 1, dim: 10 },
        { fn: 7, dim: 10 },
        { fn: 12, dim: 20 },
      ],
      evaluationsPerDim: 100,
      repeats: 1,
    },
  });

  it('sends the data as request files, scores from the host re-evaluation, and hides the data from the agent', async () => {
    const task = createNumericTask(config.task as NumericTaskConfig, config.seed, { environment: {} });
    expect(task.description).toMatch(/^cec2022: cec2022-f1-d10, cec2022-f7-d10, cec2022-f12-d20 /);
    const files = task.harness?.files?.() ?? {};
    expect(Object.keys(files).sort()).toEqual([
      'data/cec2022/M_12_D20.txt',
      'data/cec2022/M_1_D10.txt',
      'data/cec2022/M_7_D10.txt',
      'data/cec2022/shift_data_1.txt',
      'data/cec2022/shift_data_12.txt',
      'data/cec2022/shift_data_7.txt',
      'data/cec2022/shuffle_data_7_D10.txt',
    ]);
    expect(files['data/cec2022/M_1_D10.txt']).toBe(readFileSync(path.join(CEC2022_DATA, 'M_1_D10.txt'), 'latin1'));

    const requests: SandboxRequest[] = [];
    const processSandbox = createProcessSandbox();
    const sandbox = {
      ...processSandbox,
      kind: processSandbox.kind,
      run: (request: SandboxRequest) => {
        requests.push(request);
        return processSandbox.run(request);
      },
      close: () => processSandbox.close(),
    };
    const harness = await loadHarness();
    try {
      const seed = await evaluateNode(await readAgentDirectory(seedAgent), {
        task,
        sandbox,
        limits: LIMITS,
        bundle: bundleAgent,
        harness,
      });
      expect(seed.error).toBeNull();
      expect(seed.status).toBe('scored');
      expect(requests[0]?.files['data/cec2022/shift_data_12.txt']).toBeDefined();
      expect(seed.evaluations.map((evaluation) => evaluation.problem)).toEqual([
        'cec2022-f1-d10',
        'cec2022-f7-d10',
        'cec2022-f12-d20',
      ]);
      for (const evaluation of seed.evaluations) {
        expect(evaluation.status).toBe('ok');
        const error = evaluation.metrics.error as number;
        const dim = evaluation.problem.endsWith('d20') ? 20 : 10;
        expect(evaluation.metrics.evaluations).toBe(100 * dim);
        // A real optimizer with 100·D evaluations is far from the optimum but well below a random point.
        expect(error).toBeGreaterThan(0);
        expect(error).toBeLessThan(1e9);
      }
      expect(seed.functionEvaluations).toBe(100 * 10 + 100 * 10 + 100 * 20);
      expect(seed.score).toBeGreaterThan(0);

      const snoop = await evaluateNode(
        { 'optimizer.ts': SNOOPING_AGENT },
        { task, sandbox, limits: LIMITS, bundle: bundleAgent, harness },
      );
      expect(snoop.status).toBe('scored');
      for (const evaluation of snoop.evaluations) {
        expect(evaluation.status).toBe('ok');
        // Only the work directory itself is there: data/ (and input.json) were gone before the agent loaded.
        expect(evaluation.logExcerpt).toMatch(/snoop \.: [^|\n]*agent\.mjs[^|\n]*\n/);
        expect(evaluation.logExcerpt).not.toMatch(/data|shift_|M_\d|input\.json/);
      }
    } finally {
      await sandbox.close();
    }
  });

  it('checks the data before anything runs, and keeps builtin tasks unchanged', () => {
    const { dataDir: _unused, ...withoutDirectory } = config.task as NumericTaskConfig;
    expect(() =>
      createNumericTask(withoutDirectory, 0, { environment: {}, home: emptyHome, shippedDataDirectory: null }),
    ).toThrow(/CEC2022 data not found in .*home\/\.cache\/clade\/cec2022.*clade data fetch cec2022/s);
    expect(() =>
      createNumericTask(withoutDirectory, 0, {
        environment: { CLADE_CEC2022_DATA: path.join(workspace.path, 'none') },
      }),
    ).toThrow(/from CLADE_CEC2022_DATA/);
    expect(
      createNumericTask(withoutDirectory, 0, { environment: { CLADE_CEC2022_DATA: CEC2022_DATA } }).jobs(),
    ).toHaveLength(3);
    const builtin = validateCampaign({
      name: 'b',
      agent: '.',
      task: { kind: 'numeric', problems: [{ fn: 'sphere', dim: 3 }] },
    });
    const task = createNumericTask(builtin.task as NumericTaskConfig, 0);
    expect(task.description).toMatch(/^builtin: sphere-d3 /);
    expect(Object.keys(task.harness?.files?.() ?? {})).toEqual([]);
  });

  it('validates the campaign file: numbers for cec2022, names for builtin, D = 10 or 20, the fixed box', () => {
    const attempt = (task: Record<string, unknown>) => () =>
      validateCampaign({ name: 'x', agent: '.', task: { kind: 'numeric', ...task } });
    expect(attempt({ suite: 'cec2022', problems: [{ fn: 'sphere', dim: 10 }] })).toThrow(
      /problems\.0\.fn: suite cec2022 takes function numbers 1\.\.12/,
    );
    expect(attempt({ suite: 'cec2022', problems: [{ fn: 3, dim: 30 }] })).toThrow(
      /problems\.0\.dim: CEC2022 functions are defined in dimensions 10 and 20/,
    );
    expect(attempt({ suite: 'cec2022', problems: [{ fn: 13, dim: 10 }] })).toThrow(/problems\.0\.fn/);
    expect(attempt({ problems: [{ fn: 3, dim: 10 }] })).toThrow(/suite builtin takes function names/);
    expect(attempt({ suite: 'cec2022', bounds: [-5, 5], problems: [{ fn: 3, dim: 10 }] })).toThrow(
      /bounds: CEC2022 fixes the search box/,
    );
    expect(attempt({ problems: [{ fn: 'sphere', dim: 3 }], dataDir: '/x' })).toThrow(
      /dataDir is for suite cec2022 only/,
    );
  });
});

describe('a CEC2022 campaign through the CLI', () => {
  const campaignFile = path.join(workspace.path, 'cec.yaml');
  writeFileSync(
    campaignFile,
    `name: cec-small
seed: 5
agent: ${JSON.stringify(seedAgent)}
task:
  kind: numeric
  suite: cec2022
  problems:
    - { fn: 4, dim: 10 }
    - { fn: 9, dim: 10 }
  evaluationsPerDim: 150
budget:
  iterations: 3
workers: 2
sandbox:
  kind: process
  timeoutSeconds: 60
`,
  );

  it('refuses to start without data (no directory made), then runs with --data-dir and resumes', async () => {
    const directory = path.join(workspace.path, 'campaign');
    const refused = await cli(['run', campaignFile, '--dir', directory], '', missingDataEnvironment());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/CEC2022 data not found.*clade data fetch cec2022.*--data-dir/s);
    expect(existsSync(directory)).toBe(false);

    const run = await cli(['run', campaignFile, '--dir', directory, '--data-dir', CEC2022_DATA, '--json']);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { nodes: number; bestScore: number };
    expect(summary.nodes).toBe(4);
    expect(summary.bestScore).toBeGreaterThan(0);
    const tree = await cli(['tree', directory, '--json']);
    const nodes = (JSON.parse(tree.stdout) as { nodes: { status: string }[] }).nodes;
    expect(nodes.filter((node) => node.status === 'scored').length).toBe(4);
    // The stored configuration holds the absolute data directory: resume needs no flag.
    const resumed = await cli(['resume', directory, '--iterations', '4', '--json']);
    expect(resumed.code).toBe(0);
    const show = await cli(['show', directory, '0', '--json']);
    expect(show.stdout).toContain('cec2022-f9-d10');
  });
});
