/**
 * @module The CEC2022 suite as a benchmark protocol (`ProtocolSuite`): F1–F12 in D = 10 and 20,
 * the official budgets, checkpoints and 1e-8 target, data files from `--data-dir`,
 * `CLADE_CEC2022_DATA` or the cache (see `src/numeric/cec2022/data-directory.ts`), and the
 * published results to compare with.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cec2022DataFiles } from '../numeric/cec2022/data.js';
import { requireCec2022Data, resolveCec2022DataDirectory } from '../numeric/cec2022/data-directory.js';
import { createCec2022Function } from '../numeric/cec2022/suite.js';
import {
  CEC2022_TARGET_ERROR,
  cec2022Budget,
  cec2022Checkpoints,
  cec2022Published,
  type ProtocolSuite,
} from './protocol-suite.js';

/**
 * The CEC2022 protocol suite reading its data from `dataDirectory` (else `CLADE_CEC2022_DATA`,
 * else the cache). The files are checked up front; each job carries the text of the files its
 * function reads.
 *
 * @throws CladeError `DATA_NOT_FOUND` when the data files are missing (the message says how to get them).
 */
export function createCec2022ProtocolSuite(dataDirectory?: string): ProtocolSuite {
  const directory = requireCec2022Data(resolveCec2022DataDirectory({ flag: dataDirectory }));
  const texts = new Map<string, string>();
  const text = (name: string): string => {
    let found = texts.get(name);
    if (found === undefined) {
      // latin1, as the data loader reads them: byte-exact, CRLF kept.
      found = readFileSync(path.join(directory, name), 'latin1');
      texts.set(name, found);
    }
    return found;
  };
  const dimension = (value: number): 10 | 20 => (value === 20 ? 20 : 10);
  return {
    name: 'cec2022',
    functions: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    dimensions: [10, 20],
    label: (fn) => `F${fn}`,
    budget: cec2022Budget,
    checkpoints: cec2022Checkpoints,
    targetError: CEC2022_TARGET_ERROR,
    spec: (fn, dim) => ({
      suite: 'cec2022',
      fn,
      dim,
      files: Object.fromEntries(cec2022DataFiles(fn, dim).map((name) => [name, text(name)])),
    }),
    create: (fn, dim) => createCec2022Function(fn, dimension(dim), directory),
    published: cec2022Published,
  };
}
