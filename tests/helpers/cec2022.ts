/**
 * @module Test helpers for the CEC2022 suite: the data set the repository ships (`data/cec2022/`:
 * the 42 official files and the official C code's reference values), hex floats and ulp distances.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `data/cec2022/` of this repository. */
export const CEC2022_ROOT = fileURLToPath(new URL('../../data/cec2022/', import.meta.url));

/** The official data files, as shipped with clade. */
export const CEC2022_DATA = `${CEC2022_ROOT}input_data`;

export interface ReferencePoint {
  name: string;
  x: number[];
  f: number;
  f_hex: string;
}

export interface Cec2022Reference {
  fstar: Record<string, number>;
  cases: Record<string, { func: number; dim: number; points: ReferencePoint[] }>;
}

/** `reference_values.json`: values of the official C code, bit-exact. */
export function readCec2022Reference(): Cec2022Reference {
  return JSON.parse(readFileSync(`${CEC2022_ROOT}reference_values.json`, 'utf8')) as Cec2022Reference;
}

/** The double a C99 hex-float literal such as `0x1.2c00000000000p+8` denotes (normal numbers). */
export function parseHexFloat(text: string): number {
  const match = /^(-)?0x([01])\.([0-9a-f]*)p([+-]\d+)$/i.exec(text.trim());
  if (!match) throw new Error(`not a hex float: ${text}`);
  const [, sign, lead = '0', fraction = '', exponent = '0'] = match;
  // The mantissa has at most 53 significant bits, so the conversion and the scaling are exact.
  const value = Number(BigInt(`0x${lead}${fraction}`)) * 2 ** (Number(exponent) - 4 * fraction.length);
  return sign ? -value : value;
}

/** Distance in units in the last place between two finite doubles. */
export function ulpDistance(a: number, b: number): number {
  if (a === b) return 0;
  const view = new DataView(new ArrayBuffer(16));
  view.setFloat64(0, a);
  view.setFloat64(8, b);
  const ordered = (offset: number): bigint => {
    const bits = view.getBigInt64(offset);
    return bits < 0n ? -(bits & 0x7fffffffffffffffn) : bits;
  };
  const difference = ordered(0) - ordered(8);
  return Number(difference < 0n ? -difference : difference);
}
