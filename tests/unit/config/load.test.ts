import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCampaignFile, validateCampaign } from '../../../src/campaign-file.js';
import { ConfigError } from '../../../src/core/errors.js';
import type { NumericTaskConfig } from '../../../src/tasks/numeric-kind.js';

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(path.join(os.tmpdir(), 'clade-config-'));
  mkdirSync(path.join(directory, 'agent'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(directory, name);
  writeFileSync(file, text);
  return file;
}

const minimal = `name: t1
agent: ./agent
task:
  kind: numeric
  problems: [{ fn: sphere, dim: 3 }]
`;

function catchConfigError(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadCampaignFile', () => {
  it('applies the documented defaults', () => {
    const { config, agentDirectory } = loadCampaignFile(write('c.yaml', minimal));
    expect(agentDirectory).toBe(path.join(directory, 'agent'));
    expect(config.seed).toBe(0);
    expect(config.workers).toBe(1);
    expect(config.selection).toEqual({
      strategy: 'dgm',
      lambda: 10,
      alpha0: 0.5,
      powerLaw: { alpha: 1 },
      tournament: { size: 3 },
      hgm: { alpha: 0.6, initialJobs: 1 },
      mapElites: {
        islands: 4,
        bins: 10,
        features: ['codeLength', 'diversity'],
        migrationInterval: 50,
        migrationRate: 0.1,
        exploration: 0.2,
        exploitation: 0.7,
      },
    });
    expect(config.evaluation).toEqual({ stages: [] });
    expect(config.mutation.operator).toBe('parametric');
    expect(config.budget).toEqual({ iterations: 50, wallClockSeconds: null, usd: null, tokens: null });
    expect((config.task as NumericTaskConfig).evaluationsPerDim).toBe(10_000);
    expect((config.task as NumericTaskConfig).bounds).toEqual([-100, 100]);
    expect(config.sandbox.kind).toBe('auto');
  });

  it('reads JSON as well as YAML', () => {
    const file = write(
      'c.json',
      JSON.stringify({ name: 'j', agent: 'agent', task: { kind: 'numeric', problems: [{ fn: 'ackley', dim: 2 }] } }),
    );
    expect((loadCampaignFile(file).config.task as NumericTaskConfig).problems[0]).toEqual({ fn: 'ackley', dim: 2 });
  });

  it('names the field, the value and what is allowed', () => {
    const file = write('bad.yaml', `${minimal}selection:\n  strategy: fancy\nworkers: 0\n`);
    const error = catchConfigError(() => loadCampaignFile(file));
    expect(error.code).toBe('CONFIG_INVALID');
    const strategy = error.issues.find((issue) => issue.path === 'selection.strategy');
    expect(strategy?.value).toBe('fancy');
    expect(strategy?.message).toMatch(/dgm/);
    expect(strategy?.message).toMatch(/"fancy"/);
    expect(error.issues.some((issue) => issue.path === 'workers')).toBe(true);
    expect(error.message).toContain('selection.strategy');
    expect(error.message).toContain(file);
  });

  it('reports unknown fields and missing required ones', () => {
    const error = catchConfigError(() => validateCampaign({ name: 'x', agent: 'a', tsak: {} }));
    expect(error.issues.find((issue) => issue.path === '')?.message).toMatch(/unknown field "tsak"/);
    expect(error.issues.find((issue) => issue.path === 'task')?.message).toMatch(/required/);
  });

  it('rejects a function that does not exist with the allowed names', () => {
    const error = catchConfigError(() =>
      validateCampaign({ name: 'x', agent: 'a', task: { kind: 'numeric', problems: [{ fn: 'spehre', dim: 2 }] } }),
    );
    expect(error.issues[0]?.path).toBe('task.problems.0.fn');
    expect(error.issues[0]?.message).toMatch(/rastrigin/);
  });

  it('points at the line of a YAML syntax error', () => {
    const error = catchConfigError(() => loadCampaignFile(write('broken.yaml', 'name: a\n  agent: [\n')));
    expect(error.message).toMatch(/line \d+/);
  });

  it('says when the file or the agent directory is missing', () => {
    expect(catchConfigError(() => loadCampaignFile(path.join(directory, 'nope.yaml'))).message).toMatch(
      /does not exist/,
    );
    const error = catchConfigError(() => loadCampaignFile(write('c.yaml', minimal.replace('./agent', './missing'))));
    expect(error.issues[0]?.path).toBe('agent');
  });

  it('resolves ${VAR} from the environment and names a missing variable', () => {
    const file = write('env.yaml', minimal.replace('name: t1', 'name: ${CAMPAIGN_NAME}'));
    expect(loadCampaignFile(file, {}, { CAMPAIGN_NAME: 'from-env' }).config.name).toBe('from-env');
    const error = catchConfigError(() => loadCampaignFile(file, {}, {}));
    expect(error.message).toContain('CAMPAIGN_NAME');
    expect(error.issues[0]?.path).toBe('name');
  });

  it('lets flags override the file and validates them like fields', () => {
    const file = write('c.yaml', minimal);
    const { config } = loadCampaignFile(file, {
      iterations: 7,
      workers: 3,
      seed: 9,
      selection: 'best',
      sandbox: 'process',
    });
    expect(config.budget.iterations).toBe(7);
    expect(config.workers).toBe(3);
    expect(config.seed).toBe(9);
    expect(config.selection.strategy).toBe('best');
    expect(config.sandbox.kind).toBe('process');
    const error = catchConfigError(() => loadCampaignFile(file, { selection: 'nope' }));
    expect(error.issues[0]?.path).toBe('selection.strategy');
  });
});
