/**
 * @module The `map-elites` parent selector with islands (OpenEvolve / AlphaEvolve). Nodes live on
 * islands; each island keeps a MAP-Elites grid over feature descriptors (by default code length and
 * edit-distance diversity, 10 bins each) whose cells hold their fittest occupant. Children are made
 * for the islands in turn (round-robin over iterations) and join the island they were made for;
 * every `migrationInterval` island-generations the top `migrationRate` of each island's elites
 * migrate to its ring neighbours i ± 1 (exact duplicates skipped). A parent for island i is drawn by
 * OpenEvolve's mix: with probability `exploration` uniformly among the island's members, with
 * `exploitation` uniformly among its grid elites, otherwise in proportion to score within the island.
 *
 * The selector is pure: islands, grids and migrations follow from the snapshot alone (replayed in
 * iteration order), so resume needs no state; over a journaled snapshot they are kept between calls
 * and rebuilt only after a change they depend on.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import { type DerivedState, DerivedStateCache, ensureLength, isScored } from './derived-state.js';
import { assertCount, CumulativeWeights, type ScoredCandidate, scoredCandidates } from './sample.js';
import { optionsOf } from './selector-kind.js';
import type { ParentSelector, SelectionCandidate, SelectionSnapshot, SelectorKind } from './types.js';

/** Options of the MAP-Elites selector; every field has a default. */
export interface MapElitesSelectorOptions {
  /** Number of islands, ≥ 1. Default 4. */
  islands?: number;
  /** Bins per feature, ≥ 1. Default 10. */
  bins?: number;
  /** Feature names (keys of each node's `features`). Default `['codeLength', 'diversity']`. */
  features?: readonly string[];
  /** Island-generations between migrations, ≥ 1. Default 50. */
  migrationInterval?: number;
  /** Fraction of an island's elites that migrates, in [0, 1]. Default 0.1. */
  migrationRate?: number;
  /** Probability of a uniform draw among the island's members. Default 0.2. */
  exploration?: number;
  /** Probability of a uniform draw among the island's grid elites. Default 0.7. */
  exploitation?: number;
}

type Resolved = Required<MapElitesSelectorOptions>;

function invalid(field: string, value: unknown, rule: string): ConfigError {
  const message = `selection.mapElites.${field} ${rule}, got ${String(value)}`;
  return new ConfigError(message, [{ path: `selection.mapElites.${field}`, message, value }]);
}

function resolve(options: MapElitesSelectorOptions): Resolved {
  const resolved: Resolved = {
    islands: options.islands ?? 4,
    bins: options.bins ?? 10,
    features: options.features ?? ['codeLength', 'diversity'],
    migrationInterval: options.migrationInterval ?? 50,
    migrationRate: options.migrationRate ?? 0.1,
    exploration: options.exploration ?? 0.2,
    exploitation: options.exploitation ?? 0.7,
  };
  if (!Number.isSafeInteger(resolved.islands) || resolved.islands < 1)
    throw invalid('islands', resolved.islands, 'must be an integer ≥ 1');
  if (!Number.isSafeInteger(resolved.bins) || resolved.bins < 1)
    throw invalid('bins', resolved.bins, 'must be an integer ≥ 1');
  if (resolved.features.length === 0) throw invalid('features', '[]', 'must name at least one feature');
  if (!Number.isSafeInteger(resolved.migrationInterval) || resolved.migrationInterval < 1)
    throw invalid('migrationInterval', resolved.migrationInterval, 'must be an integer ≥ 1');
  if (!(resolved.migrationRate >= 0 && resolved.migrationRate <= 1))
    throw invalid('migrationRate', resolved.migrationRate, 'must be in [0, 1]');
  const { exploration, exploitation } = resolved;
  if (!(exploration >= 0 && exploitation >= 0 && exploration + exploitation <= 1))
    throw invalid('exploration', `${exploration} + ${exploitation}`, 'and exploitation must be ≥ 0 with a sum ≤ 1');
  return resolved;
}

/** One island after the snapshot is replayed: its members and its grid (cell → elite). */
export interface IslandState {
  members: ScoredCandidate[];
  elites: Map<number, ScoredCandidate>;
}

/** The island a child of iteration `iteration` (≥ 1) is made for. */
export function islandOf(iteration: number, islands: number): number {
  return (((iteration - 1) % islands) + islands) % islands;
}

