/**
 * The layering issue 13 asks for, checked on the sources: `numeric/` is a pure library (nothing
 * from tasks/, sandbox/, harness/ or benchmark/), `harness/` sits below tasks/, and `mutation/`
 * imports nothing from tasks/ and, of sandbox/, only its types.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src');

/** Every `.ts` file under `src/<area>`, with the src-relative paths of the modules it imports. */
function importsOf(area: string): { file: string; imports: string[] }[] {
  const files: string[] = [];
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) files.push(full);
    }
  };
  walk(path.join(SOURCE, area));
  return files.map((file) => {
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(
      (match) => match[1] as string,
    );
    return {
      file: path.relative(SOURCE, file),
      imports: specifiers.map((specifier) => path.relative(SOURCE, path.resolve(path.dirname(file), specifier))),
    };
  });
}

function violations(area: string, forbidden: (target: string) => boolean): string[] {
  return importsOf(area).flatMap(({ file, imports }) =>
    imports.filter(forbidden).map((target) => `${file} imports ${target}`),
  );
}

describe('layers', () => {
  it('numeric/ imports nothing from tasks/, sandbox/, harness/ or benchmark/', () => {
    expect(violations('numeric', (target) => /^(tasks|sandbox|harness|benchmark)\//.test(target))).toEqual([]);
  });

  it('harness/ imports nothing from tasks/, mutation/, benchmark/ or campaign/', () => {
    expect(violations('harness', (target) => /^(tasks|mutation|benchmark|campaign)\//.test(target))).toEqual([]);
  });

  it('mutation/ imports nothing from tasks/ and only the types of sandbox/', () => {
    expect(
      violations(
        'mutation',
        (target) => target.startsWith('tasks/') || (target.startsWith('sandbox/') && target !== 'sandbox/types.js'),
      ),
    ).toEqual([]);
  });

  it('the checks see imports (a guard against a pattern that matches nothing)', () => {
    expect(importsOf('benchmark').some(({ imports }) => imports.includes('harness/run-harness.js'))).toBe(true);
  });
});
