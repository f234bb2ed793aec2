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

  // Feature ranges over all scored nodes (OpenEvolve rescales its bins to what it has seen).
  const featureCount = config.features.length;
  const minimum = new Float64Array(featureCount).fill(Number.POSITIVE_INFINITY);
  const maximum = new Float64Array(featureCount).fill(Number.NEGATIVE_INFINITY);
  for (const node of candidates) {
    for (let feature = 0; feature < featureCount; feature++) {
      const value = featureValue(node, config.features[feature] as string);
      if (value < (minimum[feature] as number)) minimum[feature] = value;
      if (value > (maximum[feature] as number)) maximum[feature] = value;
    }
  }
  const cellOf = (node: ScoredCandidate): number => {
    let cell = 0;
    for (let feature = 0; feature < featureCount; feature++) {
      const low = minimum[feature] as number;
      const width = (maximum[feature] as number) - low;
      const value = featureValue(node, config.features[feature] as string);
      const bin = width > 0 ? Math.min(config.bins - 1, Math.floor(((value - low) / width) * config.bins)) : 0;
      cell = cell * config.bins + bin;
    }
    return cell;
  };

  const islands: IslandState[] = Array.from({ length: config.islands }, () => ({ members: [], elites: new Map() }));
  const migrated: Array<Set<number>> = Array.from({ length: config.islands }, () => new Set());
  const join = (island: IslandState, node: ScoredCandidate, cell: number): void => {
    island.members.push(node);
    const occupant = island.elites.get(cell);
    if (!occupant || node.score > occupant.score || (node.score === occupant.score && node.id < occupant.id)) {
      island.elites.set(cell, node);
    }
  };
  const cells = new Map<number, number>();
  const cellFor = (node: ScoredCandidate): number => {
    let cell = cells.get(node.id);
    if (cell === undefined) {
      cell = cellOf(node);
      cells.set(node.id, cell);
    }
    return cell;
  };
  const migrate = (): void => {
    if (config.islands < 2 || config.migrationRate === 0) return;
    const moves: Array<{ target: number; node: ScoredCandidate }> = [];
    islands.forEach((island, index) => {
      const elites = [...island.elites.values()].sort((a, b) => b.score - a.score || a.id - b.id);
      const top = elites.slice(0, Math.ceil(config.migrationRate * elites.length));
      const neighbours = new Set([(index + 1) % config.islands, (index - 1 + config.islands) % config.islands]);
      neighbours.delete(index);
      for (const node of top) for (const target of neighbours) moves.push({ target, node });
    });
    for (const { target, node } of moves) {
      const island = islands[target] as IslandState;
      if (migrated[target]?.has(node.id) || islandOf(iterationOf(node), config.islands) === target) continue;
      if (iterationOf(node) === 0) continue; // the seed is on every island already
      migrated[target]?.add(node.id);
      join(island, node, cellFor(node));
    }
  };

  const period = config.migrationInterval * config.islands;
  let migrations = 0;
  for (const node of candidates) {
    const iteration = iterationOf(node);
    while (iteration > 0 && Math.floor((iteration - 1) / period) > migrations) {
      migrations++;
      migrate();
    }
    const cell = cellFor(node);
    if (iteration === 0) for (const island of islands) join(island, node, cell);
    else join(islands[islandOf(iteration, config.islands)] as IslandState, node, cell);
  }
  return islands;
}

function iterationOf(node: { iteration?: number; id: number }): number {
  return node.iteration ?? node.id;
}

function featureValue(node: ScoredCandidate, name: string): number {
  const value = node.features?.[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
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
