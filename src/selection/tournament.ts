/**
 * @module The `tournament` parent selector: draw `size` scored nodes uniformly (with replacement)
 * and keep the best of them. Selection pressure grows with the size; it needs no score scale.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import { DerivedStateCache, ScoredPositions } from './derived-state.js';
import { assertCount, scoredCandidates } from './sample.js';
import { optionsOf } from './selector-kind.js';
import type { ParentSelector, SelectionCandidate, SelectionSnapshot, SelectorKind } from './types.js';

export interface TournamentSelectorOptions {
  /** Contestants per tournament, ≥ 1 (1 is uniform). Default 3. */
  size?: number;
}

function resolveSize(options: TournamentSelectorOptions): number {
  const size = options.size ?? 3;
  if (!Number.isSafeInteger(size) || size < 1) {
    const message = `selection.tournament.size must be an integer ≥ 1, got ${size}`;
    throw new ConfigError(message, [{ path: 'selection.tournament.size', message, value: size }]);
  }
  return size;
}

/**
 * Exact probabilities of the tournament over the scored nodes (snapshot order): with the nodes
 * sorted by score (ties broken by fewer children, then lower id) and q_k the fraction ranked at or
 * below position k, P = q_k^size − q_{k−1}^size. For tests and the viewer.
 */
export function tournamentProbabilities(
  snapshot: SelectionSnapshot,
  options: TournamentSelectorOptions = {},
): Array<{ id: number; probability: number }> {
  const size = resolveSize(options);
  const candidates = scoredCandidates(snapshot);
  const n = candidates.length;
  const ascending = candidates.map((node, index) => ({ node, index })).sort((a, b) => beats(b.node, a.node));
  const probabilities = new Array<number>(n).fill(0);
  ascending.forEach((entry, position) => {
    probabilities[entry.index] = ((position + 1) / n) ** size - (position / n) ** size;
  });
  return candidates.map((node, index) => ({ id: node.id, probability: probabilities[index] as number }));
}

/** Negative when `a` wins against `b`: higher score, then fewer children, then lower id. */
function beats(
  a: { id: number; score: number; children: number },
  b: { id: number; score: number; children: number },
): number {
  return b.score - a.score || a.children - b.children || a.id - b.id;
}

/**
 * The tournament selector: contestants drawn by `random.pick` over the scored nodes in snapshot
 * order (one `random.next()` each), from a list of scored positions kept across calls over a
 * journaled snapshot (O(size) per draw).
 */
export function tournamentSelector(options: TournamentSelectorOptions = {}): ParentSelector {
  const size = resolveSize(options);
  const cache = new DerivedStateCache(() => new ScoredPositions());
  return {
    name: 'tournament',
    select(snapshot: SelectionSnapshot, random: Random, count: number): number[] {
      assertCount(count);
      const scored = cache.get(snapshot);
      if (scored.length === 0) return [];
      const contestant = (): SelectionCandidate & { score: number } =>
        snapshot.nodes[scored.positions[Math.floor(random.next() * scored.length)] as number] as SelectionCandidate & {
          score: number;
        };
      const picks: number[] = [];
      for (let draw = 0; draw < count; draw++) {
        let winner = contestant();
        for (let round = 1; round < size; round++) {
          const challenger = contestant();
          if (beats(challenger, winner) < 0) winner = challenger;
        }
        picks.push(winner.id);
      }
      return picks;
    },
  };
}

/** `selection.tournament`. */
export const tournamentOptionsSchema = z
  .object({
    /** Contestants drawn per tournament; the best wins. Default 3. */
    size: z.number().int().min(1).max(1000).default(3),
  })
  .strict();

/** The `tournament` strategy; options under `tournament`. */
export const tournamentKind: SelectorKind = {
  kind: 'tournament',
  summary: 'the best of `size` scored nodes drawn uniformly',
  options: { key: 'tournament', schema: tournamentOptionsSchema },
  create: (section) => tournamentSelector(optionsOf(section, 'tournament', tournamentOptionsSchema)),
};
