/**
 * @module Programs on this host as the `process` sandbox runs them: a name from a request's
 * `command[0]` (`python3`, `node`, `cc`) found on the host's PATH, through version-manager shims
 * (pyenv, rbenv, nodenv: `<manager> which`) and rustup proxies (`rustup which`) to the real
 * binary, which then runs without the manager's environment; and its version (`--version`, asked
 * once per path). `clade doctor` uses the same lookup to say which runtimes the sandbox has.
 */
import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, open, realpath, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join } from 'node:path';
import { SandboxError } from '../core/errors.js';

/** A program found on the host. */
export interface HostProgram {
  /** The name asked for (`python3`), or the absolute path given. */
  name: string;
  /** The absolute path that runs (a shim or proxy already followed to the real binary). */
  path: string;
  /** The first line of `<path> --version` (`Python 3.11.7`, `v20.11.1`), or null when it gave none. */
  version: string | null;
}

/** Options of `findHostProgram`. */
export interface FindHostProgramOptions {
  /** The PATH searched. Default: this process's `PATH`. */
  searchPath?: string;
}

/**
 * The absolute path of `name` on the host: `name` itself when absolute, else the first executable
 * regular file called `name` in the directories of `searchPath`, with a version-manager shim or a
 * rustup proxy followed to the binary it stands for. Null when there is none.
 */
export async function findHostProgram(name: string, options: FindHostProgramOptions = {}): Promise<string | null> {
  if (isAbsolute(name)) return (await isExecutableFile(name)) ? name : null;
  const searchPath = options.searchPath ?? process.env.PATH ?? '';
  for (const directory of searchPath.split(delimiter)) {
    if (directory === '' || !isAbsolute(directory)) continue;
    const candidate = join(directory, name);
    if (!(await isExecutableFile(candidate))) continue;
    return (await followShim(candidate, name)) ?? candidate;
  }
  return null;
}

/**
 * Like `findHostProgram`, but the program must exist.
 * @throws SandboxError (`SANDBOX_UNAVAILABLE`) naming the program and the PATH searched.
 */
export async function requireHostProgram(name: string, options: FindHostProgramOptions = {}): Promise<string> {
  const found = await findHostProgram(name, options);
  if (found !== null) return found;
  const searchPath = options.searchPath ?? process.env.PATH ?? '';
  throw new SandboxError(
    'SANDBOX_UNAVAILABLE',
    isAbsolute(name)
      ? `The sandbox command's program ${name} does not exist or is not executable on this host. Install it, or name another program in the command.`
      : `The sandbox command's program "${name}" is not on this host's PATH (${searchPath || '(empty)'}). Install it, add its directory to PATH before starting clade, or give its absolute path as command[0].`,
  );
}

const versions = new Map<string, Promise<string | null>>();

/**
 * The first line `<path> --version` prints (stdout, else stderr), at most 120 characters; null
 * when the program fails, hangs for 10 s, or prints nothing. Asked once per path per process.
 */
export function hostProgramVersion(path: string): Promise<string | null> {
  let version = versions.get(path);
  if (version === undefined) {
    version = new Promise((resolve) => {
      execFile(
        path,
        ['--version'],
        // In the system's temporary directory, not the caller's: whatever the program writes there
        // (a script that ignores --version) lands nowhere near a campaign or a checkout.
        {
          cwd: tmpdir(),
          env: { PATH: `${dirname(path)}${delimiter}/usr/bin${delimiter}/bin`, LANG: 'C.UTF-8' },
          timeout: 10_000,
        },
        (error, stdout, stderr) => {
          if (error) {
            versions.delete(path); // Ask again later: the program may be fixed.
            resolve(null);
            return;
          }
          const line = `${stdout}\n${stderr}`.split('\n').find((text) => text.trim() !== '');
          resolve(line === undefined ? null : line.trim().slice(0, 120));
        },
      );
    });
    versions.set(path, version);
  }
  return version;
}

/** `findHostProgram` plus the version; null when the program is not there. */
export async function describeHostProgram(
  name: string,
  options: FindHostProgramOptions = {},
): Promise<HostProgram | null> {
  const path = await findHostProgram(name, options);
  if (path === null) return null;
  return { name, path, version: await hostProgramVersion(path) };
}

/** `python3 → /root/.pyenv/versions/3.11.7/bin/python3 (Python 3.11.7)`: the process sandbox's environment. */
export function formatHostProgram(program: HostProgram): string {
  const target = program.path === program.name ? program.path : `${program.name} → ${program.path}`;
  return program.version === null ? target : `${target} (${program.version})`;
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The real binary behind a shim: a pyenv/rbenv/nodenv shim (a short script ending in
 * `exec "…/libexec/pyenv" exec "$program"`) is asked `<manager> which <name>`; a rustup proxy
 * (a link to `rustup`) is asked `rustup which <name>`. Null when `candidate` is no shim, or when
 * the manager cannot say (then the shim itself runs, as the user's shell would run it).
 */
async function followShim(candidate: string, name: string): Promise<string | null> {
  try {
    const real = await realpath(candidate);
    if (basename(real) === 'rustup' && name !== 'rustup') return await askManager(real, ['which', name]);
    const info = await stat(candidate);
    if (info.size > 4096) return null;
    const handle = await open(candidate, 'r');
    let head: string;
    try {
      const buffer = Buffer.alloc(info.size);
      await handle.read(buffer, 0, buffer.length, 0);
      head = buffer.toString('utf8');
    } finally {
      await handle.close();
    }
    if (!head.startsWith('#!')) return null;
    const manager = /exec\s+"([^"]+\/libexec\/[a-z]+env)"\s+exec\s+"\$program"/.exec(head)?.[1];
    if (manager === undefined) return null;
    return await askManager(manager, ['which', name]);
  } catch {
    return null;
  }
}

/** Runs a version manager with this process's environment; its answer must be an absolute path to a program. */
function askManager(manager: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(manager, args, { cwd: tmpdir(), timeout: 10_000 }, (error, stdout) => {
      const answer = stdout.trim().split('\n')[0]?.trim() ?? '';
      if (error || !isAbsolute(answer)) resolve(null);
      else void isExecutableFile(answer).then((executable) => resolve(executable ? answer : null));
    });
  });
}
