/**
 * @module The `hgm` parent selector (Huxley-Gödel Machine): clade metaproductivity by Thompson
 * sampling. A node's clade is the node and all its descendants; its clade record pools the per-task
 * outcomes of every member (passes S, failures F). Each candidate draws θ ~ Beta(1 + S, 1 + F) and
 * the highest draw is expanded, so a node is judged by what its descendants achieved, not only by
 * its own score. Graded outcomes (a score in [0, 1]) count the score as passes and 1 − score as
 * failures. The node's own record is kept separately and never absorbs its descendants' outcomes
 * (the public HGM code aliases the two lists, a bug this implementation avoids).
 */
import { z } from 'zod';
import type { Random } from '../core/random.js';
import { FastBetaSampler, gammaConstants } from './beta.js';
import { type DerivedState, DerivedStateCache, ensureLength, ScoredPositions } from './derived-state.js';
import { hgmScheduler } from './hgm-scheduler.js';
import { assertCount } from './sample.js';
import { optionsOf } from './selector-kind.js';
import type { OutcomeCounts, ParentSelector, SelectionCandidate, SelectionSnapshot, SelectorKind } from './types.js';

const NO_OUTCOMES: OutcomeCounts = { passes: 0, failures: 0 };

/** Nodes HGM may expand: scored (at least one task evaluated and the node usable). */
export function hgmCandidates(snapshot: SelectionSnapshot): SelectionCandidate[] {
  return snapshot.nodes.filter(
    (node) => node.status === 'scored' && typeof node.score === 'number' && Number.isFinite(node.score),
  );
}

/**
 * Each scored node's clade posterior Beta(1 + S, 1 + F) as Marsaglia–Tsang constants in typed
 * columns, updated per changed node, so a draw is one tight pass with no allocation.
 */
class HgmState implements DerivedState {
  readonly scored = new ScoredPositions();
  /** Per position: d and c of the α shape, then of the β shape. */
  constants = new Float64Array(64);

  refresh(nodes: readonly SelectionCandidate[], position: number): void {
    this.scored.refresh(nodes, position);
    this.constants = ensureLength(this.constants, 4 * (position + 1));
    const node = nodes[position] as SelectionCandidate;
    const counts = node.clade ?? node.own ?? NO_OUTCOMES;
    const alpha = gammaConstants(1 + positiveOrZero(counts.passes));
    const beta = gammaConstants(1 + positiveOrZero(counts.failures));
    this.constants[4 * position] = alpha.d;
    this.constants[4 * position + 1] = alpha.c;
    this.constants[4 * position + 2] = beta.d;
    this.constants[4 * position + 3] = beta.c;
  }

  /** The position of the highest Thompson draw among scored nodes (ties: the first), −1 if none. */
  argmax(sampler: FastBetaSampler): number {
    const { positions, length } = this.scored;
    const constants = this.constants;
    let best = -1;
    let bestDraw = Number.NEGATIVE_INFINITY;
    for (let index = 0; index < length; index++) {
      const position = positions[index] as number;
      const base = 4 * position;
      const draw = sampler.beta(
        constants[base] as number,
        constants[base + 1] as number,
        constants[base + 2] as number,
        constants[base + 3] as number,
      );
      if (draw > bestDraw) {
        bestDraw = draw;
        best = position;
      }
    }
    return best;
  }
}

/** Counts are sums of graded outcomes; a negative or non-finite one counts as none. */
function positiveOrZero(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * The HGM expansion rule: Thompson sampling on each candidate's clade record. Every draw samples
 * every scored node (exact Thompson sampling is O(n) per draw); the posteriors' constants are kept
 * incrementally over a journaled snapshot and the Beta draws come from `FastBetaSampler`, seeded
 * from `random` (four 32-bit words per call), so the picks are reproducible from the seed but are
 * not those of `sampleBeta` on `random` itself.
 */
export function hgmSelector(): ParentSelector {
  const cache = new DerivedStateCache(() => new HgmState());
  return {
    name: 'hgm',
    select(snapshot: SelectionSnapshot, random: Random, count: number): number[] {
      assertCount(count);
      const state = cache.get(snapshot);
      if (state.scored.length === 0 || count === 0) return [];
      const sampler = new FastBetaSampler(random);
      const picks: number[] = [];
      for (let draw = 0; draw < count; draw++) {
        picks.push((snapshot.nodes[state.argmax(sampler)] as SelectionCandidate).id);
      }
      return picks;
    },
  };
}

/** `selection.hgm`: the options of HGM's evaluation scheduler. */
export const hgmOptionsSchema = z
  .object({
    /** Progressive widening: expand when evaluations^alpha ≥ nodes − 1 + pending expansions. Default 0.6. */
    alpha: z.number().positive().max(1).default(0.6),
    /** Jobs a new child is evaluated on before the scheduler takes over (one at a time). Default 1. */
    initialJobs: z.number().int().min(1).max(100_000).default(1),
  })
  .strict();

/** The `hgm` strategy, with its own evaluation scheduler; options under `hgm`. */
export const hgmKind: SelectorKind = {
  kind: 'hgm',
  summary: 'HGM: Thompson sampling on clade metaproductivity, with its own evaluation scheduler',
  options: { key: 'hgm', schema: hgmOptionsSchema },
  create: () => hgmSelector(),
  scheduler: (section) => hgmScheduler(optionsOf(section, 'hgm', hgmOptionsSchema)),
};
