/**
 * @module The programmatic entry: creates or reopens a campaign directory and wires the concrete
 * implementations chosen by its configuration. This is the one place (with the CLI) where
 * defaults and registries are chosen; the loop sees interfaces only.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { assertNoParentCycle } from './archive/parent-links.js';
import { openArchive } from './archive/sqlite-store.js';
import type { ArchiveStore } from './archive/types.js';
import { readAgentDirectory } from './campaign/agent-directory.js';
import { buildCampaignDirectory, checkNewCampaignDirectory, directoryError } from './campaign/campaign-directory.js';
import { createEvaluationPlan } from './campaign/evaluation-plan.js';
import { type DirectoryLock, lockCampaignDirectory } from './campaign/lock.js';
import { runCampaign } from './campaign/run-campaign.js';
import type { CampaignSchedule, CampaignSettings, CampaignSummary, EvaluationScheme } from './campaign/types.js';
import { validateCampaign } from './campaign-file.js';
import type { LoadedCampaign } from './config/load.js';
import type { CampaignConfig } from './config/schema.js';
import { CAMPAIGN_FILES } from './core/campaign-layout.js';
import { CladeError } from './core/errors.js';
import { createRandom } from './core/random.js';
import type { AgentFiles, RunEvent } from './core/types.js';
import { bundleAgent } from './harness/bundle-agent.js';
import { loadHarness } from './harness/load-harness.js';
import { createGitCodeStore } from './lineage/git-store.js';
import type { CodeStore } from './lineage/types.js';
import { createModelLedger, type UnreachableModel } from './model/ledger.js';
import { preflightCampaign } from './model/preflight.js';
import { type AgentModelSetup, createConfiguredModelProxy, prepareAgentModel } from './model-proxy/setup.js';
import {
  type CampaignModelOptions,
  type MutatorKind,
  mutatorKinds,
  type PreparedMutator,
} from './mutation/registry.js';
import { chooseSandbox, queueExecutorSandbox } from './sandbox/choose-sandbox.js';
import type { Sandbox, SandboxLimits } from './sandbox/types.js';
import { createCandidateDescriber, createEvaluationScheduler, createSelector } from './selection/registry.js';
import { evaluateNode } from './tasks/evaluate-node.js';
import { taskKinds } from './tasks/registry.js';
import { summarizeEvaluations } from './tasks/summarize-evaluations.js';
import type { Task } from './tasks/types.js';

export { CAMPAIGN_FILES } from './core/campaign-layout.js';

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
export type CampaignOptions = CampaignModelOptions & {
  /**
   * Check each configured model (address, key, model name) with one cheap request before the first
   * child, failing with a `ConfigError` that says what to fix (`--no-preflight` sets false).
   * Skipped under recorded-call replay and for clients passed in. Default true.
   */
  preflight?: boolean;
};

/**
 * What a campaign's plug-ins checked before anything was created: the mutator's models, keys and
 * templates, and the agents' model. Nothing here has touched the disk or a model.
 */
interface PreparedCampaign {
  config: CampaignConfig;
  /** Absolute directory of the campaign file (relative paths in it were resolved there). */
  configDirectory: string;
  /** Absolute directory of the seed agent. */
  agentDirectory: string;
  mutatorKind: MutatorKind;
  mutator: PreparedMutator;
  agentModel: AgentModelSetup | null;
}

/**
 * Everything an open campaign runs with: the prepared plug-ins and the directory's stores. One value
 * instead of a list of positional parameters; each run builds its sandbox, task, mutator and model
 * proxy from it.
 */
export interface CampaignRuntime extends PreparedCampaign {
  directory: string;
  archive: ArchiveStore;
  code: CodeStore;
  lock: DirectoryLock;
}

/** Looks up the campaign's kinds and prepares them. @throws ConfigError (a missing key, an unknown kind …). */
function prepareCampaign(
  config: CampaignConfig,
  configDirectory: string,
  agentDirectory: string,
  options: CampaignOptions,
): PreparedCampaign {
  const mutatorKind = mutatorKinds.get(config.mutation.operator);
  const mutator = mutatorKind.prepare(config.mutation, { campaign: config, configDirectory, options });
  const agentModel = prepareAgentModel(config, mutatorKind.defaultAgentModel?.(config.mutation), options);
  return { config, configDirectory, agentDirectory, mutatorKind, mutator, agentModel };
}

