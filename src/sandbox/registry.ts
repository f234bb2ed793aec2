/**
 * @module The sandbox drivers as plug-in kinds: one `SandboxKind` descriptor per driver
 * (`process`, `docker`, `queue`) in `sandboxKinds`. A new driver is one file with its
 * `createXxxSandbox` and one descriptor registered here (or by a library user with
 * `sandboxKinds.register`); the sandbox policy (`chooseSandbox`) and the contract suite
 * (`tests/contracts/sandbox.contract.ts`) find it here.
 */
import type Docker from 'dockerode';
import { ConfigError, SandboxError } from '../core/errors.js';
import { type PluginKind, PluginRegistry } from '../core/plugin.js';
import type { Sandbox } from './types.js';

// The drivers are imported when a kind is created, not with the registry: listing the kinds (the
// schema, `--help`) then loads neither dockerode nor bullmq.

/**
 * What a driver reads of the campaign file's `sandbox` section (`SandboxConfig` in
 * `src/config/schema.ts` has these fields and more), plus, for the `queue` driver, the executor.
 */
export interface SandboxSettings {
  /** Docker: idle containers kept warm per worker (0: a fresh container per run). */
  pool?: number;
  /** Docker: NVIDIA GPUs per container, a count or `all`. */
  gpus?: number | 'all';
  /** Docker: cap on what a run writes into its work directory, in MiB. */
  diskMb?: number;
  /** Docker: the image tag (`sandbox.image`). Default `SANDBOX_IMAGE`. */
  image?: string | undefined;
  /** `queue`: the `executor: { kind: bullmq }` section and the campaign id jobs are namespaced by. */
  queue?: QueueSettings | undefined;
  /**
   * Process: run model-written code in the process sandbox even where it cannot be isolated (no
   * working bubblewrap). The campaign file's `sandbox.allowUnisolated`, or `--unsafe-process-sandbox`.
   */
  allowUnisolated?: boolean | undefined;
}

/** The `queue` driver's settings: the campaign file's `executor` section (kind `bullmq`) and the campaign id. */
export interface QueueSettings {
  redis: string;
  queue: string;
  attempts: number;
  backoffSeconds: number;
  keepResultsSeconds: number;
  pollSeconds: number;
  /** Mixed into job ids so that two campaigns on one queue never share results: the campaign id. */
  namespace: string;
}

/** What the wiring gives a driver besides its settings. */
export interface SandboxRuntime {
  /** Workers of this run: Docker's warm pool keeps `pool` containers per worker. Default 1. */
  workers?: number;
  /** Receives one line naming the sandbox made (`sandbox: docker (…)`). */
  info?: (message: string) => void;
  /** Receives warnings (a weaker sandbox than asked for, Redis away). */
  warn?: (message: string) => void;
  /** The Docker engine (tests). Default: `DOCKER_HOST` or the default socket. */
  docker?: Docker;
  /** Image tag or digest that overrides `settings.image` (replay pins the recorded digest). */
  image?: string;
  /** Docker: remove containers left by dead clade processes. Default true. */
  pruneOrphans?: boolean;
  /**
   * Whether the code the sandbox runs was written by a model (or may have been: a worker runs what
   * it is sent). The process kind then refuses to run unisolated unless `allowUnisolated`. Default true.
   */
  runsModelCode?: boolean;
  /** Where the code comes from, for messages (`mutation.operator llm-diff`). Default `this sandbox's code`. */
  codeSource?: string;
  /** Process: whether bubblewrap works here (tests). Default `probeIsolation` of `isolation.ts`, asked once per process. */
  probeIsolation?: () => Promise<import('./isolation.js').IsolationProbe>;
}

/** One sandbox driver as a plug-in kind. */
export interface SandboxKind extends PluginKind {
  /**
   * Whether every run is kept from the host's network and file system, whatever the machine
   * (Docker: yes; process: no — it isolates only where bubblewrap works, which its `create` checks
   * and the policy follows: model-written code runs unisolated only with `allowUnisolated`).
   */
  readonly isolated: boolean;
  /**
   * Whether `sandbox.kind` and `--sandbox` may name it. The `queue` driver may not: it is chosen by
   * `executor.kind: bullmq`, and its workers pick their own sandbox (`clade worker --sandbox`).
   */
  readonly selectable: boolean;
  /**
   * Makes the sandbox, after checking what it needs (Docker: an engine and the image).
   * @throws SandboxError (`SANDBOX_UNAVAILABLE`) saying what to do; ConfigError for bad settings.
   */
  create(settings: SandboxSettings, runtime: SandboxRuntime): Promise<Sandbox>;
}

/**
 * `process`: a child process per run, isolated by bubblewrap where it works (own user, mount, PID,
 * IPC, UTS and network namespaces; see `isolation.ts`). Where it does not, model-written code is
 * refused unless `allowUnisolated`; other code runs unisolated with a warning.
 */
