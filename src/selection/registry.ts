/**
 * @module The selection strategies: `selectorKinds` lists one `SelectorKind` per strategy; the
 * campaign file's `selection` section, its schema (`selectionSectionSchema`), the selector, its
 * evaluation scheduler and its candidate describer are all looked up there. Register a strategy of
 * your own with `selectorKinds.register(kind)`.
 */
import { z } from 'zod';
import { PluginRegistry } from '../core/plugin.js';
import { bestKind } from './best.js';
import { codeFeatureDescriber } from './code-features.js';
import { dgmKind } from './dgm.js';
import { hgmKind } from './hgm.js';
import { mapElitesKind } from './map-elites.js';
import { powerLawKind } from './power-law.js';
import { randomKind } from './random.js';
import { tournamentKind } from './tournament.js';
import type {
  CandidateDescriber,
  EvaluationScheduler,
  ParentSelector,
  SelectionSection,
  SelectorKind,
} from './types.js';
import { weightedKind } from './weighted.js';

/** Every selection strategy, built-ins in this order; `dgm` is the default. */
export const selectorKinds = new PluginRegistry<SelectorKind>('selection strategy', 'selection.strategy', [
  dgmKind,
  weightedKind,
  powerLawKind,
  tournamentKind,
  hgmKind,
  mapElitesKind,
  bestKind,
  randomKind,
]);

/** The strategy a `selection` section without `strategy` gets. */
export const DEFAULT_SELECTION_STRATEGY = 'dgm';

/** Fields of the section itself, which no kind's options key may take. */
const SHARED_FIELDS = new Set(['strategy', 'lambda', 'alpha0']);

/**
 * The zod schema of the whole `selection` section, built from `registry`'s kinds: `strategy` one of
 * the registered names, the shared `lambda` and `alpha0`, and each kind's options under its key
 * (every field defaulted, so an absent key parses to the defaults); strict, so a misspelt key is
 * refused. Rebuild it after registering a kind (`registry.version` tells when).
 * @throws TypeError when two kinds claim one options key, or a kind claims a shared field.
 */
export function selectionSectionSchema(
  registry: PluginRegistry<SelectorKind> = selectorKinds,
): z.ZodType<SelectionSection> {
  const names = registry.names();
  if (names.length === 0)
    throw new TypeError('No selection strategy is registered; register one before building the schema.');
  const owners = new Map<string, string>();
  const options: Record<string, z.ZodType> = {};
  for (const kind of registry.list()) {
    if (!kind.options) continue;
    const { key, schema } = kind.options;
    const owner = owners.get(key);
    if (SHARED_FIELDS.has(key) || owner !== undefined) {
      throw new TypeError(
        `The selection strategy "${kind.kind}" puts its options under "selection.${key}", which ` +
          `${owner === undefined ? 'is a field of the section itself' : `the strategy "${owner}" uses already`}; choose another key.`,
      );
    }
    owners.set(key, kind.kind);
    options[key] = schema.prefault({});
  }
  const strategies = names as [string, ...string[]];
  return z
    .object({
      /**
       * `dgm` (default): sigmoid(λ(score − α0)) / (1 + children); `weighted`: the same with α0 = median
       * and the MAD as scale; `power-law`; `tournament`; `hgm`; `map-elites`; `best`; `random`; and
       * any registered strategy.
       */
      strategy: z
        .enum(strategies)
        .default(names.includes(DEFAULT_SELECTION_STRATEGY) ? DEFAULT_SELECTION_STRATEGY : strategies[0]),
      /** Sigmoid steepness λ of `dgm` and `weighted`. Default 10. */
      lambda: z.number().positive().default(10),
      /** DGM sigmoid midpoint α0. Default 0.5. */
      alpha0: z.number().default(0.5),
      /**
       * Each strategy's options under its key (`powerLaw`: `{ alpha: 1 }`; `tournament`:
       * `{ size: 3 }`; `hgm`: `{ alpha: 0.6, initialJobs: 1 }`; `mapElites`: see its fields).
       */
      ...options,
    })
    .strict();
}

/** The parent selector a `selection` section names. @throws ConfigError for an unknown strategy. */
export function createSelector(section: SelectionSection): ParentSelector {
  return selectorKinds.get(section.strategy).create(section);
}

/**
 * The evaluation scheduler of the section's strategy, or undefined when it has none (the campaign
 * then follows the staged plan). @throws ConfigError for an unknown strategy.
 */
export function createEvaluationScheduler(section: SelectionSection): EvaluationScheduler | undefined {
  return selectorKinds.get(section.strategy).scheduler?.(section);
}

/**
 * What the campaign records about each node's code for the section's strategy: the kind's own
 * describer, else the built-in code features. One per campaign run (it keeps the seed's source).
 */
export function createCandidateDescriber(section: SelectionSection): CandidateDescriber {
  return selectorKinds.get(section.strategy).describer?.(section) ?? codeFeatureDescriber();
}
