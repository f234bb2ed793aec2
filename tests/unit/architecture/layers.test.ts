/**
 * The house's layering, checked on the sources: imports point toward `core`, and the few rules the
 * plug-in design depends on hold (docs/ARCHITECTURE.md). A new import that runs back up a layer
 * fails here, naming the file and the import.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SOURCE = path.resolve(import.meta.dirname, '../../../src');

interface Import {
  /** The importing file, relative to src/ (e.g. `mutation/llm-setup.ts`). */
  file: string;
  /** The imported module, resolved relative to src/ (e.g. `tasks/types.ts`). */
  target: string;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function importsOf(): Import[] {
  const found: Import[] = [];
  for (const full of sourceFiles(SOURCE)) {
    const text = readFileSync(full, 'utf8');
    const file = path.relative(SOURCE, full).split(path.sep).join('/');
    // Static imports and re-exports (`… from './x.js'`) and dynamic ones (`import('./x.js')`).
    for (const match of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*)'(\.{1,2}\/[^']+)'/g)) {
      const specifier = match[1] as string;
      const resolved = path
        .relative(SOURCE, path.resolve(path.dirname(full), specifier))
        .split(path.sep)
        .join('/');
      found.push({ file, target: resolved.replace(/\.js$/, '.ts') });
    }
  }
  return found;
}

const imports = importsOf();
const areaOf = (file: string): string => (file.includes('/') ? (file.split('/')[0] as string) : '');

function offending(rule: (each: Import) => boolean): string[] {
  return imports.filter(rule).map((each) => `${each.file} imports ${each.target}`);
}

describe('the layers of src/', () => {
  it('finds the sources and their imports (the check below is not vacuous)', () => {
    expect(imports.length).toBeGreaterThan(300);
    expect(imports.some((each) => each.file === 'create-campaign.ts' && each.target === 'tasks/registry.ts')).toBe(
      true,
    );
  });

  it('core imports nothing from the other areas', () => {
    expect(offending((each) => areaOf(each.file) === 'core' && areaOf(each.target) !== 'core')).toEqual([]);
  });

  it('config imports only core', () => {
    expect(
      offending((each) => areaOf(each.file) === 'config' && !['core', 'config'].includes(areaOf(each.target))),
    ).toEqual([]);
  });

  it('numeric is a pure library: only core', () => {
    expect(
      offending((each) => areaOf(each.file) === 'numeric' && !['core', 'numeric'].includes(areaOf(each.target))),
    ).toEqual([]);
  });

  it('harness sits below tasks: nothing from tasks, mutation, benchmark or campaign', () => {
    expect(
      offending(
        (each) =>
          areaOf(each.file) === 'harness' &&
          ['tasks', 'mutation', 'benchmark', 'campaign'].includes(areaOf(each.target)),
      ),
    ).toEqual([]);
  });

  it('mutation imports nothing from tasks, and of sandbox only its interface', () => {
    expect(
      offending(
        (each) =>
          areaOf(each.file) === 'mutation' &&
          (areaOf(each.target) === 'tasks' ||
            (areaOf(each.target) === 'sandbox' && each.target !== 'sandbox/types.ts')),
      ),
    ).toEqual([]);
  });

  it('the campaign loop imports no selector internals', () => {
    expect(
      offending(
        (each) =>
          each.file === 'campaign/run-campaign.ts' &&
          areaOf(each.target) === 'selection' &&
          // The selection interface, and the journaled pool of candidates the loop keeps for it.
          !['selection/types.ts', 'selection/candidate-pool.ts'].includes(each.target),
      ),
    ).toEqual([]);
  });

  it('no plug-in area imports the wiring above it (create-campaign, campaign-file, cli)', () => {
    const top = new Set(['create-campaign.ts', 'campaign-file.ts', 'index.ts']);
    expect(
      offending(
        (each) =>
          areaOf(each.file) !== '' &&
          areaOf(each.file) !== 'cli' &&
          (top.has(each.target) || areaOf(each.target) === 'cli'),
      ),
    ).toEqual([]);
  });
});
