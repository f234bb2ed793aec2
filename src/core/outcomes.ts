/**
 * @module Task outcomes as pass/fail counts (HGM's clade statistics). This module imports nothing.
 */

/** Pass and failure counts; graded outcomes add fractions. */
export interface OutcomeCounts {
  passes: number;
  failures: number;
}

/**
 * One evaluation as an outcome: a graded score s ∈ [0, 1] is s passes and 1 − s failures (HGM's
 * rule for graded tasks); a missing score (the job timed out or crashed) is one failure.
 */
export function gradedOutcome(score: number | null): OutcomeCounts {
  const passes = score === null || !Number.isFinite(score) ? 0 : Math.min(1, Math.max(0, score));
  return { passes, failures: 1 - passes };
}

/** The summed outcome of several evaluations. */
export function sumOutcomes(scores: Iterable<number | null>): OutcomeCounts {
  let passes = 0;
  let failures = 0;
  for (const score of scores) {
    const outcome = gradedOutcome(score);
    passes += outcome.passes;
    failures += outcome.failures;
  }
  return { passes, failures };
}
