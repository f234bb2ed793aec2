/**
 * @module The Docker engine as clade uses it: the connection (from `DOCKER_HOST` or the default
 * socket), reachability checks with a bounded wait, the sandbox image's name and labels, the
 * labels every sandbox container carries, and the removal of containers and work directories
 * left behind by campaigns that crashed (`clade sandbox prune`).
 */
import { readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { describeError, SandboxError } from '../core/errors.js';
import { HARNESS_VERSION } from '../harness/types.js';

/** Tag of the sandbox image: one per harness protocol, so clade versions can share an engine. */
export const SANDBOX_IMAGE = `clade-sandbox:harness-${HARNESS_VERSION}`;

/** Image label holding the harness protocol the image was built for. */
export const IMAGE_HARNESS_LABEL = 'clade.harness-version';
/** Image label holding the node version inside the image. */
export const IMAGE_NODE_LABEL = 'clade.node-version';
/** Image label naming the shell agents get at `/bin/sh` (e.g. `busybox-1.35.0`, `dash`); absent when there is none. */
export const IMAGE_SHELL_LABEL = 'clade.shell';
/** Image label holding the `python3` version in the image (e.g. `3.11.7`); absent when it has none. */
export const IMAGE_PYTHON_LABEL = 'clade.python-version';

/** Label on every sandbox container (value `1`); `clade sandbox prune` looks for it. */
export const CONTAINER_LABEL = 'clade.sandbox';
/** Label naming the process that owns a container (`<hostname>:<pid>`). */
export const CONTAINER_OWNER_LABEL = 'clade.owner';

/** Prefix of the host work directories of the Docker driver, followed by the owner's pid. */
export const WORK_DIRECTORY_PREFIX = 'clade-docker-';

/** User and group the sandboxed program runs as inside the image (not root, no home). */
export const SANDBOX_USER = { uid: 10001, gid: 10001, name: 'clade' } as const;

/**
 * A dockerode client for `DOCKER_HOST` (`unix://…`, `tcp://host:port`) or, when unset, the
 * default socket (`/var/run/docker.sock`). dockerode reads `DOCKER_HOST` itself.
 */
export function connectDocker(): Docker {
  // Loaded on first use: dockerode and its dependencies cost CLI start-up time for every command.
  const DockerClient = createRequire(import.meta.url)('dockerode') as typeof Docker;
  return new DockerClient();
}

/** This process as an owner label value. */
export function ownerLabel(): string {
  return `${hostname()}:${process.pid}`;
}

/** What `probeEngine` found. */
export type EngineProbe =
  | { reachable: true; version: string; apiVersion: string; runtimes: string[]; operatingSystem: string }
  | { reachable: false; reason: string };

/** Where the engine is expected, for messages. */
export function engineAddress(): string {
  return process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}

/**
 * Asks the engine for its version within `timeoutMs` (default 3 s). Never throws: an unreachable
 * engine is an answer.
 */
export async function probeEngine(docker: Docker, timeoutMs = 3_000): Promise<EngineProbe> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const [version, info] = (await Promise.race([Promise.all([docker.version(), docker.info()]), timeout])) as [
      Docker.DockerVersion,
      { Runtimes?: Record<string, unknown>; OperatingSystem?: string },
    ];
    return {
      reachable: true,
      version: version.Version,
      apiVersion: version.ApiVersion,
      runtimes: Object.keys(info.Runtimes ?? {}),
      operatingSystem: info.OperatingSystem ?? 'unknown',
    };
  } catch (error) {
    return { reachable: false, reason: `${engineAddress()}: ${describeError(error)}` };
  } finally {
    clearTimeout(timer);
  }
}

/** The sandbox image as the engine holds it. */
export interface SandboxImageInfo {
  /** Tag asked for. */
  name: string;
  /** Content digest of the image (`sha256:…`, its ID): stored with evaluations for replay. */
  digest: string;
  harnessVersion: string | null;
  nodeVersion: string | null;
  /** The shell at `/bin/sh` (label `clade.shell`), or null for an image without one. */
  shell: string | null;
  /** The `python3` in the image (label `clade.python-version`), or null when not labelled. */
  pythonVersion: string | null;
  /** Size of the image, in bytes, as the engine reports it. */
  sizeBytes: number;
  createdAt: string;
}

