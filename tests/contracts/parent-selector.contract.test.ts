/**
 * The parent-selector contract for every kind registered in `selectorKinds`, each built from a
 * `selection` section (its defaults, and options that change what it does). A kind registered
 * without a fixture here fails the suite.
 */
import { selectionSectionSchema, selectorKinds } from '../../src/selection/registry.js';
import type { SelectionSection } from '../../src/selection/types.js';
import { runParentSelectorContract } from './parent-selector.contract.js';
import { describeCoverage } from './registry-coverage.js';

/** Per kind, the `selection` sections (before defaults) its contract runs with. */
const fixtures: Record<string, readonly Record<string, unknown>[]> = {
  dgm: [{}, { lambda: 2, alpha0: 0.8 }],
  weighted: [{}, { lambda: 0.5 }],
  'power-law': [{}, { powerLaw: { alpha: 0 } }, { powerLaw: { alpha: 4 } }],
  tournament: [{}, { tournament: { size: 1 } }, { tournament: { size: 9 } }],
  hgm: [{}, { hgm: { alpha: 1, initialJobs: 3 } }, { hgm: { alpha: 0.2 } }],
  'map-elites': [
    {},
    { mapElites: { islands: 1, bins: 2 } },
    {
      mapElites: {
        islands: 3,
        features: ['error'],
        migrationInterval: 1,
        migrationRate: 1,
        exploration: 0,
        exploitation: 0,
      },
    },
  ],
  best: [{}],
  random: [{}],
};

describeCoverage('parent selector', selectorKinds, fixtures);

for (const kind of selectorKinds.list()) {
  for (const fields of fixtures[kind.kind] ?? []) {
    const section: SelectionSection = selectionSectionSchema().parse({ ...fields, strategy: kind.kind });
    const scheduler = kind.scheduler;
    runParentSelectorContract({
      label: `${kind.kind} ${JSON.stringify(fields)}`,
      create: () => kind.create(section),
      ...(scheduler ? { scheduler: () => scheduler(section) } : {}),
    });
  }
}
