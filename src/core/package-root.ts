/**
 * @module Where clade's own files are: the package root (the directory whose `package.json` is named
 * `clade`), found by walking up from this module. It holds in a checkout (sources run by tsx or
 * vitest), in `dist/`, in an `npm install -g` from a clone or a tarball, and through `npm link`, so
 * the seed agents, presets (`benchmarks/`), examples, templates, sandbox files and shipped data are
 * found wherever the user runs `clade` from. Every place that locates a shipped file asks here.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CladeError } from './errors.js';

/** The `name` in clade's `package.json`. */
export const PACKAGE_NAME = 'clade';

let cachedRoot: string | null | undefined;

/**
 * The clade package root above `start` (default: this module's directory), or null when no
 * `package.json` named `clade` is there (clade's modules copied out of their package). The answer
 * for the default start is cached for the process.
 */
export function findPackageRoot(start?: string): string | null {
  if (start === undefined && cachedRoot !== undefined) return cachedRoot;
  let directory = start ?? path.dirname(fileURLToPath(import.meta.url));
  let found: string | null = null;
  for (;;) {
    const manifest = path.join(directory, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME) {
          found = directory;
          break;
        }
      } catch {
        // An unreadable package.json (or another package's): keep walking up.
      }
    }
    const parent = path.dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  if (start === undefined) cachedRoot = found;
  return found;
}

/**
 * The clade package root (see `findPackageRoot`).
 * @throws CladeError (`CONFIG_NOT_FOUND`) naming where it looked, when there is none.
 */
export function packageRoot(): string {
  const root = findPackageRoot();
  if (root === null) {
    const here = path.dirname(fileURLToPath(import.meta.url));
    throw new CladeError(
      'CONFIG_NOT_FOUND',
      `Could not find clade's package root above ${here} (no package.json named "${PACKAGE_NAME}"). ` +
        'Reinstall clade (npm install -g clade from its checkout or tarball), or run it from its checkout.',
    );
  }
  return root;
}

/** A path inside the clade package, e.g. `packagePath('benchmarks', 'demo.yaml')`. @throws as `packageRoot`. */
export function packagePath(...segments: string[]): string {
  return path.join(packageRoot(), ...segments);
}
