/**
 * @module Builds the sandbox image. Offline (`clade sandbox build --offline`): a root file system
 * made of the host's node binary, the shared libraries it links (from `ldd`), a static busybox as
 * `/bin/sh` with links for common tools (for coding agents' shell commands; Debian package
 * `busybox-static`), the host's python3 with numpy and scipy when it has them (`image-python.ts`;
 * `--no-python` leaves it out), a minimal `/etc/passwd` with the unprivileged sandbox user, `/tmp`
 * and `/work`, imported with `docker import` — no registry involved. Online: `sandbox/Dockerfile`
 * (node:20-slim based, which has a shell and coreutils), or the user's own Dockerfile
 * (`--dockerfile PATH`). The images clade makes carry the harness-version, node-version, shell and
 * python-version labels.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type Docker from 'dockerode';
import { describeError, SandboxError } from '../core/errors.js';
import { packagePath } from '../core/package-root.js';
import { HARNESS_VERSION } from '../harness/types.js';
import {
  IMAGE_HARNESS_LABEL,
  IMAGE_NODE_LABEL,
  IMAGE_PYTHON_LABEL,
  IMAGE_SHELL_LABEL,
  inspectSandboxImage,
  SANDBOX_IMAGE,
  SANDBOX_USER,
  type SandboxImageInfo,
} from './docker-engine.js';
import { findHostProgram } from './host-programs.js';
import { DEFAULT_IMAGE_PYTHON_PACKAGES, placePython } from './image-python.js';

/** Where node lives inside the offline image. */
const IMAGE_NODE_PATH = '/usr/local/bin/node';

/** Where busybox is looked for on the host (Debian's `busybox-static` installs `/bin/busybox`). */
export const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'] as const;

/**
 * Tools linked to busybox in `/bin` of the offline image (those this busybox has): what a coding
 * agent's shell commands commonly use. `env` is also linked at `/usr/bin/env` for `#!` lines.
 */
export const BUSYBOX_TOOLS = [
  'sh',
  'ash',
  'ls',
  'cat',
  'grep',
  'egrep',
  'fgrep',
  'sed',
  'awk',
  'head',
  'tail',
  'wc',
  'mkdir',
  'rmdir',
  'rm',
  'cp',
  'mv',
  'ln',
  'find',
  'xargs',
  'diff',
  'cmp',
  'patch',
  'echo',
  'printf',
  'sort',
  'uniq',
  'cut',
  'tr',
  'tee',
  'touch',
  'chmod',
  'pwd',
  'basename',
  'dirname',
  'realpath',
  'readlink',
  'env',
  'true',
  'false',
  'test',
  '[',
  '[[',
  'expr',
  'seq',
  'date',
  'sleep',
  'stat',
  'du',
  'which',
  'tar',
  'gzip',
  'gunzip',
  'zcat',
  'od',
  'hexdump',
  'xxd',
  'mktemp',
  'nl',
  'rev',
  'fold',
  'split',
  'timeout',
  'id',
  'whoami',
  'uname',
  'less',
  'more',
  'md5sum',
  'sha256sum',
  'base64',
  'comm',
  'paste',
  'tac',
  'yes',
  'kill',
  'ps',
  'sync',
  'clear',
] as const;

