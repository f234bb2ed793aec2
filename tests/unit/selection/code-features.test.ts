import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentFeatures, codeFeatureDescriber, editDistance } from '../../../src/selection/code-features.js';

function reference(a: string, b: string): number {
  const table = Array.from({ length: a.length + 1 }, (_, row) => [row, ...new Array<number>(b.length).fill(0)]);
  for (let column = 1; column <= b.length; column++) (table[0] as number[])[column] = column;
  for (let row = 1; row <= a.length; row++) {
    for (let column = 1; column <= b.length; column++) {
      const cost = a[row - 1] === b[column - 1] ? 0 : 1;
      (table[row] as number[])[column] = Math.min(
        ((table[row - 1] as number[])[column - 1] as number) + cost,
        ((table[row - 1] as number[])[column] as number) + 1,
        ((table[row] as number[])[column - 1] as number) + 1,
      );
    }
  }
  return (table[a.length] as number[])[b.length] as number;
}

describe('features', () => {
  it('edit distance equals the textbook Levenshtein distance (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (a, b) => {
        expect(editDistance(a, b)).toBe(reference(a, b));
      }),
    );
  });

  it('measures code length and distance from the seed', () => {
    const seed = { 'optimizer.ts': 'const F = 0.5;\n' };
    const child = { 'optimizer.ts': 'const F = 0.75;\n' };
    expect(agentFeatures(seed, '// optimizer.ts\nconst F = 0.5;\n')).toEqual({ codeLength: 31, diversity: 0 });
    expect(agentFeatures(child, '// optimizer.ts\nconst F = 0.5;\n').diversity).toBe(1); // insert '7'
  });

  it('falls back to lines for large changed regions, still zero for equal texts', () => {
    const big = Array.from({ length: 3000 }, (_, index) => `line ${index}`).join('\n');
    const other = Array.from({ length: 3000 }, (_, index) => `row ${index * 7}`).join('\n');
    expect(editDistance(big, big)).toBe(0);
    expect(editDistance(big, other)).toBeGreaterThan(1000);
  });
});

describe('codeFeatureDescriber', () => {
  it('reads the seed once and measures each node against it; features are numeric metrics and code features', async () => {
    const seed = { 'optimizer.ts': 'const F = 0.5;\n' };
    let reads = 0;
    const seedFiles = async () => {
      reads++;
      return seed;
    };
    const describer = codeFeatureDescriber();
    expect(await describer.describe({ 'optimizer.ts': 'const F = 0.75;\n' }, seedFiles)).toEqual({
      codeLength: 32,
      diversity: 1,
    });
    expect(await describer.describe(seed, seedFiles)).toEqual({ codeLength: 31, diversity: 0 });
    expect(reads).toBe(1);
    expect(
      describer.features({
        publicMetrics: { error: 0.25, label: 'x', infinite: Number.POSITIVE_INFINITY },
        privateMetrics: { codeLength: 31, diversity: 0, hidden: 3, environment: 'process' },
      }),
    ).toEqual({ error: 0.25, codeLength: 31, diversity: 0 });
  });
});
