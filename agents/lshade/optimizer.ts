/**
 * @module Reference optimizer: L-SHADE (Tanabe & Fukunaga, CEC 2014), success-history based
 * adaptive DE with linear population size reduction.
 *
 * - current-to-pbest/1/bin with an archive: v = x_i + F (x_pbest − x_i) + F (x_r1 − x̃_r2), where
 *   x_pbest is one of the best max(2, round(p·N)) individuals, r1 ≠ i from the population and r2
 *   from population ∪ archive (≠ i, r1); a mutant coordinate outside the box is replaced by the
 *   midpoint between the parent and the bound (as in the authors' code).
 * - A memory of H pairs (M_F, M_CR), all 0.5 at the start. Each trial draws a slot r:
 *   CR ~ N(M_CR[r], 0.1) clipped to [0, 1] (0 when the slot holds the terminal value ⊥),
 *   F ~ Cauchy(M_F[r], 0.1) redrawn while ≤ 0 and truncated to 1.
 * - A trial replaces its parent when at least as good; when strictly better, the parent goes to
 *   the archive (a random member is replaced when it is full) and (F, CR, |Δf|) is a success.
 * - After a generation with successes, slot k (cyclic) becomes the |Δf|-weighted Lehmer means
 *   Σw·F²/Σw·F and Σw·CR²/Σw·CR; M_CR[k] becomes ⊥ for good once max S_CR = 0 or it already was.
 * - The population shrinks linearly from round(18·D) to 4 over the budget: after each generation
 *   N = round((4 − N_init)/MaxFES · FEs + N_init), dropping the worst; the archive holds round(2.6·N).
 *
 * One `problem.evaluate` batch per generation; every random choice comes from `problem.random`.
 */
import type { OptimizerProblem } from './types.js';

// EVOLVE-BLOCK-START
/** Initial population size = this × dimension (L-SHADE's r^N_init = 18). */
const POPULATION_PER_DIMENSION = /* @evolve float 4..40 */ 18;
/** Population size reached at the end of the budget. */
const FINAL_POPULATION = /* @evolve int 4..20 */ 4;
/** Number H of (M_F, M_CR) memory slots. */
const MEMORY_SIZE = /* @evolve int 1..20 */ 6;
/** Archive capacity = this × current population size. */
const ARCHIVE_RATE = /* @evolve float 0..5 */ 2.6;
/** Fraction p of the population the pbest vector is drawn from (at least 2 individuals). */
const PBEST_RATE = /* @evolve float 0.02..0.5 log */ 0.11;
/** Initial value of every memory slot for F. */
const INITIAL_MEMORY_F = /* @evolve float 0.1..1 */ 0.5;
/** Initial value of every memory slot for CR. */
const INITIAL_MEMORY_CR = /* @evolve float 0..1 */ 0.5;
/** Scale of the Cauchy distribution of F. */
const F_SPREAD = /* @evolve float 0.01..0.5 */ 0.1;
/** Standard deviation of the normal distribution of CR. */
const CR_SPREAD = /* @evolve float 0.01..0.5 */ 0.1;
/** linear: L-SHADE's population size reduction; none: SHADE's fixed population. */
const POPULATION_REDUCTION = /* @evolve choice linear|none */ 'linear';
/** What to do with a mutant coordinate outside the box. */
const BOUNDS_HANDLING = /* @evolve choice midpoint|clip */ 'midpoint';
// EVOLVE-BLOCK-END

/** Marks a memory slot whose CR is frozen at 0 (the paper's ⊥). */
const TERMINAL = -1;

const isBudgetExhausted = (error: unknown): boolean => error instanceof Error && error.name === 'BudgetExhaustedError';