/**
 * Rebuilds the islands from a snapshot: the seed (iteration 0) is on every island, each child on
 * the island it was made for, plus the migrants; grids keep the best score per cell (ties: lower id).
 */
export function buildIslands(snapshot: SelectionSnapshot, options: MapElitesSelectorOptions = {}): IslandState[] {
  const config = resolve(options);
  const candidates = scoredCandidates(snapshot);
  let ordered = true;
  for (let index = 1; index < candidates.length && ordered; index++) {
    if (iterationOf(candidates[index - 1] as ScoredCandidate) > iterationOf(candidates[index] as ScoredCandidate))
      ordered = false;
  }
  if (!ordered) candidates.sort((a, b) => iterationOf(a) - iterationOf(b) || a.id - b.id);
  const count = candidates.length;

  // Feature values once, then ranges over all scored nodes (OpenEvolve rescales its bins to what it
  // has seen), then each node's cell: typed arrays, no per-node objects.
  const featureCount = config.features.length;
  const values = new Float64Array(count * featureCount);
  const minimum = new Float64Array(featureCount).fill(Number.POSITIVE_INFINITY);
  const maximum = new Float64Array(featureCount).fill(Number.NEGATIVE_INFINITY);
  for (let index = 0; index < count; index++) {
    const features = (candidates[index] as ScoredCandidate).features;
    for (let feature = 0; feature < featureCount; feature++) {
      const raw = features?.[config.features[feature] as string];
      const value = typeof raw === 'number' && Number.isFinite(raw) ? raw : 0;
      values[index * featureCount + feature] = value;
      if (value < (minimum[feature] as number)) minimum[feature] = value;
      if (value > (maximum[feature] as number)) maximum[feature] = value;
    }
  }
  const cells = new Int32Array(count);
  for (let index = 0; index < count; index++) {
    let cell = 0;
    for (let feature = 0; feature < featureCount; feature++) {
      const low = minimum[feature] as number;
      const width = (maximum[feature] as number) - low;
      const value = values[index * featureCount + feature] as number;
      const bin = width > 0 ? Math.min(config.bins - 1, Math.floor(((value - low) / width) * config.bins)) : 0;
      cell = cell * config.bins + bin;
    }
    cells[index] = cell;
  }

  const islandCount = config.islands;
  const members: number[][] = Array.from({ length: islandCount }, () => []);
  const elites: Array<Map<number, number>> = Array.from({ length: islandCount }, () => new Map());
  const migrated: Array<Set<number>> = Array.from({ length: islandCount }, () => new Set());
  const home = new Int32Array(count);
  const better = (a: number, b: number): boolean => {
    const nodeA = candidates[a] as ScoredCandidate;
    const nodeB = candidates[b] as ScoredCandidate;
    return nodeA.score > nodeB.score || (nodeA.score === nodeB.score && nodeA.id < nodeB.id);
  };
  const join = (island: number, index: number): void => {
    (members[island] as number[]).push(index);
    const grid = elites[island] as Map<number, number>;
    const cell = cells[index] as number;
    const occupant = grid.get(cell);
    if (occupant === undefined || better(index, occupant)) grid.set(cell, index);
  };
  const migrate = (): void => {
    if (islandCount < 2 || config.migrationRate === 0) return;
    const moves: Array<{ target: number; index: number }> = [];
    for (let island = 0; island < islandCount; island++) {
      const ranked = [...(elites[island] as Map<number, number>).values()].sort((a, b) => (better(a, b) ? -1 : 1));
      const top = ranked.slice(0, Math.ceil(config.migrationRate * ranked.length));
      const neighbours = new Set([(island + 1) % islandCount, (island - 1 + islandCount) % islandCount]);
      neighbours.delete(island);
      for (const index of top) for (const target of neighbours) moves.push({ target, index });
    }
    for (const { target, index } of moves) {
      // The seed is on every island already; a node never migrates back home or twice.
      if (home[index] === -1 || home[index] === target || migrated[target]?.has(index)) continue;
      migrated[target]?.add(index);
      join(target, index);
    }
  };

  const period = config.migrationInterval * islandCount;
  let migrations = 0;
  for (let index = 0; index < count; index++) {
    const iteration = iterationOf(candidates[index] as ScoredCandidate);
    while (iteration > 0 && Math.floor((iteration - 1) / period) > migrations) {
      migrations++;
      migrate();
    }
    if (iteration === 0) {
      home[index] = -1;
      for (let island = 0; island < islandCount; island++) join(island, index);
    } else {
      const island = islandOf(iteration, islandCount);
      home[index] = island;
      join(island, index);
    }
  }
  return members.map((list, island) => ({
    members: list.map((index) => candidates[index] as ScoredCandidate),
    elites: new Map(
      [...(elites[island] as Map<number, number>)].map(([cell, index]) => [cell, candidates[index] as ScoredCandidate]),
    ),
  }));
}

