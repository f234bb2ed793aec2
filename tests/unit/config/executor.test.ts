/** The `executor` section of campaign files: defaults, the bullmq fields, `${VAR}` in the URL, errors. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCampaignFile, validateCampaign } from '../../../src/campaign-file.js';
import { ConfigError } from '../../../src/core/errors.js';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(path.join(os.tmpdir(), 'clade-executor-'));
  mkdirSync(path.join(directory, 'agent'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const base = { name: 'x', agent: '.', task: { kind: 'numeric', problems: [{ fn: 'sphere', dim: 2 }] } };

describe('executor', () => {
  it('defaults to local', () => {
    expect(validateCampaign(base).executor).toEqual({ kind: 'local' });
  });

  it('fills the documented bullmq defaults', () => {
    const config = validateCampaign({ ...base, executor: { kind: 'bullmq', redis: 'redis://127.0.0.1:6379' } });
    expect(config.executor).toEqual({
      kind: 'bullmq',
      redis: 'redis://127.0.0.1:6379',
      queue: 'clade-evaluations',
      attempts: 3,
      backoffSeconds: 1,
      keepResultsSeconds: 86_400,
      pollSeconds: 2,
    });
  });

  it('resolves ${VAR} in the Redis URL from the environment', () => {
    const file = path.join(directory, 'c.yaml');
    writeFileSync(
      file,
      'name: t\nagent: ./agent\ntask: { kind: numeric, problems: [{ fn: sphere, dim: 2 }] }\nexecutor: { kind: bullmq, redis: "redis://:${REDIS_SECRET}@127.0.0.1:6390/1" }\n',
    );
    const loaded = loadCampaignFile(file, {}, { REDIS_SECRET: 's3cret' });
    expect(loaded.config.executor).toMatchObject({ kind: 'bullmq', redis: 'redis://:s3cret@127.0.0.1:6390/1' });
  });

  it.each([
    [{ kind: 'bullmq' }, /executor\.redis/],
    [{ kind: 'bullmq', redis: 'http://127.0.0.1' }, /redis must be a URL like redis:\/\//],
    [{ kind: 'bullmq', redis: 'redis://h', queue: 'a:b' }, /executor\.queue/],
    [{ kind: 'bullmq', redis: 'redis://h', attempts: 0 }, /executor\.attempts/],
    [{ kind: 'cluster' }, /executor/],
    [{ kind: 'local', redis: 'redis://h' }, /unknown field "redis"/],
  ])('refuses %o naming the field', (executor, message) => {
    let error: unknown;
    try {
      validateCampaign({ ...base, executor }, 'c.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(message);
  });
});
