/**
 * @module Reference optimizer: MetaDE (arXiv 2502.10470), differential evolution evolving
 * differential evolution, at a fixed evaluation budget.
 *
 * - A parameterised DE is configured by θ = [F, CR, base_prim, base_sec, K, cross] in the box
 *   [0,1] × [0,1] × [0,4) × [0,4) × [1,5) × [0,3); the discrete slots are decoded with floor.
 *   Vector types: 0 random, 1 best, 2 pbest (one of the top 5 %), 3 current.
 *   base = v_prim + F (v_sec − v_prim); mutant = base + F Σ_{k=1..K} (x_r1k − x_r2k);
 *   crossover 0 binomial (CR, one coordinate forced), 1 exponential (a cyclic run continued
 *   while U < CR), 2 arithmetic (u = x + CR (mutant − x)). Mutants are clipped to the box;
 *   replacement is greedy one-to-one.
 * - The meta level is DE/rand/1/bin (F = 0.5, CR = 0.9) over θ. Each θ configures an inner DE run
 *   from a fresh uniform population, for a fixed number of steps; its meta-fitness is the best
 *   value that inner run found.
 * - Batching: the inner runs of a whole meta population advance together, and each inner step is
 *   ONE `problem.evaluate` call holding every inner population's trials (what MetaDE batches on
 *   a GPU).
 * - Budget: the meta phase gets a share of `problem.budget` (it stops before a meta generation
 *   that would not fit, shortening the inner runs if even the first would not); the rest goes to
 *   the best θ found, continuing from the final population of its best inner run. A run ended
 *   early by the harness (`BudgetExhaustedError`) returns the best point seen.
 *
 * Every random choice comes from `problem.random`.
 */
import type { OptimizerProblem } from './types.js';

// EVOLVE-BLOCK-START
/** Number of configurations θ in the meta population (the paper: 100, at a far larger budget). */
const META_POPULATION = /* @evolve int 4..100 */ 10;
/** Scale factor of the meta DE/rand/1/bin. */
const META_F = /* @evolve float 0..1 */ 0.5;
/** Crossover rate of the meta DE/rand/1/bin. */
const META_CR = /* @evolve float 0..1 */ 0.9;
/** Population of each inner DE run (the paper: 100). */
const INNER_POPULATION = /* @evolve int 8..200 */ 30;
/** Generations of each inner DE run, which its meta-fitness measures. */
const INNER_STEPS = /* @evolve int 5..500 */ 60;
/** Share of the budget for the meta phase; the rest runs the best configuration found. */
const META_BUDGET_FRACTION = /* @evolve float 0..1 */ 0.9;
/** Fraction of an inner population that pbest vectors are drawn from. */
const PBEST_FRACTION = /* @evolve float 0.01..0.5 log */ 0.05;
// EVOLVE-BLOCK-END

/** θ when the budget is too small for a meta phase: DE/rand/1/bin, F = 0.5, CR = 0.9. */
const DEFAULT_CONFIGURATION = [0.5, 0.9, 0, 0, 1, 0] as const;
/** Lower and upper bounds of θ (the discrete slots' upper bounds are open). */
const CONFIGURATION_LOWER = [0, 0, 0, 0, 1, 0] as const;
const CONFIGURATION_UPPER = [1, 1, 4, 4, 5, 3] as const;
const CONFIGURATION_SIZE = 6;

const isBudgetExhausted = (error: unknown): boolean => error instanceof Error && error.name === 'BudgetExhaustedError';

/** A decoded θ. */
interface Configuration {
  weight: number;
  crossoverRate: number;
  primary: number;
  secondary: number;
  differences: number;
  crossover: number;
}

