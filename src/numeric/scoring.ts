/**
 * @module Turning an optimizer's final error into a score in [0, 1].
 */
import { CladeError } from '../core/errors.js';

/**
 * Score of a final error: 1 at or below `floor`, 0 at or above `ceiling`, linear in log10(error)
 * in between. A negative error (rounding just below the optimum) counts as 0 and scores 1;
 * NaN scores 0, as does +Infinity.
 *
 * @throws CladeError `TASK_INVALID` unless 0 < floor < ceiling (both finite).
 */
export function errorToScore(error: number, floor: number, ceiling: number): number {
  if (!(floor > 0) || !(ceiling > floor) || !Number.isFinite(ceiling)) {
    throw new CladeError(
      'TASK_INVALID',
      `errorToScore needs finite 0 < floor < ceiling, got floor ${floor} and ceiling ${ceiling}.`,
    );
  }
  if (Number.isNaN(error)) return 0;
  if (error <= floor) return 1;
  if (error >= ceiling) return 0;
  const logCeiling = Math.log10(ceiling);
  const score = (logCeiling - Math.log10(error)) / (logCeiling - Math.log10(floor));
  return Math.min(1, Math.max(0, score));
}

/**
 * log10 of an error for reports, held at log10(floor) for errors at or below `floor` (0, or
 * rounding just below the optimum): below the floor every error is "solved", and one exact hit
 * must not swamp a mean of logs. NaN stays NaN.
 */
export function errorToLog10(error: number, floor = 1e-300): number {
  if (Number.isNaN(error)) return Number.NaN;
  return Math.log10(Math.max(error, floor));
}
