/**
 * @module The process sandbox's isolation: bubblewrap (`bwrap`, Debian's `bubblewrap`) puts each run
 * in its own user, mount, PID, IPC, UTS and network namespaces, with no host files but the ones it
 * is given (the system's `/usr` read-only, the resolved interpreter's prefix read-only, the work
 * directory read-write, a fresh `/tmp`, its own `/proc` and a minimal `/dev`), only a loopback
 * network of its own, and nothing left running after the run (its PID namespace dies with it). The
 * tool is probed once per process (found on PATH and made to run `true` in a sandbox); where it is
 * missing or fails, the process sandbox runs unisolated and the policy (`chooseSandbox`) refuses
 * model-written code unless the user asked for that explicitly.
 */
import { execFile } from 'node:child_process';
import { closeSync, existsSync, lstatSync, openSync, readlinkSync, readSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, sep } from 'node:path';
import { findHostProgram } from './host-programs.js';

/** What the probe found: bubblewrap that works, or why the process sandbox cannot isolate. */
export type IsolationProbe =
  | {
      available: true;
      /** Absolute path of `bwrap`. */
      path: string;
      /** `bubblewrap 0.8.0`. */
      version: string;
    }
  | {
      available: false;
      /** Why not, and what to do: `bwrap is not on PATH (install Debian's bubblewrap)`. */
      reason: string;
    };

/** The namespaces a bubblewrap run gets, as named on `sandbox: process (…)` lines and in `environment`. */
export const ISOLATION_NAMESPACES = 'user, mount, pid, ipc, uts, net';

/**
 * How a program learns that it is alone in its PID namespace with its own descendants (a
 * bubblewrap run, a Docker container): the Docker driver sets this environment variable to `1`;
 * bubblewrap makes the link `PRIVATE_PIDS_LINK` → `private-pids` in the sandbox's root (so the
 * environment stays as it was). The node harness then kills every other process there before it
 * writes its final result. Never given where the program shares the host's processes (an
 * unisolated process sandbox), where that would kill the user's own processes.
 */
export const PRIVATE_PIDS_ENV = 'CLADE_SANDBOX_PRIVATE_PIDS';

/** The link bubblewrap makes in the sandbox's root; see `PRIVATE_PIDS_ENV`. */
export const PRIVATE_PIDS_LINK = '/.clade-sandbox';

/** Options of `probeIsolation`. */
export interface ProbeIsolationOptions {
  /** PATH searched for `bwrap`. Default: this process's `PATH`. */
  searchPath?: string;
  /** Probe again instead of using the cached answer. */
  fresh?: boolean;
}

let cached: Promise<IsolationProbe> | undefined;

/**
 * Whether bubblewrap can isolate runs on this machine: `bwrap` on PATH, its version, and a
 * self-test that runs `/usr/bin/true` (or `/bin/true`) under the arguments every run uses. Asked once per process
 * (pass `fresh` to ask again); never throws.
 */
export function probeIsolation(options: ProbeIsolationOptions = {}): Promise<IsolationProbe> {
  if (options.fresh !== true && options.searchPath === undefined && cached !== undefined) return cached;
  const probe = runProbe(options.searchPath);
  if (options.searchPath === undefined) cached = probe;
  return probe;
}

async function runProbe(searchPath: string | undefined): Promise<IsolationProbe> {
  if (process.platform !== 'linux') {
    return { available: false, reason: `bubblewrap needs Linux (this is ${process.platform})` };
  }
  const path = await findHostProgram('bwrap', searchPath !== undefined ? { searchPath } : {});
  if (path === null) {
    return {
      available: false,
      reason: 'bwrap is not on PATH (install bubblewrap: `apt-get install bubblewrap` on Debian and Ubuntu)',
    };
  }
  const versionText = await runQuietly(path, ['--version']);
  if (!versionText.ok) {
    return { available: false, reason: `${path} --version failed: ${versionText.output}` };
  }
  const version = versionText.output.split('\n')[0]?.trim() || 'bubblewrap';
  const truePath = ['/usr/bin/true', '/bin/true'].find((candidate) => existsSync(candidate));
  if (truePath === undefined) return { available: false, reason: 'no /usr/bin/true to self-test bubblewrap with' };
  const selfTest = await runQuietly(path, [
    ...bubblewrapArguments({ programPath: truePath, workDirectory: null }),
    '--',
    truePath,
  ]);
  if (!selfTest.ok) {
    return {
      available: false,
      reason: `${version} at ${path} cannot make a sandbox here (${selfTest.output.trim().slice(0, 300) || 'it failed'}); unprivileged user namespaces may be off (sysctl kernel.unprivileged_userns_clone=1, or in a container: run it with --security-opt seccomp=unconfined or use the docker sandbox)`,
    };
  }
  return { available: true, path, version };
}

function runQuietly(program: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(
      program,
      args,
      { timeout: 10_000, env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } },
      (error, stdout, stderr) => {
        resolve({ ok: error === null, output: `${stdout}${stderr}`.trim() || (error ? String(error.message) : '') });
      },
    );
  });
}

/** What one bubblewrap run is given. */
export interface BubblewrapRun {
  /** Absolute path of the program that runs (its prefix is bound read-only when outside `/usr`). */
  programPath: string;
  /** The run's work directory, bound read-write at the same path; null for the self-test. */
  workDirectory: string | null;
  /** A model proxy session's Unix socket, bound at the same path. */
  modelSocket?: string;
}

/** The top-level system directories a program may need: bound read-only, or re-made as the links they are. */
const SYSTEM_DIRECTORIES = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/** Files of `/etc` the dynamic linker and Debian's alternatives (`cc`, `python3` links) need; nothing else of `/etc`. */
const SYSTEM_FILES = ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/alternatives'];

