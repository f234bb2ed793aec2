/**
 * @module Reference optimizer: JADE (Zhang & Sanderson 2009), adaptive DE with an optional
 * external archive.
 *
 * - current-to-pbest/1/bin: v = x_i + F (x_pbest − x_i) + F (x_r1 − x̃_r2), x_pbest drawn from the
 *   best max(1, round(p·NP)) individuals, r1 ≠ i from the population, x̃_r2 from population ∪
 *   archive (≠ i, r1). A mutant coordinate outside the box becomes the midpoint between the
 *   parent and the bound, as in the paper.
 * - Per trial: CR ~ N(μCR, 0.1) clipped to [0, 1]; F ~ Cauchy(μF, 0.1), redrawn while ≤ 0 and
 *   truncated to 1. μCR = μF = 0.5 at the start.
 * - A trial replaces its parent when at least as good; when strictly better, the parent goes to
 *   the archive (size NP, random removal when full) and F, CR join S_F, S_CR.
 * - After each generation with successes: μCR ← (1 − c) μCR + c · mean(S_CR) and
 *   μF ← (1 − c) μF + c · ΣF² / ΣF (Lehmer mean), c = 0.1.
 *
 * One `problem.evaluate` batch per generation; every random choice comes from `problem.random`.
 */
import type { OptimizerProblem } from './types.js';

// EVOLVE-BLOCK-START
/** Population size NP (the paper: 100 for D = 30). */
const POPULATION_SIZE = /* @evolve int 10..400 */ 100;
/** Fraction p of the population the pbest vector is drawn from. */
const PBEST_RATE = /* @evolve float 0.01..0.5 log */ 0.05;
/** Learning rate c of μF and μCR. */
const ADAPTATION_RATE = /* @evolve float 0.01..0.5 log */ 0.1;
/** Initial μF. */
const INITIAL_MEAN_F = /* @evolve float 0.1..1 */ 0.5;
/** Initial μCR. */
const INITIAL_MEAN_CR = /* @evolve float 0..1 */ 0.5;
/** Scale of the Cauchy distribution of F. */
const F_SPREAD = /* @evolve float 0.01..0.5 */ 0.1;
/** Standard deviation of the normal distribution of CR. */
const CR_SPREAD = /* @evolve float 0.01..0.5 */ 0.1;
/** Archive size = this × NP (0: JADE without archive). */
const ARCHIVE_RATE = /* @evolve float 0..3 */ 1;
// EVOLVE-BLOCK-END

const isBudgetExhausted = (error: unknown): boolean => error instanceof Error && error.name === 'BudgetExhaustedError';

/** Minimises `problem` with JADE and returns the best point found. */
export default function optimize(problem: OptimizerProblem): Float64Array {
  const { dimension, lower, upper, random } = problem;
  const size = Math.max(4, Math.round(POPULATION_SIZE));
  const archiveCapacity = Math.max(0, Math.round(ARCHIVE_RATE * size));
  const pbestCount = Math.min(size, Math.max(1, Math.round(PBEST_RATE * size)));

  const population = new Float64Array(size * dimension);
  const fitness = new Float64Array(size).fill(Number.POSITIVE_INFINITY);
  const trials = new Float64Array(size * dimension);
  const trialF = new Float64Array(size);
  const trialCR = new Float64Array(size);
  const archive = new Float64Array(Math.max(1, archiveCapacity) * dimension);
  let archiveSize = 0;
  const order = new Int32Array(size);
  const bestPoint = new Float64Array(dimension);
  let bestValue = Number.POSITIVE_INFINITY;
  let meanF = INITIAL_MEAN_F;
  let meanCR = INITIAL_MEAN_CR;

  for (let index = 0; index < size * dimension; index++) {
    const coordinate = index % dimension;
    population[index] = random.uniform(lower[coordinate] as number, upper[coordinate] as number);
  }

  const keepIfBest = (source: Float64Array, individual: number, value: number): void => {
    if (value < bestValue) {
      bestValue = value;
      bestPoint.set(source.subarray(individual * dimension, (individual + 1) * dimension));
    }
  };

  const cauchy = (): number => meanF + F_SPREAD * Math.tan(Math.PI * (random.next() - 0.5));

  const buildTrial = (target: number): void => {
    const crossoverRate = Math.min(1, Math.max(0, meanCR + CR_SPREAD * random.normal()));
    let weight = cauchy();
    while (!(weight > 0)) weight = cauchy();
    weight = Math.min(1, weight);
    trialF[target] = weight;
    trialCR[target] = crossoverRate;

    const pbest = order[random.int(pbestCount)] as number;
    let first = random.int(size);
    while (first === target) first = random.int(size);
    let second = random.int(size + archiveSize);
    while (second === target || second === first) second = random.int(size + archiveSize);
    const secondSource = second < size ? population : archive;
    const secondOffset = (second < size ? second : second - size) * dimension;

    const offset = target * dimension;
    const forced = random.int(dimension);
    for (let coordinate = 0; coordinate < dimension; coordinate++) {
      const parent = population[offset + coordinate] as number;
      if (coordinate !== forced && !(random.next() < crossoverRate)) {
        trials[offset + coordinate] = parent;
        continue;
      }
      let mutant =
        parent +
        weight * ((population[pbest * dimension + coordinate] as number) - parent) +
        weight *
          ((population[first * dimension + coordinate] as number) -
            (secondSource[secondOffset + coordinate] as number));
      const low = lower[coordinate] as number;
      const high = upper[coordinate] as number;
      if (mutant < low) mutant = (low + parent) / 2;
      else if (mutant > high) mutant = (high + parent) / 2;
      trials[offset + coordinate] = mutant;
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
      for (let individual = 0; individual < size; individual++) order[individual] = individual;
      order.sort((left, right) => {
        const difference = (fitness[left] as number) - (fitness[right] as number);
        return difference < 0 ? -1 : difference > 0 ? 1 : left - right;
      });
      const count = Math.min(size, problem.remaining());
      for (let target = 0; target < count; target++) buildTrial(target);
      const values = problem.evaluate(trials.subarray(0, count * dimension));

      let successes = 0;
      let sumCR = 0;
      let sumF = 0;
      let sumSquaresF = 0;
      for (let individual = 0; individual < count; individual++) {
        const value = values[individual] as number;
        const parentValue = fitness[individual] as number;
        if (!(value <= parentValue)) continue;
        if (value < parentValue) {
          successes++;
          sumCR += trialCR[individual] as number;
          sumF += trialF[individual] as number;
          sumSquaresF += (trialF[individual] as number) ** 2;
          if (archiveCapacity > 0) {
            const slot = archiveSize < archiveCapacity ? archiveSize++ : random.int(archiveCapacity);
            archive.set(population.subarray(individual * dimension, (individual + 1) * dimension), slot * dimension);
          }
        }
        population.set(trials.subarray(individual * dimension, (individual + 1) * dimension), individual * dimension);
        fitness[individual] = value;
        keepIfBest(trials, individual, value);
      }
      if (successes > 0) {
        meanCR = (1 - ADAPTATION_RATE) * meanCR + ADAPTATION_RATE * (sumCR / successes);
        if (sumF > 0) meanF = (1 - ADAPTATION_RATE) * meanF + ADAPTATION_RATE * (sumSquaresF / sumF);
      }
    }
  } catch (error) {
    if (!isBudgetExhausted(error)) throw error;
  }

  return bestValue < Number.POSITIVE_INFINITY ? bestPoint : population.slice(0, dimension);
}
