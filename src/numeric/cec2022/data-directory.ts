/**
 * @module Where the CEC2022 data files live, and the checksums of the official ones.
 *
 * Order of precedence: `--data-dir` (flag), `task.dataDir` (campaign file), the
 * `CLADE_CEC2022_DATA` environment variable, then the copy shipped with clade
 * (`data/cec2022/input_data/` under the package root, when it holds all 42 files), else the user
 * cache directory (`$XDG_CACHE_HOME/clade/cec2022`, or `~/.cache/clade/cec2022`) that
 * `clade data fetch cec2022` fills. The project never reads data from anywhere else at run time.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { CladeError } from '../../core/errors.js';
import { findPackageRoot } from '../../core/package-root.js';
import { cec2022DataFiles } from './data.js';

/** Environment variable naming the data directory. */
export const CEC2022_DATA_ENVIRONMENT = 'CLADE_CEC2022_DATA';

/** SHA-256 of the 42 official files (`C-Code/input_data/` of CEC2022.zip), CRLF line endings included. */
export const CEC2022_FILE_SHA256: Readonly<Record<string, string>> = Object.freeze({
  'M_10_D10.txt': '374c755dc2dbee6f53a6a5c4a68e4547753fa4884a03029bee1c17ea3b1bc2be',
  'M_10_D20.txt': 'f15d5a1c1275e5bfe655e1788873095aa87ca3e4b9d5d88a86655eb1559ef291',
  'M_11_D10.txt': '0ce9b7a71db7fa2156196681554babd76d905909d316b02d3303e81dc51ba37e',
  'M_11_D20.txt': '81f3d0917be78e43b96f5bb61def8686e274cc5baff7139d43f5bbf14fe308fc',
  'M_12_D10.txt': '14d3fe485beebdf28ad4b1b359db8f18f5eed9a15ae8eab47950ce9b8127f02f',
  'M_12_D20.txt': 'bdc69e2c76db4141705ad811505c1e80d389af4acd84927b27e76038cf6c8371',
  'M_1_D10.txt': 'd61463b7721797a035ba5664ca2526536475d54e0e72e251ea400c9362419003',
  'M_1_D20.txt': '3a0059fbffbb53f33466a5db6a8f60284e8616119b2de9141a88139002b1936d',
  'M_2_D10.txt': 'dbe354cb19435510af6d06f062d4c9c3948802c678c77263bb1a0c41f2e991d6',
  'M_2_D20.txt': '7f731a268df00c2925c369a417e168ffc4ad3cdd36fde75842298fb5e4cbe718',
  'M_3_D10.txt': '758ef25b03aa5922ae6ee0897fe96d6b6896cd23e1dc3a63d5eee467c6780a86',
  'M_3_D20.txt': '3506243cdd63b28ec0dc367e440e1fdd927efae3dd2b403d6231ab991be6033f',
  'M_4_D10.txt': 'd17514c983221d6423cf5d9459ff10deed187429fbc1776a439660ed5b8992cc',
  'M_4_D20.txt': 'a98c33f5a1e6645112f742589671fda41de5cc94a7e97e4cf6905fb19133fa7b',
  'M_5_D10.txt': 'c4ff7d225f7f0147cb37a1ffb4d291890d0bf47dbc4fe9fc8963b963a13ca180',
  'M_5_D20.txt': 'f68b72d75364846f1ebfc6835e023bd89f61ce08b23a86e62601e50b768562ef',
  'M_6_D10.txt': '3655635f8244e3bc14ca4e624decd5722f81a7cd1f87e9c1020da4a3133bf61e',
  'M_6_D20.txt': 'b310e9817de5cba5d3d869e60ef84cf06592eeef7df6c94bf8d5d18781dee9ff',
  'M_7_D10.txt': '6888536ccc7f74b2d4d661217d1c9c08d250368d2ad9acc0ad21533ba34b9486',
  'M_7_D20.txt': '35857e1ff74a8baa3a940674c6a89999fd5748a8038fec14da80ef58674634b0',
  'M_8_D10.txt': '8c80f8e39094c80df4b7ea1859365d3ccd1f454d4de8b579bd863c50e37231a8',
  'M_8_D20.txt': '84621bb744a7d5d0ffbb30340fdaa709dbdac00b548cdcc0e7d38f90516bb767',
  'M_9_D10.txt': '4835dc286ea90c8a625f858f9ce45ea411c9dfc654f9815dea61cebde6510523',
  'M_9_D20.txt': 'b14d3a0ef4a66b6f506f1e7296cc8840269f84a9454d72f81ae465fc0ef14cf0',
  'shift_data_1.txt': 'c341a9cb4bbfd6fd87c72941b2989a2a3e9722cf57300576464a186e93334201',
  'shift_data_10.txt': '0a6d408f917b52c10c03da7a6671d1d7bf3400181f9dfd867082b3f8f94bf647',
  'shift_data_11.txt': '10ec33c6d1bbb02c8db6569485c540656e790c5154aca0a0424c4d5f48efe313',
  'shift_data_12.txt': '93a6b27f16e2cfe83c5e1e19782c0608dddb0390909877dd1ef595e1d9578206',
  'shift_data_2.txt': 'b66637bee1845d33ba23cc576e72c93214a5a36a214b4c040cef3adbb7f984c8',
  'shift_data_3.txt': '94650667f32441c5ddcd792c73231560a142256efdfbcf2c191ca4ae1b9f0f44',
  'shift_data_4.txt': 'cf96759fbab2c13f295180d9967b1577a1e0ddde16e995dd896d2cb636f0969b',
  'shift_data_5.txt': '8119439e2e951105ee49aaed6e6d7c3180368a7ecb1fa8cbd520497bf04446d2',
  'shift_data_6.txt': 'bc0ead5401c2002e39e1f53c7c47d3a9506260f0050b8a3dd93df16119eed582',
  'shift_data_7.txt': '026c6f325866e87d621a87a3c5b43976ea067a25e71e35b56d284baf7102366b',
  'shift_data_8.txt': '9cf413d784877c4af9eaa3bd26053b42ca599da3ecd5b9181235dc4d16d20d3d',
  'shift_data_9.txt': 'ebbc2ac4b4a30d5bfdd74a722c56906f064e38a3b4fe6fe06e864c7dfc5afa95',
  'shuffle_data_6_D10.txt': '888fa8cf118c2696bf4d9bfbcdcf68f3d854d131d91265a4b0a77cae4cdd0ac5',
  'shuffle_data_6_D20.txt': 'd7fa228ffd04d77bbd5dc967f4752548151c4575e3244ca2f4cf3d2c4ea7bc78',
  'shuffle_data_7_D10.txt': 'a20ef62e91439eed87d9686a8b07d72ddd82c0fb74cf9f62aa224ea37e75aaf0',
  'shuffle_data_7_D20.txt': '2d18d70d10cefe1f8165809947b887b6e8c27c54d2306427a81e933e649de6d2',
  'shuffle_data_8_D10.txt': '206fe2b8225fc45ce0a2bd75ae641635d26404a78ac4b9ec33e4a142408bae4d',
  'shuffle_data_8_D20.txt': '8bfa0f356ff61c4009894cc6dc44cf58b53733acb7cb7abf7b81bc677034a3ed',
});

