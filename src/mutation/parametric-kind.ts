/**
 * @module `mutation.operator: parametric`: the offline mutator (no model, no key). It evolves the
 * values of `@evolve`-annotated constants and choices with differential-evolution moves over the
 * archive (MetaDE-style), so a child differs from its parent only in annotated values.
 */
import { z } from 'zod';
import { defineMutatorKind } from './mutator-kind.js';
import { createParametricMutator } from './parametric.js';

/** The `mutation` section of the parametric operator. */
export const parametricMutationSchema = z
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

/** A parametric `mutation` section after defaults. */
export type ParametricMutationConfig = z.infer<typeof parametricMutationSchema>;

export const parametricMutatorKind = defineMutatorKind({
  kind: 'parametric',
  summary: 'offline: evolves @evolve-annotated constants and choices (no model, no key)',
  schema: parametricMutationSchema,
  writesCode: false,
  callsModels: false,
  prepare: (config) => ({ config }),
  create: ({ config }) => createParametricMutator(config),
});
