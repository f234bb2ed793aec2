/**
 * @module `clade data fetch cec2022`: downloads the official CEC2022 archive from the
 * competition's public repository (P-N-Suganthan/2022-SO-BO on GitHub), extracts the 42 data
 * files of `C-Code/input_data/`, checks each against its SHA-256, and writes them into the
 * cache directory. `fetch` is injected, so tests run it against a local server.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CladeError, describeError } from '../../core/errors.js';
import { CEC2022_FILE_SHA256 } from './data-directory.js';
import { readZipEntries } from './zip-reader.js';

/** The official archive (the repository's default branch is tried first, then `master`). */
export const CEC2022_ARCHIVE_URLS: readonly string[] = Object.freeze([
  'https://github.com/P-N-Suganthan/2022-SO-BO/raw/main/CEC2022.zip',
  'https://github.com/P-N-Suganthan/2022-SO-BO/raw/master/CEC2022.zip',
]);

export interface FetchCec2022Options {
  /** Directory to write the files into (created). */
  directory: string;
  /** Archive URLs to try in order (default `CEC2022_ARCHIVE_URLS`). */
  urls?: readonly string[];
  fetch?: typeof globalThis.fetch;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Per-download time limit. Default 120000. */
  timeoutMs?: number;
}

export interface FetchCec2022Result {
  directory: string;
  url: string;
  files: string[];
}

/**
 * Downloads and installs the official data files.
 *
 * @throws CladeError `DATA_FETCH_FAILED` when no URL could be downloaded (network, HTTP status),
 *   the archive is not a ZIP, or it lacks a file or holds one whose checksum differs; the message
 *   says how to install the files by hand.
 */
export async function fetchCec2022Data(options: FetchCec2022Options): Promise<FetchCec2022Result> {
  const urls = options.urls ?? CEC2022_ARCHIVE_URLS;
  const fetchFunction = options.fetch ?? globalThis.fetch;
  const log = options.log ?? (() => {});
  const failures: string[] = [];
  let archive: Buffer | null = null;
  let source = '';
  for (const url of urls) {
    log(`Downloading ${url} …`);
    try {
      const response = await fetchFunction(url, {
        redirect: 'follow',
        signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
      });
      if (!response.ok) {
        failures.push(`${url}: HTTP ${response.status} ${response.statusText}`.trim());
        continue;
      }
      archive = Buffer.from(await response.arrayBuffer());
      source = url;
      break;
    } catch (error) {
      failures.push(`${url}: ${describeError(error)}${causeOf(error)}`);
    }
  }
  const byHand =
    `Without network access, download CEC2022.zip from https://github.com/P-N-Suganthan/2022-SO-BO elsewhere, ` +
    `and copy the 42 files of its C-Code/input_data/ into ${options.directory}, ` +
    'or into any directory that you then pass with --data-dir (or CLADE_CEC2022_DATA).';
  if (archive === null) {
    throw new CladeError(
      'DATA_FETCH_FAILED',
      `Could not download the CEC2022 data:\n  ${failures.join('\n  ')}\n${byHand}`,
      { isRetryable: true },
    );
  }
  let entries: ReturnType<typeof readZipEntries>;
  try {
    entries = readZipEntries(archive);
  } catch (error) {
    throw new CladeError(
      'DATA_FETCH_FAILED',
      `${source} is not a usable ZIP archive: ${describeError(error)}. ${byHand}`,
    );
  }
  const chosen = new Map<string, Buffer>();
  const mismatched: string[] = [];
  // Prefer the C code's copy when the archive holds several (C, Matlab, Python folders).
  const ordered = [...entries].sort((a, b) => rank(a.name) - rank(b.name));
  for (const entry of ordered) {
    const name = entry.name.split('/').pop() ?? '';
    const digest = CEC2022_FILE_SHA256[name];
    if (digest === undefined || chosen.has(name)) continue;
    const contents = entry.read();
    if (createHash('sha256').update(contents).digest('hex') === digest) chosen.set(name, contents);
    else mismatched.push(entry.name);
  }
  const missing = Object.keys(CEC2022_FILE_SHA256).filter((name) => !chosen.has(name));
  if (missing.length > 0) {
    throw new CladeError(
      'DATA_FETCH_FAILED',
      `${source} lacks ${missing.length} official data file(s) (${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ' …' : ''})` +
        (mismatched.length > 0
          ? `; these differ from the official checksums: ${mismatched.slice(0, 4).join(', ')}`
          : '') +
        `. ${byHand}`,
    );
  }
  mkdirSync(options.directory, { recursive: true });
  for (const [name, contents] of chosen) {
    const target = path.join(options.directory, name);
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, contents);
    renameSync(temporary, target);
  }
  log(`Wrote ${chosen.size} files to ${options.directory}.`);
  return { directory: options.directory, url: source, files: [...chosen.keys()].sort() };
}

function rank(name: string): number {
  if (/(^|\/)C-Code\/input_data\//i.test(name)) return 0;
  if (/input_data\//i.test(name)) return 1;
  return 2;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause === undefined ? '' : ` (${describeError(cause)})`;
}
