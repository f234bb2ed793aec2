import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CladeError } from '../../../src/core/errors.js';
import { errorToLog10, errorToScore } from '../../../src/numeric/scoring.js';

describe('errorToScore', () => {
  it('is 1 at and below the floor, 0 at and above the ceiling', () => {
    expect(errorToScore(1e-8, 1e-8, 1e4)).toBe(1);
    expect(errorToScore(1e-12, 1e-8, 1e4)).toBe(1);
    expect(errorToScore(0, 1e-8, 1e4)).toBe(1);
    expect(errorToScore(1e4, 1e-8, 1e4)).toBe(0);
    expect(errorToScore(1e9, 1e-8, 1e4)).toBe(0);
    expect(errorToScore(Number.POSITIVE_INFINITY, 1e-8, 1e4)).toBe(0);
  });

  it('treats a negative error (rounding below the optimum) as 0 and NaN as the worst', () => {
    expect(errorToScore(-1e-15, 1e-8, 1e4)).toBe(1);
    expect(errorToScore(Number.NaN, 1e-8, 1e4)).toBe(0);
  });

  it('is linear in log10(error) in between', () => {
    expect(errorToScore(1e-2, 1e-8, 1e4)).toBeCloseTo(0.5, 12);
    expect(errorToScore(1, 1e-8, 1e4)).toBeCloseTo(4 / 12, 12);
    expect(errorToScore(1e3, 1e-8, 1e4)).toBeCloseTo(1 / 12, 12);
    expect(errorToScore(10, 1, 100)).toBeCloseTo(0.5, 12);
  });

  it('decreases with the error and stays in [0, 1] (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (a, b) => {
          const [small, large] = a <= b ? [a, b] : [b, a];
          const smallScore = errorToScore(small, 1e-8, 1e4);
          const largeScore = errorToScore(large, 1e-8, 1e4);
          return smallScore >= largeScore && smallScore <= 1 && largeScore >= 0;
        },
      ),
    );
  });

  it('rejects floors and ceilings that are not 0 < floor < ceiling', () => {
    for (const [floor, ceiling] of [
      [0, 1],
      [-1, 1],
      [1, 1],
      [2, 1],
      [1e-8, Number.POSITIVE_INFINITY],
      [Number.NaN, 1],
    ] as const) {
      expect(() => errorToScore(1, floor, ceiling)).toThrow(CladeError);
    }
  });
});

describe('errorToLog10', () => {
  it('holds errors at or below the floor at log10(floor)', () => {
    expect(errorToLog10(1e-3)).toBeCloseTo(-3, 12);
    expect(errorToLog10(0)).toBe(-300);
    expect(errorToLog10(-1e-16)).toBe(-300);
    expect(errorToLog10(1e-3, 1e-8)).toBeCloseTo(-3, 12);
    expect(errorToLog10(1e-12, 1e-8)).toBeCloseTo(-8, 12);
    expect(errorToLog10(0, 1e-8)).toBeCloseTo(-8, 12);
    expect(errorToLog10(Number.NaN)).toBeNaN();
  });
});