function iterationOf(node: { iteration?: number; id: number }): number {
  return node.iteration ?? node.id;
}

/**
 * The replay of `buildIslands` over snapshot positions: feature ranges, each island's members and
 * grid, migrations done so far. Kept while nodes only arrive at the end of the replay.
 */
interface Replay {
  low: Float64Array;
  high: Float64Array;
  /** Iteration of the last node replayed. */
  lastIteration: number;
  migrations: number;
  /** Positions per island, in joining order. */
  members: number[][];
  /** Cells per island in the order they were first occupied (a Map's insertion order). */
  cellOrder: number[][];
  /** Occupant position by island · cellCount + cell (dense grids), or maps (large grids). */
  grid: Int32Array | null;
  sparse: Array<Map<number, number>>;
  cellCount: number;
  /** Home island by position: −1 for a seed (on every island), −2 not replayed. */
  home: Int32Array;
  cells: Float64Array;
  migrated: Array<Set<number>>;
}

/**
 * The columns `buildIslands` reads (score, id, iteration, features), kept per position, and the
 * replay built from them. A scored node that arrives after every replayed iteration with features
 * inside the current ranges joins the replay as `buildIslands` would (O(1) plus due migrations);
 * any other change of those columns (a rescored node, a node out of iteration order, a feature
 * outside the ranges, which re-bins every node) replays from scratch over typed arrays. Child
 * counts do not enter, so draws between recorded nodes reuse the islands as they are.
 */
class MapElitesState implements DerivedState {
  private scored = new Uint8Array(16);
  private scores = new Float64Array(16);
  private ids = new Float64Array(16);
  private iterations = new Float64Array(16);
  private features: Float64Array;
  private count = 0;
  private replay: Replay | null = null;
  private readonly pending: number[] = [];
  private cumulative = new Map<number, CumulativeWeights>();

  constructor(private readonly config: Resolved) {
    this.features = new Float64Array(16 * config.features.length);
  }

  refresh(nodes: readonly SelectionCandidate[], position: number): void {
    const node = nodes[position] as SelectionCandidate;
    const featureCount = this.config.features.length;
    this.scored = ensureLength(this.scored, position + 1);
    this.scores = ensureLength(this.scores, position + 1);
    this.ids = ensureLength(this.ids, position + 1);
    this.iterations = ensureLength(this.iterations, position + 1);
    this.features = ensureLength(this.features, (position + 1) * featureCount);
    const added = position >= this.count;
    if (added) this.count = position + 1;
    const was = this.scored[position] as number;
    const now = isScored(node) ? 1 : 0;
    const score = now === 1 ? (node.score as number) : 0;
    const iteration = iterationOf(node);
    let changed = added || was !== now || this.scores[position] !== score || this.ids[position] !== node.id;
    if (this.iterations[position] !== iteration) changed = true;
    this.scored[position] = now;
    this.scores[position] = score;
    this.ids[position] = node.id;
    this.iterations[position] = iteration;
    for (let feature = 0; feature < featureCount; feature++) {
      const raw = node.features?.[this.config.features[feature] as string];
      const value = typeof raw === 'number' && Number.isFinite(raw) ? raw : 0;
      if (this.features[position * featureCount + feature] !== value) changed = true;
      this.features[position * featureCount + feature] = value;
    }
    // A node that is not a candidate matters only if it was one before this change.
    if (!changed || (now === 0 && was === 0)) return;
    if (this.replay === null) return;
    if (added && this.appendable(position)) this.pending.push(position);
    else {
      this.replay = null;
      this.pending.length = 0;
    }
  }