/** Decodes θ: F and CR as they are, the discrete slots with floor (held inside their ranges). */
function decode(theta: ArrayLike<number>, offset = 0): Configuration {
  const slot = (index: number): number => {
    const value = Math.floor(theta[offset + index] as number);
    return Math.min((CONFIGURATION_UPPER[index] as number) - 1, Math.max(CONFIGURATION_LOWER[index] as number, value));
  };
  return {
    weight: Math.min(1, Math.max(0, theta[offset] as number)),
    crossoverRate: Math.min(1, Math.max(0, theta[offset + 1] as number)),
    primary: slot(2),
    secondary: slot(3),
    differences: slot(4),
    crossover: slot(5),
  };
}

/** Minimises `problem` with MetaDE and returns the best point found. */
export default function optimize(problem: OptimizerProblem): Float64Array {
  const { dimension, lower, upper, random, budget } = problem;
  const innerSize = Math.max(8, Math.round(INNER_POPULATION));
  const metaSize = Math.max(4, Math.round(META_POPULATION));
  const pbestCount = Math.max(1, Math.round(PBEST_FRACTION * innerSize));
  const stride = innerSize * dimension;
  const bestPoint = new Float64Array(dimension);
  let bestValue = Number.POSITIVE_INFINITY;

  // Inner populations of a whole meta population, side by side: run j owns rows [j·N, (j+1)·N).
  const populations = new Float64Array(metaSize * stride);
  const fitness = new Float64Array(metaSize * innerSize);
  const trials = new Float64Array(metaSize * stride);
  const order = new Int32Array(innerSize);
  const mutant = new Float64Array(dimension);
  // The best inner run's final population, which the last phase continues.
  const elite = new Float64Array(stride);
  const eliteFitness = new Float64Array(innerSize).fill(Number.POSITIVE_INFINITY);
  let eliteValue = Number.POSITIVE_INFINITY;
  let hasElite = false;

  const keepIfBest = (source: Float64Array, row: number, value: number): void => {
    if (value < bestValue) {
      bestValue = value;
      bestPoint.set(source.subarray(row * dimension, (row + 1) * dimension));
    }
  };

  const fillUniform = (target: Float64Array, rows: number): void => {
    for (let index = 0; index < rows * dimension; index++) {
      const coordinate = index % dimension;
      target[index] = random.uniform(lower[coordinate] as number, upper[coordinate] as number);
    }
  };

  /** Evaluates `rows` rows of `points` in one batch and records the best point. */
  const evaluateRows = (points: Float64Array, rows: number, out: Float64Array, outOffset: number): void => {
    const values = problem.evaluate(points.subarray(0, rows * dimension));
    for (let row = 0; row < rows; row++) {
      out[outOffset + row] = values[row] as number;
      keepIfBest(points, row, values[row] as number);
    }
  };

  /** Index (within its run) of a vector of the given type for target `target` of run `run`. */
  const pickOther = (target: number, avoid = -1): number => {
    for (;;) {
      const candidate = random.int(innerSize);
      if (candidate !== target && candidate !== avoid) return candidate;
    }
  };
  const vectorIndex = (type: number, target: number): number => {
    if (type === 1) return order[0] as number;
    if (type === 2) return order[random.int(pbestCount)] as number;
    if (type === 3) return target;
    return pickOther(target);
  };

  /** Writes run `run`'s trial vectors (its first `count` individuals) with configuration `config`. */
  const buildTrials = (
    source: Float64Array,
    sourceFitness: Float64Array,
    run: number,
    count: number,
    config: Configuration,
    out: Float64Array,
  ): void => {
    const base = run * stride;
    for (let individual = 0; individual < innerSize; individual++) order[individual] = individual;
    const fitnessBase = run * innerSize;
    order.sort((left, right) => {
      const difference = (sourceFitness[fitnessBase + left] as number) - (sourceFitness[fitnessBase + right] as number);
      return difference < 0 ? -1 : difference > 0 ? 1 : left - right;
    });
    const { weight, crossoverRate, primary, secondary, differences, crossover } = config;
    for (let target = 0; target < count; target++) {
      const primaryRow = base + vectorIndex(primary, target) * dimension;
      const secondaryRow = base + vectorIndex(secondary, target) * dimension;
      for (let coordinate = 0; coordinate < dimension; coordinate++) {
        const first = source[primaryRow + coordinate] as number;
        mutant[coordinate] = first + weight * ((source[secondaryRow + coordinate] as number) - first);
      }
      for (let pair = 0; pair < differences; pair++) {
        const plus = base + pickOther(target) * dimension;
        const minus = base + pickOther(target, (plus - base) / dimension) * dimension;
        for (let coordinate = 0; coordinate < dimension; coordinate++) {
          mutant[coordinate] =
            (mutant[coordinate] as number) +
            weight * ((source[plus + coordinate] as number) - (source[minus + coordinate] as number));
        }
      }
      const row = base + target * dimension;
      for (let coordinate = 0; coordinate < dimension; coordinate++) {
        const value = mutant[coordinate] as number;
        mutant[coordinate] = Math.min(upper[coordinate] as number, Math.max(lower[coordinate] as number, value));
      }
      if (crossover === 2) {
        for (let coordinate = 0; coordinate < dimension; coordinate++) {
          const parent = source[row + coordinate] as number;
          const value = parent + crossoverRate * ((mutant[coordinate] as number) - parent);
          out[row + coordinate] = Math.min(upper[coordinate] as number, Math.max(lower[coordinate] as number, value));
        }
      } else if (crossover === 1) {
        for (let coordinate = 0; coordinate < dimension; coordinate++)
          out[row + coordinate] = source[row + coordinate] as number;
        let coordinate = random.int(dimension);
        let taken = 0;
        do {
          out[row + coordinate] = mutant[coordinate] as number;
          coordinate = (coordinate + 1) % dimension;
          taken++;
        } while (taken < dimension && random.next() < crossoverRate);
      } else {
        const forced = random.int(dimension);
        for (let coordinate = 0; coordinate < dimension; coordinate++) {
          out[row + coordinate] =
            coordinate === forced || random.next() < crossoverRate
              ? (mutant[coordinate] as number)
              : (source[row + coordinate] as number);
        }
      }
    }
  };

  /** Greedy one-to-one replacement of run `run`'s first `count` individuals. */
  const select = (run: number, count: number, values: Float64Array, valuesOffset: number): void => {
    for (let individual = 0; individual < count; individual++) {
      const value = values[valuesOffset + individual] as number;
      const slot = run * innerSize + individual;
      if (value <= (fitness[slot] as number)) {
        fitness[slot] = value;
        const row = slot * dimension;
        populations.set(trials.subarray(row, row + dimension), row);
      }
    }
  };

  const stepValues = new Float64Array(metaSize * innerSize);

  /**
   * Runs one inner DE per configuration (rows of `thetas`), all batched, for `steps` generations;
   * writes each run's best value into `metaFitness`.
   */
  const runInner = (thetas: Float64Array, runs: number, steps: number, metaFitness: Float64Array): void => {
    const configurations = Array.from({ length: runs }, (_, run) => decode(thetas, run * CONFIGURATION_SIZE));
    fillUniform(populations, runs * innerSize);
    evaluateRows(populations, runs * innerSize, fitness, 0);
    for (let step = 0; step < steps; step++) {
      for (let run = 0; run < runs; run++) {
        buildTrials(populations, fitness, run, innerSize, configurations[run] as Configuration, trials);
      }
      evaluateRows(trials, runs * innerSize, stepValues, 0);
      for (let run = 0; run < runs; run++) select(run, innerSize, stepValues, run * innerSize);
    }
    for (let run = 0; run < runs; run++) {
      let best = Number.POSITIVE_INFINITY;
      for (let individual = 0; individual < innerSize; individual++) {
        best = Math.min(best, fitness[run * innerSize + individual] as number);
      }
      metaFitness[run] = best;
      if (best < eliteValue) {
        eliteValue = best;
        hasElite = true;
        elite.set(populations.subarray(run * stride, (run + 1) * stride));
        eliteFitness.set(fitness.subarray(run * innerSize, (run + 1) * innerSize));
      }
    }
  };

  let bestConfiguration: number[] = [...DEFAULT_CONFIGURATION];
  try {
    // Meta phase: as many meta generations as fit in its share of the budget.
    const metaBudget = Math.floor(META_BUDGET_FRACTION * budget);
    const steps = Math.min(Math.round(INNER_STEPS), Math.floor(metaBudget / (metaSize * innerSize)) - 1);
    if (steps >= 1) {
      const generationCost = metaSize * innerSize * (steps + 1);
      const thetas = new Float64Array(metaSize * CONFIGURATION_SIZE);
      const candidates = new Float64Array(metaSize * CONFIGURATION_SIZE);
      const metaFitness = new Float64Array(metaSize);
      const candidateFitness = new Float64Array(metaSize);
      for (let index = 0; index < thetas.length; index++) {
        const slot = index % CONFIGURATION_SIZE;
        thetas[index] = random.uniform(CONFIGURATION_LOWER[slot] as number, CONFIGURATION_UPPER[slot] as number);
      }
      runInner(thetas, metaSize, steps, metaFitness);
      while (problem.used() + generationCost <= metaBudget) {
        for (let target = 0; target < metaSize; target++) {
          let first = random.int(metaSize);
          while (first === target) first = random.int(metaSize);
          let second = random.int(metaSize);
          while (second === target || second === first) second = random.int(metaSize);
          let third = random.int(metaSize);
          while (third === target || third === first || third === second) third = random.int(metaSize);
          const forced = random.int(CONFIGURATION_SIZE);
          for (let slot = 0; slot < CONFIGURATION_SIZE; slot++) {
            const at = (row: number): number => thetas[row * CONFIGURATION_SIZE + slot] as number;
            let value = at(target);
            if (slot === forced || random.next() < META_CR) value = at(first) + META_F * (at(second) - at(third));
            const low = CONFIGURATION_LOWER[slot] as number;
            const high = CONFIGURATION_UPPER[slot] as number;
            candidates[target * CONFIGURATION_SIZE + slot] = Math.min(high - 1e-9, Math.max(low, value));
          }
        }
        runInner(candidates, metaSize, steps, candidateFitness);
        for (let target = 0; target < metaSize; target++) {
          if ((candidateFitness[target] as number) <= (metaFitness[target] as number)) {
            metaFitness[target] = candidateFitness[target] as number;
            thetas.set(
              candidates.subarray(target * CONFIGURATION_SIZE, (target + 1) * CONFIGURATION_SIZE),
              target * CONFIGURATION_SIZE,
            );
          }
        }
      }
      let bestTheta = 0;
      for (let target = 1; target < metaSize; target++) {
        if ((metaFitness[target] as number) < (metaFitness[bestTheta] as number)) bestTheta = target;
      }
      bestConfiguration = Array.from(
        thetas.subarray(bestTheta * CONFIGURATION_SIZE, (bestTheta + 1) * CONFIGURATION_SIZE),
      );
    }

    // Final phase: the best θ continues from the best inner run's population with the rest of the budget.
    const config = decode(bestConfiguration);
    if (hasElite) {
      populations.set(elite);
      fitness.set(eliteFitness);
    } else {
      const count = Math.min(innerSize, problem.remaining());
      fillUniform(populations, innerSize);
      fitness.fill(Number.POSITIVE_INFINITY, 0, innerSize);
      evaluateRows(populations, count, fitness, 0);
    }
    while (problem.remaining() > 0) {
      const count = Math.min(innerSize, problem.remaining());
      buildTrials(populations, fitness, 0, count, config, trials);
      evaluateRows(trials, count, stepValues, 0);
      select(0, count, stepValues, 0);
    }
  } catch (error) {
    if (!isBudgetExhausted(error)) throw error;
  }

  return bestValue < Number.POSITIVE_INFINITY ? bestPoint : populations.slice(0, dimension);
}
