/**
 * @module Beta and Gamma draws from a seeded `Random`, for Thompson sampling (HGM).
 */
import type { Random } from '../core/random.js';

/**
 * A Gamma(shape, 1) draw (Marsaglia–Tsang; shape < 1 through the boost
 * Gamma(a) = Gamma(a + 1) · U^(1/a)). `shape` must be positive and finite.
 */
export function sampleGamma(random: Random, shape: number): number {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new RangeError(`Gamma shape must be positive, got ${shape}`);
  if (shape < 1) {
    let uniform = random.next();
    while (uniform === 0) uniform = random.next();
    return sampleGamma(random, shape + 1) * uniform ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = random.normal();
    const base = 1 + c * x;
    if (base <= 0) continue;
    const v = base * base * base;
    const u = random.next();
    const squared = x * x;
    if (u < 1 - 0.0331 * squared * squared) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * squared + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A Beta(alpha, beta) draw in [0, 1]; both parameters positive. */
export function sampleBeta(random: Random, alpha: number, beta: number): number {
  const x = sampleGamma(random, alpha);
  const y = sampleGamma(random, beta);
  const total = x + y;
  // Both underflow only for tiny shapes; the mean is the honest answer then.
  return total > 0 ? x / total : alpha / (alpha + beta);
}
