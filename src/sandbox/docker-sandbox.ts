/**
 * @module The `docker` sandbox driver: every run in a locked-down container (dockerode). No
 * network, memory = memory+swap, CPU share, pids limit, read-only root, `/tmp` as a size-capped
 * tmpfs, the run's work directory bind-mounted (request files read-only, new files writable,
 * size watched), an unprivileged user, all capabilities dropped, no-new-privileges. Killed at the
 * wall-clock limit; stdout/stderr streamed and capped; the result file read from the host side of
 * the mount and checked. Containers carry labels and are removed on every path; a crashed
 * campaign's leftovers are removed by the next sandbox created on the host, or by
 * `clade sandbox prune`. Optionally a warm pool reuses idle containers with `docker exec`.
 * A request's `modelSocket` (a model proxy session) is bind-mounted at `/run/clade/model.sock`,
 * named by `CLADE_MODEL_SOCKET`; such runs always get a fresh container.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, lstat, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { describeError, SandboxError } from '../core/errors.js';
import { MODEL_SOCKET_ENV, SANDBOX_MODEL_SOCKET } from '../model-proxy/types.js';
import { collectFiles, validateCollectRequest, validateExecutableFiles } from './collect-files.js';
import {
  CONTAINER_LABEL,
  CONTAINER_OWNER_LABEL,
  connectDocker,
  engineAddress,
  ownerLabel,
  probeEngine,
  pruneSandboxes,
  requireSandboxImage,
  SANDBOX_IMAGE,
  SANDBOX_USER,
  WORK_DIRECTORY_PREFIX,
} from './docker-engine.js';
import {
  abortedBeforeStart,
  isNodeProgram,
  looksLikeHeapOutOfMemory,
  makeWorkDirectory,
  OutputCapture,
  readResultFile,
  removeTree,
  validateRequest,
  withNodeHeapLimit,
  writeRequestFiles,
} from './driver-kit.js';
import { PRIVATE_PIDS_ENV } from './isolation.js';
import { assertModelSocket } from './model-socket.js';
import type { Sandbox, SandboxExit, SandboxLimits, SandboxRequest, SandboxResult } from './types.js';

/** Options of `createDockerSandbox`. */
export interface DockerSandboxOptions {
  /** The engine. Default: `connectDocker()` (`DOCKER_HOST` or the default socket). */
  docker?: Docker;
  /** Image tag. Default `SANDBOX_IMAGE` (`clade-sandbox:harness-<version>`). */
  image?: string;
  /** Host directory in which work directories are made (the engine must see the same path). Default `os.tmpdir()`. */
  tempRoot?: string;
  /**
   * Idle containers kept warm for reuse (0: a fresh container per run, the default). A warm
   * container runs each evaluation with `docker exec` in a fresh work directory; one that timed
   * out, passed a cap, was aborted or left a process behind is discarded, never reused.
   */
  pool?: number;
  /** NVIDIA GPUs passed through (device requests): a count, or `all`. Default 0. */
  gpus?: number | 'all';
  /** Cap on the bytes written into a run's work directory, in MiB. Default 512. */
  diskMb?: number;
  /** Size of the `/tmp` tmpfs, in MiB (it counts against the memory cap). Default 64. */
  tmpfsMb?: number;
  /** How often the work directory's size is checked, in ms. Default 200. */
  diskPollMs?: number;
  /** Remove containers and work directories left by dead clade processes on creation. Default true. */
  pruneOrphans?: boolean;
}

const MIB = 1024 * 1024;
const PATH_VARIABLE = 'PATH=/usr/local/bin:/usr/bin:/bin';
/** Grace period for the output stream to end after the container's program exited. */
const STREAM_END_GRACE_MS = 2_000;
/** What a warm container runs while idle (the keeper, PID 1). */
const KEEPER_COMMAND = ['node', '-e', 'process.on("SIGTERM", () => process.exit(0)); setInterval(() => {}, 1 << 30);'];
/** Empties `/tmp`, so nothing a previous evaluation in a warm container left there is visible. */
const CLEAR_TMP_SOURCE =
  "import { readdirSync, rmSync } from 'node:fs'; for (const name of readdirSync('/tmp')) { try { rmSync('/tmp/' + name, { recursive: true, force: true }); } catch {} }";
