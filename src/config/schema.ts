/**
 * @module The one zod schema for campaign files (YAML or JSON). Each field's comment states its
 * default. Secrets never live here: keys come from the environment only.
 */
import { z } from 'zod';
import { SANDBOX_KINDS } from './sandbox-kinds.js';

/** Names of the built-in numeric functions (see `src/numeric/functions.ts`). */
export const BUILTIN_FUNCTIONS = [
  'sphere',
  'ellipsoid',
  'rastrigin',
  'rosenbrock',
  'ackley',
  'griewank',
  'schwefel',
] as const;
export type BuiltinFunctionName = (typeof BUILTIN_FUNCTIONS)[number];

export const SELECTION_STRATEGIES = [
  'dgm',
  'weighted',
  'power-law',
  'tournament',
  'hgm',
  'map-elites',
  'best',
  'random',
] as const;
export const MUTATION_OPERATORS = ['parametric', 'llm-diff', 'llm-rewrite', 'self-modify'] as const;
export { SANDBOX_KINDS };

/** Benchmark suites of numeric tasks. */
export const NUMERIC_SUITES = ['builtin', 'cec2022'] as const;

const numericProblem = z
  .object({
    /** Built-in function name (suite `builtin`), or the function number 1..12 (suite `cec2022`). */
    fn: z.union([z.enum(BUILTIN_FUNCTIONS), z.number().int().min(1).max(12)], {
      error: `must be a built-in function name (${BUILTIN_FUNCTIONS.join(', ')}) or, with suite: cec2022, a function number 1..12`,
    }),
    /** Dimension, 1..1000 (suite `cec2022`: 10 or 20). */
    dim: z.number().int().min(1).max(1000),
  })
  .strict();

const numericTask = z
  .object({
    kind: z.literal('numeric'),
    /** `builtin` (shifted, rotated classics in any dimension) or `cec2022` (F1–F12, D = 10, 20). Default `builtin`. */
    suite: z.enum(NUMERIC_SUITES).default('builtin'),
    /**
     * `cec2022`: directory of the official data files, relative to the campaign file. Default: the
     * `--data-dir` flag, else `CLADE_CEC2022_DATA`, else the cache that `clade data fetch cec2022` fills.
     */
    dataDir: z.string().min(1).optional(),
    /** The problems every node is evaluated on; at least one. */
    problems: z.array(numericProblem).min(1),
    /** Evaluation budget per problem = evaluationsPerDim × dim. Default 10000. */
    evaluationsPerDim: z.number().int().min(1).max(1_000_000).default(10_000),
    /** Search box, the same for every coordinate. Default [-100, 100]. */
    bounds: z
      .tuple([z.number(), z.number()])
      .refine(([low, high]) => low < high, { message: 'bounds must be [low, high] with low < high' })
      .default([-100, 100]),
    /** Independent runs per problem (different agent seeds); the node score is the mean. Default 1. */
    repeats: z.number().int().min(1).max(100).default(1),
    /** Errors at or below this score 1. Default 1e-8. */
    errorFloor: z.number().positive().default(1e-8),
    /** Errors at or above this score 0; in between the score is linear in log10(error). Default 1e4. */
    errorCeiling: z.number().positive().default(1e4),
  })
  .strict()
  .refine((task) => task.errorFloor < task.errorCeiling, {
    message: 'errorFloor must be smaller than errorCeiling',
    path: ['errorFloor'],
  })
  .superRefine((task, context) => {
    for (const [index, problem] of task.problems.entries()) {
      if (task.suite === 'builtin' && typeof problem.fn !== 'string') {
        context.addIssue({
          code: 'custom',
          path: ['problems', index, 'fn'],
          message: `suite builtin takes function names (${BUILTIN_FUNCTIONS.join(', ')}); for CEC2022 numbers set suite: cec2022`,
        });
      }
      if (task.suite === 'cec2022' && typeof problem.fn !== 'number') {
        context.addIssue({
          code: 'custom',
          path: ['problems', index, 'fn'],
          message: 'suite cec2022 takes function numbers 1..12, e.g. { fn: 3, dim: 10 }',
        });
      }
      if (task.suite === 'cec2022' && problem.dim !== 10 && problem.dim !== 20) {
        context.addIssue({
          code: 'custom',
          path: ['problems', index, 'dim'],
          message: 'CEC2022 functions are defined in dimensions 10 and 20',
        });
      }
    }
    if (task.suite === 'cec2022' && (task.bounds[0] !== -100 || task.bounds[1] !== 100)) {
      context.addIssue({
        code: 'custom',
        path: ['bounds'],
        message: 'CEC2022 fixes the search box at [-100, 100]; remove bounds or set [-100, 100]',
      });
    }
    if (task.suite === 'builtin' && task.dataDir !== undefined) {
      context.addIssue({ code: 'custom', path: ['dataDir'], message: 'dataDir is for suite cec2022 only' });
    }
  });

