/**
 * The check of each model before a campaign's first child (src/model/preflight.ts, the clients'
 * `check`), against local servers speaking the OpenAI and Anthropic wire formats to the real SDKs,
 * and the refusal of malformed base URLs when the models are resolved.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { createAnthropicClient } from '../../../src/model/anthropic.js';
import { createOpenAIClient } from '../../../src/model/openai.js';
import { preflightCampaign, preflightModels } from '../../../src/model/preflight.js';
import { resolveModelClients } from '../../../src/model/registry.js';
import type { ModelClient } from '../../../src/model/types.js';
import { repositoryRoot } from '../../helpers/campaign-fixture.js';
import { type ModelServer, openAICompletion, type ReplyHandler, startModelServer } from '../../helpers/model-server.js';

const KEY = 'sk-test-clade-preflight-key';
const fixtureJson = (name: string): unknown =>
  JSON.parse(readFileSync(path.join(repositoryRoot, 'tests/fixtures/model', name), 'utf8'));

const servers: ModelServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serve(handler: ReplyHandler, models?: readonly string[] | false): Promise<ModelServer> {
  const server = await startModelServer(handler, models === undefined ? {} : { models });
  servers.push(server);
  return server;
}

const noChat: ReplyHandler = (request) => {
  throw new Error(`unexpected request ${request.method} ${request.path}`);
};

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function checkError(client: ModelClient): Promise<ConfigError> {
  const error = await (client.check as () => Promise<void>)().then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

function openai(server: ModelServer, model: string, provider?: string): ModelClient {
  return createOpenAIClient({
    model,
    apiKey: KEY,
    baseURL: `${server.origin}/v1`,
    keyVariable: 'OPENAI_API_KEY',
    baseURLSource: 'OPENAI_BASE_URL',
    ...(provider ? { provider } : {}),
  });
}

describe('malformed base URLs are refused when the models are resolved', () => {
  it.each([
    ['OPENAI_BASE_URL', 'openai:gpt-4.1-mini', { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: 'x' }],
    ['OPENAI_BASE_URL', 'openai-compatible:llama3', { OPENAI_BASE_URL: '127.0.0.1:11434/v1' }],
    [
      'ANTHROPIC_BASE_URL',
      'anthropic:claude-haiku-4-5',
      { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: 'ftp://models' },
    ],
  ])('%s of %s', (variable, model, environment) => {
    let error: unknown;
    try {
      resolveModelClients([{ model }], { environment });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(
      `the environment variable ${variable} is "${environment[variable as keyof typeof environment]}"`,
    );
    expect(message).toContain('http://127.0.0.1:11434/v1');
    expect((error as ConfigError).issues[0]?.path).toBe(variable);
  });

  it("an entry's baseURL and the agents' model's, by their fields", () => {
    expect(() =>
      resolveModelClients([{ model: 'openai-compatible:llama3', baseURL: 'localhost' }], { environment: {} }),
    ).toThrow(/mutation\.models\.0\.baseURL is "localhost", which is not a base URL.*http:\/\/127\.0\.0\.1:11434\/v1/);
    expect(() =>
      resolveModelClients([{ model: 'openai-compatible:llama3', baseURL: 'htp//x' }], {
        environment: {},
        field: () => 'agentModel.model',
      }),
    ).toThrow(/agentModel\.baseURL is "htp\/\/x"/);
  });

  it('accepts http and https addresses', () => {
    const ensemble = resolveModelClients(
      [{ model: 'openai-compatible:llama3', baseURL: 'http://127.0.0.1:11434/v1' }],
      {
        environment: {},
      },
    );
    expect(ensemble.members[0]?.client.model).toBe('llama3');
  });
});

describe('OpenAI check', () => {
  it('looks the model up (GET /v1/models/{id}) and passes a served one', async () => {
    const paths: string[] = [];
    const server = await serve((request) => {
      paths.push(`${request.method} ${request.path}`);
      return { kind: 'json', body: { id: 'gpt-4.1-mini', object: 'model', created: 1744318173, owned_by: 'system' } };
    }, false);
    await openai(server, 'gpt-4.1-mini').check?.();
    expect(paths).toEqual(['GET /v1/models/gpt-4.1-mini']);
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('a refused key names OPENAI_API_KEY and the address', async () => {
    const server = await serve(
      () => ({ kind: 'json', status: 401, body: fixtureJson('openai-error-401.json') }),
      false,
    );
    const error = await checkError(openai(server, 'gpt-4.1-mini'));
    expect(error.message).toContain(`OPENAI_API_KEY was refused by ${server.origin}/v1`);
    expect(error.message).not.toContain(KEY);
  });

  it('an unknown model names the models the server lists', async () => {
    const server = await serve(noChat);
    const error = await checkError(openai(server, 'gpt-4.1-mini-typo'));
    expect(error.message).toContain(`${server.origin}/v1 has no model gpt-4.1-mini-typo; it lists: `);
    expect(error.message).toContain('gpt-4.1-mini, ');
  });

  it('a dead address says nothing answers there and names OPENAI_BASE_URL, within a second', async () => {
    const port = await deadPort();
    const started = Date.now();
    const client = createOpenAIClient({
      model: 'gpt-4.1-mini',
      apiKey: KEY,
      baseURL: `http://127.0.0.1:${port}/v1`,
      baseURLSource: 'OPENAI_BASE_URL',
    });
    const error = await checkError(client);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.message).toContain(`nothing answers at http://127.0.0.1:${port}/v1`);
    expect(error.message).toContain('check OPENAI_BASE_URL');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('a server that never answers fails at the check deadline', async () => {
    const server = await serve(() => ({ kind: 'hang' }), false);
    const client = createOpenAIClient({
      model: 'gpt-4.1-mini',
      apiKey: KEY,
      baseURL: `${server.origin}/v1`,
      baseURLSource: 'mutation.models.0.baseURL',
      checkTimeoutMs: 300,
    });
    const started = Date.now();
    const error = await checkError(client);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error.message).toMatch(
      /nothing answers at .*\(timeout: .*check mutation\.models\.0\.baseURL in the campaign file/,
    );
  });
});

describe('OpenAI-compatible check (local servers)', () => {
  it('openai: at a server that lists models but does not look one up (vLLM) passes on the list', async () => {
    const server = await serve((request) => {
      if (request.path === '/v1/models') {
        return { kind: 'json', body: { object: 'list', data: [{ id: 'Qwen/Qwen2.5-Coder-7B', object: 'model' }] } };
      }
      return { kind: 'json', status: 404, body: { detail: 'Not Found' } };
    }, false);
    await openai(server, 'Qwen/Qwen2.5-Coder-7B').check?.();
    const error = await checkError(openai(server, 'Qwen/Qwen2.5-Coder-14B'));
    expect(error.message).toContain('has no model Qwen/Qwen2.5-Coder-14B; it lists: Qwen/Qwen2.5-Coder-7B.');
  });

  it('reads GET /v1/models and looks for the name; a missing one lists what the server has', async () => {
    const server = await serve(noChat, ['qwen2.5-coder:7b', 'llama3:latest']);
    await openai(server, 'qwen2.5-coder:7b', 'openai-compatible').check?.();
    const error = await checkError(openai(server, 'qwen2.5-coder:14b', 'openai-compatible'));
    expect(error.message).toContain(
      `${server.origin}/v1 has no model qwen2.5-coder:14b; it lists: llama3:latest, qwen2.5-coder:7b.`,
    );
  });

  it('without a /models route, one completion of one token', async () => {
    const server = await serve((request) => {
      if (request.method === 'GET') return { kind: 'json', status: 404, body: { detail: 'Not Found' } };
      return { kind: 'json', body: openAICompletion('p', { prompt: 8, completion: 1 }, 'llama3') };
    }, false);
    await openai(server, 'llama3', 'openai-compatible').check?.();
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /v1/models',
      'POST /v1/chat/completions',
    ]);
    expect(server.requests[1]?.body.max_tokens).toBe(1);
  });
});

describe('Anthropic check', () => {
  function anthropic(server: ModelServer, model: string): ModelClient {
    return createAnthropicClient({
      model,
      apiKey: KEY,
      baseURL: server.origin,
      keyVariable: 'ANTHROPIC_API_KEY',
      baseURLSource: 'ANTHROPIC_BASE_URL',
    });
  }

  it('looks the model up (an alias finds its dated model); an unknown one lists the models', async () => {
    const server = await serve(noChat);
    await anthropic(server, 'claude-sonnet-4-5').check?.();
    const error = await checkError(anthropic(server, 'claude-sonnet-typo'));
    expect(error.message).toContain(
      `${server.origin} has no model claude-sonnet-typo; it lists: claude-haiku-4-5-20251001`,
    );
  });

  it('a refused key names ANTHROPIC_API_KEY', async () => {
    const server = await serve(
      () => ({ kind: 'json', status: 401, body: fixtureJson('anthropic-error-401.json') }),
      false,
    );
    const error = await checkError(anthropic(server, 'claude-sonnet-4-5'));
    expect(error.message).toContain(`ANTHROPIC_API_KEY was refused by ${server.origin}`);
    // This SDK version sends an explicit apiKey as a bearer token (older ones used x-api-key).
    const sent = server.requests.map((request) => [request.headers.authorization, request.headers['x-api-key']]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContainEqual(expect.stringContaining(KEY));
  });
});

describe('preflightModels and preflightCampaign', () => {
  it('checks all models at once and reports every failure with its field', async () => {
    const good = await serve(noChat);
    const port = await deadPort();
    const dead = createOpenAIClient({ model: 'gpt-4.1-mini', apiKey: KEY, baseURL: `http://127.0.0.1:${port}/v1` });
    let error: unknown;
    try {
      await preflightModels([
        { client: openai(good, 'gpt-4.1-mini'), field: 'mutation.models.0' },
        { client: openai(good, 'gpt-nope'), field: 'mutation.models.1' },
        { client: dead, field: 'agentModel.model' },
      ]);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as Error).message.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^mutation\.models\.1: .*has no model gpt-nope/);
    expect(lines[1]).toMatch(/^agentModel\.model: .*nothing answers at/);
  });

  it('skips clients without a check, replay, injected clients and preflight: false', async () => {
    const port = await deadPort();
    const dead = createOpenAIClient({ model: 'gpt-4.1-mini', apiKey: KEY, baseURL: `http://127.0.0.1:${port}/v1` });
    const plain: ModelClient = { provider: 'openai', model: 'x', complete: () => Promise.reject(new Error('no')) };
    const prepared = { mutator: { ensemble: { members: [{ client: dead }, { client: plain }] } }, agentModel: null };
    await expect(preflightCampaign(prepared)).rejects.toThrow(/nothing answers/);
    await preflightCampaign(prepared, { preflight: false });
    await preflightCampaign(prepared, { replay: {} });
    await preflightCampaign(prepared, { models: { 'openai:gpt-4.1-mini': dead } });
    await preflightCampaign({ mutator: {}, agentModel: { client: plain, source: 'agentModel.model' } });
  });
});
