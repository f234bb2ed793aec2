/**
 * @module Numeric optimisation: the problem an optimizer agent receives, and benchmark functions.
 */

/** A seeded random source as agents see it (the same shape as `core/random.ts`'s `Random`). */
export interface AgentRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  uniform(low: number, high: number): number;
  normal(): number;
}

/**
 * What an optimizer agent's default export is called with. The harness, not the agent, counts
 * evaluations: asking for more than `budget` in total throws `BudgetExhaustedError` (name
 * `BudgetExhaustedError`), which the harness treats as the normal end of the run.
 */
export interface OptimizerProblem {
  dimension: number;
  /** Lower and upper bound per coordinate. */
  lower: Float64Array;
  upper: Float64Array;
  /** Total function evaluations allowed. */
  budget: number;
  /**
   * Evaluates a batch: `points` is row-major, `count × dimension` values (a Float64Array or
   * an array of points). Returns one value per point (lower is better).
   */
  evaluate(points: Float64Array | readonly ArrayLike<number>[]): Float64Array;
  /** Evaluations used so far. */
  used(): number;
  /** Evaluations left. */
  remaining(): number;
  random: AgentRandom;
}

/** An optimizer agent: returns its best point. */
export type Optimizer = (problem: OptimizerProblem) => ArrayLike<number> | Promise<ArrayLike<number>>;

/** A benchmark function instance (shift, rotation fixed) evaluated in batches. */
export interface BenchmarkFunction {
  /** e.g. `rastrigin-d10`. */
  readonly id: string;
  readonly dimension: number;
  /** Value at the optimum (the error of a point is value − optimum). */
  readonly optimum: number;
  /** Writes f(point i) into out[i] for i < count; `points` is row-major count × dimension. */
  evaluateBatch(points: Float64Array, count: number, out: Float64Array): void;
}
