import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../../src/core/errors.js';
import { PluginRegistry } from '../../../src/core/plugin.js';
import { createRandom } from '../../../src/core/random.js';
import {
  createCandidateDescriber,
  createEvaluationScheduler,
  createSelector,
  dgmSelector,
  randomSelector,
  type SelectionSection,
  type SelectorKind,
  selectionSectionSchema,
  selectorKinds,
} from '../../../src/selection/index.js';
import { scored } from './helpers.js';

/** A `selection` section with every default filled in. */
function config(fields: Record<string, unknown>): SelectionSection {
  return selectionSectionSchema().parse(fields);
}

const BUILT_IN = ['dgm', 'weighted', 'power-law', 'tournament', 'hgm', 'map-elites', 'best', 'random'];

describe('selectorKinds', () => {
  it('lists every built-in strategy, dgm first', () => {
    expect(selectorKinds.names()).toEqual(BUILT_IN);
  });

  it('builds each strategy by name', () => {
    for (const strategy of selectorKinds.names()) {
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

  it('rejects an unknown strategy with a configuration error naming the field and what is allowed', () => {
    const attempt = () => createSelector({ ...config({}), strategy: 'islands' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/selection\.strategy: unknown selection strategy "islands"; use one of dgm, weighted/);
  });

  it('reads options a library caller left out as their defaults, and refuses bad ones by field', () => {
    expect(createSelector({ strategy: 'tournament', lambda: 10, alpha0: 0.5 }).name).toBe('tournament');
    const bad = () => createSelector({ strategy: 'tournament', lambda: 10, alpha0: 0.5, tournament: { size: 0 } });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/selection\.tournament\.size/);
  });

  it('gives hgm its own evaluation scheduler and every other strategy none', () => {
    for (const strategy of selectorKinds.names()) {
      const scheduler = createEvaluationScheduler(config({ strategy }));
      expect(scheduler?.name).toBe(strategy === 'hgm' ? 'hgm' : undefined);
    }
    const plan = { jobCount: 8, stages: [{ end: 8, threshold: 0 }] };
    expect(createEvaluationScheduler(config({ strategy: 'hgm', hgm: { initialJobs: 3 } }))?.initialJobs(plan)).toBe(3);
  });

  it('gives every built-in strategy the code-feature describer', async () => {
    for (const strategy of selectorKinds.names()) {
      const describer = createCandidateDescriber(config({ strategy }));
      const seed = { 'a.ts': 'x' };
      expect(await describer.describe(seed, async () => seed)).toEqual({ codeLength: 9, diversity: 0 });
      expect(
        describer.features({ publicMetrics: { error: 2, label: 'x' }, privateMetrics: { codeLength: 9 } }),
      ).toEqual({
        error: 2,
        codeLength: 9,
      });
    }
  });
});

describe('selectionSectionSchema', () => {
  it('fills in every default, as the campaign file documents', () => {
    expect(config({})).toEqual({
      strategy: 'dgm',
      lambda: 10,
      alpha0: 0.5,
      powerLaw: { alpha: 1 },
      tournament: { size: 3 },
      hgm: { alpha: 0.6, initialJobs: 1 },
      mapElites: {
        islands: 4,
        bins: 10,
        features: ['codeLength', 'diversity'],
        migrationInterval: 50,
        migrationRate: 0.1,
        exploration: 0.2,
        exploitation: 0.7,
      },
    });
  });

  it('refuses unknown strategies, misspelt keys and bad options, naming the path', () => {
    const issues = (fields: Record<string, unknown>) =>
      selectionSectionSchema()
        .safeParse(fields)
        .error?.issues.map((issue) => issue.path.join('.'));
    expect(issues({ strategy: 'islands' })).toEqual(['strategy']);
    expect(issues({ powerlaw: { alpha: 2 } })).toEqual(['']);
    expect(issues({ mapElites: { exploration: 0.5, exploitation: 0.6 } })).toEqual(['mapElites.exploitation']);
    expect(issues({ hgm: { alpha: 0 } })).toEqual(['hgm.alpha']);
  });

  it('includes a strategy registered from outside clade, with its options under its key', () => {
    const registry = new PluginRegistry<SelectorKind>('selection strategy', 'selection.strategy', selectorKinds.list());
    const schema = z.object({ temperature: z.number().positive().default(1) }).strict();
    registry.register({
      kind: 'softmax',
      summary: 'test strategy',
      options: { key: 'softmax', schema },
      create: () => randomSelector(),
    });
    const parsed = selectionSectionSchema(registry).parse({ strategy: 'softmax' });
    expect(parsed.softmax).toEqual({ temperature: 1 });
    expect(selectionSectionSchema().safeParse({ strategy: 'softmax' }).success).toBe(false);
  });

  it('refuses two strategies that claim one options key, or a shared field', () => {
    const registry = new PluginRegistry<SelectorKind>('selection strategy', 'selection.strategy', selectorKinds.list());
    const schema = selectorKinds.get('tournament').options?.schema;
    if (!schema) throw new Error('tournament has options');
    registry.register({ kind: 'other', summary: 'x', options: { key: 'tournament', schema }, create: randomSelector });
    expect(() => selectionSectionSchema(registry)).toThrow(/"other" puts its options under "selection.tournament"/);
    registry.register(
      { kind: 'other', summary: 'x', options: { key: 'lambda', schema }, create: randomSelector },
      {
        replace: true,
      },
    );
    expect(() => selectionSectionSchema(registry)).toThrow(/is a field of the section itself/);
  });
});
