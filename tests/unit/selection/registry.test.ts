import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { createSelector, dgmSelector } from '../../../src/selection/index.js';
import { scored } from './helpers.js';

describe('createSelector', () => {
  it('builds each strategy by name', () => {
    for (const strategy of ['dgm', 'best', 'random'] as const) {
      expect(createSelector({ strategy, lambda: 10, alpha0: 0.5 }).name).toBe(strategy);
    }
  });

  it('passes λ and α0 to the dgm selector', () => {
    const snapshot = { nodes: [scored(0, 0.2, 0), scored(1, 0.6, 2), scored(2, 0.9, 5)] };
    const fromConfig = createSelector({ strategy: 'dgm', lambda: 3, alpha0: 0.7 });
    const direct = dgmSelector({ lambda: 3, alpha0: 0.7 });
    const defaults = dgmSelector();
    const picks = fromConfig.select(snapshot, createRandom('registry'), 200);
    expect(picks).toEqual(direct.select(snapshot, createRandom('registry'), 200));
    expect(picks).not.toEqual(defaults.select(snapshot, createRandom('registry'), 200));
  });

  it('rejects an unknown strategy with a configuration error', () => {
    expect(() => createSelector({ strategy: 'islands' as 'dgm', lambda: 10, alpha0: 0.5 })).toThrow(
      /Unknown selection strategy "islands"/,
    );
  });
});
