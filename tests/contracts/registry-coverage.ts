/**
 * @module What every registry-driven contract suite checks first: each registered kind has a
 * fixture (or an explicit reason it cannot run here), and no fixture names a kind that is not
 * registered. A kind registered without one fails the suite, naming the kind.
 */
import { describe, expect, it } from 'vitest';
import type { PluginKind, PluginRegistry } from '../../src/core/plugin.js';

/** Kinds of `registry` that `fixtures` has no entry for, in registration order. */
export function uncoveredKinds(registry: PluginRegistry<PluginKind>, fixtures: object): string[] {
  return registry.names().filter((kind) => !Object.hasOwn(fixtures, kind));
}

/** Entries of `fixtures` that name no registered kind. */
export function strayFixtures(registry: PluginRegistry<PluginKind>, fixtures: object): string[] {
  return Object.keys(fixtures).filter((kind) => !registry.has(kind));
}

/** One `it` that fails naming each registered kind without a fixture, and each fixture of no kind. */
export function describeCoverage(what: string, registry: PluginRegistry<PluginKind>, fixtures: object): void {
  describe(`${what} contract coverage`, () => {
    it(`has a fixture for every registered ${registry.area} (${registry.names().join(', ')})`, () => {
      expect(
        uncoveredKinds(registry, fixtures),
        `registered ${registry.area}s without a contract fixture: add one to the ${what} contract test`,
      ).toEqual([]);
      expect(strayFixtures(registry, fixtures), `fixtures for ${registry.area}s that are not registered`).toEqual([]);
    });
    for (const kind of uncoveredKinds(registry, fixtures)) {
      it(`covers the ${registry.area} "${kind}"`, () => {
        throw new Error(
          `The ${registry.area} "${kind}" is registered but the ${what} contract has no fixture for it: add one (or an explicit reason it cannot run) to the ${what} contract test.`,
        );
      });
    }
  });
}
