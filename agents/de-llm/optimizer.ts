/**
 * @module Seed optimizer agent for foundation-model mutators: the same classic differential
 * evolution as `agents/de-optimizer` (DE/rand/1/bin, F = 0.5, CR = 0.9, 10·D individuals), with
 * the EVOLVE-BLOCK around the whole algorithm, so an `llm-diff` model may change the search
 * itself, not only its constants. The `@evolve` annotations still let `parametric` tune it.
 *
 * Each generation builds one trial vector per individual (mutation, crossover, bounds handling),
 * evaluates all of them in a single `problem.evaluate` batch, and keeps a trial when it is at
 * least as good as its parent (greedy one-to-one replacement). The run ends when the budget is
 * used up. Every random choice comes from `problem.random`, so a run is a function of its seed.
 */
import type { OptimizerProblem } from './types.js';

// EVOLVE-BLOCK-START
/** Scale factor F of difference vectors. */
const DIFFERENTIAL_WEIGHT = /* @evolve float 0..2 */ 0.5;
/** Probability CR of taking a coordinate from the mutant. */
const CROSSOVER_RATE = /* @evolve float 0..1 */ 0.9;
/** Population size = this × dimension (at least 4). */
const POPULATION_PER_DIMENSION = /* @evolve int 2..30 */ 10;
/** rand1: x_r1 + F(x_r2 − x_r3); best1: x_best + F(x_r1 − x_r2); current-to-pbest1: JADE's. */
const STRATEGY = /* @evolve choice rand1|best1|current-to-pbest1 */ 'rand1';
/** Fraction p of the population that current-to-pbest1 draws its pbest from. */
const PBEST_FRACTION = /* @evolve float 0.01..0.5 log */ 0.1;
/** binomial: each coordinate independently; exponential: one contiguous (cyclic) run. */
const CROSSOVER = /* @evolve choice binomial|exponential */ 'binomial';
/** What to do with a mutant coordinate outside the box. */
const BOUNDS_HANDLING = /* @evolve choice clip|reflect|midpoint */ 'clip';
/** How the first population is drawn. */
const INITIALIZATION = /* @evolve choice uniform|latin-hypercube */ 'uniform';

type Strategy = 'rand1' | 'best1' | 'current-to-pbest1';
type Crossover = 'binomial' | 'exponential';
type BoundsHandling = 'clip' | 'reflect' | 'midpoint';
type Initialization = 'uniform' | 'latin-hypercube';

/** rand1 needs the target and three other distinct individuals. */
const MINIMUM_POPULATION = 4;

const isBudgetExhausted = (error: unknown): boolean => error instanceof Error && error.name === 'BudgetExhaustedError';

