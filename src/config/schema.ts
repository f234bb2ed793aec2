/**
 * @module The one zod schema for campaign files (YAML or JSON). Each field's comment states its
 * default. Secrets never live here: keys come from the environment only.
 */
import { z } from 'zod';
import { SANDBOX_KINDS } from './sandbox-kinds.js';

export { SANDBOX_KINDS };

/** US dollars per million tokens. */
const modelPrice = z.object({ input: z.number().min(0), output: z.number().min(0) }).strict();

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

/**
 * Upper bounds of the campaign budget: far beyond any campaign that can run, low enough that a typo
 * (`1e12`) is refused with the maximum instead of being taken as "forever".
 */
export const BUDGET_LIMITS = {
  /** Children of one campaign (the archive and the tree views are built for up to ~10^6 nodes). */
  iterations: 1_000_000,
  /** One year. */
  wallClockSeconds: 31_536_000,
  usd: 1_000_000,
  tokens: 100_000_000_000,
} as const;

const budget = z
  .object({
    /** Children to make (the seed is not counted); at most 1000000. Default 50. */
    iterations: z.number().int().min(0).max(BUDGET_LIMITS.iterations).default(50),
    /** Stop starting children after this many seconds (at most a year); null for no limit. Default null. */
    wallClockSeconds: z.number().positive().max(BUDGET_LIMITS.wallClockSeconds).nullable().default(null),
    /** Stop when model calls have cost this many US dollars; null for no limit. Default null. */
    usd: z.number().positive().max(BUDGET_LIMITS.usd).nullable().default(null),
    /** Stop when model calls have used this many tokens (in + out); null for no limit. Default null. */
    tokens: z.number().int().positive().max(BUDGET_LIMITS.tokens).nullable().default(null),
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
    /**
     * Docker only: the image evaluations run in, any tag the engine holds (`python:3.12-slim`, or
     * one built by `clade sandbox build --dockerfile PATH --tag T`). An image without clade's
     * harness label runs the commands it holds (programs; the node harness needs node). Default:
     * the clade sandbox image (`clade-sandbox:harness-<version>`, built by `clade sandbox build`).
     */
    image: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,254}$/, {
        message: 'image must be a Docker image reference such as clade-sandbox:harness-1 or python:3.12-slim',
      })
      .optional(),
    /**
     * UNSAFE. Process sandbox only: run model-written code even where the process sandbox cannot
     * isolate it (no working bubblewrap). It then runs as your user: it can read your files (and
     * any key in a file), reach the network and leave processes running. Same as
     * `--unsafe-process-sandbox`. Default false.
     */
    allowUnisolated: z.boolean().default(false),
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

/** The sections of a campaign file that come from plug-in registries (see `src/campaign-file.ts`). */
export interface PluginSections {
  /** The union of the task kinds' schemas, on `kind`. */
  task: z.ZodType<TaskSection>;
  /** The union of the mutation operators' schemas, on `operator`. */
  mutation: z.ZodType<MutationSection>;
  /** The name of the default (offline) operator, used when the file has no `mutation` section. */
  defaultOperator: string;
  /** The `selection` section. */
  selection: z.ZodType<SelectionShape>;
  /** The values `sandbox.kind` takes: `auto` and every selectable sandbox kind. */
  sandboxKinds: readonly [string, ...string[]];
}

/** A task section: `kind` names the task kind; the other fields are that kind's (see its schema). */
export type TaskSection = { kind: string } & { [field: string]: unknown };
/** A mutation section: `operator` names the mutator kind; the other fields are that kind's. */
export type MutationSection = { operator: string } & { [field: string]: unknown };
/** The selection section: `strategy` names the selector; shared `lambda`/`alpha0` and each strategy's options. */
type SelectionShape = { strategy: string; lambda: number; alpha0: number } & { [field: string]: unknown };

/**
 * The campaign-file schema around the sections that plug-in registries supply. Built by
 * `campaignSchema()` in `src/campaign-file.ts` from the registries; the fixed sections live here.
 */
export function buildCampaignSchema(sections: PluginSections) {
  return z
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
      /** The task kind (`numeric`, `coding`, `program`, or one a library registered) and its fields. Required. */
      task: sections.task,
      /** Default: `{ operator: parametric }` (offline); `llm-diff`, `llm-rewrite` and `self-modify` call foundation models. */
      mutation: sections.mutation.prefault({ operator: sections.defaultOperator }),
      /** Default: `{ strategy: dgm, lambda: 10, alpha0: 0.5 }` (and each strategy's defaults). */
      selection: sections.selection.prefault({}),
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
      sandbox: sandbox
        .extend({
          /** `auto` (default): Docker when an engine is reachable, else the process sandbox (by policy); or a registered kind. */
          kind: z.enum(sections.sandboxKinds).default('auto'),
        })
        .strict()
        .prefault({}),
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
}

const taskSection = z.object({ kind: z.string() }).catchall(z.unknown());
const mutationSection = z.object({ operator: z.string() }).catchall(z.unknown());
const genericCampaign = buildCampaignSchema({
  task: taskSection,
  mutation: mutationSection,
  defaultOperator: 'parametric',
  sandboxKinds: SANDBOX_KINDS,
  selection: z
    .object({ strategy: z.string(), lambda: z.number(), alpha0: z.number() })
    .catchall(z.unknown()) as z.ZodType<SelectionShape>,
});

/** A campaign file after defaults are applied (plug-in sections as their generic shapes). */
export type CampaignConfig = z.infer<typeof genericCampaign>;
export type TaskConfig = TaskSection;
export type MutationConfig = MutationSection;
export type SelectionConfig = SelectionShape;
export type EvaluationConfig = CampaignConfig['evaluation'];
export type StageConfig = EvaluationConfig['stages'][number];
export type SandboxConfig = CampaignConfig['sandbox'];
export type ExecutorConfig = CampaignConfig['executor'];
export type AgentModelConfig = z.infer<typeof agentModelSchema>;
