/**
 * @module The programmatic entry: creates or reopens a campaign directory and wires the concrete
 * implementations chosen by its configuration. This is the one place (with the CLI) where
 * defaults and registries are chosen; the loop sees interfaces only.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { openArchive } from './archive/sqlite-store.js';
import type { ArchiveStore } from './archive/types.js';
import { readAgentDirectory } from './campaign/agent-directory.js';
import { createEvaluationPlan } from './campaign/evaluation-plan.js';
import { type DirectoryLock, lockCampaignDirectory } from './campaign/lock.js';
import { runCampaign } from './campaign/run-campaign.js';
import type { CampaignSchedule, CampaignSettings, CampaignSummary, EvaluationScheme } from './campaign/types.js';
import type { LoadedCampaign } from './config/load.js';
import { validateCampaign } from './config/load.js';
import type { CampaignConfig, ExecutorConfig } from './config/schema.js';
import { CladeError } from './core/errors.js';
import { createRandom } from './core/random.js';
import type { AgentFiles, RunEvent } from './core/types.js';
import { createGitCodeStore } from './lineage/git-store.js';
import type { CodeStore } from './lineage/types.js';
import { createModelLedger } from './model/ledger.js';
import { type AgentModelSetup, createConfiguredModelProxy, prepareAgentModel } from './model-proxy/setup.js';
import {
  type CampaignModelOptions,
  createConfiguredLlmMutator,
  type LlmMutatorContext,
  type LlmSetup,
  prepareLlmMutation,
} from './mutation/llm-setup.js';
import { createParametricMutator } from './mutation/parametric.js';
import {
  createConfiguredSelfModifyMutator,
  prepareSelfModify,
  type SelfModifyContext,
  type SelfModifySetup,
} from './mutation/self-modify-setup.js';
import type { Mutator } from './mutation/types.js';
import { bundleAgent } from './sandbox/bundle-agent.js';
import { connectDocker, probeEngine } from './sandbox/docker-engine.js';
import { createDockerSandbox } from './sandbox/docker-sandbox.js';
import { loadHarness } from './sandbox/harness.js';
import { createProcessSandbox } from './sandbox/process-sandbox.js';
import { createQueueSandbox } from './sandbox/queue-sandbox.js';
import type { Sandbox, SandboxLimits } from './sandbox/types.js';
import { createSelector } from './selection/registry.js';
import { builtinExercisesDirectory } from './tasks/coding-exercises.js';
import { createCodingTask } from './tasks/coding-task.js';
import { evaluateNode } from './tasks/evaluate-node.js';
import { createNumericTask } from './tasks/numeric-task.js';
import { summarizeEvaluations } from './tasks/summarize-evaluations.js';
import type { Task } from './tasks/types.js';

/** Files inside a campaign directory. */
export const CAMPAIGN_FILES = { archive: 'archive.db', code: 'code.git' } as const;

export interface RunOptions {
  onEvent?: (event: RunEvent) => void;
  stopSignal?: AbortSignal;
  abortSignal?: AbortSignal;
  /** Overrides for this invocation (resume may extend the budget). */
  iterations?: number;
  workers?: number;
  /** Receives warnings (sandbox fallbacks …). */
  warn?: (message: string) => void;
  /** Receives notes worth showing (which sandbox runs the evaluations). */
  info?: (message: string) => void;
  /**
   * Replay (`clade replay --campaign`): the recorded order of creations and records to follow.
   * The wall-clock budget is ignored under a schedule: the schedule says when the invocation ends.
   */
  schedule?: CampaignSchedule;
  /** The seed agent's files, instead of reading the agent directory (replay: the recorded node #0). */
  seedFiles?: () => Promise<AgentFiles>;
}

/** An open campaign directory. Close it when done. */
export interface Campaign {
  readonly directory: string;
  readonly config: CampaignConfig;
  readonly archive: ArchiveStore;
  readonly code: CodeStore;
  run(options?: RunOptions): Promise<CampaignSummary>;
  close(): void;
}

/**
 * Programmatic options of `createCampaign` / `openCampaign`: models passed in by `provider:model`
 * (a `ModelClient`, or a LangChain chat model), recorded-call replay, and the environment keys
 * are read from (default `process.env`).
 */
export type CampaignOptions = CampaignModelOptions;