/** Minimises `problem` with L-SHADE and returns the best point found. */
export default function optimize(problem: OptimizerProblem): Float64Array {
  const { dimension, lower, upper, random, budget } = problem;
  const minimumSize = Math.max(4, Math.round(FINAL_POPULATION));
  const initialSize = Math.max(minimumSize, Math.round(POPULATION_PER_DIMENSION * dimension));
  const memorySize = Math.max(1, Math.round(MEMORY_SIZE));
  const reduce = POPULATION_REDUCTION === 'linear';
  const midpoint = BOUNDS_HANDLING === 'midpoint';
  const archiveCapacity = (size: number): number => Math.max(0, Math.round(ARCHIVE_RATE * size));

  let size = initialSize;
  let population = new Float64Array(initialSize * dimension);
  let fitness = new Float64Array(initialSize).fill(Number.POSITIVE_INFINITY);
  const trials = new Float64Array(initialSize * dimension);
  const trialF = new Float64Array(initialSize);
  const trialCR = new Float64Array(initialSize);
  const archive = new Float64Array(Math.max(1, archiveCapacity(initialSize)) * dimension);
  let archiveSize = 0;
  const memoryF = new Float64Array(memorySize).fill(INITIAL_MEMORY_F);
  const memoryCR = new Float64Array(memorySize).fill(INITIAL_MEMORY_CR);
  let memoryIndex = 0;
  const successF = new Float64Array(initialSize);
  const successCR = new Float64Array(initialSize);
  const successGain = new Float64Array(initialSize);
  let order = new Int32Array(initialSize);
  const bestPoint = new Float64Array(dimension);
  let bestValue = Number.POSITIVE_INFINITY;

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

  const sortByFitness = (): void => {
    if (order.length !== size) order = new Int32Array(size);
    for (let individual = 0; individual < size; individual++) order[individual] = individual;
    order.sort((left, right) => {
      const difference = (fitness[left] as number) - (fitness[right] as number);
      return difference < 0 ? -1 : difference > 0 ? 1 : left - right;
    });
  };

  const cauchy = (location: number): number => location + F_SPREAD * Math.tan(Math.PI * (random.next() - 0.5));

  /** Writes the trial vector of `target` and its (F, CR) into the trial buffers. */
  const buildTrial = (target: number, pbestCount: number): void => {
    const slot = random.int(memorySize);
    const centreCR = memoryCR[slot] as number;
    const crossoverRate = centreCR === TERMINAL ? 0 : Math.min(1, Math.max(0, centreCR + CR_SPREAD * random.normal()));
    let weight = cauchy(memoryF[slot] as number);
    while (!(weight > 0)) weight = cauchy(memoryF[slot] as number);
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
      if (mutant < low) mutant = midpoint ? (low + parent) / 2 : low;
      else if (mutant > high) mutant = midpoint ? (high + parent) / 2 : high;
      trials[offset + coordinate] = mutant;
    }
  };

  /** Puts a replaced parent into the archive (a random member makes room when it is full). */
  const archiveParent = (individual: number): void => {
    const capacity = Math.min(archiveCapacity(size), archive.length / dimension);
    if (capacity === 0) return;
    const slot = archiveSize < capacity ? archiveSize++ : random.int(capacity);
    archive.set(population.subarray(individual * dimension, (individual + 1) * dimension), slot * dimension);
  };

  const updateMemory = (successes: number): void => {
    if (successes === 0) return;
    let gainSum = 0;
    let maxCR = 0;
    for (let index = 0; index < successes; index++) {
      gainSum += successGain[index] as number;
      maxCR = Math.max(maxCR, successCR[index] as number);
    }
    let numeratorF = 0;
    let denominatorF = 0;
    let numeratorCR = 0;
    let denominatorCR = 0;
    for (let index = 0; index < successes; index++) {
      const weight = gainSum > 0 ? (successGain[index] as number) / gainSum : 1 / successes;
      const f = successF[index] as number;
      const cr = successCR[index] as number;
      numeratorF += weight * f * f;
      denominatorF += weight * f;
      numeratorCR += weight * cr * cr;
      denominatorCR += weight * cr;
    }
    if (denominatorF > 0) memoryF[memoryIndex] = numeratorF / denominatorF;
    if (memoryCR[memoryIndex] === TERMINAL || maxCR === 0 || !(denominatorCR > 0)) memoryCR[memoryIndex] = TERMINAL;
    else memoryCR[memoryIndex] = numeratorCR / denominatorCR;
    memoryIndex = (memoryIndex + 1) % memorySize;
  };

  /** Keeps the best `next` individuals (linear population size reduction) and trims the archive. */
  const shrinkTo = (next: number): void => {
    if (next >= size) return;
    sortByFitness();
    const kept = new Float64Array(initialSize * dimension);
    const keptFitness = new Float64Array(initialSize).fill(Number.POSITIVE_INFINITY);
    for (let rank = 0; rank < next; rank++) {
      const individual = order[rank] as number;
      kept.set(population.subarray(individual * dimension, (individual + 1) * dimension), rank * dimension);
      keptFitness[rank] = fitness[individual] as number;
    }
    population = kept;
    fitness = keptFitness;
    size = next;
    const capacity = archiveCapacity(size);
    while (archiveSize > capacity) {
      const removed = random.int(archiveSize);
      archiveSize--;
      if (removed !== archiveSize) {
        archive.copyWithin(removed * dimension, archiveSize * dimension, (archiveSize + 1) * dimension);
      }
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
      sortByFitness();
      const pbestCount = Math.min(size, Math.max(2, Math.round(PBEST_RATE * size)));
      const count = Math.min(size, problem.remaining());
      for (let target = 0; target < count; target++) buildTrial(target, pbestCount);
      const values = problem.evaluate(trials.subarray(0, count * dimension));

      let successes = 0;
      for (let individual = 0; individual < count; individual++) {
        const value = values[individual] as number;
        const parentValue = fitness[individual] as number;
        if (!(value <= parentValue)) continue;
        if (value < parentValue) {
          successF[successes] = trialF[individual] as number;
          successCR[successes] = trialCR[individual] as number;
          successGain[successes] = Number.isFinite(parentValue) ? parentValue - value : 1;
          successes++;
          archiveParent(individual);
        }
        population.set(trials.subarray(individual * dimension, (individual + 1) * dimension), individual * dimension);
        fitness[individual] = value;
        keepIfBest(trials, individual, value);
      }
      updateMemory(successes);

      if (reduce) {
        const planned = Math.round(((minimumSize - initialSize) / budget) * problem.used() + initialSize);
        shrinkTo(Math.max(minimumSize, planned));
      }
    }
  } catch (error) {
    if (!isBudgetExhausted(error)) throw error;
  }

  return bestValue < Number.POSITIVE_INFINITY ? bestPoint : population.slice(0, dimension);
}