/** Where a data directory came from. */
export type DataDirectorySource = 'flag' | 'campaign' | 'environment' | 'shipped' | 'cache';

/** Where the package keeps its copy of the official files, relative to the package root. */
export const CEC2022_SHIPPED_PATH = 'data/cec2022/input_data';

export interface ResolvedDataDirectory {
  /** Absolute path. */
  directory: string;
  source: DataDirectorySource;
}

export interface DataDirectoryOptions {
  /** `--data-dir`, resolved against the working directory. */
  flag?: string | undefined;
  /** `task.dataDir` of the campaign file (already absolute, or relative to the working directory). */
  campaign?: string | undefined;
  environment?: NodeJS.ProcessEnv;
  /** Home directory (default `os.homedir()`). */
  home?: string;
  /**
   * The copy shipped with clade (default `cec2022ShippedDirectory()`); `null` leaves it out, so
   * only the flag, the campaign file, the environment and the cache count.
   */
  shipped?: string | null;
}

/**
 * `data/cec2022/input_data` under the clade package root (found by walking up from this module to
 * the `package.json` named `clade`, so it holds in a checkout, in `dist/` and in an installed
 * package), or null when there is no such root.
 */
export function cec2022ShippedDirectory(): string | null {
  const root = findPackageRoot();
  return root === null ? null : path.join(root, CEC2022_SHIPPED_PATH);
}

/** Whether `directory` holds every official file (by name; contents are checked when read). */
function holdsEveryFile(directory: string): boolean {
  return Object.keys(CEC2022_FILE_SHA256).every((name) => existsSync(path.join(directory, name)));
}

/** The user cache directory for CEC2022 data: `$XDG_CACHE_HOME/clade/cec2022` or `~/.cache/clade/cec2022`. */
export function cec2022CacheDirectory(environment: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const cache = environment.XDG_CACHE_HOME;
  const base = cache !== undefined && cache.length > 0 && path.isAbsolute(cache) ? cache : path.join(home, '.cache');
  return path.join(base, 'clade', 'cec2022');
}

/**
 * Picks the data directory by precedence: flag, campaign file, environment, the shipped copy (when
 * it holds all 42 files), cache.
 */
