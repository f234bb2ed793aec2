#!/usr/bin/env node
/**
 * @module Copies the LLM mutators' prompt templates (`src/mutation/prompts/*.md`) next to the
 * compiled mutators in `dist/src/mutation/prompts/`: tsc compiles TypeScript only, and
 * `prompt-templates.ts` reads the templates beside itself. Run by `npm run build` after tsc.
 */
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src/mutation/prompts');
const target = join(root, 'dist/src/mutation/prompts');

await mkdir(target, { recursive: true });
const names = (await readdir(source)).filter((name) => name.endsWith('.md'));
for (const name of names) await copyFile(join(source, name), join(target, name));
console.log(`copy-prompts: copied ${names.length} templates to ${target}`);
