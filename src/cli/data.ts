/**
 * @module `clade data fetch <set>`: downloads benchmark data into the user cache (or `--dir`).
 * Only `cec2022` for now: the official CEC2022 data files. clade ships a copy of them
 * (`data/cec2022/input_data/`), so this is needed only where that copy was left out.
 */
import type { Command } from 'commander';
import { CladeError } from '../core/errors.js';
import {
  cec2022CacheDirectory,
  cec2022ShippedDirectory,
  modifiedCec2022Files,
} from '../numeric/cec2022/data-directory.js';
import { fetchCec2022Data } from '../numeric/cec2022/fetch.js';

/** Data sets `clade data fetch` knows. */
export const DATA_SETS = ['cec2022'] as const;

export interface DataFetchFlags {
  dir?: string;
  url?: string[];
}

/** Runs `clade data fetch <set>`. */
export async function dataFetchCommand(set: string, flags: DataFetchFlags): Promise<void> {
  if (set !== 'cec2022') {
    throw new CladeError('USAGE', `Unknown data set "${set}"; \`clade data fetch\` knows: ${DATA_SETS.join(', ')}.`);
  }
  const directory = flags.dir ?? cec2022CacheDirectory();
  const result = await fetchCec2022Data({
    directory,
    ...(flags.url !== undefined && flags.url.length > 0 ? { urls: flags.url } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const modified = modifiedCec2022Files(result.directory);
  if (modified.length > 0) {
    throw new CladeError(
      'DATA_INVALID',
      `After writing, these files differ from the official ones: ${modified.join(', ')}.`,
    );
  }
  const shipped = cec2022ShippedDirectory();
  process.stderr.write(
    `CEC2022 data (${result.files.length} files, checksums verified) is in ${result.directory}.\n` +
      (flags.dir === undefined
        ? `clade reads it from there when no --data-dir, task.dataDir or CLADE_CEC2022_DATA names a directory and its shipped copy${shipped === null ? '' : ` (${shipped})`} is incomplete; try: clade problems eval --suite cec2022 --fn 1 --dim 10 <<< "[[0,0,0,0,0,0,0,0,0,0]]"\n`
        : `Pass it with --data-dir ${result.directory} (or set CLADE_CEC2022_DATA).\n`),
  );
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Adds `clade data fetch` to the program. */
export function registerDataCommand(program: Command): void {
  const data = program
    .command('data')
    .description(
      'Benchmark data sets: clade ships the CEC2022 files (data/cec2022/); `data fetch` downloads them into the user cache where that copy is missing.',
    );
  data
    .command('fetch')
    .description(
      'Download a data set into the cache ($XDG_CACHE_HOME/clade/<set>, or ~/.cache/clade/<set>); every file is checked against its official SHA-256.',
    )
    .argument(
      '<set>',
      'cec2022: the official CEC2022 data files (from github.com/P-N-Suganthan/2022-SO-BO, CEC2022.zip)',
    )
    .option('--dir <dir>', 'write the files here instead of the cache')
    .option('--url <url>', 'download the archive from this URL instead (repeatable; tried in order)', collect)
    .addHelpText(
      'after',
      '\nclade reads the copy it ships (data/cec2022/input_data under the package) unless --data-dir, task.dataDir or\nCLADE_CEC2022_DATA names another directory; the cache counts only when that copy is incomplete.\n' +
        'Without network access: copy the 42 files of C-Code/input_data/ from CEC2022.zip into a directory and pass it\nwith --data-dir (clade run, clade problems eval) or CLADE_CEC2022_DATA.',
    )
    .action(dataFetchCommand);
}
