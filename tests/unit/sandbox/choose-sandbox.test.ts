/**
 * The sandbox policy of `chooseSandbox`: `auto` takes Docker when it is usable; without it, the
 * process sandbox with a warning — isolated by bubblewrap where that works; where it does not, only
 * code that is not model-written, or with `allowUnisolated` (`--unsafe-process-sandbox`) — and
 * `docker` fails saying what to do. Whether bubblewrap works is injected (`probeIsolation`). Kinds come
 * from `sandboxKinds`: an unknown one is a configuration error, `queue` cannot be named, and a kind
 * registered from outside clade is used as asked. An unreachable engine is a dockerode client
 * pointed at a socket that does not exist.
 */
import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { SANDBOX_KINDS } from '../../../src/config/sandbox-kinds.js';
import { ConfigError } from '../../../src/core/errors.js';
import { chooseSandbox, queueExecutorSandbox, sandboxKindOfEnvironment } from '../../../src/sandbox/choose-sandbox.js';
import { connectDocker, inspectSandboxImage, probeEngine } from '../../../src/sandbox/docker-engine.js';
import type { IsolationProbe } from '../../../src/sandbox/isolation.js';
import { createProcessSandbox } from '../../../src/sandbox/process-sandbox.js';
import { type SandboxKind, sandboxKinds, selectableSandboxKinds } from '../../../src/sandbox/registry.js';

const unreachable = new Docker({ socketPath: '/nonexistent/clade-test-docker.sock' });

/** A machine without bubblewrap, and one where it works (the process driver is not run here). */
const noBubblewrap = async (): Promise<IsolationProbe> => ({
  available: false,
  reason: 'bwrap is not on PATH (install bubblewrap)',
});
const withBubblewrap = async (): Promise<IsolationProbe> => ({
  available: true,
  path: '/usr/bin/bwrap',
  version: 'bubblewrap 0.8.0',
});
const parametric = { runsModelCode: false, codeSource: 'mutation.operator parametric', probeIsolation: noBubblewrap };
const modelCode = (operator: string) => ({
  runsModelCode: true,
  codeSource: `mutation.operator ${operator}`,
  probeIsolation: noBubblewrap,
});

