/**
 * The model proxy inside the Docker sandbox: a program in a container (no network, uid 10001)
 * finds the proxy's socket at `/run/clade/model.sock` through `CLADE_MODEL_SOCKET`, calls a model
 * through it (the proxy forwards to a local OpenAI-compatible server over TCP, adding the key),
 * cannot reach any address (the host's loopback, the Docker bridge gateway, a public address, DNS),
 * and finds no key in its environment or on any file it can read. Fresh containers and the warm
 * pool (which gives socket runs a fresh container). Skipped, with the reason printed, without a
 * Docker engine and the sandbox image; required with CLADE_REQUIRE_DOCKER=1.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIClient } from '../../src/model/openai.js';
import { createPriceTable } from '../../src/model/prices.js';
import type { ModelCallRecordInput } from '../../src/model/types.js';
import { createModelProxy } from '../../src/model-proxy/model-proxy.js';
import { MODEL_SOCKET_ENV, type ModelProxy, SANDBOX_MODEL_SOCKET } from '../../src/model-proxy/types.js';
import { CONTAINER_OWNER_LABEL, connectDocker, ownerLabel } from '../../src/sandbox/docker-engine.js';
import { createDockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import type { SandboxLimits } from '../../src/sandbox/types.js';
import { dockerForTests } from '../helpers/docker.js';
import { type ModelServer, openAICompletion, startModelServer } from '../helpers/model-server.js';

const { docker, image, skipReason } = await dockerForTests('model proxy Docker suite');

/** The key the campaign process holds (planted in its environment too). */
const PLANTED_KEY = 'sk-clade-proxy-PLANTED-9f8e7d6c5b4a39281706';

const LIMITS: SandboxLimits = {
  timeoutMs: 60_000,
  memoryMb: 512,
  outputBytes: 256 * 1024,
  cpus: 1,
  pids: 64,
  resultBytes: 4 * 1024 * 1024,
};

/**
 * The agent: calls the model through the socket, probes the network, and lists every string that
 * looks like a key in its environment and in the files it can read (the test checks none is the key).
 */
const PROGRAM = `
import { request } from 'node:http';
import net from 'node:net';
import dns from 'node:dns/promises';
import { networkInterfaces } from 'node:os';
import { readdirSync, readFileSync, lstatSync, writeFileSync } from 'node:fs';
const [port, gateway] = process.argv.slice(2);
const socketPath = process.env.${MODEL_SOCKET_ENV} ?? '';
const call = (body) => new Promise((resolve) => {
  const outgoing = request({ socketPath, path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' } }, (incoming) => {
    let text = '';
    incoming.setEncoding('utf8');
    incoming.on('data', (chunk) => { text += chunk; });
    incoming.on('end', () => resolve({ status: incoming.statusCode, body: JSON.parse(text) }));
  });
  outgoing.on('error', (error) => resolve({ status: 0, error: error.code }));
  outgoing.end(JSON.stringify(body));
});
const answer = await call({ messages: [{ role: 'user', content: 'Say hi.' }], max_tokens: 64 });
const connect = (host) => new Promise((resolve) => {
  const socket = net.connect({ host, port: Number(port) });
  const timer = setTimeout(() => { socket.destroy(); resolve('no answer'); }, 3000);
  socket.once('connect', () => { clearTimeout(timer); socket.destroy(); resolve('connected'); });
  socket.once('error', (error) => { clearTimeout(timer); resolve(error.code); });
});
const network = {};
for (const host of ['127.0.0.1', gateway, '1.1.1.1']) network[host] = await connect(host);
network.dns = await dns.lookup('example.com').then(() => 'resolved', (error) => error.code);
const pattern = /sk-[A-Za-z0-9_-]{16,}/g;
const suspects = new Set();
const scan = (text, where) => { for (const match of text.matchAll(pattern)) suspects.add(where + ': ' + match[0]); };
scan(JSON.stringify(process.env), 'env');
let scanned = 0;
const walk = (directory) => {
  let names;
  try { names = readdirSync(directory); } catch { return; }
  for (const name of names) {
    const path = directory === '/' ? '/' + name : directory + '/' + name;
    if (['/proc', '/sys', '/dev'].includes(path)) continue;
    let info;
    try { info = lstatSync(path); } catch { continue; }
    if (info.isDirectory()) walk(path);
    else if (info.isFile() && info.size < 4 * 1024 * 1024) {
      try { scan(readFileSync(path, 'latin1'), path); scanned++; } catch {}
    }
  }
};
walk('/');
for (const path of ['/proc/self/environ', '/proc/1/environ', '/proc/self/cmdline', '/proc/1/cmdline']) {
  try { scan(readFileSync(path, 'latin1'), path); } catch {}
}
const socketInfo = lstatSync(socketPath);
writeFileSync('result.json', JSON.stringify({
  socketPath, answer, network, interfaces: Object.keys(networkInterfaces()), suspects: [...suspects], scanned,
  uid: process.getuid(), socketIsSocket: socketInfo.isSocket(),
}));
`;

