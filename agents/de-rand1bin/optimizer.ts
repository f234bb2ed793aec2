/**
 * @module Reference optimizer: classic DE/rand/1/bin (Storn & Price 1997) with the constants of
 * the CEC 2022 baseline row (NP = 30, F = 0.8, CR = 0.9): v = x_r1 + F (x_r2 − x_r3), binomial
 * crossover with one coordinate forced from the mutant, greedy one-to-one replacement. Each
 * generation is one `problem.evaluate` batch; every random choice comes from `problem.random`.
 */
import type { OptimizerProblem } from './types.js';

// EVOLVE-BLOCK-START
/** Population size NP (fixed, independent of the dimension, as in the CEC 2022 baseline). */
const POPULATION_SIZE = /* @evolve int 4..200 */ 30;
/** Scale factor F of the difference vector. */
const DIFFERENTIAL_WEIGHT = /* @evolve float 0..2 */ 0.8;
/** Probability CR of taking a coordinate from the mutant. */
const CROSSOVER_RATE = /* @evolve float 0..1 */ 0.9;
/** What to do with a mutant coordinate outside the box: clip to it, the midpoint to the parent, or redraw. */
const BOUNDS_HANDLING = /* @evolve choice clip|midpoint|random */ 'clip';
// EVOLVE-BLOCK-END

type BoundsHandling = 'clip' | 'midpoint' | 'random';

/** rand/1 needs the target and three other distinct individuals. */
const MINIMUM_POPULATION = 4;

const isBudgetExhausted = (error: unknown): boolean => error instanceof Error && error.name === 'BudgetExhaustedError';

/** Minimises `problem` with DE/rand/1/bin and returns the best point found. */
export default function optimize(problem: OptimizerProblem): Float64Array {
  const { dimension, lower, upper, random } = problem;
  const size = Math.max(MINIMUM_POPULATION, Math.round(POPULATION_SIZE));
  const weight = DIFFERENTIAL_WEIGHT;
  const crossoverRate = CROSSOVER_RATE;
  const boundsHandling = BOUNDS_HANDLING as BoundsHandling;

  const population = new Float64Array(size * dimension);
  const fitness = new Float64Array(size).fill(Number.POSITIVE_INFINITY);
  const trials = new Float64Array(size * dimension);
  const bestPoint = new Float64Array(dimension);
  let bestValue = Number.POSITIVE_INFINITY;

  for (let index = 0; index < size * dimension; index++) {
    const coordinate = index % dimension;
    population[index] = random.uniform(lower[coordinate] as number, upper[coordinate] as number);
  }

  const pickOther = (first: number, second = -1, third = -1): number => {
    for (;;) {
      const candidate = random.int(size);
      if (candidate !== first && candidate !== second && candidate !== third) return candidate;
    }
  };

  const repair = (value: number, coordinate: number, parent: number): number => {
    const low = lower[coordinate] as number;
    const high = upper[coordinate] as number;
    if (value >= low && value <= high) return value;
    if (boundsHandling === 'midpoint') return value < low ? (low + parent) / 2 : (high + parent) / 2;
    if (boundsHandling === 'random') return random.uniform(low, high);
    return value < low ? low : high;
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
      const count = Math.min(size, problem.remaining());
      for (let target = 0; target < count; target++) {
        const base = pickOther(target);
        const first = pickOther(target, base);
        const second = pickOther(target, base, first);
        const forced = random.int(dimension);
        const offset = target * dimension;
        for (let coordinate = 0; coordinate < dimension; coordinate++) {
          const parent = population[offset + coordinate] as number;
          if (coordinate === forced || random.next() < crossoverRate) {
            const mutant =
              (population[base * dimension + coordinate] as number) +
              weight *
                ((population[first * dimension + coordinate] as number) -
                  (population[second * dimension + coordinate] as number));
            trials[offset + coordinate] = repair(mutant, coordinate, parent);
          } else {
            trials[offset + coordinate] = parent;
          }
        }
      }
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