export interface BuildImageOptions {
  docker: Docker;
  /** Image tag. Default `SANDBOX_IMAGE`. */
  name?: string;
  /** Node binary to put in the offline image. Default `process.execPath`. */
  nodeBinary?: string;
  /**
   * busybox binary giving the offline image `/bin/sh` and common tools; null for an image without
   * a shell. Default: the first of `BUSYBOX_CANDIDATES` that exists (none: no shell, said in the log).
   */
  busybox?: string | null;
  /**
   * Offline: the python3 copied into the image with `pythonPackages` (a name looked up on PATH, or
   * a path; version-manager shims followed); null for an image without Python. Default: the host's
   * `python3` when it can import `pythonPackages` (else the image gets no Python, said in the log).
   */
  python?: string | null;
  /** Offline: the packages copied with Python. Default numpy and scipy. */
  pythonPackages?: readonly string[];
  /**
   * Build from this Dockerfile (its directory is the build context) instead of `sandbox/Dockerfile`:
   * the user's own image. It gets no harness label unless the Dockerfile sets one.
   */
  dockerfile?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${describeError(error)} ${stderr}`.trim()));
      else resolve(stdout);
    });
  });
}

/** The absolute paths of the shared libraries `binary` links, the dynamic loader included. */
export async function linkedLibraries(binary: string): Promise<string[]> {
  const output = await run('ldd', [binary]);
  const libraries = new Set<string>();
  for (const line of output.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
    const arrow = /=>\s+(\/\S+)/.exec(line);
    const plain = /^\s*(\/\S+)\s+\(/.exec(line);
    const path = arrow?.[1] ?? plain?.[1];
    if (path) libraries.add(path);
    if (/not found/.test(line)) throw new Error(`ldd ${binary}: ${line.trim()}`);
  }
  return [...libraries];
}

/** Waits for a build or import progress stream and fails on an error message in it. */
function followProgress(docker: Docker, stream: NodeJS.ReadableStream, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, output: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
        const failed = output?.find((item) => item.error !== undefined);
        if (error) reject(error);
        else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
        else resolve();
      },
      (event: { stream?: string; status?: string }) => {
        const text = (event.stream ?? event.status ?? '').trim();
        if (text) log(text);
      },
    );
  });
}

/**
 * Builds the image without a registry: copies `nodeBinary` and its libraries into a fresh root
 * file system, adds `/etc/passwd` and `/etc/group` (root and `clade`, uid 10001), `/tmp` (1777)
 * and `/work`, and imports it with the labels, `USER 10001:10001`, `WORKDIR /work` and a PATH.
 * Linux only (it needs `ldd` and `tar`).
 */
export async function buildOfflineImage(options: BuildImageOptions): Promise<SandboxImageInfo> {
  const { docker } = options;
  const name = options.name ?? SANDBOX_IMAGE;
  const nodeBinary = options.nodeBinary ?? process.execPath;
  const log = options.log ?? (() => {});
  const root = await mkdtemp(join(tmpdir(), 'clade-image-'));
  try {
    let nodeVersion: string;
    let libraries: string[];
    try {
      nodeVersion = (await run(nodeBinary, ['--version'])).trim();
      libraries = await linkedLibraries(nodeBinary);
    } catch (error) {
      throw new SandboxError(
        'SANDBOX_UNAVAILABLE',
        `Cannot make the offline image from ${nodeBinary}: ${describeError(error)}. It needs a Linux host with ldd and a dynamically linked node.`,
        { cause: error },
      );
    }
    log(`node ${nodeVersion} from ${nodeBinary}, ${libraries.length} shared libraries`);
    const place = async (source: string, target: string): Promise<void> => {
      await mkdir(join(root, dirname(target)), { recursive: true });
      await copyFile(source, join(root, target));
    };
    await place(nodeBinary, IMAGE_NODE_PATH);
    await chmod(join(root, IMAGE_NODE_PATH), 0o755);
    for (const library of libraries) await place(library, library);
    await mkdir(join(root, 'etc'), { recursive: true });
    const { uid, gid, name: user } = SANDBOX_USER;
    await writeFile(
      join(root, 'etc/passwd'),
      `root:x:0:0:root:/root:/usr/sbin/nologin\n${user}:x:${uid}:${gid}:clade sandbox:/work:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
    );
    await writeFile(join(root, 'etc/group'), `root:x:0:\n${user}:x:${gid}:\nnogroup:x:65534:\n`);
    for (const directory of ['tmp', 'work', 'root', 'usr/bin', 'bin', 'dev', 'proc', 'sys'])
      await mkdir(join(root, directory), { recursive: true });
    await chmod(join(root, 'tmp'), 0o1777);
    await chmod(join(root, 'work'), 0o1777);
    const shell = await placeBusybox(root, options.busybox === undefined ? findBusybox() : options.busybox, place, log);
    const pythonVersion = await placeHostPython(root, options, log);

    const previous = await inspectSandboxImage(docker, name);
    log(`importing ${name}`);
    const tar = spawn('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', root, '-c', '.'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tarError = '';
    tar.stderr.on('data', (chunk: Buffer) => {
      tarError += chunk.toString();
    });
    const [repo, tag] = splitName(name);
    const changes = [
      `LABEL ${IMAGE_HARNESS_LABEL}=${HARNESS_VERSION} ${IMAGE_NODE_LABEL}=${nodeVersion}${shell ? ` ${IMAGE_SHELL_LABEL}=${shell}` : ''}${pythonVersion ? ` ${IMAGE_PYTHON_LABEL}=${pythonVersion}` : ''}`,
      'ENV PATH=/usr/local/bin:/usr/bin:/bin',
      `USER ${uid}:${gid}`,
      'WORKDIR /work',
      'CMD ["node"]',
    ];
    let stream: NodeJS.ReadableStream;
    try {
      stream = await docker.importImage(tar.stdout, { repo, tag, changes });
      await followProgress(docker, stream, log);
    } catch (error) {
      throw new SandboxError(
        'SANDBOX_UNAVAILABLE',
        `docker import of the sandbox image failed: ${describeError(error)} ${tarError}`.trim(),
        { cause: error },
      );
    }
    const image = await inspectSandboxImage(docker, name);
    if (image === null)
      throw new SandboxError('SANDBOX_FAILED', `docker import reported success but ${name} is missing.`);
    log(`${name} ${image.digest}`);
    if (previous !== null && previous.digest !== image.digest) {
      // The image it replaces is left untagged; remove it unless a container still uses it.
      await docker
        .getImage(previous.digest)
        .remove()
        .catch(() => undefined);
    }
    return image;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * Builds the image from `sandbox/Dockerfile` (pulls node:20-slim; needs a registry).
 * @throws SandboxError suggesting `--offline` when the build fails.
 */
export async function buildImageFromDockerfile(options: BuildImageOptions): Promise<SandboxImageInfo> {
  const { docker } = options;
  const own = options.dockerfile !== undefined;
  const dockerfile = own ? resolve(options.dockerfile as string) : packagePath('sandbox', 'Dockerfile');
  const name = options.name ?? (own ? undefined : SANDBOX_IMAGE);
  if (name === undefined) {
    throw new SandboxError(
      'SANDBOX_FAILED',
      `--dockerfile ${dockerfile} needs --tag NAME: the image is yours, not ${SANDBOX_IMAGE}; then set sandbox.image: NAME in the campaign file.`,
    );
  }
  const log = options.log ?? (() => {});
  const context = dirname(dockerfile);
  try {
    await readFile(dockerfile);
    const files = own ? await readdir(context) : ['Dockerfile'];
    const stream = await docker.buildImage(
      { context, src: files },
      {
        t: name,
        dockerfile: basename(dockerfile),
        ...(own ? {} : { buildargs: { HARNESS_VERSION }, labels: { [IMAGE_HARNESS_LABEL]: HARNESS_VERSION } }),
      },
    );
    await followProgress(docker, stream, log);
  } catch (error) {
    throw new SandboxError(
      'SANDBOX_UNAVAILABLE',
      `Building ${name} from ${dockerfile} failed: ${describeError(error)}. ${own ? 'Check the Dockerfile and that its base image can be pulled (a registry must be reachable).' : 'Without access to a registry, use `clade sandbox build --offline`.'}`,
      { cause: error },
    );
  }
  const image = await inspectSandboxImage(docker, name);
  if (image === null) throw new SandboxError('SANDBOX_FAILED', `docker build reported success but ${name} is missing.`);
  return image;
}

/**
 * Puts Python into the offline image as `options.python` asks (see `BuildImageOptions.python`).
 * Returns the version placed, or null for none.
 */
async function placeHostPython(
  root: string,
  options: BuildImageOptions,
  log: (line: string) => void,
): Promise<string | null> {
  if (options.python === null) {
    log('no Python in the image (--no-python)');
    return null;
  }
  const packages = options.pythonPackages ?? DEFAULT_IMAGE_PYTHON_PACKAGES;
  const asked = options.python ?? 'python3';
  const found = await findHostProgram(asked);
  if (found === null) {
    if (options.python !== undefined) {
      throw new SandboxError(
        'SANDBOX_UNAVAILABLE',
        `--python ${asked}: no such program on this host (PATH ${process.env.PATH ?? ''}). Name an installed python3, or build without Python (--no-python).`,
      );
    }
    log('no python3 on this host: the image gets no Python runtime');
    return null;
  }
  try {
    return (await placePython(root, found, packages, log)).version;
  } catch (error) {
    if (options.python !== undefined) throw error;
    log(`python3 left out of the image: ${describeError(error)}`);
    return null;
  }
}

/** The first busybox of `BUSYBOX_CANDIDATES` on this host, or null. */
function findBusybox(): string | null {
  return BUSYBOX_CANDIDATES.find((candidate) => existsSync(candidate)) ?? null;
}

/**
 * Copies busybox (and its libraries, if it is not static) to `/bin/busybox` and links `/bin/sh`
 * and `BUSYBOX_TOOLS` to it. Returns the shell label (`busybox-1.35.0`), or null without busybox.
 */
async function placeBusybox(
  root: string,
  busybox: string | null,
  place: (source: string, target: string) => Promise<void>,
  log: (line: string) => void,
): Promise<string | null> {
  if (busybox === null) {
    log(
      'no busybox on this host (Debian: apt-get install busybox-static): the image gets no shell, so agents cannot run shell commands',
    );
    return null;
  }
  let version: string;
  let applets: Set<string>;
  try {
    // `busybox --help` exits 0 and starts with "BusyBox v1.35.0 (…) multi-call binary."
    version = /BusyBox v([0-9][0-9.]*)/.exec(await run(busybox, ['--help']))?.[1] ?? 'unknown';
    applets = new Set((await run(busybox, ['--list'])).split('\n').filter((name) => name !== ''));
  } catch (error) {
    throw new SandboxError(
      'SANDBOX_UNAVAILABLE',
      `Cannot put ${busybox} into the offline image: ${describeError(error)}. Reinstall busybox-static, or remove it to build an image without a shell.`,
      { cause: error },
    );
  }
  await place(busybox, '/bin/busybox');
  await chmod(join(root, 'bin/busybox'), 0o755);
  // A static busybox (busybox-static) links nothing; a dynamic one brings its libraries.
  const libraries = await linkedLibraries(busybox).catch(() => []);
  for (const library of libraries) {
    if (!existsSync(join(root, library))) await place(library, library);
  }
  const tools = BUSYBOX_TOOLS.filter((tool) => applets.has(tool));
  for (const tool of tools) await symlink('busybox', join(root, 'bin', tool));
  if (applets.has('env')) await symlink('/bin/busybox', join(root, 'usr/bin/env'));
  log(`busybox ${version} from ${busybox}: /bin/sh and ${tools.length} tools`);
  return `busybox-${version}`;
}

function splitName(name: string): [string, string] {
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? [name.slice(0, colon), name.slice(colon + 1)] : [name, 'latest'];
}
