/**
 * @module Published mean errors (30 runs, the official CEC2022 protocol) that `clade bench cec2022`
 * compares with, as listed in the shared CEC2022 README: EA4eig (the competition winner),
 * NL-SHADE-LBC, the organisers' L-SHADE example code, and DE/rand/1/bin (NP 30, F 0.8, CR 0.9).
 */

/** One published algorithm: mean error per function F1..F12, by dimension. */
export interface PublishedResults {
  name: string;
  /** Index 0 is F1. */
  means: Readonly<Record<10 | 20, readonly number[]>>;
}

export const PUBLISHED_CEC2022: readonly PublishedResults[] = [
  {
    name: 'EA4eig',
    means: {
      10: [0, 1.46, 0, 1.26, 0, 0.0174, 0, 0.0709, 185.5, 100.16, 0, 147.4],
      20: [0, 1.06, 0, 8.69, 0, 0.149, 3.5, 16.6, 165.3, 108.3, 323.3, 199.6],
    },
  },
  {
    name: 'NL-SHADE-LBC',
    means: {
      10: [0, 0.133, 0, 1.3, 0, 0.124, 0, 0.046, 229.3, 100.14, 0, 164.8],
      20: [0, 47.3, 0, 4.45, 0, 0.636, 2.58, 16.5, 180.8, 100.18, 303.3, 239.1],
    },
  },
  {
    name: 'L-SHADE',
    means: {
      10: [0, 5.79, 0, 2.32, 0, 0.263, 1e-8, 0.67, 229.3, 100.2, 0, 160.8],
      20: [0, 48.9, 0, 3.91, 0, 0.483, 4.56, 17.5, 180.8, 100.28, 303.3, 233.4],
    },
  },
  {
    name: 'DE/rand/1/bin',
    means: {
      10: [0, 5.59, 0.039, 18.8, 0, 0.472, 15.1, 2.5, 229.3, 111.6, 34.4, 162.1],
      20: [0, 47.0, 0.021, 50.3, 0.003, 5.8e6, 25.8, 20.8, 180.8, 318, 438, 241.3],
    },
  },
];

/** The published mean error of `name` on F`fn` in dimension `dimension`, or undefined. */
export function publishedMean(name: string, fn: number, dimension: number): number | undefined {
  const entry = PUBLISHED_CEC2022.find((published) => published.name === name);
  if (entry === undefined || (dimension !== 10 && dimension !== 20)) return undefined;
  return entry.means[dimension][fn - 1];
}
