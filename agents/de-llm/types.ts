/**
 * @module The problem an optimizer agent receives. A self-contained copy of clade's
 * `OptimizerProblem` (agents are data: they never import from clade's sources).
 */

/** A seeded random source. Use it (not `Math.random`) for every random choice. */
export interface AgentRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform in [low, high). */
  uniform(low: number, high: number): number;
  /** Standard normal. */
  normal(): number;
}

/**
 * A box-constrained minimisation problem. The harness counts evaluations: a call to `evaluate` that
 * asks for more than `remaining()` points throws an error named `BudgetExhaustedError` and evaluates
 * nothing; that is the normal way for a run to end.
 */
export interface OptimizerProblem {
  dimension: number;
  /** Lower and upper bound per coordinate. Points outside the box are rejected. */
  lower: Float64Array;
  upper: Float64Array;
  /** Total function evaluations allowed. */
  budget: number;
  /**
   * Evaluates a batch: a flat row-major Float64Array of `count × dimension` values, or an array of
   * points. Returns one value per point (lower is better). Batches are much faster than single points.
   */
  evaluate(points: Float64Array | readonly ArrayLike<number>[]): Float64Array;
  /** Evaluations used so far. */
  used(): number;
  /** Evaluations left. */
  remaining(): number;
  random: AgentRandom;
}

/** An optimizer: returns the best point it found. */
export type Optimizer = (problem: OptimizerProblem) => ArrayLike<number> | Promise<ArrayLike<number>>;