/** The image's digest and labels, or null when the engine does not have it. */
export async function inspectSandboxImage(docker: Docker, name = SANDBOX_IMAGE): Promise<SandboxImageInfo | null> {
  try {
    const info = await docker.getImage(name).inspect();
    const labels = info.Config?.Labels ?? {};
    return {
      name,
      digest: info.Id,
      // An empty label (a Dockerfile that clears the inherited one) counts as none.
      harnessVersion: labels[IMAGE_HARNESS_LABEL] || null,
      nodeVersion: labels[IMAGE_NODE_LABEL] ?? null,
      shell: labels[IMAGE_SHELL_LABEL] ?? null,
      pythonVersion: labels[IMAGE_PYTHON_LABEL] ?? null,
      sizeBytes: info.Size ?? 0,
      createdAt: info.Created,
    };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw new SandboxError(
      'SANDBOX_UNAVAILABLE',
      `Could not inspect the sandbox image ${name} at ${engineAddress()}: ${describeError(error)}. Check the engine with \`clade doctor\`.`,
      { cause: error },
    );
  }
}

/**
 * Like `inspectSandboxImage`, but the image must exist, and an image that carries a harness label
 * (every image `clade sandbox build` makes; always the default `SANDBOX_IMAGE`) must carry this
 * harness version. An image of the user's own without the label (`sandbox.image: python:3.12`)
 * is taken as it is: its programs run if it holds them (`clade doctor` lists what it holds).
 * @throws SandboxError (`SANDBOX_UNAVAILABLE`) naming the command that builds it.
 */
export async function requireSandboxImage(docker: Docker, name = SANDBOX_IMAGE): Promise<SandboxImageInfo> {
  const image = await inspectSandboxImage(docker, name);
  if (image === null) {
    throw new SandboxError(
      'SANDBOX_UNAVAILABLE',
      name === SANDBOX_IMAGE
        ? `The Docker engine has no sandbox image ${name}. Build it with \`clade sandbox build --offline\` (no registry needed), or \`clade sandbox build\` where node:20-slim can be pulled.`
        : `The Docker engine has no image ${name} (sandbox.image). Pull or build it (\`docker pull ${name}\`, or \`clade sandbox build --dockerfile PATH --tag ${name}\`), or remove sandbox.image to use ${SANDBOX_IMAGE}.`,
    );
  }
  if (image.harnessVersion === null && name !== SANDBOX_IMAGE) return image;
  if (image.harnessVersion !== HARNESS_VERSION) {
    throw new SandboxError(
      'SANDBOX_UNAVAILABLE',
      `The sandbox image ${name} is labelled for harness ${image.harnessVersion ?? '(none)'}, this clade needs harness ${HARNESS_VERSION}. Rebuild it with \`clade sandbox build --offline\`.`,
    );
  }
  return image;
}

/** What `pruneSandboxes` removed. */
export interface PruneReport {
  containers: string[];
  directories: string[];
}

/** Whether a process of this host is alive. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes sandbox containers (any state) whose owning clade process is gone, and the host work
 * directories of such processes under `tempRoot`. With `all`, removes every sandbox container,
 * including those of running campaigns. Containers owned by another host are left alone unless
 * `all` is set.
 */
export async function pruneSandboxes(
  docker: Docker,
  options: { all?: boolean; tempRoot?: string } = {},
): Promise<PruneReport> {
  const report: PruneReport = { containers: [], directories: [] };
  const containers = await docker.listContainers({ all: true, filters: { label: [CONTAINER_LABEL] } });
  const thisHost = hostname();
  for (const container of containers) {
    const owner = container.Labels[CONTAINER_OWNER_LABEL] ?? '';
    const separator = owner.lastIndexOf(':');
    const ownerHost = owner.slice(0, separator);
    const ownerPid = Number(owner.slice(separator + 1));
    const orphaned = ownerHost === thisHost && Number.isInteger(ownerPid) && !isAlive(ownerPid);
    if (!options.all && !orphaned) continue;
    try {
      await docker.getContainer(container.Id).remove({ force: true, v: true });
      report.containers.push(container.Id.slice(0, 12));
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
  }
  const tempRoot = options.tempRoot ?? tmpdir();
  let entries: string[] = [];
  try {
    entries = await readdir(tempRoot);
  } catch {
    entries = [];
  }
  for (const entry of entries) {
    const match = new RegExp(`^${WORK_DIRECTORY_PREFIX}(\\d+)-`).exec(entry);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || (!options.all && isAlive(pid))) continue;
    await rm(join(tempRoot, entry), { recursive: true, force: true });
    report.directories.push(join(tempRoot, entry));
  }
  return report;
}
