/**
 * @module docs/CONFIGURATION.md is generated from the campaign-file schema (scripts/gen-config-docs.mjs
 * reads the built schema and the doc comments in the sources). These tests fail when the committed
 * file is not what the generator writes now (a field added, renamed, re-defaulted or re-documented
 * without `npm run docs`), and when a field has no words of its own.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const generator = path.join(repositoryRoot, 'scripts/gen-config-docs.mjs');
const committedFile = path.join(repositoryRoot, 'docs/CONFIGURATION.md');

interface Generator {
  renderConfigurationDoc(root?: string): Promise<string>;
}

let generated = '';

beforeAll(async () => {
  const module = (await import(pathToFileURL(generator).href)) as Generator;
  generated = await module.renderConfigurationDoc(repositoryRoot);
});

/** The rows of the field tables: `| \`path\` | type | default | meaning |`. */
function fieldRows(markdown: string): { field: string; type: string; fallback: string; meaning: string }[] {
  const rows = [];
  for (const line of markdown.split('\n')) {
    const match = /^\| `([^`]+)` \| (.*) \| (.*) \| (.*) \|$/.exec(line);
    if (match === null) continue;
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
    if (cells.length !== 4) continue;
    rows.push({
      field: match[1] as string,
      type: cells[1] as string,
      fallback: cells[2] as string,
      meaning: cells[3] as string,
    });
  }
  return rows;
}

describe('docs/CONFIGURATION.md', () => {
  it('is exactly what scripts/gen-config-docs.mjs writes from the current schema (run `npm run build && npm run docs`)', () => {
    const committed = readFileSync(committedFile, 'utf8');
    if (committed !== generated) {
      const committedLines = committed.split('\n');
      const generatedLines = generated.split('\n');
      const first = generatedLines.findIndex((line, index) => committedLines[index] !== line);
      expect.fail(
        `docs/CONFIGURATION.md is out of date; first difference at line ${first + 1}:\n` +
          `  committed: ${committedLines[first] ?? '(end of file)'}\n  generated: ${generatedLines[first] ?? '(end of file)'}\n` +
          'Run `npm run build && npm run docs` and commit the file.',
      );
    }
  });

  it('lists the fields of every section with a type, a default and a meaning', () => {
    const rows = fieldRows(generated);
    const fields = rows.map((row) => row.field);
    for (const expected of [
      'name',
      'agent',
      'task.problems[].fn',
      'task.limits.maxSteps',
      'task.evaluator',
      'task.command',
      'mutation.models[].baseURL',
      'mutation.agentLimits.timeoutSeconds',
      'selection.strategy',
      'selection.mapElites.features',
      'evaluation.stages[].threshold',
      'budget.usd',
      'sandbox.image',
      'executor.redis',
      'agentModel.budget.calls',
      'prices.<name>.input',
    ]) {
      expect(fields, `no row for ${expected}`).toContain(expected);
    }
    const withoutMeaning = rows.filter((row) => row.meaning === '').map((row) => row.field);
    expect(withoutMeaning, 'fields without a doc comment in the sources: add one above the field').toEqual([]);
    for (const row of rows) {
      expect(row.type, `${row.field} has no type`).not.toBe('');
      expect(row.fallback, `${row.field} has no default column`).not.toBe('');
    }
  });

  it('shows the defaults the schema applies', () => {
    const rows = new Map(fieldRows(generated).map((row) => [row.field, row]));
    expect(rows.get('sandbox.timeoutSeconds')?.fallback).toBe('`60`');
    expect(rows.get('selection.strategy')?.fallback).toBe('`"dgm"`');
    expect(rows.get('task.errorFloor')?.fallback).toBe('`1e-8`');
    expect(rows.get('name')?.fallback).toBe('**required**');
  });
});
