/**
 * @module CEC2022 data files inside the sandbox. The host passes the files a task's jobs need
 * as request files (e.g. `data/cec2022/M_3_D10.txt`); before any agent code loads, the harness
 * reads them into memory and deletes them, so an agent cannot read the shift vectors (the
 * optima) from disk, just as it cannot read `input.json`.
 */
import { readFileSync, rmdirSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { cec2022DataFiles, type DataFileReader } from '../../src/numeric/cec2022/data.js';
import { parseNumericJob } from '../../src/numeric/job.js';

/** File texts by path relative to the work directory (`<dataDirectory>/<name>`). */
const preloaded = new Map<string, string>();

/**
 * Reads the data files of every CEC2022 job in `jobs` into memory, then deletes them (and the
 * directories left empty). A missing file is not an error here: the job that needs it fails
 * with the loader's message. Jobs of other suites, and malformed jobs, are skipped.
 */
export function preloadCec2022Data(jobs: readonly unknown[], directory: string): void {
  const read: string[] = [];
  const directories = new Set<string>();
  for (const job of jobs) {
    const parsed = parseNumericJob(job);
    if (!parsed.ok || parsed.value.suite !== 'cec2022') continue;
    const { fn, dim, dataDirectory } = parsed.value;
    for (const name of cec2022DataFiles(fn, dim)) {
      const key = `${dataDirectory}/${name}`;
      if (preloaded.has(key)) continue;
      const file = resolve(directory, dataDirectory, name);
      try {
        preloaded.set(key, readFileSync(file, 'latin1'));
        read.push(file);
        directories.add(dataDirectory);
      } catch {
        // Reported by the job that needs it.
      }
    }
  }
  for (const file of read) {
    try {
      unlinkSync(file);
    } catch {
      // A read-only work directory keeps its files; the values are already in memory.
    }
  }
  for (const dataDirectory of directories) {
    let current = dataDirectory;
    while (current !== '.' && current !== '') {
      try {
        rmdirSync(resolve(directory, current));
      } catch {
        break;
      }
      current = dirname(current);
    }
  }
}

/** Reads `<dataDirectory>/<name>` from what was preloaded, else from disk under `directory`. */
export function cec2022DataReader(dataDirectory: string, directory: string = process.cwd()): DataFileReader {
  return (name) => {
    const text = preloaded.get(`${dataDirectory}/${name}`);
    if (text !== undefined) return text;
    try {
      return readFileSync(resolve(directory, dataDirectory, name), 'latin1');
    } catch {
      return undefined;
    }
  };
}
