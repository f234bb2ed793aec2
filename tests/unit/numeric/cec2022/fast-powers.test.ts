/**
 * `powOneFifth(x)` (Schaffer F7's x^0.2 with a one-step correction and a rounding test) returns the
 * same double as the double-double `correctlyRoundedPow(x, 0.2)` for every x: on a sweep across
 * every binade the fast path takes and beyond (where it defers), on the arguments Schaffer F7 sees,
 * on exact fifth powers and their neighbours, and on special values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../../src/core/random.js';
import { correctlyRoundedPow, powOneFifth } from '../../../../src/numeric/cec2022/precise-math.js';

function expectSame(x: number): void {
  const fast = powOneFifth(x);
  const precise = correctlyRoundedPow(x, 0.2);
  if (!Object.is(fast, precise)) expect.fail(`powOneFifth(${x}) = ${fast}, correctlyRoundedPow = ${precise}`);
}

describe('powOneFifth equals correctlyRoundedPow(x, 0.2) bit for bit', () => {
  it('on 400,000 arguments log-uniform over 2^-120 .. 2^120 and uniform over the box radii', () => {
    const random = createRandom('pow-one-fifth');
    for (let index = 0; index < 200_000; index++) {
      expectSame(2 ** random.uniform(-120, 120));
      expectSame(random.uniform(0, 300));
    }
  });

  it('on exact fifth powers k^5 and their neighbouring doubles', () => {
    for (let k = 1; k <= 2000; k++) {
      const power = k ** 5;
      expectSame(power);
      expectSame(power * (1 + Number.EPSILON));
      expectSame(power * (1 - Number.EPSILON / 2));
      expectSame(k ** 5 / 1024 ** 5);
    }
  });

  it('on special values', () => {
    for (const x of [0, -0, 5e-324, 2 ** -1022, 2 ** -100, 2 ** 100, 1, 2, 32, Number.MAX_VALUE, Infinity])
      expectSame(x);
  });

  it('on any positive double (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, noNaN: true }), (x) => {
        expectSame(x);
      }),
      { numRuns: 20_000 },
    );
  });
});
