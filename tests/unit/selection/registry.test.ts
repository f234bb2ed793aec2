import { describe, expect, it } from 'vitest';
import { SELECTION_STRATEGIES, type SelectionConfig, selectionSchema } from '../../../src/config/schema.js';
import { createRandom } from '../../../src/core/random.js';
import { createSelector, dgmSelector } from '../../../src/selection/index.js';
import { scored } from './helpers.js';

/** A `selection` section with every default filled in. */
function config(fields: Record<string, unknown>): SelectionConfig {
  return selectionSchema.parse(fields);
}

describe('createSelector', () => {
  it('builds each strategy by name', () => {
    for (const strategy of SELECTION_STRATEGIES) {
      expect(createSelector(config({ strategy })).name).toBe(strategy);
    }
  });

  it('passes each strategy its own options', () => {
    const snapshot = { nodes: [scored(0, 0.2, 0), scored(1, 0.6, 2), scored(2, 0.9, 5), scored(3, 0.4, 1)] };
    const draw = (fields: Record<string, unknown>) =>
      createSelector(config(fields)).select(snapshot, createRandom('registry-options'), 400);
    expect(draw({ strategy: 'power-law', powerLaw: { alpha: 0 } })).not.toEqual(
      draw({ strategy: 'power-law', powerLaw: { alpha: 3 } }),
    );
    expect(draw({ strategy: 'tournament', tournament: { size: 1 } })).not.toEqual(
      draw({ strategy: 'tournament', tournament: { size: 4 } }),
    );
    expect(draw({ strategy: 'weighted', lambda: 0.1 })).not.toEqual(draw({ strategy: 'weighted', lambda: 50 }));
  });

  it('passes λ and α0 to the dgm selector', () => {
    const snapshot = { nodes: [scored(0, 0.2, 0), scored(1, 0.6, 2), scored(2, 0.9, 5)] };
    const fromConfig = createSelector(config({ strategy: 'dgm', lambda: 3, alpha0: 0.7 }));
    const direct = dgmSelector({ lambda: 3, alpha0: 0.7 });
    const defaults = dgmSelector();
    const picks = fromConfig.select(snapshot, createRandom('registry'), 200);
    expect(picks).toEqual(direct.select(snapshot, createRandom('registry'), 200));
    expect(picks).not.toEqual(defaults.select(snapshot, createRandom('registry'), 200));
  });

  it('rejects an unknown strategy with a configuration error', () => {
    expect(() => createSelector({ ...config({}), strategy: 'islands' as 'dgm' })).toThrow(
      /Unknown selection strategy "islands"/,
    );
  });
});