/** Limits of a coding agent's run on one exercise. */
const codingLimits = z
  .object({
    /** Tool-loop steps (model calls) per exercise. Default 20. */
    maxSteps: z.number().int().min(1).max(1000).default(20),
    /** Tokens (prompt + answer, over all calls) per exercise; the proxy refuses calls past the node's total. Default 200000. */
    maxTokens: z.number().int().min(1000).max(100_000_000).default(200_000),
    /** Wall-clock limit of the agent's run on one exercise, in seconds. Default 300. */
    timeoutSeconds: z.number().positive().max(86_400).default(300),
    /** Wall-clock limit of one exercise's hidden tests (`node --test`), in seconds. Default 30. */
    testTimeoutSeconds: z.number().positive().max(3_600).default(30),
  })
  .strict();

const codingTask = z
  .object({
    kind: z.literal('coding'),
    /** Exercise slugs (directory names), or `all`. Default `all`. */
    exercises: z
      .union([z.literal('all'), z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/)).min(1)])
      .default('all'),
    /** Folder of exercises, relative to the campaign file. Default: clade's `benchmarks/coding/exercises`. */
    exercisesDir: z.string().min(1).optional(),
    /** Limits of the agent per exercise. Default `{ maxSteps: 20, maxTokens: 200000, timeoutSeconds: 300, testTimeoutSeconds: 30 }`. */
    limits: codingLimits.prefault({}),
  })
  .strict();

const parametricMutation = z
  .object({
    operator: z.literal('parametric'),
    /** DE scale factor F for moves over archive members' values. Default 0.5. */
    differentialWeight: z.number().min(0).max(2).default(0.5),
    /** Probability that a parameter is changed at all (DE crossover rate). Default 0.5. */
    crossoverRate: z.number().min(0).max(1).default(0.5),
    /** Gaussian step as a fraction of a parameter's range, used when the archive is too small for DE moves. Default 0.15. */
    sigma: z.number().min(0).max(1).default(0.15),
    /** Probability of re-drawing a `choice` parameter uniformly. Default 0.2. */
    choiceResample: z.number().min(0).max(1).default(0.2),
  })
  .strict();

/** One model of an LLM mutator's ensemble: `provider:model`, or the same with a weight and a base URL. */
const modelEntry = z.union([
  z.string().min(3),
  z
    .object({
      /** `provider:model`, e.g. `openai:gpt-4.1-mini`. */
      model: z.string().min(3),
      /** Relative weight in the ensemble. Default 1. */
      weight: z.number().positive().default(1),
      /** Base URL of an OpenAI-compatible server for this model. Default: `OPENAI_BASE_URL`. */
      baseURL: z.string().url().optional(),
    })
    .strict(),
]);

const llmMutationFields = {
  /** Models as `provider:model` (providers: openai, anthropic, openai-compatible, langchain); several form a weighted ensemble. Required (or `--model`). */
  models: z.array(modelEntry).min(1),
  /** Sampling temperature; null for the provider's default. Default null. */
  temperature: z.number().min(0).max(2).nullable().default(null),
  /** Most tokens per answer. Default 8192. */
  maxTokens: z.number().int().min(64).max(1_000_000).default(8192),
  /** Retries of one call after a timeout, connection error, 429 or 5xx (backoff with jitter, honouring retry-after). Default 4. */
  retries: z.number().int().min(0).max(20).default(4),
  /** Times an unusable answer (no edit, no match, bad syntax) is sent back with the reason. Default 2. */
  patchRetries: z.number().int().min(0).max(10).default(2),
  /** Wall-clock limit of one attempt. Default 180. */
  timeoutSeconds: z.number().positive().max(3600).default(180),
  /** Ask for streamed answers. Default false. */
  stream: z.boolean().default(false),
  /** Template files replacing the built-in prompts, relative to the campaign file. Default: none. */
  prompts: z
    .object({
      system: z.string().min(1).optional(),
      diff: z.string().min(1).optional(),
      rewrite: z.string().min(1).optional(),
      patchError: z.string().min(1).optional(),
    })
    .strict()
    .default({}),
};