  /** A new scored node the replay can take as is: it comes after every replayed and pending node, inside the ranges. */
  private appendable(position: number): boolean {
    const replay = this.replay as Replay;
    const iteration = this.iterations[position] as number;
    const last =
      this.pending.length > 0 ? (this.iterations[this.pending.at(-1) as number] as number) : replay.lastIteration;
    if (!(iteration > last) || iteration === 0) return false;
    const featureCount = this.config.features.length;
    for (let feature = 0; feature < featureCount; feature++) {
      const value = this.features[position * featureCount + feature] as number;
      if (!(value >= (replay.low[feature] as number) && value <= (replay.high[feature] as number))) return false;
    }
    return true;
  }

  /** Members and elites (positions) of every island, for the current columns. */
  current(): { members: number[][]; elites: (island: number) => number[] } {
    if (this.replay === null) {
      this.replay = this.rebuild();
      this.cumulative = new Map();
    }
    const replay = this.replay;
    if (this.pending.length > 0) {
      for (const position of this.pending) this.replayNode(replay, position);
      this.pending.length = 0;
      this.cumulative = new Map();
    }
    return {
      members: replay.members,
      elites: (island) => (replay.cellOrder[island] as number[]).map((cell) => this.occupant(replay, island, cell)),
    };
  }

  /** Score-proportional draw among an island's members, `sampleProportional`'s rule. */
  drawByScore(island: number, members: readonly number[], random: Random): number {
    let table = this.cumulative.get(island);
    if (!table) {
      table = new CumulativeWeights(members.map((position) => Math.max(0, this.scores[position] as number)));
      this.cumulative.set(island, table);
    }
    return members[table.draw(random)] as number;
  }

  private better(a: number, b: number): boolean {
    const scoreA = this.scores[a] as number;
    const scoreB = this.scores[b] as number;
    return scoreA > scoreB || (scoreA === scoreB && (this.ids[a] as number) < (this.ids[b] as number));
  }

  private occupant(replay: Replay, island: number, cell: number): number {
    if (replay.grid) return replay.grid[island * replay.cellCount + cell] as number;
    return (replay.sparse[island] as Map<number, number>).get(cell) ?? -1;
  }

  private join(replay: Replay, island: number, position: number): void {
    (replay.members[island] as number[]).push(position);
    const cell = replay.cells[position] as number;
    const current = this.occupant(replay, island, cell);
    if (current !== -1 && !this.better(position, current)) return;
    if (current === -1) (replay.cellOrder[island] as number[]).push(cell);
    if (replay.grid) replay.grid[island * replay.cellCount + cell] = position;
    else (replay.sparse[island] as Map<number, number>).set(cell, position);
  }

  private migrate(replay: Replay): void {
    const islandCount = this.config.islands;
    if (islandCount < 2 || this.config.migrationRate === 0) return;
    const moves: Array<{ target: number; position: number }> = [];
    for (let island = 0; island < islandCount; island++) {
      // The best ⌈rate · elites⌉ elites, best first: an insertion into a short sorted list (the
      // sort of every elite it replaces gave the same list; ids make the order total).
      const cells = replay.cellOrder[island] as number[];
      const wanted = Math.ceil(this.config.migrationRate * cells.length);
      const top: number[] = [];
      for (const cell of cells) {
        const position = this.occupant(replay, island, cell);
        if (top.length === wanted && !this.better(position, top[wanted - 1] as number)) continue;
        let at = top.length === wanted ? wanted - 1 : top.length;
        while (at > 0 && this.better(position, top[at - 1] as number)) {
          top[at] = top[at - 1] as number;
          at--;
        }
        top[at] = position;
      }
      const neighbours = new Set([(island + 1) % islandCount, (island - 1 + islandCount) % islandCount]);
      neighbours.delete(island);
      for (const position of top) for (const target of neighbours) moves.push({ target, position });
    }
    for (const { target, position } of moves) {
      // The seed is on every island already; a node never migrates back home or twice.
      const home = replay.home[position] as number;
      if (home === -1 || home === target || replay.migrated[target]?.has(position)) continue;
      replay.migrated[target]?.add(position);
      this.join(replay, target, position);
    }
  }

