/**
 * What `clade doctor` reports of the process sandbox's runtimes: node with its version and path,
 * python3 with numpy and scipy where the host has them (this machine's pyenv does; the Python
 * expectations apply only when a python3 is on PATH), and a clear `missing` otherwise.
 */
import { describe, expect, it } from 'vitest';
import { findHostProgram } from '../../../src/sandbox/host-programs.js';
import { formatRuntime, PROBED_RUNTIMES, processRuntimes } from '../../../src/sandbox/runtimes.js';

const hostPython = await findHostProgram('python3');

describe('process sandbox runtimes', () => {
  it('lists every probed runtime, node with its version and path', async () => {
    const runtimes = await processRuntimes();
    expect(runtimes.map((runtime) => runtime.name)).toEqual([...PROBED_RUNTIMES]);
    const node = runtimes.find((runtime) => runtime.name === 'node');
    expect(node).toMatchObject({ present: true, version: expect.stringMatching(/^v\d+\.\d+\.\d+$/) });
    expect(formatRuntime(node as NonNullable<typeof node>)).toMatch(/^v\d+\.\d+\.\d+ \(\/\S+\/node\)$/);
    for (const runtime of runtimes) if (!runtime.present) expect(formatRuntime(runtime)).toBe('missing');
  }, 60_000);

  it.runIf(hostPython !== null)(
    'reports python3 at its real path with the numpy and scipy it imports',
    async () => {
      const python = (await processRuntimes()).find((runtime) => runtime.name === 'python3');
      expect(python).toMatchObject({ present: true, path: hostPython, version: expect.stringMatching(/^Python 3\./) });
      const hasNumpy = await import('node:child_process').then(
        ({ spawnSync }) => spawnSync(hostPython as string, ['-c', 'import numpy, scipy']).status === 0,
      );
      if (hasNumpy)
        expect(python?.packages).toEqual([expect.stringMatching(/^numpy \d/), expect.stringMatching(/^scipy \d/)]);
      else expect(formatRuntime(python as NonNullable<typeof python>)).toContain('no numpy/scipy');
    },
    60_000,
  );
});