/** Starts a new campaign in `directory` (created; must not already hold a campaign). */
export async function createCampaign(
  loaded: LoadedCampaign,
  directory: string,
  options: CampaignOptions = {},
): Promise<Campaign> {
  const absolute = path.resolve(directory);
  if (existsSync(path.join(absolute, CAMPAIGN_FILES.archive))) {
    throw new CladeError(
      'CAMPAIGN_BUSY',
      `${directory} already holds a campaign. Continue it with \`clade resume ${directory}\`, or pick another --dir.`,
    );
  }
  // A stage plan the task cannot satisfy (an unknown problem, more jobs than the task has, a middle
  // stage without jobs) is a ConfigError (exit 2) here, before the directory exists.
  createEvaluationPlan(createTask(loaded.config).jobs(), loaded.config.evaluation.stages);
  // Models and keys are checked before anything is created: a missing key costs no directory.
  const llm = prepareLlmMutation(loaded.config, path.dirname(loaded.file), options);
  const selfModify = prepareSelfModify(loaded.config, path.dirname(loaded.file), options);
  const agentModel = prepareAgentModel(loaded.config, options);
  // Model-written code without a usable Docker sandbox is refused before anything is created.
  if (
    loaded.config.mutation.operator !== 'parametric' &&
    loaded.config.sandbox.kind !== 'process' &&
    loaded.config.executor.kind !== 'bullmq' // the workers choose their own sandbox
  ) {
    await (await chooseSandbox(loaded.config, () => {}, { pruneOrphans: false })).close();
  }
  mkdirSync(absolute, { recursive: true });
  const lock = lockCampaignDirectory(absolute);
  try {
    const archive = openArchive(path.join(absolute, CAMPAIGN_FILES.archive));
    const suffix = createRandom(Date.now(), process.pid).uint32().toString(16).padStart(8, '0');
    archive.createCampaign({
      id: `${loaded.config.name}-${suffix}`,
      name: loaded.config.name,
      seed: loaded.config.seed,
      config: loaded.config,
      configPath: loaded.file,
      createdAt: new Date().toISOString(),
    });
    const code = createGitCodeStore(path.join(absolute, CAMPAIGN_FILES.code));
    await code.init();
    return openedCampaign(
      absolute,
      loaded.config,
      loaded.agentDirectory,
      archive,
      code,
      lock,
      llm,
      selfModify,
      agentModel,
    );
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** Reopens a campaign directory to continue it (`clade resume`). */
export async function openCampaign(directory: string, options: CampaignOptions = {}): Promise<Campaign> {
  const absolute = path.resolve(directory);
  const databasePath = path.join(absolute, CAMPAIGN_FILES.archive);
  if (!existsSync(databasePath)) {
    throw new CladeError(
      'ARCHIVE_NOT_FOUND',
      `${directory} holds no campaign (no ${CAMPAIGN_FILES.archive}). Start one with \`clade run <campaign.yaml> --dir ${directory}\`.`,
    );
  }
  const lock = lockCampaignDirectory(absolute);
  try {
    const archive = openArchive(databasePath);
    const record = archive.getCampaign();
    if (!record)
      throw new CladeError(
        'ARCHIVE_CORRUPT',
        `${databasePath} has no campaign record; it was not made by \`clade run\`.`,
      );
    const config = validateCampaign(record.config, `${databasePath} (stored configuration)`);
    const agentDirectory = path.resolve(path.dirname(record.configPath), config.agent);
    const llm = prepareLlmMutation(config, path.dirname(record.configPath), options);
    const selfModify = prepareSelfModify(config, path.dirname(record.configPath), options);
    const agentModel = prepareAgentModel(config, options);
    const code = createGitCodeStore(path.join(absolute, CAMPAIGN_FILES.code));
    await code.init();
    return openedCampaign(absolute, config, agentDirectory, archive, code, lock, llm, selfModify, agentModel);
  } catch (error) {
    lock.release();
    throw error;
  }
}

function openedCampaign(
  directory: string,
  config: CampaignConfig,
  agentDirectory: string,
  archive: ArchiveStore,
  code: CodeStore,
  lock: DirectoryLock,
  llm: LlmSetup | null = null,
  selfModify: SelfModifySetup | null = null,
  agentModel: AgentModelSetup | null = null,
): Campaign {
  let closed = false;
  return {
    directory,
    config,
    archive,
    code,
    async run(options = {}) {
      const warn = options.warn ?? ((message: string) => process.emitWarning(message));
      const sandbox =
        config.executor.kind === 'bullmq'
          ? queueExecutorSandbox(config.executor, archive.getCampaign()?.id ?? config.name, warn)
          : await chooseSandbox(config, warn, {
              workers: options.workers ?? config.workers,
              ...(options.info ? { info: options.info } : {}),
            });
      const task = createTask(config);
      const harness = await loadHarness();
      const limits = sandboxLimits(config);
      const ledger = createModelLedger(archive, config.budget);
      // The agents' model's own warnings, unless it is the self-modify model (already warned about).
      const agentWarnings = agentModel?.source === 'agentModel.model' ? agentModel.warnings : [];
      for (const warning of [...(llm?.warnings ?? []), ...(selfModify?.warnings ?? []), ...agentWarnings])
        warn(warning);
      // Coding agents reach models only through the proxy (the key stays here); one per run.
      // The model is `agentModel.model`, else the self-modify campaign's agent model (prepareAgentModel).
      const proxy = agentModel
        ? createConfiguredModelProxy(agentModel, { ledger, secrets: selfModify?.secrets ?? [] })
        : null;
      const history = { nodes: () => archive.listNodes(), evaluations: (id: number) => archive.evaluations(id) };
      const selfModifyContext: SelfModifyContext | undefined =
        selfModify && proxy
          ? {
              setup: selfModify,
              ledger,
              history,
              taskDescription: task.describeForModel(),
              entry: task.agentEntry,
              proxy,
              sandbox,
              limits,
              bundle: bundleAgent,
              harness,
            }
          : undefined;
      const llmContext: LlmMutatorContext | undefined = llm
        ? {
            setup: llm,
            ledger,
            history: { nodes: () => archive.listNodes(), evaluations: (id) => archive.evaluations(id) },
            taskDescription: task.describeForModel(),
          }
        : undefined;
      const settings: CampaignSettings = {
        seed: config.seed,
        iterations: options.iterations ?? config.budget.iterations,
        wallClockSeconds: options.schedule ? null : config.budget.wallClockSeconds,
        workers: options.workers ?? config.workers,
        inspirations: config.inspirations,
        limits,
      };
      try {
        return await runCampaign(settings, {
          archive,
          code,
          evaluate: (files, signal, jobs, nodeId) =>
            evaluateNode(files, {
              task,
              sandbox,
              limits,
              bundle: bundleAgent,
              harness,
              ...(signal ? { signal } : {}),
              ...(jobs ? { jobs } : {}),
              // Coding agents call models through the proxy, charged to the node evaluated.
              ...(proxy && nodeId !== undefined ? { modelProxy: proxy, nodeId } : {}),
            }),
          evaluation: createEvaluationScheme(config, task),
          mutator: createMutator(config, llmContext, selfModifyContext),
          budgetExceeded: ledger.budgetExceeded,
          selector: createSelector(config.selection),
          seedFiles: options.seedFiles ?? (async () => readAgentDirectory(agentDirectory)),
          ...(options.schedule ? { schedule: options.schedule } : {}),
          ...(options.onEvent ? { onEvent: options.onEvent } : {}),
          ...(options.stopSignal ? { stopSignal: options.stopSignal } : {}),
          ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
        });
      } finally {
        await proxy?.close();
        await sandbox.close();
      }
    },
    close() {
      if (closed) return;
      closed = true;
      archive.close();
      lock.release();
    },
  };
}

/**
 * How evaluation effort is spent: the plan (job order and `evaluation.stages`), the task's summary
 * of all a node's evaluations, and HGM's scheduling when `selection.strategy` is `hgm`.
 */
export function createEvaluationScheme(config: CampaignConfig, task: Task): EvaluationScheme {
  const scheme: EvaluationScheme = {
    plan: createEvaluationPlan(task.jobs(), config.evaluation.stages),
    summarize: (records) => summarizeEvaluations(task, records),
  };
  if (config.selection.strategy === 'hgm') scheme.hgm = { ...config.selection.hgm };
  return scheme;
}

/** The task a configuration names. */
export function createTask(config: CampaignConfig): Task {
  if (config.task.kind === 'coding') {
    return createCodingTask({
      exercisesDir: config.task.exercisesDir ?? builtinExercisesDirectory(),
      exercises: config.task.exercises,
      limits: config.task.limits,
      campaignSeed: config.seed,
    });
  }
  return createNumericTask(config.task, config.seed);
}

/** The mutator a configuration names; an LLM or self-modify operator needs its prepared context. */
export function createMutator(
  config: CampaignConfig,
  llm?: LlmMutatorContext,
  selfModify?: SelfModifyContext,
): Mutator {
  if (config.mutation.operator === 'parametric') return createParametricMutator(config.mutation);
  if (config.mutation.operator === 'self-modify') {
    if (!selfModify) {
      throw new CladeError(
        'CONFIG_INVALID',
        'mutation.operator self-modify needs its models, sandbox and model proxy prepared (prepareSelfModify); use createCampaign or openCampaign.',
      );
    }
    return createConfiguredSelfModifyMutator(selfModify);
  }
  if (!llm) {
    throw new CladeError(
      'CONFIG_INVALID',
      `mutation.operator ${config.mutation.operator} needs its models prepared (prepareLlmMutation); use createCampaign or openCampaign.`,
    );
  }
  return createConfiguredLlmMutator(llm);
}

/** Sandbox limits from the configuration. */
export function sandboxLimits(config: CampaignConfig): SandboxLimits {
  return {
    timeoutMs: config.sandbox.timeoutSeconds * 1000,
    memoryMb: config.sandbox.memoryMb,
    outputBytes: config.sandbox.outputBytes,
    cpus: config.sandbox.cpus,
    pids: config.sandbox.pids,
    resultBytes: 16 * 1024 * 1024,
  };
}

/** Options of `chooseSandbox`. */
export interface ChooseSandboxOptions {
  /** Workers of this run: the warm pool keeps `sandbox.pool` containers per worker. Default 1. */
  workers?: number;
  /** Receives one line naming the sandbox chosen. */
  info?: (message: string) => void;
  /** The Docker engine (tests). Default: `DOCKER_HOST` or the default socket. */
  docker?: import('dockerode');
  /** Image tag or digest to run (replay pins the recorded digest). Default: the sandbox image. */
  image?: string;
  /** Remove containers left by dead clade processes. Default true. */
  pruneOrphans?: boolean;
}

/**
 * The sandbox policy. `process` and `docker` are used as asked (`docker` fails, saying what to do,
 * when no engine answers or the image is missing). `auto` uses Docker when an engine answers and
 * holds the sandbox image. Otherwise a campaign with the offline `parametric` mutator (children
 * differ from the seed only in annotated values) falls back to the process sandbox with a
 * warning, and a campaign whose code comes from a model is refused: it runs without Docker only
 * when the user chose `--sandbox process` explicitly.
 *
 * @throws CladeError (`SANDBOX_UNAVAILABLE`) with what to do next.
 */
export async function chooseSandbox(
  config: CampaignConfig,
  warn: (message: string) => void,
  options: ChooseSandboxOptions = {},
): Promise<Sandbox> {
  const info = options.info ?? (() => {});
  const { kind, pool, gpus, diskMb } = config.sandbox;
  const workers = options.workers ?? 1;
  if (kind === 'process') {
    info('sandbox: process (no network or file-system isolation; see README "The sandbox and its limits")');
    return createProcessSandbox();
  }
  const docker = options.docker ?? connectDocker();
  const openDocker = async (): Promise<Sandbox> => {
    const sandbox = await createDockerSandbox({
      docker,
      pool: pool * workers,
      gpus,
      diskMb,
      ...(options.image ? { image: options.image } : {}),
      ...(options.pruneOrphans === false ? { pruneOrphans: false } : {}),
    });
    info(
      `sandbox: docker (${options.image ?? 'clade-sandbox image'}, ${pool > 0 ? `warm pool of ${pool * workers}` : 'fresh container per evaluation'}${gpus !== 0 ? `, GPUs: ${String(gpus)}` : ''})`,
    );
    return sandbox;
  };
  if (kind === 'docker') return openDocker();

  let reason: string;
  const probe = await probeEngine(docker, 2_000);
  if (probe.reachable) {
    try {
      return await openDocker();
    } catch (error) {
      if (!(error instanceof CladeError) || error.code !== 'SANDBOX_UNAVAILABLE') throw error;
      reason = error.message;
    }
  } else {
    reason = `no Docker engine answers (${probe.reason}).`;
  }
  if (config.mutation.operator === 'parametric') {
    warn(
      `Docker sandbox not used: ${reason} Running the parametric mutator's children in the process sandbox (\`clade doctor\` shows what Docker needs).`,
    );
    info('sandbox: process (fallback from auto)');
    return createProcessSandbox();
  }
  throw new CladeError(
    'SANDBOX_UNAVAILABLE',
    `mutation.operator ${config.mutation.operator} runs model-written code, which needs the Docker sandbox, but ${reason} Start a Docker engine and build the image (\`clade sandbox build --offline\`; \`clade doctor\` checks), or pass \`--sandbox process\` to accept the weaker process sandbox explicitly.`,
  );
}

/**
 * `executor: { kind: bullmq }`: evaluations go to `clade worker` processes through Redis, each run
 * in the worker's own sandbox (`clade worker --sandbox`). Job ids include the campaign id, so two
 * campaigns on one queue never share results, and a resumed campaign finds its jobs in flight.
 */
export function queueExecutorSandbox(
  executor: Extract<ExecutorConfig, { kind: 'bullmq' }>,
  campaignId: string,
  warn: (message: string) => void,
): Sandbox {
  return createQueueSandbox({
    redis: executor.redis,
    queue: executor.queue,
    namespace: campaignId,
    attempts: executor.attempts,
    backoffMs: executor.backoffSeconds * 1000,
    keepResultsSeconds: executor.keepResultsSeconds,
    pollMs: executor.pollSeconds * 1000,
    warn,
  });
}
