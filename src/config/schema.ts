/**
 * @module The one zod schema for campaign files (YAML or JSON). Each field's comment states its
 * default. Secrets never live here: keys come from the environment only.
 */
import { z } from 'zod';

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

export const SELECTION_STRATEGIES = ['dgm', 'best', 'random'] as const;
export const MUTATION_OPERATORS = ['parametric'] as const;
export const SANDBOX_KINDS = ['auto', 'process', 'docker'] as const;

const numericProblem = z
  .object({
    /** Built-in function name. */
    fn: z.enum(BUILTIN_FUNCTIONS),
    /** Dimension, 1..1000. */
    dim: z.number().int().min(1).max(1000),
  })
  .strict();

const numericTask = z
  .object({
    kind: z.literal('numeric'),
    /** Only `builtin` for now (CEC2022 comes with its own issue). Default `builtin`. */
    suite: z.literal('builtin').default('builtin'),
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
  });

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

const selection = z
  .object({
    /** `dgm` (default): sigmoid(λ(score − α0)) / (1 + children); `best`; `random`. */
    strategy: z.enum(SELECTION_STRATEGIES).default('dgm'),
    /** DGM sigmoid steepness λ. Default 10. */
    lambda: z.number().positive().default(10),
    /** DGM sigmoid midpoint α0. Default 0.5. */
    alpha0: z.number().default(0.5),
  })
  .strict();

const budget = z
  .object({
    /** Children to make (the seed is not counted). Default 50. */
    iterations: z.number().int().min(0).default(50),
    /** Stop starting children after this many seconds; null for no limit. Default null. */
    wallClockSeconds: z.number().positive().nullable().default(null),
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
  })
  .strict();

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
    task: numericTask,
    /** Default: `{ operator: parametric }`. */
    mutation: parametricMutation.default({
      operator: 'parametric',
      differentialWeight: 0.5,
      crossoverRate: 0.5,
      sigma: 0.15,
      choiceResample: 0.2,
    }),
    /** Default: `{ strategy: dgm, lambda: 10, alpha0: 0.5 }`. */
    selection: selection.default({ strategy: 'dgm', lambda: 10, alpha0: 0.5 }),
    /** Scored archive members shown to the mutator besides the parent. Default 4. */
    inspirations: z.number().int().min(0).max(64).default(4),
    budget: budget.default({ iterations: 50, wallClockSeconds: null }),
    /** Evaluations run in parallel. Default 1. */
    workers: z.number().int().min(1).max(256).default(1),
    sandbox: sandbox.default({
      kind: 'auto',
      timeoutSeconds: 60,
      memoryMb: 1024,
      outputBytes: 65_536,
      cpus: 1,
      pids: 64,
    }),
  })
  .strict();

/** A campaign file after defaults are applied. */
export type CampaignConfig = z.infer<typeof campaignSchema>;
export type NumericTaskConfig = CampaignConfig['task'];
export type ParametricMutationConfig = CampaignConfig['mutation'];
export type SelectionConfig = CampaignConfig['selection'];
export type SandboxConfig = CampaignConfig['sandbox'];
