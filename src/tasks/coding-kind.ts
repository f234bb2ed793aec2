/**
 * @module `task.kind: coding`: coding agents (TypeScript) solving programming exercises, scored by
 * hidden tests run after the agent stops, in a separate sandbox run.
 */
import { z } from 'zod';
import { builtinExercisesDirectory } from './coding-exercises.js';
import { createCodingTask } from './coding-task.js';
import { defineTaskKind, resolveDirectoryField } from './task-kind.js';

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

/** The `task` section of a coding campaign. */
export const codingTaskSchema = z
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

/** A coding `task` section after defaults. */
export type CodingTaskConfig = z.infer<typeof codingTaskSchema>;

export const codingTaskKind = defineTaskKind({
  kind: 'coding',
  summary: 'coding agents (TypeScript) solving exercises, scored by hidden tests they never see',
  schema: codingTaskSchema,
  prepare(config, { configDirectory }) {
    return config.exercisesDir === undefined
      ? config
      : { ...config, exercisesDir: resolveDirectoryField('task.exercisesDir', config.exercisesDir, configDirectory) };
  },
  create: (config, { seed }) =>
    createCodingTask({
      exercisesDir: config.exercisesDir ?? builtinExercisesDirectory(),
      exercises: config.exercises,
      limits: config.limits,
      campaignSeed: seed,
    }),
});
