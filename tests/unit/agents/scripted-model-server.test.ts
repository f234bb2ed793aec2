import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAIClient } from '../../../src/model/openai.js';
import { type ScriptedModelServer, startScriptedModelServer } from '../../helpers/scripted-model-server.js';

const KEY = 'sk-test-scripted-server-0a1b2c3d';
const servers: ScriptedModelServer[] = [];
const directories: string[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

function postOverSocket(socketPath: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const outgoing = httpRequest(
      { socketPath, path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(text);
  });
}

describe('scripted model server', () => {
  it('answers the openai SDK in order, plain and streamed, and records the key the client sent', async () => {
    const server = await startScriptedModelServer({
      script: ['first answer', { text: 'second, cut', finishReason: 'length' }],
    });
    servers.push(server);
    const client = createOpenAIClient({
      apiKey: KEY,
      baseURL: server.baseURL,
      model: 'gpt-test',
      provider: 'openai-compatible',
    });
    const first = await client.complete({
      system: 'be brief',
      messages: [{ role: 'user', content: 'hello there' }],
      maxTokens: 100,
    });
    expect(first.text).toBe('first answer');
    expect(first.finishReason).toBe('stop');
    expect(first.tokensIn).toBeGreaterThan(0);
    expect(first.tokensOut).toBe(Math.ceil('first answer'.length / 4));
    const second = await client.complete({
      messages: [{ role: 'user', content: 'again' }],
      maxTokens: 100,
      stream: true,
    });
    expect(second.text).toBe('second, cut');
    expect(second.finishReason).toBe('length');
    expect(second.tokensOut).toBe(Math.ceil('second, cut'.length / 4));
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(server.requests[0]?.messages).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hello there' },
    ]);
    expect(server.requests[1]?.body.stream).toBe(true);
  });

  it('serves a Unix socket, passes scripted errors through, and says when the script is exhausted', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'clade-scripted-'));
    directories.push(directory);
    const socketPath = path.join(directory, 'model.sock');
    const server = await startScriptedModelServer({
      socketPath,
      script: (request, index) =>
        index === 0
          ? `you said ${request.messages.at(-1)?.content}`
          : { status: 429, body: { error: { type: 'budget_exceeded', message: 'over budget' } } },
    });
    servers.push(server);
    const ok = await postOverSocket(socketPath, { messages: [{ role: 'user', content: 'ping' }] });
    expect(ok.status).toBe(200);
    expect((ok.body.choices as Array<{ message: { content: string } }>)[0]?.message.content).toBe('you said ping');
    expect((ok.body.usage as { total_tokens: number }).total_tokens).toBeGreaterThan(0);
    const refused = await postOverSocket(socketPath, { messages: [{ role: 'user', content: 'again' }] });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: { type: 'budget_exceeded', message: 'over budget' } });

    const short = await startScriptedModelServer({ script: ['only one'] });
    servers.push(short);
    const client = createOpenAIClient({
      apiKey: KEY,
      baseURL: short.baseURL,
      model: 'm',
      provider: 'openai-compatible',
    });
    await client.complete({ messages: [{ role: 'user', content: 'a' }], maxTokens: 10 });
    await expect(client.complete({ messages: [{ role: 'user', content: 'b' }], maxTokens: 10 })).rejects.toThrow(
      /1 answer\(s\); request #2 has none/,
    );
  });
});
