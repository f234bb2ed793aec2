#!/usr/bin/env node
/**
 * @module Copies the viewer page (`src/viewer/static/*`: HTML, CSS and browser JavaScript, no build
 * step of their own) to `dist/src/viewer/static/`, beside the compiled server, which reads them
 * from there. Run by `npm run build` after tsc.
 */
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src/viewer/static');
const target = join(root, 'dist/src/viewer/static');
const shipped = /\.(html|css|js)$/;

try {
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  const names = (await readdir(source)).filter((name) => shipped.test(name)).sort();
  for (const name of names) await copyFile(join(source, name), join(target, name));
  console.log(`build-viewer: copied ${names.length} files to ${target}`);
} catch (error) {
  console.error(`build-viewer: could not copy the viewer page from ${source}: ${error?.message ?? error}`);
  process.exit(1);
}
