#!/usr/bin/env node
/**
 * @module Bundles the in-sandbox harness (`sandbox/harness/main.ts`) into one JavaScript file,
 * `dist/sandbox/harness.mjs`, that needs nothing but node. Run by `npm run build` after tsc.
 * The options match `buildHarnessFromSources` in `src/harness/load-harness.ts` (a test compares them).
 *
 * Usage: node scripts/build-harness.mjs [--outfile PATH]
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'sandbox/harness/main.ts');

const outfileFlag = process.argv.indexOf('--outfile');
const outfile =
  outfileFlag >= 0 && process.argv[outfileFlag + 1]
    ? resolve(process.argv[outfileFlag + 1])
    : join(root, 'dist/sandbox/harness.mjs');

const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
const protocol = /export const HARNESS_VERSION = '([^']+)'/.exec(await readFile(entry, 'utf8'))?.[1];
if (protocol === undefined) {
  console.error(`build-harness: HARNESS_VERSION not found in ${entry}`);
  process.exit(1);
}
const banner = `// clade sandbox harness, protocol ${protocol}, clade ${manifest.version}. Generated from sandbox/harness/main.ts; do not edit.`;

try {
  const output = await build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
    banner: { js: banner },
  });
  const file = output.outputFiles[0];
  if (file === undefined) throw new Error('esbuild produced no output');
  await mkdir(dirname(outfile), { recursive: true });
  await writeFile(outfile, file.text);
  console.log(`build-harness: wrote ${outfile} (${file.contents.length} bytes)`);
} catch (error) {
  const messages = error?.errors?.map(
    (message) => `${message.location?.file ?? '?'}:${message.location?.line ?? '?'}: ${message.text}`,
  ) ?? [String(error)];
  console.error(`build-harness: could not bundle ${entry}:\n${messages.join('\n')}`);
  process.exit(1);
}