export function resolveCec2022DataDirectory(options: DataDirectoryOptions = {}): ResolvedDataDirectory {
  const environment = options.environment ?? process.env;
  if (options.flag !== undefined && options.flag.length > 0) {
    return { directory: path.resolve(options.flag), source: 'flag' };
  }
  if (options.campaign !== undefined && options.campaign.length > 0) {
    return { directory: path.resolve(options.campaign), source: 'campaign' };
  }
  const fromEnvironment = environment[CEC2022_DATA_ENVIRONMENT];
  if (fromEnvironment !== undefined && fromEnvironment.length > 0) {
    return { directory: path.resolve(fromEnvironment), source: 'environment' };
  }
  const shipped = options.shipped === undefined ? cec2022ShippedDirectory() : options.shipped;
  if (shipped !== null && holdsEveryFile(shipped)) return { directory: shipped, source: 'shipped' };
  return { directory: cec2022CacheDirectory(environment, options.home), source: 'cache' };
}

const SOURCE_NAMES: Record<DataDirectorySource, string> = {
  flag: '--data-dir',
  campaign: 'task.dataDir of the campaign file',
  environment: CEC2022_DATA_ENVIRONMENT,
  shipped: 'the copy shipped with clade',
  cache: 'the default cache directory',
};

/**
 * Checks that `resolved.directory` holds the files the given cases need (all 42 when `cases` is
 * omitted) and returns the directory. Contents are validated when a function is built.
 *
 * @throws CladeError `DATA_NOT_FOUND` naming the directory, where it came from, the missing files,
 *   and the two ways to fix it (`clade data fetch cec2022`, or `--data-dir`).
 */
export function requireCec2022Data(
  resolved: ResolvedDataDirectory,
  cases?: readonly { fn: number; dim: number }[],
): string {
  const needed = new Set<string>();
  for (const { fn, dim } of cases ?? allCases()) for (const name of cec2022DataFiles(fn, dim)) needed.add(name);
  const missing = [...needed].filter((name) => !existsSync(path.join(resolved.directory, name))).sort();
  if (missing.length > 0) {
    const shown = missing.slice(0, 4).join(', ') + (missing.length > 4 ? ` and ${missing.length - 4} more` : '');
    throw new CladeError(
      'DATA_NOT_FOUND',
      `CEC2022 data not found in ${resolved.directory} (from ${SOURCE_NAMES[resolved.source]}): missing ${shown}. ` +
        'Run `clade data fetch cec2022` to download the official files into the cache, or pass the directory ' +
        `that holds them with --data-dir (or set ${CEC2022_DATA_ENVIRONMENT}).`,
    );
  }
  return resolved.directory;
}

function allCases(): { fn: number; dim: number }[] {
  const cases: { fn: number; dim: number }[] = [];
  for (let fn = 1; fn <= 12; fn++) for (const dim of [10, 20]) cases.push({ fn, dim });
  return cases;
}

/** Files of `directory` whose SHA-256 differs from the official file's (missing files are skipped). */
export function modifiedCec2022Files(directory: string): string[] {
  const modified: string[] = [];
  for (const [name, digest] of Object.entries(CEC2022_FILE_SHA256)) {
    const file = path.join(directory, name);
    if (!existsSync(file)) continue;
    if (createHash('sha256').update(readFileSync(file)).digest('hex') !== digest) modified.push(name);
  }
  return modified;
}

/** What `clade doctor` says about the CEC2022 data. */
export interface Cec2022DataStatus {
  directory: string;
  source: DataDirectorySource;
  /** Official files found there (of 42). */
  present: number;
  missing: string[];
  /** Files present whose SHA-256 is not the official one. */
  modified: string[];
  /** One line for people. */
  note: string;
}

/** Looks at the data directory `options` resolve to: which official files are there and intact. */
export function describeCec2022Data(options: DataDirectoryOptions = {}): Cec2022DataStatus {
  const { directory, source } = resolveCec2022DataDirectory(options);
  const names = Object.keys(CEC2022_FILE_SHA256);
  const missing = names.filter((name) => !existsSync(path.join(directory, name)));
  const modified = modifiedCec2022Files(directory);
  const present = names.length - missing.length;
  const where = `${directory} (from ${SOURCE_NAMES[source]})`;
  const note =
    missing.length === 0 && modified.length === 0
      ? `all ${names.length} official files in ${where}`
      : present === 0
        ? `not found in ${where}: run \`clade data fetch cec2022\`, or pass --data-dir / set ${CEC2022_DATA_ENVIRONMENT}`
        : `${present} of ${names.length} files in ${where}` +
          (missing.length > 0 ? `, ${missing.length} missing` : '') +
          (modified.length > 0
            ? `, ${modified.length} differ from the official files (${modified.slice(0, 3).join(', ')})`
            : '') +
          ': run `clade data fetch cec2022`';
  return { directory, source, present, missing, modified, note };
}
