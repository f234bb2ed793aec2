/**
 * @module Which language runtimes each sandbox has, for `clade doctor`: the process sandbox runs
 * programs from the host's PATH (asked with `--version`), the Docker sandbox what its image holds
 * (asked by running `python3 --version`, `node --version`, `cc --version`, … in the image, through
 * the Docker driver itself, so the answer is what an evaluation would see).
 */
import type Docker from 'dockerode';
import { CladeError, describeError } from '../core/errors.js';
import { createDockerSandbox } from './docker-sandbox.js';
import { describeHostProgram } from './host-programs.js';
import type { Sandbox, SandboxLimits } from './types.js';

/** The programs `clade doctor` asks about, in order. */
export const PROBED_RUNTIMES = ['node', 'python3', 'cc', 'gcc', 'rustc'] as const;

/** The Python packages whose presence is reported with python3. */
export const PROBED_PYTHON_PACKAGES = ['numpy', 'scipy'] as const;

/** One runtime in one sandbox. */
export interface RuntimeInfo {
  /** `python3`. */
  name: string;
  present: boolean;
  /** Where it is (process: the host path; Docker: the name as the image's PATH finds it). */
  path: string | null;
  /** First line of `--version`; null when absent or silent. */
  version: string | null;
  /** python3 only: `numpy 2.4.6` for each of `PROBED_PYTHON_PACKAGES` it imports; missing ones left out. */
  packages?: string[];
}

/** Limits of a probe run: small and short. */
const PROBE_LIMITS: SandboxLimits = {
  timeoutMs: 20_000,
  memoryMb: 256,
  outputBytes: 8 * 1024,
  cpus: 1,
  pids: 64,
  resultBytes: 1024,
};

/** Prints `name version` per importable package on one line each (argv[1:] are the names). */
const PACKAGE_SCRIPT =
  'import importlib, sys\nfor name in sys.argv[1:]:\n    try:\n        module = importlib.import_module(name)\n        print(name, getattr(module, "__version__", "?"))\n    except Exception:\n        pass\n';

function firstLine(text: string): string | null {
  const line = text.split('\n').find((candidate) => candidate.trim() !== '');
  return line === undefined ? null : line.trim().slice(0, 120);
}

function packagesFrom(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** The runtimes the process sandbox finds on this host's PATH (never throws). */
export async function processRuntimes(): Promise<RuntimeInfo[]> {
  const sandbox = (await import('./process-sandbox.js')).createProcessSandbox();
  return Promise.all(
    PROBED_RUNTIMES.map(async (name): Promise<RuntimeInfo> => {
      const found = await describeHostProgram(name).catch(() => null);
      if (found === null) return { name, present: false, path: null, version: null };
      const info: RuntimeInfo = { name, present: true, path: found.path, version: found.version };
      if (name === 'python3') info.packages = await pythonPackages(sandbox);
      return info;
    }),
  );
}

/**
 * The runtimes the Docker sandbox's `image` holds, asked by running each in it. Throws
 * `SandboxError` when the sandbox cannot be made (no engine, no image).
 */
export async function dockerRuntimes(docker: Docker, image?: string): Promise<RuntimeInfo[]> {
  const sandbox = await createDockerSandbox({ docker, pruneOrphans: false, ...(image ? { image } : {}) });
  try {
    const results: RuntimeInfo[] = [];
    // One after another: a loaded engine answers a burst of container starts slowly.
    for (const name of PROBED_RUNTIMES) {
      const version = await runVersion(sandbox, name);
      if (version === undefined) {
        results.push({ name, present: false, path: null, version: null });
        continue;
      }
      const info: RuntimeInfo = { name, present: true, path: name, version };
      if (name === 'python3') info.packages = await pythonPackages(sandbox);
      results.push(info);
    }
    return results;
  } finally {
    await sandbox.close();
  }
}

/** `--version`'s first line, null when it printed nothing, undefined when the sandbox has no such program. */
async function runVersion(sandbox: Sandbox, name: string): Promise<string | null | undefined> {
  try {
    const result = await sandbox.run({
      files: {},
      command: [name, '--version'],
      resultFile: 'result.json',
      limits: PROBE_LIMITS,
    });
    if (result.exit !== 'exited' || (result.exitCode !== 0 && result.exitCode !== null)) return null;
    return firstLine(result.stdout) ?? firstLine(result.stderr);
  } catch (error) {
    if (error instanceof CladeError && error.code === 'SANDBOX_UNAVAILABLE' && describeError(error).includes(name))
      return undefined;
    throw error;
  }
}

async function pythonPackages(sandbox: Sandbox): Promise<string[]> {
  try {
    const result = await sandbox.run({
      files: { 'probe.py': PACKAGE_SCRIPT },
      command: ['python3', 'probe.py', ...PROBED_PYTHON_PACKAGES],
      resultFile: 'result.json',
      limits: { ...PROBE_LIMITS, memoryMb: 512, timeoutMs: 60_000 },
    });
    return result.exit === 'exited' ? packagesFrom(result.stdout) : [];
  } catch {
    return [];
  }
}

/** `Python 3.11.7 (/usr/bin/python3), numpy 2.4.6, scipy 1.17.1` or `missing`. */
export function formatRuntime(runtime: RuntimeInfo): string {
  if (!runtime.present) return 'missing';
  const where = runtime.path !== null && runtime.path !== runtime.name ? ` (${runtime.path})` : '';
  const packages =
    runtime.packages === undefined
      ? ''
      : `, ${runtime.packages.length > 0 ? runtime.packages.join(', ') : 'no numpy/scipy'}`;
  return `${runtime.version ?? 'version unknown'}${where}${packages}`;
}