  /** The next node of the replay (in `buildIslands`' order), with the migrations due before it. */
  private replayNode(replay: Replay, position: number): void {
    const { config } = this;
    const featureCount = config.features.length;
    let cell = 0;
    for (let feature = 0; feature < featureCount; feature++) {
      const minimum = replay.low[feature] as number;
      const width = (replay.high[feature] as number) - minimum;
      const value = this.features[position * featureCount + feature] as number;
      const bin = width > 0 ? Math.min(config.bins - 1, Math.floor(((value - minimum) / width) * config.bins)) : 0;
      cell = cell * config.bins + bin;
    }
    replay.cells = ensureLength(replay.cells, position + 1);
    replay.home = ensureLength(replay.home, position + 1);
    replay.cells[position] = cell;
    const iteration = this.iterations[position] as number;
    const period = config.migrationInterval * config.islands;
    while (iteration > 0 && Math.floor((iteration - 1) / period) > replay.migrations) {
      replay.migrations++;
      this.migrate(replay);
    }
    if (iteration === 0) {
      replay.home[position] = -1;
      for (let island = 0; island < config.islands; island++) this.join(replay, island, position);
    } else {
      const island = islandOf(iteration, config.islands);
      replay.home[position] = island;
      this.join(replay, island, position);
    }
    replay.lastIteration = iteration;
  }

  /** Scored positions in `buildIslands`' order: snapshot order, or by (iteration, id) when out of order. */
  private order(): Int32Array {
    const { scored, iterations, ids } = this;
    let total = 0;
    for (let position = 0; position < this.count; position++) total += scored[position] as number;
    const order = new Int32Array(total);
    let ordered = true;
    let filled = 0;
    let minimum = Number.POSITIVE_INFINITY;
    let maximum = Number.NEGATIVE_INFINITY;
    let integral = true;
    for (let position = 0; position < this.count; position++) {
      if (scored[position] !== 1) continue;
      const iteration = iterations[position] as number;
      if (filled > 0 && (iterations[order[filled - 1] as number] as number) > iteration) ordered = false;
      if (!Number.isSafeInteger(iteration)) integral = false;
      if (iteration < minimum) minimum = iteration;
      if (iteration > maximum) maximum = iteration;
      order[filled++] = position;
    }
    if (ordered) return order;
    const byIterationThenId = (a: number, b: number): number =>
      (iterations[a] as number) - (iterations[b] as number) || (ids[a] as number) - (ids[b] as number);
    if (!integral || maximum - minimum > 4 * total + 1024) return order.sort(byIterationThenId);
    // Counting sort by iteration (stable), then ties of iteration by id.
    const buckets = new Int32Array(maximum - minimum + 2);
    for (const position of order) {
      const bucket = (iterations[position] as number) - minimum + 1;
      buckets[bucket] = (buckets[bucket] as number) + 1;
    }
    for (let bucket = 1; bucket < buckets.length; bucket++) {
      buckets[bucket] = (buckets[bucket] as number) + (buckets[bucket - 1] as number);
    }
    const sorted = new Int32Array(total);
    for (const position of order) {
      const bucket = (iterations[position] as number) - minimum;
      const at = buckets[bucket] as number;
      sorted[at] = position;
      buckets[bucket] = at + 1;
    }
    for (let start = 0; start < total; ) {
      let end = start + 1;
      while (end < total && iterations[sorted[end] as number] === iterations[sorted[start] as number]) end++;
      if (end - start > 1) sorted.subarray(start, end).sort(byIterationThenId);
      start = end;
    }
    return sorted;
  }

  private rebuild(): Replay {
    const config = this.config;
    const order = this.order();
    const featureCount = config.features.length;
    const values = this.features;
    const low = new Float64Array(featureCount).fill(Number.POSITIVE_INFINITY);
    const high = new Float64Array(featureCount).fill(Number.NEGATIVE_INFINITY);
    for (const position of order) {
      for (let feature = 0; feature < featureCount; feature++) {
        const value = values[position * featureCount + feature] as number;
        if (value < (low[feature] as number)) low[feature] = value;
        if (value > (high[feature] as number)) high[feature] = value;
      }
    }
    let cellCount = 1;
    for (let feature = 0; feature < featureCount; feature++) cellCount *= config.bins;
    const islandCount = config.islands;
    // Grid occupants by (island, cell): a typed array when the grid is small, else maps.
    const dense = cellCount <= 1 << 16;
    const replay: Replay = {
      low,
      high,
      lastIteration: Number.NEGATIVE_INFINITY,
      migrations: 0,
      members: Array.from({ length: islandCount }, () => []),
      cellOrder: Array.from({ length: islandCount }, () => []),
      grid: dense ? new Int32Array(islandCount * cellCount).fill(-1) : null,
      sparse: dense ? [] : Array.from({ length: islandCount }, () => new Map<number, number>()),
      cellCount,
      home: new Int32Array(this.count).fill(-2),
      cells: new Float64Array(this.count),
      migrated: Array.from({ length: islandCount }, () => new Set<number>()),
    };
    for (const position of order) this.replayNode(replay, position);
    return replay;
  }
}

