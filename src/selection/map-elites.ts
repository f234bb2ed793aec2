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
 * The selector is pure: islands, grids and migrations are rebuilt from the snapshot on every call
 * (O(n) with a sort only when the snapshot is out of iteration order), so resume needs no state.
 */
import { ConfigError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import { assertCount, type ScoredCandidate, sampleProportional, scoredCandidates } from './sample.js';
import type { ParentSelector, SelectionSnapshot } from './types.js';

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

/** The MAP-Elites-with-islands selector. */
export function mapElitesSelector(options: MapElitesSelectorOptions = {}): ParentSelector {
  const config = resolve(options);
  return {
    name: 'map-elites',
    select(snapshot: SelectionSnapshot, random: Random, count: number): number[] {
      assertCount(count);
      if (count === 0) return [];
      const islands = buildIslands(snapshot, config);
      const iteration = snapshot.iteration ?? snapshot.nodes.length;
      const home = islands[islandOf(Math.max(1, iteration), config.islands)] as IslandState;
      // An island can be empty only when nothing is scored; fall back to every island's members.
      const members = home.members.length > 0 ? home.members : islands.flatMap((island) => island.members);
      if (members.length === 0) return [];
      const elites = home.elites.size > 0 ? [...home.elites.values()] : members;
      const picks: number[] = [];
      for (let draw = 0; draw < count; draw++) {
        const roll = random.next();
        if (roll < config.exploration) picks.push(random.pick(members).id);
        else if (roll < config.exploration + config.exploitation) picks.push(random.pick(elites).id);
        else {
          const [index] = sampleProportional(
            members.map((node) => Math.max(0, node.score)),
            random,
            1,
          );
          picks.push((members[index as number] as ScoredCandidate).id);
        }
      }
      return picks;
    },
  };
}