/** Minimises `problem` with differential evolution and returns the best point found. */
export default function optimize(problem: OptimizerProblem): Float64Array {
  const { dimension, lower, upper, random } = problem;
  const strategy = STRATEGY as Strategy;
  const crossover = CROSSOVER as Crossover;
  const boundsHandling = BOUNDS_HANDLING as BoundsHandling;
  const initialization = INITIALIZATION as Initialization;
  const weight = DIFFERENTIAL_WEIGHT;
  const crossoverRate = CROSSOVER_RATE;
  const size = Math.max(MINIMUM_POPULATION, Math.round(POPULATION_PER_DIMENSION * dimension));
  const pbestCount = Math.min(size, Math.max(1, Math.round(PBEST_FRACTION * size)));

  const population = new Float64Array(size * dimension);
  const fitness = new Float64Array(size).fill(Number.POSITIVE_INFINITY);
  const trials = new Float64Array(size * dimension);
  const order = new Int32Array(size);
  const bestPoint = new Float64Array(dimension);
  let bestValue = Number.POSITIVE_INFINITY;

  const low = (coordinate: number): number => lower[coordinate] as number;
  const high = (coordinate: number): number => upper[coordinate] as number;
  const at = (individual: number, coordinate: number): number =>
    population[individual * dimension + coordinate] as number;

  // First population.
  if (initialization === 'latin-hypercube') {
    const strata = new Int32Array(size);
    for (let coordinate = 0; coordinate < dimension; coordinate++) {
      for (let index = 0; index < size; index++) strata[index] = index;
      for (let index = size - 1; index > 0; index--) {
        const other = random.int(index + 1);
        const held = strata[index] as number;
        strata[index] = strata[other] as number;
        strata[other] = held;
      }
      const width = high(coordinate) - low(coordinate);
      for (let individual = 0; individual < size; individual++) {
        const position = ((strata[individual] as number) + random.next()) / size;
        population[individual * dimension + coordinate] = Math.min(
          high(coordinate),
          low(coordinate) + width * position,
        );
      }
    }
  } else {
    for (let individual = 0; individual < size; individual++) {
      for (let coordinate = 0; coordinate < dimension; coordinate++) {
        population[individual * dimension + coordinate] = random.uniform(low(coordinate), high(coordinate));
      }
    }
  }

  /** A random individual other than the given ones (a population of at least 4 makes this end). */
  const pickOther = (first: number, second = -1, third = -1): number => {
    for (;;) {
      const candidate = random.int(size);
      if (candidate !== first && candidate !== second && candidate !== third) return candidate;
    }
  };

  /** Brings a mutant coordinate back into the box; `parent` is the target's coordinate. */
  const repair = (value: number, coordinate: number, parent: number): number => {
    const lowBound = low(coordinate);
    const highBound = high(coordinate);
    let repaired = value;
    if (value < lowBound || value > highBound) {
      if (boundsHandling === 'reflect') {
        repaired = value < lowBound ? 2 * lowBound - value : 2 * highBound - value;
      } else if (boundsHandling === 'midpoint') {
        repaired = value < lowBound ? (lowBound + parent) / 2 : (highBound + parent) / 2;
      }
    }
    // Clip last: the default, and a guard against reflections past the far side and rounding.
    return Math.min(highBound, Math.max(lowBound, repaired));
  };

  /** Writes individual `target`'s trial vector into `trials`. */
  const buildTrial = (target: number, bestIndex: number): void => {
    let base = 0;
    let first = 0;
    let second = 0;
    if (strategy === 'best1') {
      base = bestIndex;
      first = pickOther(target, base);
      second = pickOther(target, base, first);
    } else if (strategy === 'current-to-pbest1') {
      base = order[random.int(pbestCount)] as number;
      first = pickOther(target);
      second = pickOther(target, first);
    } else {
      base = pickOther(target);
      first = pickOther(target, base);
      second = pickOther(target, base, first);
    }
    const mutant = (coordinate: number): number => {
      const parent = at(target, coordinate);
      const difference = at(first, coordinate) - at(second, coordinate);
      const value =
        strategy === 'current-to-pbest1'
          ? parent + weight * (at(base, coordinate) - parent) + weight * difference
          : at(base, coordinate) + weight * difference;
      return repair(value, coordinate, parent);
    };

    const offset = target * dimension;
    for (let coordinate = 0; coordinate < dimension; coordinate++) trials[offset + coordinate] = at(target, coordinate);
    if (crossover === 'exponential') {
      let coordinate = random.int(dimension);
      let taken = 0;
      do {
        trials[offset + coordinate] = mutant(coordinate);
        coordinate = (coordinate + 1) % dimension;
        taken++;
      } while (taken < dimension && random.next() < crossoverRate);
    } else {
      const forced = random.int(dimension);
      for (let coordinate = 0; coordinate < dimension; coordinate++) {
        if (coordinate === forced || random.next() < crossoverRate) trials[offset + coordinate] = mutant(coordinate);
      }
    }
  };

  const keepIfBest = (source: Float64Array, individual: number, value: number): void => {
    if (value < bestValue) {
      bestValue = value;
      bestPoint.set(source.subarray(individual * dimension, (individual + 1) * dimension));
    }
  };

  try {
    const initialCount = Math.min(size, problem.remaining());
    const initialValues = problem.evaluate(population.subarray(0, initialCount * dimension));
    for (let individual = 0; individual < initialCount; individual++) {
      fitness[individual] = initialValues[individual] as number;
      keepIfBest(population, individual, fitness[individual] as number);
    }

    while (problem.remaining() > 0) {
      let bestIndex = 0;
      for (let individual = 1; individual < size; individual++) {
        if ((fitness[individual] as number) < (fitness[bestIndex] as number)) bestIndex = individual;
      }
      if (strategy === 'current-to-pbest1') {
        for (let individual = 0; individual < size; individual++) order[individual] = individual;
        order.sort((left, right) => {
          const difference = (fitness[left] as number) - (fitness[right] as number);
          return difference < 0 ? -1 : difference > 0 ? 1 : 0;
        });
      }

      // The last generation may be cut short so that the whole budget is used.
      const count = Math.min(size, problem.remaining());
      for (let individual = 0; individual < count; individual++) buildTrial(individual, bestIndex);
      const values = problem.evaluate(trials.subarray(0, count * dimension));
      for (let individual = 0; individual < count; individual++) {
        const value = values[individual] as number;
        if (value <= (fitness[individual] as number)) {
          population.set(trials.subarray(individual * dimension, (individual + 1) * dimension), individual * dimension);
          fitness[individual] = value;
          keepIfBest(trials, individual, value);
        }
      }
    }
  } catch (error) {
    if (!isBudgetExhausted(error)) throw error;
  }

  return bestValue < Number.POSITIVE_INFINITY ? bestPoint : population.slice(0, dimension);
}
// EVOLVE-BLOCK-END