/**
 * The bubblewrap arguments (before `--` and the command) of one run:
 * - `--unshare-user --unshare-ipc --unshare-pid --unshare-net --unshare-uts --unshare-cgroup-try`
 *   with `--disable-userns` (no further user namespaces inside), `--cap-drop ALL`, uid and gid 65534
 *   inside, hostname `clade-sandbox`, `--die-with-parent`;
 * - an empty root with `/usr` read-only, `/bin`, `/lib`, … as on the host (links re-made, directories
 *   bound read-only), the dynamic linker's files and `/etc/alternatives`, the program's prefix when
 *   outside `/usr` (`/root/.pyenv/versions/3.11.7` for pyenv's python3: the directory above its
 *   `bin/`; only the binary itself when that would be a home directory or `/`);
 * - `--proc /proc` (its own processes only), `--dev /dev` (null, zero, random, …), a fresh
 *   `--tmpfs /tmp`, the work directory read-write at its own path, the model socket at its own path,
 *   and the link `PRIVATE_PIDS_LINK`.
 *
 * Nothing else of the host is there: not `/root`, `/home`, `/etc/shadow`, the campaign directory,
 * the host's `/proc` or other processes' work directories.
 */
export function bubblewrapArguments(run: BubblewrapRun): string[] {
  const args = [
    '--unshare-user',
    '--unshare-ipc',
    '--unshare-pid',
    '--unshare-net',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--disable-userns',
    '--cap-drop',
    'ALL',
    '--uid',
    '65534',
    '--gid',
    '65534',
    '--hostname',
    'clade-sandbox',
    '--die-with-parent',
    '--ro-bind',
    '/usr',
    '/usr',
  ];
  for (const directory of SYSTEM_DIRECTORIES) {
    const info = lstatOrNull(directory);
    if (info === null) continue;
    if (info.isSymbolicLink()) args.push('--symlink', readlinkSync(directory), directory);
    else if (info.isDirectory()) args.push('--ro-bind', directory, directory);
  }
  for (const file of SYSTEM_FILES) {
    if (existsSync(file)) args.push('--ro-bind', file, file);
  }
  // The fresh /tmp first: a program or work directory under the host's /tmp is bound on top of it.
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  for (const path of programBinds(run.programPath)) args.push('--ro-bind', path, path);
  args.push('--symlink', 'private-pids', PRIVATE_PIDS_LINK);
  if (run.workDirectory !== null)
    args.push('--bind', run.workDirectory, run.workDirectory, '--chdir', run.workDirectory);
  if (run.modelSocket !== undefined) args.push('--bind', run.modelSocket, run.modelSocket);
  return args;
}

/**
 * Read-only binds the program needs beyond `/usr` and the system directories: its prefix (the
 * directory above its `bin/`), or the binary alone where the prefix is not safe to show; and the
 * same for the interpreter of a script (`#!/opt/python/bin/python3`).
 */
function programBinds(programPath: string, depth = 0): string[] {
  if (!isAbsolute(programPath)) return []; // A file of the request: it is in the work directory.
  const binds = new Set<string>();
  for (const path of [programPath, realpathOrSelf(programPath)]) {
    if (!isUnderSystem(path)) {
      const directory = dirname(path);
      const prefix = basename(directory) === 'bin' ? dirname(directory) : directory;
      binds.add(isSafePrefix(prefix) ? prefix : path);
    }
    const interpreter = depth === 0 ? shebangInterpreter(path) : null;
    if (interpreter !== null) for (const bind of programBinds(interpreter, depth + 1)) binds.add(bind);
  }
  return [...binds];
}

/** The absolute interpreter of a `#!` script, or null. */
function shebangInterpreter(path: string): string | null {
  let descriptor: number | null = null;
  try {
    descriptor = openSync(path, 'r');
    const buffer = Buffer.alloc(256);
    const head = buffer.subarray(0, readSync(descriptor, buffer, 0, buffer.length, 0)).toString('latin1');
    if (!head.startsWith('#!')) return null;
    const interpreter = head.slice(2).split('\n')[0]?.trim().split(/\s+/)[0] ?? '';
    return isAbsolute(interpreter) ? interpreter : null;
  } catch {
    return null;
  } finally {
    if (descriptor !== null) closeSync(descriptor);
  }
}

function isUnderSystem(path: string): boolean {
  return ['/usr', ...SYSTEM_DIRECTORIES].some((directory) => path === directory || path.startsWith(`${directory}/`));
}

/**
 * A prefix is bound whole only when it is at least two levels deep, not a home directory, and not a
 * home's `.local` (which holds the user's data besides programs): then only the binary is bound.
 */
function isSafePrefix(prefix: string): boolean {
  const depth = prefix.split(sep).filter((part) => part !== '').length;
  if (depth < 2) return false;
  const homes = new Set([homedir(), '/root', '/home', dirname(homedir())]);
  if (homes.has(prefix) || /^\/home\/[^/]+$/.test(prefix)) return false;
  return !(basename(prefix) === '.local' && (homes.has(dirname(prefix)) || /^\/home\/[^/]+$/.test(dirname(prefix))));
}

function lstatOrNull(path: string): import('node:fs').Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** `bubblewrap 0.8.0 (user, mount, pid, ipc, uts, net namespaces; no host files but the program's, no network)`. */
export function describeIsolation(probe: IsolationProbe): string {
  return probe.available
    ? `isolated by ${probe.version}: own ${ISOLATION_NAMESPACES} namespaces; no host files but the program's, no network, nothing left running`
    : `NOT isolated: ${probe.reason}; the program runs as this user with its files, network and processes in reach`;
}
