/**
 * @module Selector registry: the campaign file's `selection` section to a `ParentSelector`.
 */
import type { SelectionConfig } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import { bestSelector } from './best.js';
import { dgmSelector } from './dgm.js';
import { hgmSelector } from './hgm.js';
import { mapElitesSelector } from './map-elites.js';
import { powerLawSelector } from './power-law.js';
import { randomSelector } from './random.js';
import { tournamentSelector } from './tournament.js';
import type { ParentSelector } from './types.js';
import { weightedSelector } from './weighted.js';

/**
 * Builds the selector a campaign file names, with that strategy's options (`dgm`: `lambda`,
 * `alpha0`; `weighted`: `lambda`; `power-law`: `powerLaw`; `tournament`: `tournament`;
 * `map-elites`: `mapElites`). `hgm`'s scheduling options are read by the campaign loop.
 */
export function createSelector(config: SelectionConfig): ParentSelector {
  const strategy = config.strategy;
  switch (strategy) {
    case 'dgm':
      return dgmSelector({ lambda: config.lambda, alpha0: config.alpha0 });
    case 'weighted':
      return weightedSelector({ lambda: config.lambda });
    case 'power-law':
      return powerLawSelector({ alpha: config.powerLaw.alpha });
    case 'tournament':
      return tournamentSelector({ size: config.tournament.size });
    case 'hgm':
      return hgmSelector();
    case 'map-elites':
      return mapElitesSelector(config.mapElites);
    case 'best':
      return bestSelector();
    case 'random':
      return randomSelector();
    default: {
      const unknown: never = strategy;
      const message = `Unknown selection strategy "${String(unknown)}"; use one of dgm, weighted, power-law, tournament, hgm, map-elites, best, random`;
      throw new ConfigError(message, [{ path: 'selection.strategy', message, value: unknown }]);
    }
  }
}