/** `CLEAR_TMP_SOURCE` preloaded (`--import`) before a node program in a warm container. */
const CLEAR_TMP_IMPORT = `data:text/javascript,${encodeURIComponent(CLEAR_TMP_SOURCE)}`;
/** What the Docker engine says when a container's or an exec's program is not in the image. */
const MISSING_PROGRAM = /executable file not found|no such file or directory/i;

/** A warm container and its mounted pool directory. */
interface PooledContainer {
  container: Docker.Container;
  id: string;
  directory: string;
  key: string;
}

/** How the container's program ended, before the result file is read. */
interface RunOutcome {
  exit: SandboxExit;
  exitCode: number | null;
  signal: string | null;
  stdout: OutputCapture;
  stderr: OutputCapture;
  durationMs: number;
  /** Whether the container may be reused (warm pool). */
  healthy: boolean;
  diskNote: string | null;
}

/**
 * Creates the `docker` sandbox driver after checking that the engine answers, that it holds the
 * sandbox image for this harness version, and (with `gpus`) that it can pass GPUs through.
 *
 * @throws SandboxError (`SANDBOX_UNAVAILABLE`) with what to do: start the engine, build the
 *   image (`clade sandbox build --offline`), or install the NVIDIA Container Toolkit.
 */
export async function createDockerSandbox(options: DockerSandboxOptions = {}): Promise<Sandbox> {
  const docker = options.docker ?? connectDocker();
  const probe = await probeEngine(docker);
  if (!probe.reachable) {
    throw new SandboxError(
      'SANDBOX_UNAVAILABLE',
      `No Docker engine answers at ${probe.reason}. Start it (\`dockerd\`, or Docker Desktop), set DOCKER_HOST, or use \`--sandbox process\`. \`clade doctor\` shows what is missing.`,
      { isRetryable: true },
    );
  }
  const image = await requireSandboxImage(docker, options.image ?? SANDBOX_IMAGE);
  // What ran, for replay: the image by digest, and the runtimes its labels name (a user's image may name none).
  const environment = `docker ${image.name}@${image.digest}${image.nodeVersion ? ` node ${image.nodeVersion}` : ''}${image.pythonVersion ? ` python ${image.pythonVersion}` : ''}`;
  const tempRoot = options.tempRoot ?? tmpdir();
  const poolSize = Math.max(0, Math.floor(options.pool ?? 0));
  if (poolSize > 0 && image.nodeVersion === null) {
    throw new SandboxError(
      'SANDBOX_UNAVAILABLE',
      `sandbox.pool is ${poolSize}, but the image ${image.name} carries no node (label clade.node-version), which a warm container needs to stay up between runs. Set sandbox.pool to 0, or use an image made by \`clade sandbox build\`.`,
    );
  }
  const gpus = options.gpus ?? 0;
  const diskBytes = (options.diskMb ?? 512) * MIB;
  const tmpfsMb = options.tmpfsMb ?? 64;
  const diskPollMs = options.diskPollMs ?? 200;
  const owner = ownerLabel();
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (options.pruneOrphans ?? true) await pruneSandboxes(docker, { tempRoot }).catch(() => undefined);

  const live = new Set<string>();
  const pendingRemovals = new Set<Promise<void>>();
  const idle: PooledContainer[] = [];
  const returning = new Set<Promise<void>>();
  let closed = false;

  const deviceRequests =
    gpus === 0 ? undefined : [{ Driver: 'nvidia', Count: gpus === 'all' ? -1 : gpus, Capabilities: [['gpu']] }];
  const translateStartError = (error: unknown): SandboxError => {
    const message = describeError(error);
    if (deviceRequests && /nvidia|device driver|gpu/i.test(message)) {
      return new SandboxError(
        'SANDBOX_UNAVAILABLE',
        `sandbox.gpus is ${String(gpus)}, but the Docker engine cannot pass NVIDIA GPUs through: ${message}. Install the NVIDIA driver and the NVIDIA Container Toolkit (then restart dockerd), or set sandbox.gpus to 0.`,
        { cause: error },
      );
    }
    return new SandboxError(
      'SANDBOX_UNAVAILABLE',
      `Could not start a sandbox container from ${image.name} at ${engineAddress()}: ${message}. Check the engine with \`clade doctor\`.`,
      { cause: error, isRetryable: true },
    );
  };

  const hostConfig = (limits: SandboxLimits, directory: string, modelSocket?: string): Docker.HostConfig => ({
    NetworkMode: 'none',
    Memory: Math.floor(limits.memoryMb * MIB),
    MemorySwap: Math.floor(limits.memoryMb * MIB),
    NanoCpus: Math.round(limits.cpus * 1e9),
    PidsLimit: limits.pids,
    ReadonlyRootfs: true,
    Tmpfs: { '/tmp': `rw,nosuid,nodev,noexec,size=${tmpfsMb}m,mode=1777` },
    Binds: [`${directory}:${directory}:rw`],
    // The model proxy session's socket, the one way out of a container without a network.
    ...(modelSocket !== undefined
      ? { Mounts: [{ Type: 'bind' as const, Source: modelSocket, Target: SANDBOX_MODEL_SOCKET, ReadOnly: true }] }
      : {}),
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges'],
    IpcMode: 'private',
    LogConfig: { Type: 'none', Config: {} },
    Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 1024 }],
    ...(deviceRequests ? { DeviceRequests: deviceRequests } : {}),
  });
  // PRIVATE_PIDS_ENV: a container's processes are the run's own (a warm container runs one exec at a
  // time), so the node harness kills the agent's leftovers before it writes its final result.
  const baseEnvironment = (home: string): string[] => [
    PATH_VARIABLE,
    `HOME=${home}`,
    'TMPDIR=/tmp',
    'LANG=C.UTF-8',
    `${PRIVATE_PIDS_ENV}=1`,
  ];
  const containerName = (): string => `clade-${process.pid}-${randomBytes(4).toString('hex')}`;

  /** Removes a container in the background; `close` waits for it. */
  const discard = (id: string): void => {
    const removal = docker
      .getContainer(id)
      .remove({ force: true, v: true })
      .catch(() => undefined)
      .then(() => {
        live.delete(id);
        pendingRemovals.delete(removal);
        if (live.size === 0) process.off('exit', removeOnExit);
      });
    pendingRemovals.add(removal);
  };
  /** Last resort when the campaign process exits with containers alive: a detached remover. */
  const removeOnExit = (): void => {
    if (live.size === 0) return;
    const modem = docker.modem as { socketPath?: string; host?: string; port?: number };
    const target = modem.socketPath ? { socketPath: modem.socketPath } : { host: modem.host, port: modem.port };
    const script = `const http = require('node:http'); for (const id of ${JSON.stringify([...live])}) http.request({ ...${JSON.stringify(target)}, method: 'DELETE', path: '/containers/' + id + '?force=true&v=true' }).on('error', () => {}).end();`;
    try {
      spawn(process.execPath, ['-e', script], { detached: true, stdio: 'ignore' }).unref();
    } catch {
      // `clade sandbox prune` removes them.
    }
  };
  const track = (id: string): void => {
    if (live.size === 0) process.on('exit', removeOnExit);
    live.add(id);
  };

  /** Makes the request files read-only for the sandbox user, and the directory writable. */
  const lockDown = async (workDir: string, request: SandboxRequest): Promise<void> => {
    const consumed = new Set(request.consumedFiles ?? []);
    const executables = new Set(request.executableFiles ?? []);
    const walk = async (directory: string, relative: string): Promise<void> => {
      for (const entry of await readdir(directory, { withFileTypes: true })) {
        const path = join(directory, entry.name);
        const relativePath = relative ? `${relative}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          await walk(path, relativePath);
          // `tmp/` (made by writeRequestFiles) stays writable; request directories do not.
          await chmod(path, relativePath === 'tmp' ? 0o1777 : 0o555);
        } else if (consumed.has(relativePath) && isRoot) {
          await chown(path, SANDBOX_USER.uid, SANDBOX_USER.gid);
          await chmod(path, 0o400);
        } else {
          await chmod(path, executables.has(relativePath) ? 0o555 : 0o444);
        }
      }
    };
    await walk(workDir, '');
    // Sticky: the program may create files here, but not delete or replace the request's files.
    // Without root the consumed files cannot change owner; the directory is then left non-sticky.
    await chmod(workDir, consumed.size > 0 && !isRoot ? 0o777 : 0o1777);
  };

  /** Sum of the sizes of the files under `directory` (links not followed). */
  const directoryBytes = async (directory: string): Promise<number> => {
    let total = 0;
    const stack = [directory];
    while (stack.length > 0) {
      const current = stack.pop() as string;
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(current, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        const path = join(current, entry.name);
        if (entry.isDirectory()) stack.push(path);
        else {
          try {
            total += (await lstat(path)).size;
          } catch {
            // Deleted since the listing.
          }
        }
      }
    }
    return total;
  };

  /**
   * Streams the program's output into capped captures, enforces the time, abort and disk limits
   * through `kill`, and resolves when `finished` resolves (with the exit code) and the stream ended.
   */
  const supervise = async (
    stream: NodeJS.ReadableStream,
    finished: () => Promise<{ exitCode: number | null; oomKilled: boolean }>,
    kill: () => Promise<void>,
    request: SandboxRequest,
    workDir: string,
    startedAt: number,
  ): Promise<RunOutcome> => {
    const { limits } = request;
    const stdout = new OutputCapture(limits.outputBytes);
    const stderr = new OutputCapture(limits.outputBytes);
    const sink = (capture: OutputCapture): Writable =>
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          capture.push(chunk);
          callback();
        },
      });
    const streamEnded = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    docker.modem.demuxStream(stream, sink(stdout), sink(stderr));

    let stopReason: Exclude<SandboxExit, 'exited'> | null = null;
    let diskNote: string | null = null;
    const stop = (reason: Exclude<SandboxExit, 'exited'>): void => {
      if (stopReason !== null) return;
      stopReason = reason;
      void kill().catch(() => undefined);
    };
    const timer = setTimeout(() => stop('timeout'), Math.max(0, limits.timeoutMs - (performance.now() - startedAt)));
    const onAbort = (): void => stop('aborted');
    request.signal?.addEventListener('abort', onAbort, { once: true });
    // Aborted while the container was being made: the listener came too late to hear it.
    if (request.signal?.aborted) onAbort();
    let watching = true;
    const watchDisk = async (): Promise<void> => {
      while (watching) {
        await new Promise((resolve) => setTimeout(resolve, diskPollMs));
        if (!watching) break;
        const bytes = await directoryBytes(workDir);
        if (bytes > diskBytes) {
          diskNote = `the work directory grew to ${Math.round(bytes / MIB)} MiB, past the cap of ${Math.round(diskBytes / MIB)} MiB`;
          stop('disk');
          break;
        }
      }
    };
    const diskWatch = watchDisk();
    let ended: { exitCode: number | null; oomKilled: boolean };
    try {
      ended = await finished();
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      watching = false;
    }
    const endedAt = performance.now();
    await Promise.race([streamEnded, new Promise((resolve) => setTimeout(resolve, STREAM_END_GRACE_MS))]);
    await diskWatch;
    (stream as { destroy?: () => void }).destroy?.();

    let exit: SandboxExit = stopReason ?? 'exited';
    let exitCode = ended.exitCode;
    let signal: string | null = null;
    if (exit === 'exited' && ended.oomKilled) exit = 'memory';
    if (exit === 'exited' && exitCode !== 0 && looksLikeHeapOutOfMemory(stderr.tail())) exit = 'memory';
    if (exit !== 'exited' || (exitCode !== null && exitCode > 128 && exitCode < 160)) {
      signal =
        exitCode !== null && exitCode > 128 ? (SIGNAL_NAMES[exitCode - 128] ?? `signal ${exitCode - 128}`) : null;
      if (exit !== 'exited') signal ??= 'SIGKILL';
      exitCode = null;
    }
    return {
      exit,
      exitCode,
      signal,
      stdout,
      stderr,
      durationMs: Math.round(endedAt - startedAt),
      healthy: exit === 'exited',
      diskNote,
    };
  };

  /** Reads the result and assembles the answer. */
  const finish = async (outcome: RunOutcome, workDir: string, request: SandboxRequest): Promise<SandboxResult> => {
    const read = await readResultFile(workDir, request.resultFile, request.limits.resultBytes, outcome);
    return {
      exit: outcome.exit,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      stdout: outcome.stdout.text(),
      stderr: outcome.stderr.text(),
      stdoutTruncated: outcome.stdout.truncated,
      stderrTruncated: outcome.stderr.truncated,
      result: read.result,
      resultError: outcome.exit === 'disk' && read.result === undefined ? (outcome.diskNote ?? read.error) : read.error,
      durationMs: outcome.durationMs,
      peakMemoryMb: null,
      environment,
      ...(request.collect ? { collected: await collectFiles(workDir, request.collect) } : {}),
    };
  };

  /** The request's command, with V8's heap limit when it runs node. */
  const command = (request: SandboxRequest): string[] =>
    withNodeHeapLimit(request.command, request.limits.memoryMb, 16);
  /** A program the image does not hold: the run cannot happen in this image (not the program's failure). */
  const missingProgram = (request: SandboxRequest, detail: string): SandboxError =>
    new SandboxError(
      'SANDBOX_UNAVAILABLE',
      `The sandbox image ${image.name} has no program "${request.command[0]}" (${detail.trim().slice(0, 300)}). Use an image that holds it: \`clade sandbox build --offline --python\` adds python3 with numpy and scipy, \`clade sandbox build --dockerfile PATH\` builds your own (then set sandbox.image); \`clade doctor\` lists what the image holds.`,
    );

  /** A fresh container per run. */
  const runCold = async (request: SandboxRequest, workDir: string): Promise<SandboxResult> => {
    let container: Docker.Container;
    try {
      container = await docker.createContainer({
        name: containerName(),
        Image: image.digest,
        Cmd: command(request),
        User: `${SANDBOX_USER.uid}:${SANDBOX_USER.gid}`,
        WorkingDir: workDir,
        Env: [
          ...baseEnvironment(workDir),
          ...(request.modelSocket !== undefined ? [`${MODEL_SOCKET_ENV}=${SANDBOX_MODEL_SOCKET}`] : []),
        ],
        Labels: { [CONTAINER_LABEL]: '1', [CONTAINER_OWNER_LABEL]: owner },
        NetworkDisabled: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        HostConfig: hostConfig(request.limits, workDir, request.modelSocket),
      });
    } catch (error) {
      throw translateStartError(error);
    }
    track(container.id);
    try {
      const stream = await container.attach({ stream: true, stdout: true, stderr: true });
      const waiting = container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>;
      const startedAt = performance.now();
      try {
        await container.start();
      } catch (error) {
        if (MISSING_PROGRAM.test(describeError(error)) && /exec|stat/i.test(describeError(error)))
          throw missingProgram(request, describeError(error));
        throw translateStartError(error);
      }
      const outcome = await supervise(
        stream,
        async () => {
          const status = await waiting;
          const state = (await container.inspect()).State;
          return { exitCode: status.StatusCode, oomKilled: state.OOMKilled === true };
        },
        () => container.kill({ signal: 'SIGKILL' }),
        request,
        workDir,
        startedAt,
      );
      return await finish(outcome, workDir, request);
    } finally {
      discard(container.id);
    }
  };

  /** Starts a warm container for the given limits. */
  const startPooled = async (limits: SandboxLimits, key: string): Promise<PooledContainer> => {
    const directory = await mkdtemp(join(tempRoot, `${WORK_DIRECTORY_PREFIX}${process.pid}-`));
    await chmod(directory, 0o755);
    let container: Docker.Container;
    try {
      container = await docker.createContainer({
        name: containerName(),
        Image: image.digest,
        Cmd: KEEPER_COMMAND,
        User: `${SANDBOX_USER.uid}:${SANDBOX_USER.gid}`,
        WorkingDir: directory,
        Env: baseEnvironment(directory),
        Labels: { [CONTAINER_LABEL]: '1', [CONTAINER_OWNER_LABEL]: owner },
        NetworkDisabled: true,
        Tty: false,
        HostConfig: hostConfig(limits, directory),
      });
    } catch (error) {
      await removeTree(directory);
      throw translateStartError(error);
    }
    track(container.id);
    try {
      await container.start();
    } catch (error) {
      discard(container.id);
      await removeTree(directory);
      throw translateStartError(error);
    }
    return { container, id: container.id, directory, key };
  };

  const poolKey = (limits: SandboxLimits): string => `${limits.memoryMb}/${limits.cpus}/${limits.pids}`;

  const acquire = async (limits: SandboxLimits): Promise<PooledContainer> => {
    const key = poolKey(limits);
    for (;;) {
      const index = idle.findIndex((candidate) => candidate.key === key);
      if (index >= 0) return idle.splice(index, 1)[0] as PooledContainer;
      if (returning.size === 0) return startPooled(limits, key);
      await Promise.race(returning);
    }
  };

  const retire = (pooled: PooledContainer): void => {
    discard(pooled.id);
    const removal = removeTree(pooled.directory).catch(() => undefined);
    pendingRemovals.add(removal);
    void removal.then(() => pendingRemovals.delete(removal));
  };

  /** Puts a container back after checking that only the keeper runs in it. */
  const release = (pooled: PooledContainer, healthy: boolean): void => {
    if (!healthy || closed) {
      retire(pooled);
      return;
    }
    const check = (async () => {
      try {
        // The container's cgroup when this host can see it (a file read), else `docker top`.
        const processes =
          (await countContainerProcesses(pooled.id)) ??
          ((await pooled.container.top()) as { Processes?: unknown[][] }).Processes?.length ??
          0;
        if (processes === 1 && idle.length < poolSize && !closed) idle.push(pooled);
        else retire(pooled);
      } catch {
        retire(pooled);
      }
    })().finally(() => returning.delete(check));
    returning.add(check);
  };

  /** Empties `/tmp` of a warm container with node (before a program that is not node, which cannot preload it). */
  const clearTmp = async (pooled: PooledContainer, directory: string): Promise<void> => {
    const exec = await pooled.container.exec({
      Cmd: ['node', '--input-type=module', '-e', CLEAR_TMP_SOURCE],
      User: `${SANDBOX_USER.uid}:${SANDBOX_USER.gid}`,
      WorkingDir: directory,
      Env: baseEnvironment(directory),
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: false,
      Tty: false,
    });
    const stream = (await exec.start({ hijack: true, stdin: false })) as NodeJS.ReadableStream;
    await new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
      stream.resume();
    });
    const state = await exec.inspect();
    if (state.ExitCode !== 0)
      throw new Error(`emptying /tmp in the warm container exited with ${String(state.ExitCode)}`);
  };

  /** A run in a warm container, by `docker exec`, in a fresh directory under the pool directory. */
  const runWarm = async (request: SandboxRequest): Promise<SandboxResult> => {
    const pooled = await acquire(request.limits);
    let healthy = false;
    let workDir: string | null = null;
    try {
      workDir = await mkdtemp(join(pooled.directory, 'run-'));
      await writeRequestFiles(workDir, request.files);
      await lockDown(workDir, request);
      const runDirectory = workDir;
      const [program, ...programArguments] = command(request);
      let cmd: string[];
      if (isNodeProgram(program as string)) {
        cmd = [program as string, '--import', CLEAR_TMP_IMPORT, ...programArguments];
      } else {
        await clearTmp(pooled, runDirectory);
        cmd = command(request);
      }
      const exec = await pooled.container.exec({
        Cmd: cmd,
        User: `${SANDBOX_USER.uid}:${SANDBOX_USER.gid}`,
        WorkingDir: runDirectory,
        Env: baseEnvironment(runDirectory),
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: false,
        Tty: false,
      });
      const oomBefore = await readOomKills(pooled.id);
      const startedAt = performance.now();
      const stream = (await exec.start({ hijack: true, stdin: false })) as NodeJS.ReadableStream;
      const ended = new Promise<void>((resolve) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', () => resolve());
      });
      const outcome = await supervise(
        stream,
        async () => {
          await ended;
          const state = await exec.inspect();
          const oomAfter = await readOomKills(pooled.id);
          const exitCode = state.ExitCode ?? null;
          const oomKilled =
            oomBefore !== null && oomAfter !== null ? oomAfter > oomBefore : exitCode === 137 && !state.Running;
          return { exitCode, oomKilled };
        },
        () => pooled.container.kill({ signal: 'SIGKILL' }),
        request,
        runDirectory,
        startedAt,
      );
      healthy = outcome.healthy;
      if (
        outcome.exit === 'exited' &&
        (outcome.exitCode === 126 || outcome.exitCode === 127) &&
        /exec failed|executable file not found/i.test(outcome.stdout.tail() + outcome.stderr.tail())
      ) {
        throw missingProgram(request, outcome.stdout.tail() + outcome.stderr.tail());
      }
      return await finish(outcome, runDirectory, request);
    } catch (error) {
      if (error instanceof SandboxError) throw error;
      throw new SandboxError(
        'SANDBOX_FAILED',
        `A run in the warm sandbox container ${pooled.id.slice(0, 12)} failed: ${describeError(error)}. The container was discarded.`,
        { cause: error, isRetryable: true },
      );
    } finally {
      if (workDir !== null) {
        try {
          await removeTree(workDir);
        } catch {
          healthy = false;
        }
      }
      release(pooled, healthy);
    }
  };

  if (deviceRequests) {
    // Fail now, with a clear message, rather than at the first evaluation.
    const probeContainer = await docker
      .createContainer({
        name: containerName(),
        Image: image.digest,
        Cmd: ['node', '-e', '0'],
        Labels: { [CONTAINER_LABEL]: '1', [CONTAINER_OWNER_LABEL]: owner },
        NetworkDisabled: true,
        HostConfig: { NetworkMode: 'none', ReadonlyRootfs: true, CapDrop: ['ALL'], DeviceRequests: deviceRequests },
      })
      .catch((error: unknown) => {
        throw translateStartError(error);
      });
    try {
      await probeContainer.start();
      await probeContainer.wait();
    } catch (error) {
      throw translateStartError(error);
    } finally {
      await probeContainer.remove({ force: true }).catch(() => undefined);
    }
  }

  return {
    kind: 'docker',
    async run(request: SandboxRequest): Promise<SandboxResult> {
      validateRequest(request);
      validateExecutableFiles(request.files, request.executableFiles ?? []);
      if (request.collect) validateCollectRequest(request.collect);
      if (closed) throw new SandboxError('SANDBOX_FAILED', 'This Docker sandbox was closed; create another.');
      if (request.modelSocket !== undefined) await assertModelSocket(request.modelSocket);
      if (request.signal?.aborted) {
        return abortedBeforeStart(environment);
      }
      // A running container cannot gain a mount: a run with a model socket gets a fresh one.
      if (poolSize > 0 && request.modelSocket === undefined) return runWarm(request);
      const workDir = await makeWorkDirectory(tempRoot, `${WORK_DIRECTORY_PREFIX}${process.pid}-`);
      try {
        await writeRequestFiles(workDir, request.files);
        await lockDown(workDir, request);
        return await runCold(request, workDir);
      } finally {
        await removeTree(workDir);
      }
    },
    async close(): Promise<void> {
      closed = true;
      await Promise.all([...returning]);
      for (const pooled of idle.splice(0)) retire(pooled);
      while (pendingRemovals.size > 0) await Promise.all([...pendingRemovals]);
    },
  };
}

