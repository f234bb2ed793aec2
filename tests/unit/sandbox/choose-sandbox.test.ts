/**
 * The sandbox policy of `chooseSandbox`: `auto` takes Docker when it is usable; without it the
 * parametric mutator falls back to the process sandbox with a warning, model-written code is
 * refused unless `process` was chosen explicitly, and `docker` fails saying what to do.
 * An unreachable engine is a dockerode client pointed at a socket that does not exist.
 */
import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { validateCampaign } from '../../../src/campaign-file.js';
import type { CampaignConfig } from '../../../src/config/schema.js';
import { chooseSandbox } from '../../../src/create-campaign.js';
import { connectDocker, inspectSandboxImage, probeEngine } from '../../../src/sandbox/docker-engine.js';

const unreachable = new Docker({ socketPath: '/nonexistent/clade-test-docker.sock' });

function config(kind: 'auto' | 'process' | 'docker', operator = 'parametric'): CampaignConfig {
  const parsed = validateCampaign(
    {
      name: 'policy',
      agent: 'agent',
      task: { kind: 'numeric', problems: [{ fn: 'sphere', dim: 2 }] },
      sandbox: { kind },
    },
    'policy test',
  );
  return { ...parsed, mutation: { ...parsed.mutation, operator } } as unknown as CampaignConfig;
}

describe('chooseSandbox without a Docker engine', () => {
  it('falls back to the process sandbox with a warning for the parametric mutator', async () => {
    const warnings: string[] = [];
    const notes: string[] = [];
    const sandbox = await chooseSandbox(config('auto'), (message) => warnings.push(message), {
      docker: unreachable,
      info: (message) => notes.push(message),
    });
    await sandbox.close();
    expect(sandbox.kind).toBe('process');
    expect(warnings.join('\n')).toMatch(/Docker sandbox not used: no Docker engine answers/);
    expect(notes).toEqual(['sandbox: process (fallback from auto)']);
  });

  it('refuses model-written code under auto, naming --sandbox process', async () => {
    const choice = chooseSandbox(config('auto', 'llm-diff'), () => {}, { docker: unreachable });
    await expect(choice).rejects.toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
    await expect(choice).rejects.toThrow(/llm-diff runs model-written code.*--sandbox process/s);
  });

  it('refuses a self-modifying agent (model-written code) under auto, naming --sandbox process', async () => {
    const choice = chooseSandbox(config('auto', 'self-modify'), () => {}, { docker: unreachable });
    await expect(choice).rejects.toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
    await expect(choice).rejects.toThrow(/self-modify runs model-written code.*--sandbox process/s);
  });

  it('runs model-written code in the process sandbox when the user chose it explicitly', async () => {
    const notes: string[] = [];
    const sandbox = await chooseSandbox(config('process', 'llm-rewrite'), () => {}, {
      docker: unreachable,
      info: (message) => notes.push(message),
    });
    await sandbox.close();
    expect(sandbox.kind).toBe('process');
    expect(notes[0]).toMatch(/^sandbox: process/);
  });

  it('fails an explicit docker choice with what to do', async () => {
    const choice = chooseSandbox(config('docker'), () => {}, { docker: unreachable });
    await expect(choice).rejects.toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
    await expect(choice).rejects.toThrow(/No Docker engine answers.*--sandbox process/s);
  });
});

const docker = connectDocker();
const probe = await probeEngine(docker);
const usable = probe.reachable && (await inspectSandboxImage(docker)) !== null;
if (!usable) process.stderr.write('chooseSandbox with Docker: skipped (no engine or no sandbox image)\n');

describe.skipIf(!usable)('chooseSandbox with a Docker engine and the image', () => {
  it.each([['parametric'], ['llm-diff']])('picks Docker under auto (%s)', async (operator) => {
    const warnings: string[] = [];
    const notes: string[] = [];
    const sandbox = await chooseSandbox(config('auto', operator), (message) => warnings.push(message), {
      docker,
      info: (message) => notes.push(message),
    });
    await sandbox.close();
    expect(sandbox.kind).toBe('docker');
    expect(warnings).toEqual([]);
    expect(notes[0]).toMatch(/^sandbox: docker \(.*fresh container per evaluation\)/);
  });
});
