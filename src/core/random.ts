/**
 * @module Seeded random sources. Every random choice in clade comes from a generator derived
 * from (campaign seed, node, purpose), so a campaign replayed from its records grows the same tree.
 */

/** A seeded source of random numbers. Not cryptographic. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform in [low, high). */
  uniform(low: number, high: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** A new array with the items in random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** A 32-bit unsigned integer. */
  uint32(): number;
}

/** The parts a seed is derived from; joined unambiguously before hashing. */
export type SeedPart = string | number | bigint | boolean;

/**
 * A stable 128-bit hash (four 32-bit words) of the given parts, used to seed generators.
 * cyrb128 mixing: fast, well-distributed, and identical on every platform.
 */
export function hashSeed(...parts: readonly SeedPart[]): [number, number, number, number] {
  const text = parts.map((part) => `${typeof part}:${String(part)}`).join('\u0000');
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    h1 = h2 ^ Math.imul(h1 ^ code, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ code, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ code, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ code, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** A 32-bit integer seed derived from the parts (for records and for passing into sandboxes). */
export function deriveSeed(...parts: readonly SeedPart[]): number {
  return hashSeed(...parts)[0];
}

/**
 * A generator seeded from the parts: `createRandom(campaignSeed, 'node', 17, 'selection')`.
 * sfc32: 128-bit state, passes PractRand to large sizes, and is fast in JavaScript.
 */
export function createRandom(...parts: readonly SeedPart[]): Random {
  let [a, b, c, d] = hashSeed(...parts);
  const uint32 = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Warm up so that similar seeds diverge.
  for (let index = 0; index < 12; index++) uint32();

  // 53-bit resolution uniform in [0, 1).
  const next = (): number => (uint32() * 2 ** 21 + (uint32() >>> 11)) / 2 ** 53;
  let spareNormal: number | null = null;

  return {
    next,
    uint32,
    int(n) {
      if (!Number.isInteger(n) || n <= 0) throw new RangeError(`int(n) needs a positive integer n, got ${n}`);
      return Math.floor(next() * n);
    },
    uniform(low, high) {
      return low + (high - low) * next();
    },
    normal() {
      if (spareNormal !== null) {
        const value = spareNormal;
        spareNormal = null;
        return value;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const radius = Math.sqrt(-2 * Math.log(u));
      spareNormal = radius * Math.sin(2 * Math.PI * v);
      return radius * Math.cos(2 * Math.PI * v);
    },
    pick(items) {
      if (items.length === 0) throw new RangeError('pick() needs a non-empty array');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    shuffle(items) {
      const copy = items.slice();
      for (let index = copy.length - 1; index > 0; index--) {
        const other = Math.floor(next() * (index + 1));
        const held = copy[index] as (typeof copy)[number];
        copy[index] = copy[other] as (typeof copy)[number];
        copy[other] = held;
      }
      return copy;
    },
  };
}
