/**
 * @module The host's re-check of an objective value a sandbox reported: the one tolerance every
 * caller (numeric tasks, the benchmark protocol) uses to decide whether the reported value is the
 * value of the reported point.
 */

/**
 * Relative tolerance of `reportedValueMatches`, with an absolute floor of the same size for
 * values near zero.
 *
 * Why this one. Two tolerances were in use: `1e-9·max(|a|, |b|)` (numeric tasks) and
 * `1e-9·max(1, |a|)` (the CEC2022 protocol). The sandbox and the host run the same function code,
 * but not always the same node build (a Docker image's node against the host's), and `Math.exp`,
 * `Math.cos` … may differ there in the last bit. Far from zero both rules allow those differences.
 * Near zero (a built-in function's optimum is 0) the purely relative rule does not: a last-bit
 * difference in a sum of terms of size ~1 leaves an absolute difference of ~1e-16 on a value of
 * ~1e-12, which it refuses, and an honest run would be scored invalid. The floor of 1 on the scale
 * lets it through. Nothing is lost by allowing it: the score is always computed from the host's
 * value, never from the reported one, so the check exists only to refuse outputs that do not hold
 * together, not to bound what an agent can claim.
 */
export const REPORTED_VALUE_TOLERANCE = 1e-9;

/**
 * Whether `reported` (the sandbox's value of a point) agrees with `recomputed` (the host's value of
 * the same point): `|recomputed − reported| ≤ 1e-9 · max(1, |recomputed|, |reported|)`. False for
 * NaN on either side and for infinities that differ.
 */
export function reportedValueMatches(reported: number, recomputed: number): boolean {
  if (reported === recomputed) return true;
  if (!Number.isFinite(reported) || !Number.isFinite(recomputed)) return false;
  const scale = Math.max(1, Math.abs(recomputed), Math.abs(reported));
  return Math.abs(recomputed - reported) <= REPORTED_VALUE_TOLERANCE * scale;
}
