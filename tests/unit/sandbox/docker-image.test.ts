/**
 * Building sandbox images for real (Docker engine needed; skipped with the reason otherwise): the
 * offline image with this host's Python (numpy and scipy run in it through the Docker driver, the
 * label says its version), the offline image without Python (a python3 command is refused as a
 * missing program, naming it), a user's own Dockerfile built on a local base image (no registry)
 * and used as `sandbox.image`, and what `clade doctor` reports of an image's runtimes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectSandboxImage } from '../../../src/sandbox/docker-engine.js';
import { buildImageFromDockerfile, buildOfflineImage } from '../../../src/sandbox/docker-image.js';
import { createDockerSandbox } from '../../../src/sandbox/docker-sandbox.js';
import { findHostProgram } from '../../../src/sandbox/host-programs.js';
import { dockerRuntimes } from '../../../src/sandbox/runtimes.js';
import type { SandboxRequest } from '../../../src/sandbox/types.js';
import { CONTRACT_LIMITS } from '../../contracts/sandbox.contract.js';
import { dockerForTests } from '../../helpers/docker.js';

const { docker, skipReason } = await dockerForTests('docker image tests');
const hostPython = await findHostProgram('python3');
const tag = (what: string): string => `clade-sandbox-test:${what}-${process.pid}`;
const made: string[] = [];

const numpyRequest: SandboxRequest = {
  files: {
    'check.py':
      "import json, sys, numpy, scipy.optimize\nfun = float(scipy.optimize.minimize(lambda x: float((x ** 2).sum()), numpy.ones(3)).fun)\njson.dump({'python': sys.version.split()[0], 'numpy': numpy.__version__, 'fun': fun}, open('result.json', 'w'))\n",
  },
  command: ['python3', 'check.py'],
  resultFile: 'result.json',
  limits: { ...CONTRACT_LIMITS, memoryMb: 512 },
};

describe.skipIf(skipReason !== null)('sandbox images', () => {
  afterAll(async () => {
    for (const name of made.reverse())
      await docker
        .getImage(name)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it.runIf(hostPython !== null)(
    "builds the offline image with this host's python3, numpy and scipy, which run in the Docker sandbox",
    async () => {
      const lines: string[] = [];
      const image = await buildOfflineImage({
        docker,
        name: tag('python'),
        python: 'python3',
        log: (line) => lines.push(line),
      });
      made.push(image.name);
      expect(image.pythonVersion).toMatch(/^3\.\d+\.\d+$/);
      expect(image.harnessVersion).not.toBeNull();
      expect(lines.join('\n')).toMatch(/python 3\.\d+\.\d+ from \/\S+ with numpy [\d.]+, scipy [\d.]+: \d+ MiB/);
      console.info(`offline image with Python: ${(image.sizeBytes / 1024 / 1024).toFixed(0)} MiB`);
      const sandbox = await createDockerSandbox({ docker, image: image.name, pruneOrphans: false });
      try {
        const result = await sandbox.run(numpyRequest);
        expect(result.resultError, result.stderr).toBeNull();
        expect(result.result).toMatchObject({ python: image.pythonVersion });
        expect((result.result as { fun: number }).fun).toBeLessThan(1e-8);
        expect(result.environment).toContain(`python ${image.pythonVersion}`);
      } finally {
        await sandbox.close();
      }
    },
    180_000,
  );

  it('builds the offline image without Python on request; a python3 command is then refused, naming python3', async () => {
    const image = await buildOfflineImage({ docker, name: tag('no-python'), python: null });
    made.push(image.name);
    expect(image.pythonVersion).toBeNull();
    const sandbox = await createDockerSandbox({ docker, image: image.name, pruneOrphans: false });
    try {
      const outcome = sandbox.run(numpyRequest);
      await expect(outcome).rejects.toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
      await expect(outcome).rejects.toThrow(/has no program "python3".*clade sandbox build --offline --python/s);
    } finally {
      await sandbox.close();
    }
  }, 120_000);

  it("builds a user's Dockerfile into an image that sandbox.image can name, and probes what it holds", async () => {
    const base = await inspectSandboxImage(docker);
    if (base === null) throw new Error('the sandbox image is missing');
    const context = await mkdtemp(join(tmpdir(), 'clade-dockerfile-'));
    try {
      await writeFile(join(context, 'answer.txt'), '42\n');
      await writeFile(
        join(context, 'Dockerfile'),
        `FROM ${base.name}\nCOPY answer.txt /opt/answer.txt\nLABEL clade.harness-version=\n`,
      );
      const lines: string[] = [];
      const image = await buildImageFromDockerfile({
        docker,
        name: tag('own'),
        dockerfile: join(context, 'Dockerfile'),
        log: (line) => lines.push(line),
      });
      made.push(image.name);
      const sandbox = await createDockerSandbox({ docker, image: image.name, pruneOrphans: false });
      try {
        const result = await sandbox.run({
          files: {
            'read.mjs': "import { copyFileSync } from 'node:fs'; copyFileSync('/opt/answer.txt', 'result.json');",
          },
          command: ['node', 'read.mjs'],
          resultFile: 'result.json',
          limits: CONTRACT_LIMITS,
        });
        expect(result.resultError, result.stderr).toBeNull();
        expect(result.result).toBe(42);
        expect(result.environment).toContain(image.name);
      } finally {
        await sandbox.close();
      }
      const runtimes = await dockerRuntimes(docker, image.name);
      expect(runtimes.find((runtime) => runtime.name === 'node')).toMatchObject({
        present: true,
        version: expect.stringMatching(/^v\d+/),
      });
      expect(runtimes.find((runtime) => runtime.name === 'cc')).toMatchObject({ present: false });
      const python = runtimes.find((runtime) => runtime.name === 'python3');
      if (base.pythonVersion !== null) {
        expect(python).toMatchObject({ present: true, version: `Python ${base.pythonVersion}` });
        expect(python?.packages).toEqual([expect.stringMatching(/^numpy /), expect.stringMatching(/^scipy /)]);
      } else {
        expect(python).toMatchObject({ present: false });
      }
    } finally {
      await rm(context, { recursive: true, force: true });
    }
  }, 180_000);
});
