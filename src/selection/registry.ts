/**
 * @module Selector registry: the campaign file's `selection` section to a `ParentSelector`.
 */
import type { SelectionConfig } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import { bestSelector } from './best.js';
import { dgmSelector } from './dgm.js';
import { randomSelector } from './random.js';
import type { ParentSelector } from './types.js';

/** Builds the selector a campaign file names (`dgm` uses `lambda` and `alpha0`; the others ignore them). */
export function createSelector(config: SelectionConfig): ParentSelector {
  const strategy = config.strategy;
  switch (strategy) {
    case 'dgm':
      return dgmSelector({ lambda: config.lambda, alpha0: config.alpha0 });
    case 'best':
      return bestSelector();
    case 'random':
      return randomSelector();
    default: {
      const unknown: never = strategy;
      const message = `Unknown selection strategy "${String(unknown)}"; use dgm, best or random`;
      throw new ConfigError(message, [{ path: 'selection.strategy', message, value: unknown }]);
    }
  }
}
