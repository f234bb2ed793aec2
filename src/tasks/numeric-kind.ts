/**
 * @module `task.kind: numeric`: optimizer agents on benchmark functions (the built-in shifted and
 * rotated classics in any dimension, or the official CEC2022 suite F1–F12 at D = 10 and 20).
 */
import { z } from 'zod';
import { BUILTIN_FUNCTION_NAMES } from '../numeric/functions.js';
import { createNumericTask } from './numeric-task.js';
import { defineTaskKind, resolveDirectoryField } from './task-kind.js';

/** Benchmark suites of numeric tasks. */
export const NUMERIC_SUITES = ['builtin', 'cec2022'] as const;

const numericProblem = z
  .object({
    /** Built-in function name (suite `builtin`), or the function number 1..12 (suite `cec2022`). */
    fn: z.union([z.enum(BUILTIN_FUNCTION_NAMES), z.number().int().min(1).max(12)], {
      error: `must be a built-in function name (${BUILTIN_FUNCTION_NAMES.join(', ')}) or, with suite: cec2022, a function number 1..12`,
    }),
    /** Dimension, 1..1000 (suite `cec2022`: 10 or 20). */
    dim: z.number().int().min(1).max(1000),
  })
  .strict();

/** The `task` section of a numeric campaign. */
export const numericTaskSchema = z
  .object({
    kind: z.literal('numeric'),
    /** `builtin` (shifted, rotated classics in any dimension) or `cec2022` (F1–F12, D = 10, 20). Default `builtin`. */
    suite: z.enum(NUMERIC_SUITES).default('builtin'),
    /**
     * `cec2022`: directory of the official data files, relative to the campaign file. Default: the
     * `--data-dir` flag, else `CLADE_CEC2022_DATA`, else the copy shipped with clade.
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
          message: `suite builtin takes function names (${BUILTIN_FUNCTION_NAMES.join(', ')}); for CEC2022 numbers set suite: cec2022`,
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

/** A numeric `task` section after defaults. */
export type NumericTaskConfig = z.infer<typeof numericTaskSchema>;

export const numericTaskKind = defineTaskKind({
  kind: 'numeric',
  summary: 'optimizer agents (TypeScript) minimising benchmark functions: built-in classics or CEC2022',
  schema: numericTaskSchema,
  prepare(config, { configDirectory }) {
    // dataDir is relative to the campaign file; stored absolute, so `clade resume` finds it.
    return config.dataDir === undefined
      ? config
      : { ...config, dataDir: resolveDirectoryField('task.dataDir', config.dataDir, configDirectory) };
  },
  create: (config, { seed }) => createNumericTask(config, seed),
});
