/**
 * @module The sandbox policy: which driver a campaign's evaluations run in, from its `sandbox`
 * section and what its code is (`runsModelCode`), and the `queue` sandbox of
 * `executor: { kind: bullmq }`. Drivers are looked up in `sandboxKinds`; nothing here knows
 * mutators or tasks: the caller says whether the code comes from a model, and names where.
 */
import { CladeError } from '../core/errors.js';
import { connectDocker, probeEngine } from './docker-engine.js';
import { type QueueSettings, type SandboxRuntime, type SandboxSettings, sandboxKinds } from './registry.js';
import type { Sandbox } from './types.js';

/** The campaign file's `sandbox` section as the policy reads it (`SandboxConfig` fits). */
export interface SandboxSection extends SandboxSettings {
  /** `auto`, or a registered selectable kind (`process`, `docker`, …). */
  kind: string;
}

/** Options of `chooseSandbox`: what the sandbox runs and where messages go. */
export interface ChooseSandboxOptions extends SandboxRuntime {
  /**
   * Whether the evaluated code is written by a model (llm-diff, llm-rewrite, self-modify; any code a
   * task runs that a model wrote). Such code runs only in an isolating sandbox (Docker, or the
   * process sandbox where bubblewrap works) unless `allowUnisolated`; code that differs from the
   * seed only in annotated values may run in an unisolated process sandbox, with a warning.
   */
  runsModelCode: boolean;
  /** Where the code comes from, for messages: `mutation.operator llm-diff`. */
  codeSource: string;
  /** Receives the warning when `auto` falls back to a weaker sandbox. Default: none. */
  warn?: (message: string) => void;
}

/**
 * The sandbox policy. A named kind (`process`, `docker`, or a registered one) is used as asked
 * (`docker` fails, saying what to do, when no engine answers or the image is missing). `auto` uses
 * Docker when an engine answers and holds the image (`sandbox.image`, default the clade sandbox
 * image). Otherwise it falls back to the process sandbox with a warning: isolated by bubblewrap
 * where that works; unisolated only for code that is not model-written (`runsModelCode: false`, e.g.
 * the offline `parametric` mutator) or with `allowUnisolated` (`--unsafe-process-sandbox`). The
 * process kind applies the same rule when named. The `info` line says which isolation is in force.
 *
 * @throws CladeError (`SANDBOX_UNAVAILABLE`) with what to do next; ConfigError for an unknown kind.
 */
export async function chooseSandbox(section: SandboxSection, options: ChooseSandboxOptions): Promise<Sandbox> {
  const warn = options.warn ?? (() => {});
  if (section.kind !== 'auto') {
    const kind = sandboxKinds.get(section.kind);
    if (!kind.selectable) {
      throw new CladeError(
        'CONFIG_INVALID',
        `sandbox.kind: "${section.kind}" cannot be named here (${kind.summary}); use auto, ${sandboxKinds
          .list()
          .filter((candidate) => candidate.selectable)
          .map((candidate) => candidate.kind)
          .join(' or ')}.`,
      );
    }
    return kind.create(section, options);
  }

  const docker = options.docker ?? connectDocker();
  const runtime: SandboxRuntime = { ...options, docker };
  let reason: string;
  const probe = await probeEngine(docker, 2_000);
  if (probe.reachable) {
    try {
      return await sandboxKinds.get('docker').create(section, runtime);
    } catch (error) {
      if (!(error instanceof CladeError) || error.code !== 'SANDBOX_UNAVAILABLE') throw error;
      reason = error.message;
    }
  } else {
    reason = `no Docker engine answers (${probe.reason}).`;
  }
  const { probeIsolation } = await import('./isolation.js');
  const isolation = await (options.probeIsolation ?? probeIsolation)();
  if (isolation.available || !options.runsModelCode || section.allowUnisolated === true) {
    warn(
      `Docker sandbox not used: ${reason} Running ${options.codeSource}'s children in the process sandbox${isolation.available ? ', isolated by bubblewrap' : ''} (\`clade doctor\` shows what Docker needs).`,
    );
    const info = options.info;
    return sandboxKinds.get('process').create(section, {
      ...runtime,
      ...(info ? { info: (line: string) => info(`${line} (fallback from auto)`) } : {}),
    });
  }
  throw new CladeError(
    'SANDBOX_UNAVAILABLE',
    `${options.codeSource} runs model-written code, which needs an isolating sandbox, but ${reason} and the process sandbox cannot isolate here (${isolation.available ? 'bubblewrap works' : isolation.reason}). Start a Docker engine and build the image (\`clade sandbox build --offline\`), or install bubblewrap (\`clade doctor\` checks both); to run it unisolated anyway, pass --unsafe-process-sandbox (sandbox.allowUnisolated: true) and keep API keys out of the environment.`,
  );
}

/**
 * `executor: { kind: bullmq }`: evaluations go to `clade worker` processes through Redis, each run
 * in the worker's own sandbox (`clade worker --sandbox`). Job ids include `campaignId`, so two
 * campaigns on one queue never share results, and a resumed campaign finds its jobs in flight.
 */
export function queueExecutorSandbox(
  executor: Omit<QueueSettings, 'namespace'>,
  campaignId: string,
  warn: (message: string) => void,
): Promise<Sandbox> {
  return sandboxKinds.get('queue').create({ queue: { ...executor, namespace: campaignId } }, { warn });
}

/**
 * The kind of sandbox a stored evaluation's `environment` names: `docker` (`docker <image>@…`),
 * `queue` (`queue (<host>)`, a lost job), else `process` (`node v20…` from before programs were
 * resolved, `python3 → /usr/bin/python3 (Python 3.11.2)` now). Null for no environment. Replay
 * uses it to run an evaluation again where it ran.
 */
export function sandboxKindOfEnvironment(environment: string | null | undefined): string | null {
  if (environment === null || environment === undefined || environment === '') return null;
  if (environment.startsWith('docker ')) return 'docker';
  if (environment.startsWith('queue (')) return 'queue';
  return 'process';
}