/**
 * The MAP-Elites-with-islands selector: the draws of `buildIslands` and OpenEvolve's mix, with the
 * islands kept across calls over a journaled snapshot (rebuilt only after a change they depend on).
 */
export function mapElitesSelector(options: MapElitesSelectorOptions = {}): ParentSelector {
  const config = resolve(options);
  const cache = new DerivedStateCache(() => new MapElitesState(config));
  return {
    name: 'map-elites',
    select(snapshot: SelectionSnapshot, random: Random, count: number): number[] {
      assertCount(count);
      if (count === 0) return [];
      const state = cache.get(snapshot);
      const islands = state.current();
      const iteration = snapshot.iteration ?? snapshot.nodes.length;
      const homeIsland = islandOf(Math.max(1, iteration), config.islands);
      const homeMembers = islands.members[homeIsland] as number[];
      // An island can be empty only when nothing is scored; fall back to every island's members.
      const fallback = homeMembers.length === 0;
      const members = fallback ? islands.members.flat() : homeMembers;
      if (members.length === 0) return [];
      const homeElites = islands.elites(homeIsland);
      const elites = homeElites.length > 0 ? homeElites : members;
      const idAt = (position: number): number => (snapshot.nodes[position] as SelectionCandidate).id;
      const picks: number[] = [];
      for (let draw = 0; draw < count; draw++) {
        const roll = random.next();
        if (roll < config.exploration) picks.push(idAt(members[Math.floor(random.next() * members.length)] as number));
        else if (roll < config.exploration + config.exploitation) {
          picks.push(idAt(elites[Math.floor(random.next() * elites.length)] as number));
        } else {
          picks.push(idAt(state.drawByScore(fallback ? -1 : homeIsland, members, random)));
        }
      }
      return picks;
    },
  };
}

/** `selection.mapElites`. */
export const mapElitesOptionsSchema = z
  .object({
    /** Islands, children made for them in turn. Default 4. */
    islands: z.number().int().min(1).max(256).default(4),
    /** Bins per feature. Default 10. */
    bins: z.number().int().min(1).max(1000).default(10),
    /** Feature descriptors: `codeLength`, `diversity` (edit distance from the seed) or numeric public metrics of the task. Default [codeLength, diversity]. */
    features: z.array(z.string().min(1)).min(1).max(4).default(['codeLength', 'diversity']),
    /** Island-generations between ring migrations. Default 50. */
    migrationInterval: z.number().int().min(1).default(50),
    /** Fraction of each island's elites that migrates to its neighbours. Default 0.1. */
    migrationRate: z.number().min(0).max(1).default(0.1),
    /** Probability of a uniform parent from the island. Default 0.2. */
    exploration: z.number().min(0).max(1).default(0.2),
    /** Probability of a uniform parent among the island's grid elites (else fitness-proportional). Default 0.7. */
    exploitation: z.number().min(0).max(1).default(0.7),
  })
  .strict()
  .refine((options) => options.exploration + options.exploitation <= 1, {
    message: 'exploration + exploitation must be at most 1',
    path: ['exploitation'],
  });

/**
 * The `map-elites` strategy; options under `mapElites`. Its grid axes are candidate features: the
 * default describer's `codeLength` and `diversity`, or numeric public metrics of the task.
 */
export const mapElitesKind: SelectorKind = {
  kind: 'map-elites',
  summary: 'MAP-Elites grids over feature descriptors on islands with ring migration',
  options: { key: 'mapElites', schema: mapElitesOptionsSchema },
  create: (section) => mapElitesSelector(optionsOf(section, 'mapElites', mapElitesOptionsSchema)),
};
