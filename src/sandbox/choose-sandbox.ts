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
   * task runs that a model wrote). Under `auto` such code runs only in an isolating sandbox
   * (Docker); code that differs from the seed only in annotated values may fall back to `process`.
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
 * image). Otherwise code that is not model-written (`runsModelCode: false`, e.g. the offline
 * `parametric` mutator) falls back to the process sandbox with a warning, and model-written code is
 * refused: it runs without Docker only when the user chose `--sandbox process` explicitly.
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
  if (!options.runsModelCode) {
    warn(
      `Docker sandbox not used: ${reason} Running ${options.codeSource}'s children in the process sandbox (\`clade doctor\` shows what Docker needs).`,
    );
    options.info?.('sandbox: process (fallback from auto)');
    return sandboxKinds.get('process').create(section, { ...runtime, info: () => {} });
  }
  throw new CladeError(
    'SANDBOX_UNAVAILABLE',
    `${options.codeSource} runs model-written code, which needs the Docker sandbox, but ${reason} Start a Docker engine and build the image (\`clade sandbox build --offline\`; \`clade doctor\` checks), or pass \`--sandbox process\` to accept the weaker process sandbox explicitly.`,
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