/** Starts a new campaign in `directory` (created; must not already hold a campaign). */
export async function createCampaign(
  loaded: LoadedCampaign,
  directory: string,
  options: CampaignOptions = {},
): Promise<Campaign> {
  const absolute = path.resolve(directory);
  // A file, a name too long, or a campaign already there: said before anything is checked or made.
  checkNewCampaignDirectory(directory);
  const { config } = loaded;
  // A stage plan the task cannot satisfy (an unknown problem, more jobs than the task has, a middle
  // stage without jobs) is a ConfigError (exit 2) here, before the directory exists.
  createEvaluationPlan(createTask(config).jobs(), config.evaluation.stages);
  // Models and keys are checked before anything is created: a missing key costs no directory.
  const prepared = prepareCampaign(config, path.dirname(loaded.file), loaded.agentDirectory, options);
  // A dead address, a refused key or an unknown model name: said in seconds, before anything is made.
  await preflightCampaign(prepared, options);
  // Model-written code without an isolating sandbox (Docker, or the process sandbox under
  // bubblewrap) is refused before anything is created.
  if (prepared.mutatorKind.writesCode && config.executor.kind !== 'bullmq') {
    await (await campaignSandbox(config, { pruneOrphans: false })).close();
  }
  // Built beside the target and moved into place (archive.db last): a kill at any moment leaves no
  // campaign or a whole one, never an archive without its campaign record.
  await buildCampaignDirectory(directory, async (temporary) => {
    const archive = openArchive(path.join(temporary, CAMPAIGN_FILES.archive));
    try {
      const suffix = createRandom(Date.now(), process.pid).uint32().toString(16).padStart(8, '0');
      archive.createCampaign({
        id: `${config.name}-${suffix}`,
        name: config.name,
        seed: config.seed,
        config,
        configPath: loaded.file,
        createdAt: new Date().toISOString(),
      });
    } finally {
      archive.close();
    }
    await createGitCodeStore(path.join(temporary, CAMPAIGN_FILES.code)).init();
  });
  const lock = lockCampaignDirectory(absolute);
  let archive: ArchiveStore | undefined;
  try {
    archive = openArchive(path.join(absolute, CAMPAIGN_FILES.archive));
    const code = createGitCodeStore(path.join(absolute, CAMPAIGN_FILES.code));
    return openedCampaign({ ...prepared, directory: absolute, archive, code, lock });
  } catch (error) {
    archive?.close();
    lock.release();
    throw error;
  }
}

/** Reopens a campaign directory to continue it (`clade resume`). */
export async function openCampaign(directory: string, options: CampaignOptions = {}): Promise<Campaign> {
  const absolute = path.resolve(directory);
  const databasePath = path.join(absolute, CAMPAIGN_FILES.archive);
  if (existsSync(absolute) && !statSync(absolute).isDirectory()) {
    throw new CladeError(
      'USAGE',
      `${directory} is a file, not a campaign directory. Give the directory a campaign ran in.`,
    );
  }
  if (!existsSync(databasePath)) {
    throw new CladeError(
      'ARCHIVE_NOT_FOUND',
      `${directory} holds no campaign (no ${CAMPAIGN_FILES.archive}). Start one with \`clade run <campaign.yaml> --dir ${directory}\`.`,
    );
  }
  const lock = lockCampaignDirectory(absolute);
  let archive: ArchiveStore | undefined;
  try {
    archive = openArchive(databasePath);
    // A damaged archive with a parent cycle would send the loop's tree walks round forever.
    assertNoParentCycle(archive.listNodes(), directory);
    const record = archive.getCampaign();
    if (!record)
      throw new CladeError(
        'ARCHIVE_CORRUPT',
        `${databasePath} has no campaign record: its creation was interrupted (an older clade made the archive before the record). Nothing in it can be resumed: remove ${directory} (\`rm -r ${directory}\`) and start again with \`clade run <campaign.yaml> --dir ${directory}\`.`,
      );
    const config = validateCampaign(record.config, `${databasePath} (stored configuration)`);
    const configDirectory = path.dirname(record.configPath);
    const prepared = prepareCampaign(config, configDirectory, path.resolve(configDirectory, config.agent), options);
    await preflightCampaign(prepared, options);
    const code = createGitCodeStore(path.join(absolute, CAMPAIGN_FILES.code));
    try {
      await code.init();
    } catch (error) {
      throw directoryError(error, `open the lineage repository of ${directory}`, directory);
    }
    return openedCampaign({ ...prepared, directory: absolute, archive, code, lock });
  } catch (error) {
    archive?.close();
    lock.release();
    throw error;
  }
}