interface ProgramOutput {
  socketPath: string;
  answer: { status: number; body: { choices?: Array<{ message: { content: string } }>; error?: unknown } };
  network: Record<string, string>;
  interfaces: string[];
  suspects: string[];
  scanned: number;
  uid: number;
  socketIsSocket: boolean;
}

describe.skipIf(skipReason !== null)('model proxy in the Docker sandbox', () => {
  let upstream: ModelServer;
  let bystander: Server;
  let bystanderConnections = 0;
  let bystanderPort = 0;
  let gateway = '172.17.0.1';
  let proxy: ModelProxy;
  const recorded: ModelCallRecordInput[] = [];
  const created: Docker.ContainerCreateOptions[] = [];
  const previousKey = process.env.OPENAI_API_KEY;

  /** The engine, with every container's creation options kept for inspection. */
  const watchedDocker = (): Docker => {
    const engine = connectDocker();
    const createContainer = engine.createContainer.bind(engine);
    engine.createContainer = ((options: Docker.ContainerCreateOptions) => {
      created.push(options);
      return createContainer(options);
    }) as typeof engine.createContainer;
    return engine;
  };

  beforeAll(async () => {
    process.env.OPENAI_API_KEY = PLANTED_KEY;
    upstream = await startModelServer(() => ({
      kind: 'json',
      body: openAICompletion('hi from the model', { prompt: 20, completion: 4 }),
    }));
    bystander = createServer((socket) => {
      bystanderConnections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => bystander.listen(0, '0.0.0.0', resolve));
    bystanderPort = (bystander.address() as { port: number }).port;
    try {
      gateway =
        execFileSync('docker', ['network', 'inspect', 'bridge', '--format', '{{(index .IPAM.Config 0).Gateway}}'], {
          encoding: 'utf8',
        }).trim() || gateway;
    } catch {
      // Keep Docker's default bridge gateway.
    }
    proxy = createModelProxy({
      client: createOpenAIClient({ model: 'gpt-4.1-mini', apiKey: PLANTED_KEY, baseURL: `${upstream.origin}/v1` }),
      prices: createPriceTable(),
      recorder: { record: (call) => recorded.push(call) },
      secrets: [PLANTED_KEY],
    });
  });

  afterAll(async () => {
    if (previousKey === undefined) delete process.env.OPENAI_API_KEY;
    else process.env.OPENAI_API_KEY = previousKey;
    await proxy?.close();
    await upstream?.close();
    await new Promise<void>((resolve) => (bystander ? bystander.close(() => resolve()) : resolve()));
  });

  for (const pool of [0, 1]) {
    it(`a program in the container calls the model only through the socket, with no network and no key (pool ${pool})`, async () => {
      const before = upstream.requests.length;
      const session = await proxy.openSession({ nodeId: 11 + pool, purpose: 'evaluation', budget: { calls: 3 } });
      const sandbox = await createDockerSandbox({ docker: watchedDocker(), pool });
      try {
        const result = await sandbox.run({
          // A decoy shaped like a key proves the scan finds such strings.
          files: { 'agent.mjs': PROGRAM, 'decoy.txt': 'token sk-decoy-0123456789abcdefXYZ' },
          command: ['node', 'agent.mjs', String(bystanderPort), gateway],
          resultFile: 'result.json',
          limits: LIMITS,
          modelSocket: session.socketPath,
        });
        expect(result.resultError, result.stderr).toBeNull();
        const output = result.result as ProgramOutput;
        expect(output.socketPath).toBe(SANDBOX_MODEL_SOCKET);
        expect(output.socketIsSocket).toBe(true);
        expect(output.uid).toBe(10001);
        expect(output.answer.status).toBe(200);
        expect(output.answer.body.choices?.[0]?.message.content).toBe('hi from the model');
        // No way out but the socket.
        expect(output.interfaces).toEqual(['lo']);
        expect(output.network['127.0.0.1']).toBe('ECONNREFUSED');
        expect(output.network[gateway]).toMatch(/ENETUNREACH|EHOSTUNREACH|no answer/);
        expect(output.network['1.1.1.1']).toMatch(/ENETUNREACH|EHOSTUNREACH|no answer/);
        expect(output.network.dns).not.toBe('resolved');
        expect(bystanderConnections).toBe(0);
        // No key in the environment or in any readable file.
        expect(output.scanned).toBeGreaterThan(5); // the offline image holds few files; the work directory is among them
        expect(output.suspects.some((suspect) => suspect.endsWith('decoy.txt: sk-decoy-0123456789abcdefXYZ'))).toBe(
          true,
        );
        expect(output.suspects.filter((suspect) => suspect.includes(PLANTED_KEY))).toEqual([]);
        expect(JSON.stringify(result)).not.toContain(PLANTED_KEY);
        // The call reached the model once, with the key added on the host side, and was recorded.
        expect(upstream.requests.length - before).toBe(1);
        expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${PLANTED_KEY}`);
        expect(recorded.at(-1)).toMatchObject({ nodeId: 11 + pool, tokensIn: 20, tokensOut: 4 });
        expect(session.usage()).toMatchObject({ calls: 1, refused: 0 });
        // The container: no network, the socket mounted, its path in the environment, no key.
        const options = created.at(-1);
        expect(options?.HostConfig?.NetworkMode).toBe('none');
        expect(options?.NetworkDisabled).toBe(true);
        expect(options?.HostConfig?.Mounts).toEqual([
          { Type: 'bind', Source: session.socketPath, Target: SANDBOX_MODEL_SOCKET, ReadOnly: true },
        ]);
        expect(options?.Env).toContain(`${MODEL_SOCKET_ENV}=${SANDBOX_MODEL_SOCKET}`);
        expect(JSON.stringify(options)).not.toContain(PLANTED_KEY);
      } finally {
        await sandbox.close();
        await session.close();
      }
      const left = await docker.listContainers({
        all: true,
        filters: { label: [`${CONTAINER_OWNER_LABEL}=${ownerLabel()}`] },
      });
      expect(left).toEqual([]);
    });
  }
});

describe.skipIf(skipReason !== null)('the sandbox image gives agents a shell', () => {
  it('runs shell commands (sh -c with pipes, grep, sed, diff, find) in the work directory, as a coding agent does', async () => {
    expect(
      image?.shell,
      'the image has no shell: install busybox-static and run `clade sandbox build --offline`',
    ).toMatch(/^(busybox-[0-9.]+|dash)$/);
    const sandbox = await createDockerSandbox({ docker });
    try {
      const result = await sandbox.run({
        files: {
          'agent.mjs': `
            import { execFileSync } from 'node:child_process';
            import { writeFileSync } from 'node:fs';
            const sh = (command) => { try { return execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }); } catch (error) { return 'exit ' + error.status + ': ' + error.stdout + error.stderr; } };
            writeFileSync('result.json', JSON.stringify({
              pipe: sh("printf 'b\\na\\nb\\n' | sort | uniq -c | sed 's/ *//' | tr '\\n' ' '"),
              files: sh('mkdir -p work/src && echo "export const x = 1;" > work/src/a.mjs && find work -type f && grep -rn "x =" work | wc -l'),
              diff: sh('printf "a\\nb\\n" > one && printf "a\\nc\\n" > two && diff -u one two'),
              node: sh('node -e "console.log(6 * 7)"'),
              environment: sh('env | sort'),
            }));
          `,
        },
        command: ['node', 'agent.mjs'],
        resultFile: 'result.json',
        limits: LIMITS,
      });
      expect(result.resultError, result.stderr).toBeNull();
      const output = result.result as Record<string, string>;
      expect(output.pipe).toBe('1 a 2 b ');
      expect(output.files).toBe('work/src/a.mjs\n1\n');
      expect(output.diff).toMatch(/^exit 1: --- one[\s\S]*-b\n\+c\n$/);
      expect(output.node).toBe('42\n');
      expect(output.environment).not.toContain(PLANTED_KEY);
    } finally {
      await sandbox.close();
    }
  });
});
