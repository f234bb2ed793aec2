/**
 * A model that cannot answer costs seconds, not a campaign: before the first child, a refused key,
 * an unknown model name and a dead address each exit 2 naming the fix (the built CLI); during a
 * run, 3 calls in a row that find nothing answering stop the campaign (`model-unreachable`, exit 1)
 * instead of storing one `invalid` child after another, and `clade resume` continues once the
 * model answers again.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openArchive } from '../../../src/archive/sqlite-store.js';
import { loadCampaignFile } from '../../../src/campaign-file.js';
import { createCampaign, openCampaign } from '../../../src/create-campaign.js';
import { repositoryRoot, runCli, seedAgent, temporaryDirectory } from '../../helpers/campaign-fixture.js';
import { type ModelServer, startModelServer } from '../../helpers/model-server.js';
import { createScriptedModel } from '../../helpers/scripted-model.js';

const KEY = 'sk-test-unreachable-2b9d41';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function workspace(): string {
  const directory = temporaryDirectory('clade-unreachable-');
  cleanups.push(directory.remove);
  return directory.path;
}

/** An llm-diff campaign on two small problems; one retry per call, so a dead model fails fast. */
function writeCampaign(directory: string, fields: { iterations: number; workers: number }): string {
  const file = path.join(directory, 'campaign.yaml');
  writeFileSync(
    file,
    `name: unreachable
seed: 5
agent: ${JSON.stringify(seedAgent)}
task:
  kind: numeric
  problems:
    - { fn: sphere, dim: 3 }
    - { fn: rastrigin, dim: 3 }
  evaluationsPerDim: 300
mutation:
  operator: llm-diff
  models: [openai:gpt-4.1-mini]
  retries: 1
  timeoutSeconds: 5
budget:
  iterations: ${fields.iterations}
workers: ${fields.workers}
sandbox:
  kind: process
  timeoutSeconds: 30
`,
  );
  return file;
}

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function serve(...parameters: Parameters<typeof startModelServer>): Promise<ModelServer> {
  const server = await startModelServer(...parameters);
  cleanups.push(() => server.close());
  return server;
}

describe('before the first child: the built CLI exits 2 within seconds, naming the fix', () => {
  async function run(root: string, model: string, env: NodeJS.ProcessEnv) {
    const file = writeCampaign(root, { iterations: 2, workers: 1 });
    const directory = path.join(root, 'run');
    const started = Date.now();
    const result = await runCli(['run', file, '--dir', directory, '--model', model], { env });
    return { ...result, seconds: (Date.now() - started) / 1000, directory };
  }

  it('a refused key', async () => {
    const server = await serve(
      () => ({
        kind: 'json',
        status: 401,
        body: JSON.parse(readFileSync(path.join(repositoryRoot, 'tests/fixtures/model/openai-error-401.json'), 'utf8')),
      }),
      { models: false },
    );
    const result = await run(workspace(), 'openai:gpt-4.1-mini', {
      OPENAI_API_KEY: KEY,
      OPENAI_BASE_URL: `${server.origin}/v1`,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`OPENAI_API_KEY was refused by ${server.origin}/v1`);
    expect(result.stderr).not.toContain(KEY);
    expect(result.seconds).toBeLessThan(10);
    expect(existsSync(result.directory)).toBe(false);
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /v1/models/gpt-4.1-mini',
    ]);
  });

  it('a model name the server does not have', async () => {
    const server = await serve(() => {
      throw new Error('no completion expected');
    });
    const result = await run(workspace(), 'openai:gpt-4.1-minii', {
      OPENAI_API_KEY: KEY,
      OPENAI_BASE_URL: `${server.origin}/v1`,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/has no model gpt-4\.1-minii; it lists: .*gpt-4\.1-mini,/);
    expect(result.seconds).toBeLessThan(10);
    expect(existsSync(result.directory)).toBe(false);
  });

  it('a dead base URL', async () => {
    const port = await deadPort();
    const result = await run(workspace(), 'openai:gpt-4.1-mini', {
      OPENAI_API_KEY: KEY,
      OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`nothing answers at http://127.0.0.1:${port}/v1`);
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(result.stderr).toContain('check OPENAI_BASE_URL');
    expect(result.seconds).toBeLessThan(10);
    expect(existsSync(result.directory)).toBe(false);
  });

  it('a malformed base URL, refused at load', async () => {
    const result = await run(workspace(), 'openai-compatible:llama3', { OPENAI_BASE_URL: 'x' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the environment variable OPENAI_BASE_URL is "x", which is not a base URL');
    expect(result.stderr).toContain('http://127.0.0.1:11434/v1');
  });
});

describe('during a run: a streak of unreachable calls stops the campaign', () => {
  it('stops starting children after 3 calls in a row found nothing answering; resume continues', async () => {
    const model = createScriptedModel();
    let answered = 0;
    let server: ModelServer | undefined;
    // Two answers, then the server goes away (as a crashed local model server does).
    server = await serve((request, index) => {
      answered++;
      if (answered === 2) setTimeout(() => void server?.close(), 0);
      return model.handler(request, index);
    });
    const origin = server.origin;
    const root = workspace();
    const file = writeCampaign(root, { iterations: 20, workers: 1 });
    const directory = path.join(root, 'run');
    const environment = { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${origin}/v1` };
    const campaign = await createCampaign(loadCampaignFile(file), directory, { environment });
    let summary: Awaited<ReturnType<typeof campaign.run>>;
    try {
      summary = await campaign.run({ warn: () => {} });
    } finally {
      campaign.close();
    }
    expect(summary.reason).toBe('model-unreachable');
    expect(summary.stopDetail).toMatch(
      /^the model could not be reached in the last 3 calls \(openai:gpt-4\.1-mini call failed, gave up after 2 attempts: connection or response error: Connection error\. \(ECONNREFUSED\)\); children #\d+, #\d+, #\d+ failed for it$/,
    );
    // The seed, two children made from answers, three that failed for the dead model: not 20.
    expect(summary.nodes).toBe(6);
    const archive = openArchive(path.join(directory, 'archive.db'), { readonly: true });
    try {
      const calls = archive.listModelCalls();
      expect(calls.slice(-3).map((call) => (call.response as { errorClass?: string }).errorClass)).toEqual([
        'connection',
        'connection',
        'connection',
      ]);
    } finally {
      archive.close();
    }

    // The model is back (at another address): resume goes on from where the campaign stopped.
    const again = await serve(model.handler);
    const reopened = await openCampaign(directory, {
      environment: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${again.origin}/v1` },
    });
    try {
      const resumed = await reopened.run({ iterations: 8, warn: () => {} });
      expect(resumed.reason).toBe('iterations');
      expect(resumed.nodes).toBe(9);
      expect(resumed.stopDetail).toBeUndefined();
    } finally {
      reopened.close();
    }
  }, 120_000);

  it('the built CLI (with --no-preflight) says so and exits 1', async () => {
    const port = await deadPort();
    const root = workspace();
    const file = writeCampaign(root, { iterations: 20, workers: 2 });
    const directory = path.join(root, 'run');
    const result = await runCli(['run', file, '--dir', directory, '--no-preflight'], {
      env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /stopped: the model could not be reached in the last 3 calls \(.*connection or response error: .*ECONNREFUSED/,
    );
    expect(result.stderr).toContain(`resume ${directory}`);
    expect(result.stderr).toMatch(/Campaign unreachable stopped \(model-unreachable\)/);
  }, 120_000);
});