/** `llm-diff`: SEARCH/REPLACE edits inside EVOLVE-BLOCKs. */
const llmDiffMutation = z.object({ operator: z.literal('llm-diff'), ...llmMutationFields }).strict();
/** `llm-rewrite`: the whole file rewritten. */
const llmRewriteMutation = z.object({ operator: z.literal('llm-rewrite'), ...llmMutationFields }).strict();

/** Limits of the parent agent's run on its own source (`self-modify`). */
const selfModifyAgentLimits = z
  .object({
    /** Tool-loop steps (model calls) the agent may take. Default 30. */
    maxSteps: z.number().int().min(1).max(1000).default(30),
    /** Tokens (prompt + answer, over all its calls) the agent may use; the proxy refuses calls past it. Default 400000. */
    maxTokens: z.number().int().min(1000).max(100_000_000).default(400_000),
    /** Wall-clock limit of the agent's run, in seconds (the sandbox kills it 30 s later). Default 600. */
    timeoutSeconds: z.number().positive().max(86_400).default(600),
  })
  .strict();

/**
 * `self-modify` (DGM): a diagnosis model reads the parent's failing logs and code and proposes one
 * improvement; the parent coding agent then runs in the sandbox on a copy of its own source, with
 * the proposal as its task, calling models through the model proxy.
 */
