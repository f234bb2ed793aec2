/**
 * Docker-only checks of the Docker driver (the shared sandbox contract runs for it, fresh
 * container per run and warm pool, in tests/contracts/sandbox-kinds.test.ts). Skipped, with the reason printed, when no engine answers or the
 * sandbox image is missing; `.ci/run` starts an engine and builds the image, so they run in CI.
 */
import { describe, expect, it } from 'vitest';
import { CONTAINER_OWNER_LABEL, ownerLabel } from '../../../src/sandbox/docker-engine.js';
import { createDockerSandbox } from '../../../src/sandbox/docker-sandbox.js';
import { programRequest } from '../../contracts/sandbox.contract.js';
import { dockerForTests } from '../../helpers/docker.js';

const { docker, probe, image, skipReason } = await dockerForTests('docker-sandbox tests');

describe.skipIf(skipReason !== null)('docker sandbox: isolation', () => {
  const labelled = async (): Promise<string[]> =>
    (await docker.listContainers({ all: true, filters: { label: [`${CONTAINER_OWNER_LABEL}=${ownerLabel()}`] } })).map(
      (container) => container.Id,
    );

  it('records the image digest as the environment and leaves no container behind', async () => {
    const sandbox = await createDockerSandbox({ docker });
    const result = await sandbox.run(
      programRequest('import { writeFileSync } from "node:fs"; writeFileSync("result.json", "1");'),
    );
    await sandbox.close();
    expect(result.result).toBe(1);
    expect(result.environment).toContain(image?.digest ?? 'missing');
    expect(result.environment).toMatch(/sha256:[0-9a-f]{64}/);
    expect(await labelled()).toEqual([]);
  });

  it('runs as an unprivileged user without capabilities, network or a writable root, with read-only request files', async () => {
    const sandbox = await createDockerSandbox({ docker });
    const source = `
      import { readFileSync, writeFileSync, unlinkSync, appendFileSync } from 'node:fs';
      import { networkInterfaces } from 'node:os';
      const attempt = (action) => { try { action(); return 'allowed'; } catch (error) { return error.code; } };
      const status = readFileSync('/proc/self/status', 'utf8');
      writeFileSync('result.json', JSON.stringify({
        uid: process.getuid(),
        capabilities: status.split('\\n').find((line) => line.startsWith('CapEff:')).split(':')[1].trim(),
        noNewPrivileges: status.split('\\n').find((line) => line.startsWith('NoNewPrivs:')).split(':')[1].trim(),
        interfaces: Object.keys(networkInterfaces()),
        writeRoot: attempt(() => writeFileSync('/etc/clade-escape', 'x')),
        writeUsr: attempt(() => writeFileSync('/usr/local/bin/clade-escape', 'x')),
        changeCode: attempt(() => appendFileSync('lib.mjs', 'x')),
        deleteCode: attempt(() => unlinkSync('lib.mjs')),
        deleteInput: attempt(() => unlinkSync('input.json')),
        writeTmp: attempt(() => writeFileSync('/tmp/scratch', 'x')),
      }));
    `;
    try {
      const result = await sandbox.run(
        programRequest(source, {
          files: { 'main.mjs': source, 'lib.mjs': 'export {};', 'input.json': '{}' },
          consumedFiles: ['input.json'],
        }),
      );
      expect(result.resultError).toBeNull();
      expect(result.result).toEqual({
        uid: 10001,
        capabilities: '0000000000000000',
        noNewPrivileges: '1',
        interfaces: ['lo'],
        writeRoot: 'EROFS',
        writeUsr: 'EROFS',
        changeCode: 'EACCES',
        deleteCode: 'EPERM',
        deleteInput: 'allowed',
        writeTmp: 'allowed',
      });
    } finally {
      await sandbox.close();
    }
  });

  it('empties /tmp of a warm container before a program that is not node, too', async () => {
    const sandbox = await createDockerSandbox({ docker, pool: 1 });
    const identify = programRequest('', {
      files: {
        'identify.sh':
          '#!/bin/sh\nif [ -e /tmp/leftover ]; then left=true; else left=false; fi\necho x > /tmp/leftover\nprintf \'{"host":"%s","leftover":%s}\' "$(cat /etc/hostname)" "$left" > result.json\n',
      },
      executableFiles: ['identify.sh'],
      command: ['./identify.sh'],
    });
    try {
      const first = await sandbox.run(identify);
      expect(first.resultError, first.stderr).toBeNull();
      const second = await sandbox.run(identify);
      expect(second.result).toEqual({ host: (first.result as { host: string }).host, leftover: false });
    } finally {
      await sandbox.close();
    }
    expect(await labelled()).toEqual([]);
  });

  it('reuses a warm container, empties /tmp between runs, and discards one that left a process behind', async () => {
    const sandbox = await createDockerSandbox({ docker, pool: 1 });
    const identify = `
      import { existsSync, writeFileSync } from 'node:fs';
      import { hostname } from 'node:os';
      const leftover = existsSync('/tmp/leftover');
      writeFileSync('/tmp/leftover', 'x');
      writeFileSync('result.json', JSON.stringify({ host: hostname(), leftover }));
    `;
    try {
      const first = await sandbox.run(programRequest(identify));
      const second = await sandbox.run(programRequest(identify));
      expect(second.result).toEqual({ host: (first.result as { host: string }).host, leftover: false });
      const spawner = await sandbox.run(
        programRequest(`
          import { spawn } from 'node:child_process';
          import { writeFileSync } from 'node:fs';
          import { hostname } from 'node:os';
          spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' }).unref();
          writeFileSync('result.json', JSON.stringify({ host: hostname() }));
        `),
      );
      expect(spawner.result).toEqual({ host: (first.result as { host: string }).host });
      const after = await sandbox.run(programRequest(identify));
      expect((after.result as { host: string }).host).not.toBe((first.result as { host: string }).host);
    } finally {
      await sandbox.close();
    }
    expect(await labelled()).toEqual([]);
  });

  it.skipIf(probe.reachable && probe.runtimes.includes('nvidia'))(
    'refuses GPUs clearly, without hanging, when the engine cannot pass them',
    async () => {
      const started = Date.now();
      const creation = createDockerSandbox({ docker, gpus: 1 });
      await expect(creation).rejects.toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
      await expect(creation).rejects.toThrow(/sandbox\.gpus is 1.*NVIDIA Container Toolkit/s);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(await labelled()).toEqual([]);
    },
  );
});
