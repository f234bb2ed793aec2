import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPriceTable } from '../../../src/model/prices.js';
import type { ModelClient, ModelRequest } from '../../../src/model/types.js';
import { createModelProxy } from '../../../src/model-proxy/model-proxy.js';
import { MODEL_SOCKET_ENV } from '../../../src/model-proxy/types.js';
import { createProcessSandbox } from '../../../src/sandbox/process-sandbox.js';
import { createQueueSandbox } from '../../../src/sandbox/queue-sandbox.js';
import type { SandboxLimits, SandboxRequest } from '../../../src/sandbox/types.js';

const LIMITS: SandboxLimits = {
  timeoutMs: 20_000,
  memoryMb: 256,
  outputBytes: 64 * 1024,
  cpus: 1,
  pids: 64,
  resultBytes: 1024 * 1024,
};

/** What an agent does: read the socket from the environment, call the proxy with node:http, write what it saw. */
const AGENT_PROGRAM = `
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
const socketPath = process.env.${MODEL_SOCKET_ENV} ?? '';
const call = (body) => new Promise((resolve, reject) => {
  const outgoing = request({ socketPath, path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' } }, (incoming) => {
    let text = '';
    incoming.setEncoding('utf8');
    incoming.on('data', (chunk) => { text += chunk; });
    incoming.on('end', () => resolve({ status: incoming.statusCode, body: JSON.parse(text) }));
  });
  outgoing.on('error', reject);
  outgoing.end(JSON.stringify(body));
});
const first = await call({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What is 2 + 2?' }] });
const second = await call({ messages: [{ role: 'user', content: 'And again?' }] });
writeFileSync('result.json', JSON.stringify({ environment: process.env, first, second }));
`;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A client that answers from the request, so the test sees what reached the model. */
function echoClient(seen: ModelRequest[]): ModelClient {
  return {
    provider: 'openai-compatible',
    model: 'echo-1',
    async complete(request) {
      seen.push(request);
      return {
        text: `echo: ${request.messages.at(-1)?.content ?? ''}`,
        tokensIn: 10,
        tokensOut: 5,
        finishReason: 'stop',
        raw: {},
      };
    },
  };
}

function request(modelSocket: string | undefined): SandboxRequest {
  return {
    files: { 'agent.mjs': AGENT_PROGRAM },
    command: ['node', 'agent.mjs'],
    resultFile: 'result.json',
    limits: LIMITS,
    ...(modelSocket !== undefined ? { modelSocket } : {}),
  };
}

describe('sandbox plumbing of the model socket', () => {
  it('process driver: the program finds the socket in CLADE_MODEL_SOCKET and calls the model through it; budget holds', async () => {
    const seen: ModelRequest[] = [];
    const proxy = createModelProxy({ client: echoClient(seen), prices: createPriceTable() });
    cleanups.push(() => proxy.close());
    const session = await proxy.openSession({ nodeId: 5, purpose: 'evaluation', budget: { calls: 1 } });
    const sandbox = createProcessSandbox();
    const result = await sandbox.run(request(session.socketPath));
    expect(result.stderr).toBe('');
    expect(result.exit).toBe('exited');
    const output = result.result as {
      environment: Record<string, string>;
      first: { status: number; body: { choices: Array<{ message: { content: string } }> } };
      second: { status: number; body: { error: { type: string } } };
    };
    expect(output.environment[MODEL_SOCKET_ENV]).toBe(session.socketPath);
    expect(Object.keys(output.environment).sort()).toEqual(['CLADE_MODEL_SOCKET', 'HOME', 'LANG', 'PATH', 'TMPDIR']);
    expect(output.first.status).toBe(200);
    expect(output.first.body.choices[0]?.message.content).toBe('echo: What is 2 + 2?');
    expect(output.second.status).toBe(429);
    expect(output.second.body.error.type).toBe('budget_exceeded');
    expect(seen).toEqual([
      { system: 'Be brief.', messages: [{ role: 'user', content: 'What is 2 + 2?' }], maxTokens: 4096 },
    ]);
    expect(session.usage()).toMatchObject({ calls: 1, tokensIn: 10, tokensOut: 5, refused: 1 });
  });

  it('process driver: without a model socket the program sees no CLADE_MODEL_SOCKET', async () => {
    const sandbox = createProcessSandbox();
    const result = await sandbox.run({
      files: {
        'agent.mjs':
          "import { writeFileSync } from 'node:fs'; writeFileSync('result.json', JSON.stringify(process.env));",
      },
      command: ['node', 'agent.mjs'],
      resultFile: 'result.json',
      limits: LIMITS,
    });
    expect(Object.keys(result.result as object)).not.toContain(MODEL_SOCKET_ENV);
  });

  it('refuses a model socket that is missing, relative or not a socket, before anything runs', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'clade-socket-test-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const sandbox = createProcessSandbox();
    await expect(sandbox.run(request(path.join(directory, 'gone.sock')))).rejects.toThrow(
      /cannot be used: .*ENOENT.*Open the proxy session/,
    );
    await expect(sandbox.run(request('relative.sock'))).rejects.toThrow(/must be the absolute host path/);
    await expect(sandbox.run(request(directory))).rejects.toThrow(/is not a Unix socket/);
  });

  it('queue sandbox: refuses a request with a model socket, saying why and what to do', async () => {
    const sandbox = createQueueSandbox({ redis: 'redis://127.0.0.1:1', queue: 'model-socket-test', warn: () => {} });
    cleanups.push(() => sandbox.close());
    await expect(sandbox.run(request('/tmp/whatever.sock'))).rejects.toThrow(
      /queue executor .*cannot reach this host's socket.*executor: \{ kind: local \}/,
    );
  });
});