const selfModifyMutation = z
  .object({
    operator: z.literal('self-modify'),
    /** The diagnosis model(s), as `provider:model` (several form a weighted ensemble). Required (or `--model`). */
    models: llmMutationFields.models,
    temperature: llmMutationFields.temperature,
    /** Most tokens of the diagnosis answer. Default 8192. */
    maxTokens: llmMutationFields.maxTokens,
    retries: llmMutationFields.retries,
    timeoutSeconds: llmMutationFields.timeoutSeconds,
    stream: llmMutationFields.stream,
    /**
     * The model the coding agent calls through the model proxy (while it edits itself, and in the
     * coding task's evaluations), as `provider:model`. Default: the first of `models`.
     */
    agentModel: z.string().min(3).optional(),
    /** The parent agent's limits while it edits itself. Default `{ maxSteps: 30, maxTokens: 400000, timeoutSeconds: 600 }`. */
    agentLimits: selfModifyAgentLimits.prefault({}),
    /** Template files replacing the built-in prompts (`system`, `diagnosis`, `diagnosisError`, `task`), relative to the campaign file. Default: none. */
    prompts: z
      .object({
        system: z.string().min(1).optional(),
        diagnosis: z.string().min(1).optional(),
        diagnosisError: z.string().min(1).optional(),
        task: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

/** US dollars per million tokens. */
const modelPrice = z.object({ input: z.number().min(0), output: z.number().min(0) }).strict();

const powerLawOptions = z
  .object({
    /** Exponent α of P ∝ rank^−α (0 is uniform). Default 1. */
    alpha: z.number().min(0).max(100).default(1),
  })
  .strict();

const tournamentOptions = z
  .object({
    /** Contestants drawn per tournament; the best wins. Default 3. */
    size: z.number().int().min(1).max(1000).default(3),
  })
  .strict();

const hgmOptions = z
  .object({
    /** Progressive widening: expand when evaluations^alpha ≥ nodes − 1 + pending expansions. Default 0.6. */
    alpha: z.number().positive().max(1).default(0.6),
    /** Jobs a new child is evaluated on before the scheduler takes over (one at a time). Default 1. */
    initialJobs: z.number().int().min(1).max(100_000).default(1),
  })
  .strict();

const mapElitesOptions = z
  .object({
    /** Islands, children made for them in turn. Default 4. */
    islands: z.number().int().min(1).max(256).default(4),
    /** Bins per feature. Default 10. */
    bins: z.number().int().min(1).max(1000).default(10),
    /** Feature descriptors: `codeLength`, `diversity` (edit distance from the seed) or numeric public metrics of the task. Default [codeLength, diversity]. */
    features: z.array(z.string().min(1)).min(1).max(4).default(['codeLength', 'diversity']),
    /** Island-generations between ring migrations. Default 50. */
    migrationInterval: z.number().int().min(1).default(50),
    /** Fraction of each island's elites that migrates to its neighbours. Default 0.1. */
    migrationRate: z.number().min(0).max(1).default(0.1),
    /** Probability of a uniform parent from the island. Default 0.2. */
    exploration: z.number().min(0).max(1).default(0.2),
    /** Probability of a uniform parent among the island's grid elites (else fitness-proportional). Default 0.7. */
    exploitation: z.number().min(0).max(1).default(0.7),
  })
  .strict()
  .refine((options) => options.exploration + options.exploitation <= 1, {
    message: 'exploration + exploitation must be at most 1',
    path: ['exploitation'],
  });

const selection = z
  .object({
    /**
     * `dgm` (default): sigmoid(λ(score − α0)) / (1 + children); `weighted`: the same with α0 = median
     * and the MAD as scale; `power-law`; `tournament`; `hgm`; `map-elites`; `best`; `random`.
     */
    strategy: z.enum(SELECTION_STRATEGIES).default('dgm'),
    /** Sigmoid steepness λ of `dgm` and `weighted`. Default 10. */
    lambda: z.number().positive().default(10),
    /** DGM sigmoid midpoint α0. Default 0.5. */
    alpha0: z.number().default(0.5),
    /** `power-law` options. Default `{ alpha: 1 }`. */
    powerLaw: powerLawOptions.prefault({}),
    /** `tournament` options. Default `{ size: 3 }`. */
    tournament: tournamentOptions.prefault({}),
    /** `hgm` options. Default `{ alpha: 0.6, initialJobs: 1 }`. */
    hgm: hgmOptions.prefault({}),
    /** `map-elites` options (see each field). */
    mapElites: mapElitesOptions.prefault({}),
  })
  .strict();

/** The `selection` section alone (tests and tools that build a selector without a campaign file). */
export const selectionSchema = selection;

const stage = z
  .object({
    /** Jobs (problem × repeat, repeats interleaved) in this stage; omit in the last stage for all the rest. */
    jobs: z.number().int().min(1).optional(),
    /** Or: the problem ids (e.g. `sphere-d10`) whose jobs this stage runs. */
    problems: z.array(z.string().min(1)).min(1).optional(),
    /** Mean score over every job so far needed to go on to the next stage. Default 0 (always go on). */
    threshold: z.number().min(0).max(1).default(0),
  })
  .strict()
  .refine((value) => value.jobs === undefined || value.problems === undefined, {
    message: 'a stage names either jobs (a count) or problems, not both',
  });

const evaluation = z
  .object({
    /**
     * Staged (cascade) evaluation, as DGM's 10 → 50 tasks or OpenEvolve's thresholds: a child runs
     * stage 1, and goes on to stage k + 1 only if its score reaches stage k's threshold. Default []:
     * one stage with every job.
     */
    stages: z.array(stage).max(16).default([]),
  })
  .strict();

const budget = z
  .object({
    /** Children to make (the seed is not counted). Default 50. */
    iterations: z.number().int().min(0).default(50),
    /** Stop starting children after this many seconds; null for no limit. Default null. */
    wallClockSeconds: z.number().positive().nullable().default(null),
    /** Stop when model calls have cost this many US dollars; null for no limit. Default null. */
    usd: z.number().positive().nullable().default(null),
    /** Stop when model calls have used this many tokens (in + out); null for no limit. Default null. */
    tokens: z.number().int().positive().nullable().default(null),
  })
  .strict();

const sandbox = z
  .object({
    /** `auto` (default): Docker when an engine is reachable, else the process sandbox. */
    kind: z.enum(SANDBOX_KINDS).default('auto'),
    /** Wall-clock limit of one node's evaluation. Default 60. */
    timeoutSeconds: z.number().positive().max(86_400).default(60),
    /** Memory cap. Default 1024. */
    memoryMb: z.number().int().min(64).max(1_048_576).default(1024),
    /** Cap on captured stdout and stderr, each. Default 65536. */
    outputBytes: z.number().int().min(1024).max(104_857_600).default(65_536),
    /** CPU share (Docker only). Default 1. */
    cpus: z.number().positive().max(1024).default(1),
    /** Process limit (Docker only). Default 64. */
    pids: z.number().int().min(8).max(65_536).default(64),
    /**
     * Docker only: idle containers kept warm per worker and reused (`docker exec`, a fresh work
     * directory each time); a container that timed out or misbehaved is discarded. 0 = a fresh
     * container per evaluation. Default 0.
     */
    pool: z.number().int().min(0).max(16).default(0),
    /** Docker only: NVIDIA GPUs passed to each container (a count, or `all`). Default 0. */
    gpus: z.union([z.number().int().min(0).max(64), z.literal('all')]).default(0),
    /** Docker only: cap on what an evaluation writes into its work directory, in MiB. Default 512. */
    diskMb: z.number().int().min(1).max(1_048_576).default(512),
  })
  .strict();

const localExecutor = z
  .object({
    /** Evaluations run in this process's sandboxes (`workers` at a time). */
    kind: z.literal('local'),
  })
  .strict();

const bullmqExecutor = z
  .object({
    /**
     * Evaluations run on `clade worker` processes (any host) through a BullMQ queue on Redis;
     * `workers` is then how many are in flight at once (give it at least the workers' total
     * concurrency). The controller alone writes the archive.
     */
    kind: z.literal('bullmq'),
    /** Redis URL, `redis://[user:password@]host[:port][/db]` or `rediss://` (TLS); `${VAR}` works. Required. */
    redis: z.string().regex(/^rediss?:\/\/[^\s]+$/, {
      message: 'redis must be a URL like redis://127.0.0.1:6379 (or rediss:// for TLS)',
    }),
    /** Queue name, the same as the workers' `--queue`. Default `clade-evaluations`. */
    queue: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, {
        message: 'queue must be 1–100 letters, digits, "-", "_" or ".", starting with a letter or digit',
      })
      .default('clade-evaluations'),
    /**
     * Tries of a job whose worker reports an error; then the node is recorded as crashed. A worker
     * that dies is covered by the workers' `--lease-seconds` and `--max-stalls`. Default 3.
     */
    attempts: z.number().int().min(1).max(100).default(3),
    /** Delay before the first retry, doubled for each next one. Default 1. */
    backoffSeconds: z.number().min(0).max(3_600).default(1),
    /** How long results stay in Redis, for a restarted controller to pick up. Default 86400 (a day). */
    keepResultsSeconds: z.number().int().min(60).default(86_400),
    /** How often a waiting evaluation looks at its job besides listening for events. Default 2. */
    pollSeconds: z.number().min(0.05).max(60).default(2),
  })
  .strict();

const executor = z.discriminatedUnion('kind', [localExecutor, bullmqExecutor]);

/** What one node's sandbox run may spend through the model proxy; null for no limit. */
const agentModelBudget = z
  .object({
    /** Prompt plus answer tokens over the run's calls. Default 1000000. */
    tokens: z.number().int().positive().nullable().default(1_000_000),
    /** US dollars over the run's calls (at `prices`). Default null. */
    usd: z.number().positive().nullable().default(null),
    /** Model calls in the run. Default 500. */
    calls: z.number().int().positive().nullable().default(500),
  })
  .strict();

/** The model agents call from inside the sandbox, through the model proxy (which holds the key). */
const agentModel = z
  .object({
    /**
     * `provider:model` (providers as in `mutation.models`). Default: with `self-modify`,
     * `mutation.agentModel`, else its first model; otherwise agents get no model.
     */
    model: z.string().min(3).optional(),
    /** Base URL of an OpenAI-compatible server for it. Default: `OPENAI_BASE_URL` / `ANTHROPIC_BASE_URL`. */
    baseURL: z.string().url().optional(),
    /** Largest answer (`max_tokens`) of one call; larger asks are capped. Default 4096. */
    maxTokensPerCall: z.number().int().min(16).max(1_000_000).default(4096),
    /** Retries of one call after a timeout, connection error, 429 or 5xx. Default 4. */
    retries: z.number().int().min(0).max(20).default(4),
    /** Wall-clock limit of one attempt. Default 180. */
    timeoutSeconds: z.number().positive().max(3600).default(180),
    /** Per node run (one proxy session). Default `{ tokens: 1000000, usd: null, calls: 500 }`. */
    budget: agentModelBudget.prefault({}),
  })
  .strict();

/** The `agentModel` section alone, with its defaults (`agentModelSchema.parse({})`). */
export const agentModelSchema = agentModel;

/** A campaign file. */
export const campaignSchema = z
  .object({
    /** Campaign name: letters, digits, `-` and `_`. */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, {
      message: 'name must be 1–64 letters, digits, "-" or "_", starting with a letter or digit',
    }),
    /** Seed of every random choice. Default 0. */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(0),
    /** Directory of the seed agent, relative to the campaign file. */
    agent: z.string().min(1),
    /** `{ kind: numeric, … }` (optimizers on benchmark functions) or `{ kind: coding, … }` (coding agents on exercises). */
    task: z.discriminatedUnion('kind', [numericTask, codingTask]),
    /** Default: `{ operator: parametric }`; `llm-diff`, `llm-rewrite` and `self-modify` call foundation models. */
    mutation: z
      .discriminatedUnion('operator', [parametricMutation, llmDiffMutation, llmRewriteMutation, selfModifyMutation])
      .default({
        operator: 'parametric',
        differentialWeight: 0.5,
        crossoverRate: 0.5,
        sigma: 0.15,
        choiceResample: 0.2,
      }),
    /** Default: `{ strategy: dgm, lambda: 10, alpha0: 0.5 }` (and each strategy's defaults). */
    selection: selection.prefault({}),
    /** Default: `{ stages: [] }` (every job at once). */
    evaluation: evaluation.prefault({}),
    /** Scored archive members shown to the mutator besides the parent. Default 4. */
    inspirations: z.number().int().min(0).max(64).default(4),
    budget: budget.default({ iterations: 50, wallClockSeconds: null, usd: null, tokens: null }),
    /** Model prices (USD per million tokens) by `provider:model` or model, over the built-in table. Default {}. */
    prices: z.record(z.string().min(1), modelPrice).default({}),
    /** Evaluations run in parallel. Default 1. */
    workers: z.number().int().min(1).max(256).default(1),
    /** Default: `{ kind: auto }` and each field's default. */
    sandbox: sandbox.prefault({}),
    /** Where evaluations run: `{ kind: local }` (default) or `{ kind: bullmq, redis: redis://… }`. */
    executor: executor.default({ kind: 'local' }),
    /**
     * The model that agents (coding agents) call through the model proxy, its per-call cap and what
     * one node's run may spend; the campaign's `budget.usd`/`budget.tokens` still apply. Default:
     * absent (each field's default; see `model`).
     */
    agentModel: agentModel.optional(),
  })
  .strict();

/** A campaign file after defaults are applied. */
export type CampaignConfig = z.infer<typeof campaignSchema>;
export type TaskConfig = CampaignConfig['task'];
export type NumericTaskConfig = Extract<TaskConfig, { kind: 'numeric' }>;
export type CodingTaskConfig = Extract<TaskConfig, { kind: 'coding' }>;
export type MutationConfig = CampaignConfig['mutation'];
export type ParametricMutationConfig = Extract<MutationConfig, { operator: 'parametric' }>;
export type LlmMutationConfig = Extract<MutationConfig, { operator: 'llm-diff' | 'llm-rewrite' }>;
export type SelfModifyMutationConfig = Extract<MutationConfig, { operator: 'self-modify' }>;
export type SelectionConfig = CampaignConfig['selection'];
export type EvaluationConfig = CampaignConfig['evaluation'];
export type StageConfig = EvaluationConfig['stages'][number];
export type SandboxConfig = CampaignConfig['sandbox'];
export type ExecutorConfig = CampaignConfig['executor'];
export type AgentModelConfig = z.infer<typeof agentModelSchema>;