export const processSandboxKind: SandboxKind = {
  kind: 'process',
  summary:
    'a child process per run in a temporary directory, isolated by bubblewrap where it works (own user, mount, pid, ipc, uts and network namespaces, no host files but the program’s); time, memory and output limits and an empty environment',
  isolated: false,
  selectable: true,
  async create(settings, runtime) {
    const { describeIsolation, probeIsolation } = await import('./isolation.js');
    const { createProcessSandbox } = await import('./process-sandbox.js');
    const probe = await (runtime.probeIsolation ?? probeIsolation)();
    if (probe.available) {
      runtime.info?.(`sandbox: process (${describeIsolation(probe)})`);
      return createProcessSandbox({ isolation: 'bubblewrap' });
    }
    const source = runtime.codeSource ?? "this sandbox's code";
    if (runtime.runsModelCode !== false && settings.allowUnisolated !== true) {
      throw new SandboxError(
        'SANDBOX_UNAVAILABLE',
        `${source} runs model-written code, and the process sandbox cannot isolate it on this machine: ${probe.reason}. Install bubblewrap, or use the docker sandbox (\`clade doctor\` checks both); to run it unisolated anyway (it can then read this user's files, reach the network and leave processes running), pass --unsafe-process-sandbox or set sandbox.allowUnisolated: true, and keep API keys out of the environment.`,
      );
    }
    runtime.warn?.(
      `UNISOLATED process sandbox: ${probe.reason}. ${source}'s programs run as this user, with this user's files, the network and other processes in reach.`,
    );
    runtime.info?.(`sandbox: process (${describeIsolation(probe)})`);
    return createProcessSandbox({ isolation: 'none' });
  },
};

/** `docker`: a locked-down container per run (or a warm pool). */
export const dockerSandboxKind: SandboxKind = {
  kind: 'docker',
  summary:
    'a locked-down container per run (no network, read-only root, memory/CPU/pids/disk caps, unprivileged user), optionally a warm pool',
  isolated: true,
  selectable: true,
  async create(settings, runtime) {
    const pool = settings.pool ?? 0;
    const workers = runtime.workers ?? 1;
    const gpus = settings.gpus ?? 0;
    const image = runtime.image ?? settings.image;
    const { createDockerSandbox } = await import('./docker-sandbox.js');
    const { SANDBOX_IMAGE } = await import('./docker-engine.js');
    const sandbox = await createDockerSandbox({
      pool: pool * workers,
      gpus,
      ...(settings.diskMb !== undefined ? { diskMb: settings.diskMb } : {}),
      ...(runtime.docker ? { docker: runtime.docker } : {}),
      ...(image ? { image } : {}),
      ...(runtime.pruneOrphans === false ? { pruneOrphans: false } : {}),
    });
    runtime.info?.(
      `sandbox: docker (${image ?? `${SANDBOX_IMAGE} image`}, ${pool > 0 ? `warm pool of ${pool * workers}` : 'fresh container per evaluation'}${gpus !== 0 ? `, GPUs: ${String(gpus)}` : ''})`,
    );
    return sandbox;
  },
};

/** `queue`: runs on `clade worker` processes through a BullMQ queue on Redis (`executor.kind: bullmq`). */
export const queueSandboxKind: SandboxKind = {
  kind: 'queue',
  summary:
    'runs go to `clade worker` processes (any host) through a BullMQ queue on Redis, each in the worker’s own sandbox; chosen by executor.kind: bullmq',
  isolated: false,
  selectable: false,
  async create(settings, runtime) {
    const queue = settings.queue;
    if (queue === undefined) {
      throw new ConfigError(
        'The queue sandbox needs the executor section (executor: { kind: bullmq, redis: … }); sandbox.kind cannot name it.',
        [
          {
            path: 'executor',
            message: 'set executor.kind: bullmq with a redis URL to run evaluations on clade workers',
          },
        ],
      );
    }
    const { createQueueSandbox } = await import('./queue-sandbox.js');
    return createQueueSandbox({
      redis: queue.redis,
      queue: queue.queue,
      namespace: queue.namespace,
      attempts: queue.attempts,
      backoffMs: queue.backoffSeconds * 1000,
      keepResultsSeconds: queue.keepResultsSeconds,
      pollMs: queue.pollSeconds * 1000,
      ...(runtime.warn ? { warn: runtime.warn } : {}),
    });
  },
};

/** Every sandbox driver, by name. `sandboxKinds.register(myKind)` adds one from outside clade. */
export const sandboxKinds = new PluginRegistry<SandboxKind>('sandbox kind', 'sandbox.kind', [
  processSandboxKind,
  dockerSandboxKind,
  queueSandboxKind,
]);

/**
 * The values `sandbox.kind` accepts: `auto` (the policy, see `chooseSandbox`) and every registered
 * kind that is `selectable` (`process`, `docker`, and any a library user registered).
 */
export function selectableSandboxKinds(): string[] {
  return [
    'auto',
    ...sandboxKinds
      .list()
      .filter((kind) => kind.selectable)
      .map((kind) => kind.kind),
  ];
}