/** Processes in a container's cgroup (v1 or v2), or null when this host cannot see it. */
async function countContainerProcesses(containerId: string): Promise<number | null> {
  for (const path of [
    `/sys/fs/cgroup/pids/docker/${containerId}/cgroup.procs`,
    `/sys/fs/cgroup/system.slice/docker-${containerId}.scope/cgroup.procs`,
    `/sys/fs/cgroup/docker/${containerId}/cgroup.procs`,
  ]) {
    try {
      return (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim() !== '').length;
    } catch {
      // Not this layout.
    }
  }
  return null;
}

/** Number of OOM kills in a container's memory cgroup (v1 or v2), or null when unreadable. */
async function readOomKills(containerId: string): Promise<number | null> {
  const candidates = [
    [`/sys/fs/cgroup/memory/docker/${containerId}/memory.oom_control`, /^oom_kill (\d+)/m],
    [`/sys/fs/cgroup/system.slice/docker-${containerId}.scope/memory.events`, /^oom_kill (\d+)/m],
    [`/sys/fs/cgroup/docker/${containerId}/memory.events`, /^oom_kill (\d+)/m],
  ] as const;
  for (const [path, pattern] of candidates) {
    try {
      const match = pattern.exec(await readFile(path, 'utf8'));
      if (match?.[1] !== undefined) return Number(match[1]);
    } catch {
      // Not this layout.
    }
  }
  return null;
}

/** Linux signal names by number, for exit codes 128 + n. */
const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
};
