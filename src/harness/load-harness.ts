/**
 * @module Loads the in-sandbox harness as one JavaScript source (see `sandbox/harness/main.ts`),
 * ready to be written into a sandbox next to the bundled agent and `input.json`: the built bundle,
 * or a fresh in-memory bundle of the sources in a checkout being edited.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError, SandboxError } from '../core/errors.js';
import { findPackageRoot } from '../core/package-root.js';
import { HARNESS_VERSION } from './types.js';

/** Where `npm run build` puts the bundle, relative to the package root. */
const BUNDLE_PATH = 'dist/sandbox/harness.mjs';

/** The harness's entry source, relative to the package root. */
const SOURCE_ENTRY = 'sandbox/harness/main.ts';

let cached: Promise<string> | null = null;

/**
 * Returns the harness bundle's source. It reads `dist/sandbox/harness.mjs` under the clade
 * package root (found by walking up from this module to the `package.json` named `clade`); when
 * that file is missing, or older than a TypeScript source under `sandbox/` or `src/` (a
 * checkout being edited), it bundles `sandbox/harness/main.ts` in memory with esbuild instead.
 * The result is cached for the process.
 *
 * @throws SandboxError (`SANDBOX_UNAVAILABLE`) when neither the bundle nor the sources exist.
 */
export function loadHarness(): Promise<string> {
  cached ??= locateAndLoad().catch((error: unknown) => {
    cached = null; // A later call may succeed (after `npm run build`).
    throw error;
  });
  return cached;
}

async function locateAndLoad(): Promise<string> {
  const root = findPackageRoot();
  if (root === null) {
    throw new SandboxError(
      'SANDBOX_UNAVAILABLE',
      `Could not find the clade package root above ${dirname(fileURLToPath(import.meta.url))} (no package.json named "clade"). Reinstall clade or run \`npm run build\` in its checkout.`,
    );
  }
  const bundlePath = join(root, BUNDLE_PATH);
  const sourcePath = join(root, SOURCE_ENTRY);
  const hasBundle = existsSync(bundlePath);
  // The harness sources import `src/`, which only a checkout has (an installed package ships
  // `dist/` and `sandbox/` but not `src/`): only there may the bundle be stale.
  const hasSources = existsSync(sourcePath) && existsSync(join(root, 'src'));
  if (hasBundle && (!hasSources || !(await sourcesNewerThan(root, (await stat(bundlePath)).mtimeMs)))) {
    return readFile(bundlePath, 'utf8');
  }
  if (hasSources) return buildHarnessFromSources(root);
  throw new SandboxError(
    'SANDBOX_UNAVAILABLE',
    `The sandbox harness is missing: neither ${bundlePath} nor ${sourcePath} exists. Run \`npm run build\` in ${root}.`,
  );
}

/** Whether any `.ts` file under `sandbox/` or `src/` was modified after `time` (ms since the epoch). */
async function sourcesNewerThan(root: string, time: number): Promise<boolean> {
  const directories = [join(root, 'sandbox'), join(root, 'src')];
  while (directories.length > 0) {
    const directory = directories.pop() as string;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) directories.push(path);
      else if (entry.isFile() && entry.name.endsWith('.ts') && (await stat(path)).mtimeMs > time) return true;
    }
  }
  return false;
}

/**
 * Bundles `sandbox/harness/main.ts` under `root` with esbuild, in memory, with the same options
 * as `scripts/build-harness.mjs` (keep them in step; a test compares the two outputs).
 */
export async function buildHarnessFromSources(root: string): Promise<string> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (error) {
    throw new SandboxError(
      'SANDBOX_UNAVAILABLE',
      `Cannot bundle the sandbox harness: esbuild is not installed (${describeError(error)}). Run \`npm install\` and \`npm run build\`.`,
      { cause: error },
    );
  }
  let version = 'unknown';
  try {
    version = String(
      (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown',
    );
  } catch {
    // The banner is informative only.
  }
  try {
    const output = await esbuild.build({
      entryPoints: [join(root, SOURCE_ENTRY)],
      absWorkingDir: root,
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: false,
      legalComments: 'none',
      logLevel: 'silent',
      banner: { js: harnessBanner(version) },
    });
    const file = output.outputFiles[0];
    if (file === undefined) throw new Error('esbuild produced no output');
    return file.text;
  } catch (error) {
    throw new SandboxError(
      'SANDBOX_FAILED',
      `Could not bundle the sandbox harness from ${join(root, SOURCE_ENTRY)}: ${describeError(error)}`,
      { cause: error },
    );
  }
}

/** The comment at the top of the bundle (the same text as `scripts/build-harness.mjs` writes). */
function harnessBanner(packageVersion: string): string {
  return `// clade sandbox harness, protocol ${HARNESS_VERSION}, clade ${packageVersion}. Generated from sandbox/harness/main.ts; do not edit.`;
}