describe('chooseSandbox without a Docker engine', () => {
  it('falls back to the process sandbox with a warning for code that is not model-written', async () => {
    const warnings: string[] = [];
    const notes: string[] = [];
    const sandbox = await chooseSandbox(
      { kind: 'auto' },
      {
        ...parametric,
        docker: unreachable,
        warn: (message) => warnings.push(message),
        info: (message) => notes.push(message),
      },
    );
    await sandbox.close();
    expect(sandbox.kind).toBe('process');
    expect(warnings.join('\n')).toMatch(
      /Docker sandbox not used: no Docker engine answers.*mutation\.operator parametric's children in the process sandbox/s,
    );
    expect(warnings.join('\n')).toContain('UNISOLATED process sandbox: bwrap is not on PATH');
    expect(notes).toEqual([
      expect.stringMatching(/^sandbox: process \(NOT isolated: bwrap is not on PATH.*\) \(fallback from auto\)$/),
    ]);
  });

  it('falls back to the process sandbox isolated by bubblewrap for model-written code, saying so', async () => {
    const notes: string[] = [];
    const sandbox = await chooseSandbox(
      { kind: 'auto' },
      {
        ...modelCode('llm-diff'),
        probeIsolation: withBubblewrap,
        docker: unreachable,
        info: (line) => notes.push(line),
      },
    );
    await sandbox.close();
    expect(sandbox.kind).toBe('process');
    expect(notes).toEqual([
      expect.stringMatching(
        /^sandbox: process \(isolated by bubblewrap 0\.8\.0: own user, mount, pid, ipc, uts, net namespaces.*\) \(fallback from auto\)$/,
      ),
    ]);
  });

  it.each([['llm-diff'], ['self-modify']])(
    'refuses model-written code (%s) under auto without Docker or bubblewrap, naming --unsafe-process-sandbox',
    async (operator) => {
      const choice = chooseSandbox({ kind: 'auto' }, { ...modelCode(operator), docker: unreachable });
      await expect(choice).rejects.toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
      await expect(choice).rejects.toThrow(
        new RegExp(
          `mutation\\.operator ${operator} runs model-written code.*bwrap is not on PATH.*--unsafe-process-sandbox`,
          's',
        ),
      );
    },
  );

  it('refuses model-written code in a process sandbox named explicitly that cannot isolate', async () => {
    const choice = chooseSandbox({ kind: 'process' }, { ...modelCode('llm-rewrite'), docker: unreachable });
    await expect(choice).rejects.toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
    await expect(choice).rejects.toThrow(/cannot isolate it on this machine.*--unsafe-process-sandbox/s);
  });

  it('runs model-written code in the process sandbox named explicitly when it isolates, or when allowed unisolated', async () => {
    const notes: string[] = [];
    const isolated = await chooseSandbox(
      { kind: 'process' },
      { ...modelCode('llm-rewrite'), probeIsolation: withBubblewrap, info: (message) => notes.push(message) },
    );
    await isolated.close();
    expect(isolated.kind).toBe('process');
    expect(notes[0]).toMatch(/^sandbox: process \(isolated by bubblewrap 0\.8\.0/);
    const warnings: string[] = [];
    const unsafe = await chooseSandbox(
      { kind: 'process', allowUnisolated: true },
      {
        ...modelCode('llm-rewrite'),
        warn: (message) => warnings.push(message),
        info: (message) => notes.push(message),
      },
    );
    await unsafe.close();
    expect(notes[1]).toMatch(/^sandbox: process \(NOT isolated: bwrap is not on PATH/);
    expect(warnings.join('\n')).toContain('UNISOLATED process sandbox');
  });

  it('fails an explicit docker choice with what to do', async () => {
    const choice = chooseSandbox({ kind: 'docker' }, { ...parametric, docker: unreachable });
    await expect(choice).rejects.toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
    await expect(choice).rejects.toThrow(/No Docker engine answers.*--sandbox process/s);
  });

  it('refuses an unknown kind as a configuration error naming the kinds there are', async () => {
    const choice = chooseSandbox({ kind: 'vm' }, { ...parametric, docker: unreachable });
    await expect(choice).rejects.toBeInstanceOf(ConfigError);
    await expect(choice).rejects.toThrow(/sandbox\.kind: unknown sandbox kind "vm"; use one of process, docker, queue/);
  });

  it('refuses sandbox.kind: queue (the executor chooses it)', async () => {
    const choice = chooseSandbox({ kind: 'queue' }, { ...parametric, docker: unreachable });
    await expect(choice).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(choice).rejects.toThrow(/cannot be named here.*use auto, process or docker/s);
  });

  it('uses a kind registered from outside clade when the section names it', async () => {
    const made: string[] = [];
    const outsider: SandboxKind = {
      kind: 'policy-outsider',
      summary: 'a driver a library user registers',
      isolated: true,
      selectable: true,
      async create(settings) {
        made.push(JSON.stringify(settings));
        return createProcessSandbox();
      },
    };
    sandboxKinds.register(outsider);
    try {
      expect(selectableSandboxKinds()).toEqual(['auto', 'process', 'docker', 'policy-outsider']);
      const sandbox = await chooseSandbox({ kind: 'policy-outsider', pool: 3 }, { ...modelCode('llm-diff') });
      await sandbox.close();
      expect(made).toEqual(['{"kind":"policy-outsider","pool":3}']);
    } finally {
      sandboxKinds.unregister('policy-outsider');
    }
    expect(selectableSandboxKinds()).toEqual(['auto', 'process', 'docker']);
  });

  it('makes the queue sandbox of a bullmq executor through the registry', async () => {
    const sandbox = await queueExecutorSandbox(
      {
        redis: 'redis://127.0.0.1:1',
        queue: 'policy-test',
        attempts: 1,
        backoffSeconds: 1,
        keepResultsSeconds: 60,
        pollSeconds: 1,
      },
      'campaign-1',
      () => {},
    );
    expect(sandbox.kind).toBe('queue');
    await sandbox.close();
  });
});

const docker = connectDocker();
const probe = await probeEngine(docker);
const usable = probe.reachable && (await inspectSandboxImage(docker)) !== null;
if (!usable) process.stderr.write('chooseSandbox with Docker: skipped (no engine or no sandbox image)\n');

describe.skipIf(!usable)('chooseSandbox with a Docker engine and the image', () => {
  it.each([[parametric], [modelCode('llm-diff')]])('picks Docker under auto (%o)', async (what) => {
    const warnings: string[] = [];
    const notes: string[] = [];
    const sandbox = await chooseSandbox(
      { kind: 'auto', pool: 0 },
      { ...what, docker, warn: (message) => warnings.push(message), info: (message) => notes.push(message) },
    );
    await sandbox.close();
    expect(sandbox.kind).toBe('docker');
    expect(warnings).toEqual([]);
    expect(notes[0]).toMatch(/^sandbox: docker \(.*fresh container per evaluation\)/);
  });

  it('refuses model-written code under auto when sandbox.image names an image the engine lacks', async () => {
    const choice = chooseSandbox(
      { kind: 'auto', image: 'clade-test-missing-image:none' },
      { ...modelCode('llm-diff'), docker },
    );
    await expect(choice).rejects.toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
    await expect(choice).rejects.toThrow(/no image clade-test-missing-image:none \(sandbox\.image\)/);
  });
});

describe('sandbox kinds as the CLI and replay see them', () => {
  it("offers the registry's selectable kinds as --sandbox choices", () => {
    expect([...SANDBOX_KINDS]).toEqual(selectableSandboxKinds());
  });

  it('tells where a stored evaluation ran from its environment', () => {
    expect(sandboxKindOfEnvironment('docker clade-sandbox:harness-1@sha256:abc node v20.1.0 python 3.11.7')).toBe(
      'docker',
    );
    expect(sandboxKindOfEnvironment('node v20.11.1')).toBe('process');
    expect(sandboxKindOfEnvironment('python3 → /usr/bin/python3 (Python 3.11.2)')).toBe('process');
    expect(sandboxKindOfEnvironment('queue (worker-1)')).toBe('queue');
    expect(sandboxKindOfEnvironment(null)).toBeNull();
  });
});