function openedCampaign(runtime: CampaignRuntime): Campaign {
  const { directory, config, archive, code, lock, agentModel } = runtime;
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
          ? await queueExecutorSandbox(config.executor, archive.getCampaign()?.id ?? config.name, warn)
          : await campaignSandbox(config, {
              warn,
              workers: options.workers ?? config.workers,
              ...(options.info ? { info: options.info } : {}),
            });
      const task = createTask(config);
      const harness = await loadHarness();
      const limits = sandboxLimits(config);
      const ledger = createModelLedger(archive, config.budget);
      // The agents' model's own warnings, unless it is the mutator's model (already warned about).
      const agentWarnings = agentModel?.source === 'agentModel.model' ? agentModel.warnings : [];
      for (const warning of [...(runtime.mutator.warnings ?? []), ...agentWarnings]) warn(warning);
      // Agents reach models only through the proxy (the key stays here); one per run.
      const proxy = agentModel
        ? createConfiguredModelProxy(agentModel, { ledger, secrets: runtime.mutator.secrets ?? [] })
        : null;
      const settings: CampaignSettings = {
        seed: config.seed,
        iterations: options.iterations ?? config.budget.iterations,
        wallClockSeconds: options.schedule ? null : config.budget.wallClockSeconds,
        workers: options.workers ?? config.workers,
        inspirations: config.inspirations,
        limits,
      };
      try {
        const mutator = await runtime.mutatorKind.create(runtime.mutator, {
          taskDescription: task.describeForModel(),
          agentEntry: task.harness?.agentEntry,
          ledger,
          history: { nodes: () => archive.listNodes(), evaluations: (id: number) => archive.evaluations(id) },
          sandbox,
          limits,
          proxy,
        });
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
              // Agents that call models go through the proxy, charged to the node evaluated.
              ...(proxy && nodeId !== undefined ? { modelProxy: proxy, nodeId } : {}),
            }),
          evaluation: createEvaluationScheme(config, task),
          mutator,
          budgetExceeded: ledger.budgetExceeded,
          modelUnreachable: () => describeUnreachable(ledger.modelUnreachable()),
          selector: createSelector(config.selection),
          describer: createCandidateDescriber(config.selection),
          seedFiles: options.seedFiles ?? (async () => readAgentDirectory(runtime.agentDirectory)),
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

/** The stop detail of an unreachable model: the streak's error and the children that failed for it. */
function describeUnreachable(unreachable: UnreachableModel | null): string | null {
  if (unreachable === null) return null;
  const children = unreachable.nodeIds.filter((id) => id !== 0);
  return children.length === 0
    ? unreachable.reason
    : `${unreachable.reason}; ${children.length === 1 ? 'child' : 'children'} ${children.map((id) => `#${id}`).join(', ')} failed for it`;
}

/**
 * How evaluation effort is spent: the plan (job order and `evaluation.stages`), the task's summary
 * of all a node's evaluations, and the selection strategy's own scheduler when it has one (HGM's).
 */
export function createEvaluationScheme(config: CampaignConfig, task: Task): EvaluationScheme {
  const scheduler = createEvaluationScheduler(config.selection);
  return {
    plan: createEvaluationPlan(task.jobs(), config.evaluation.stages),
    summarize: (records) => summarizeEvaluations(task, records),
    ...(scheduler ? { scheduler } : {}),
  };
}

/** What commands below the wiring (fsck) need of it: the assembled schema and the task factory. */
export const campaignWiring = {
  validateCampaign,
  createTask,
};

/** The task a campaign's configuration names (its kind looked up in `taskKinds`). */
export function createTask(config: CampaignConfig): Task {
  return taskKinds.get(config.task.kind).create(config.task, { seed: config.seed });
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

/** Options of `campaignSandbox`. */
export interface CampaignSandboxOptions {
  /** Workers of this run: the warm pool keeps `sandbox.pool` containers per worker. Default 1. */
  workers?: number;
  /** Receives warnings (a weaker sandbox than asked for). */
  warn?: (message: string) => void;
  /** Receives one line naming the sandbox chosen. */
  info?: (message: string) => void;
  /** The Docker engine (tests). Default: `DOCKER_HOST` or the default socket. */
  docker?: import('dockerode');
  /** Image tag or digest to run (replay pins the recorded digest). Default: `sandbox.image`. */
  image?: string;
  /** Remove containers left by dead clade processes. Default true. */
  pruneOrphans?: boolean;
}

/**
 * The sandbox a campaign's evaluations run in: the policy of `chooseSandbox` (src/sandbox), told by
 * the mutator kind whether the children's code comes from a model.
 *
 * @throws CladeError (`SANDBOX_UNAVAILABLE`) with what to do next.
 */
export function campaignSandbox(config: CampaignConfig, options: CampaignSandboxOptions = {}): Promise<Sandbox> {
  const operator = config.mutation.operator;
  return chooseSandbox(config.sandbox, {
    ...options,
    runsModelCode: mutatorKinds.get(operator).writesCode,
    codeSource: `mutation.operator ${operator}`,
  });
}
