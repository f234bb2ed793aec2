import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAgentDirectory } from '../../../src/campaign/agent-directory.js';
import { editableRegions, evolveBlockRanges } from '../../../src/mutation/edit-regions.js';
import { applyDiffAnswer, applyRewriteAnswer, summaryLine } from '../../../src/mutation/llm-mutator.js';
import { applySearchReplace, parseSearchReplace } from '../../../src/mutation/search-replace.js';
import { repositoryRoot, seedAgent } from '../../helpers/campaign-fixture.js';

const answer = (name: string): string => readFileSync(path.join(repositoryRoot, 'tests/fixtures/model', name), 'utf8');

const seed = await readAgentDirectory(seedAgent);

const sample = {
  'main.ts': [
    'import { helper } from "./helper.js";',
    '// EVOLVE-BLOCK-START',
    'export function score(x: number): number {',
    '  if (x > 0) {',
    '    return x * 2;',
    '  }',
    '  return 0;',
    '}',
    '// EVOLVE-BLOCK-END',
    'export const fixed = 1;',
    'export function twice(x: number): number {',
    '  return x * 2;',
    '}',
    '',
  ].join('\n'),
  'helper.ts': 'export const helper = 1;\n',
};

describe('EVOLVE-BLOCK regions', () => {
  it('are the lines strictly between the markers; unmarked files are not editable when any file is marked', () => {
    expect(evolveBlockRanges(sample['main.ts'])).toEqual([{ start: 2, end: 8 }]);
    const regions = editableRegions(sample);
    expect([...regions.keys()]).toEqual(['main.ts']);
    // The seed agent's README mentions the markers; only its code counts.
    expect([...editableRegions(seed).keys()]).toEqual(['optimizer.ts']);
    const unmarked = editableRegions({ 'a.ts': 'one\ntwo\n' });
    expect(unmarked.get('a.ts')).toEqual([{ start: 0, end: 3 }]);
  });
});

describe('parsing SEARCH/REPLACE answers', () => {
  it('finds blocks inside fences with the path on the line before', () => {
    const parsed = parseSearchReplace(answer('answer-diff-crossover.md'));
    expect(parsed.blocks).toHaveLength(2);
    expect(parsed.blocks[0]?.file).toBe('optimizer.ts');
    expect(parsed.blocks[1]?.search).toContain("'rand1'");
    expect(parseSearchReplace(answer('answer-diff-indented.md')).blocks[0]?.file).toBe('optimizer.ts');
  });

  it('reports a block that is never closed', () => {
    const parsed = parseSearchReplace('x.ts\n<<<<<<< SEARCH\nold\n=======\nnew\n');
    expect(parsed.blocks).toHaveLength(0);
    expect(parsed.malformed[0]).toMatch(/no >>>>>>> REPLACE/);
  });
});

describe('applying edits', () => {
  it('applies a realistic answer to the seed agent, inside its EVOLVE-BLOCK', () => {
    const outcome = applyDiffAnswer(seed, answer('answer-diff-crossover.md'));
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.changed).toEqual(['optimizer.ts']);
    expect(outcome.files['optimizer.ts']).toContain(
      "const STRATEGY = /* @evolve choice rand1|best1|current-to-pbest1 */ 'current-to-pbest1';",
    );
    expect(outcome.files['optimizer.ts']).toContain('const CROSSOVER_RATE = /* @evolve float 0..1 */ 0.5;');
    expect(outcome.files['types.ts']).toBe(seed['types.ts']);
  });

  it('tolerates different indentation and inner whitespace, and re-indents the replacement', () => {
    const outcome = applyDiffAnswer(seed, answer('answer-diff-indented.md'));
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.files['optimizer.ts']).toContain('\nconst POPULATION_PER_DIMENSION = /* @evolve int 2..30 */ 6;\n');

    const nested = applySearchReplace(sample, [
      { file: 'main.ts', search: 'if (x > 0) {\n  return x * 2;\n}', replace: 'if (x > 0) {\n  return x * 3;\n}' },
    ]);
    expect(nested.ok).toBe(true);
    if (nested.ok) expect(nested.files['main.ts']).toContain('  if (x > 0) {\n    return x * 3;\n  }');
  });

  it('shows the nearest lines when the SEARCH text is stale', () => {
    const outcome = applyDiffAnswer(seed, answer('answer-diff-stale.md'));
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error).toMatch(/matches nothing in optimizer.ts/);
    expect(outcome.error).toMatch(/nearest lines are optimizer.ts 14–15/);
    expect(outcome.error).toContain('! 15 | const DIFFERENTIAL_WEIGHT = /* @evolve float 0..2 */ 0.5;');
    expect(outcome.error).toContain('  14 | /** Scale factor F of difference vectors. */');
  });

  it('refuses an edit outside the EVOLVE-BLOCK regions', () => {
    const outcome = applyDiffAnswer(seed, answer('answer-diff-outside.md'));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok)
      expect(outcome.error).toMatch(
        /found at optimizer.ts line 38, which is outside the editable region \(lines 14–29\)/,
      );
  });

  it('refuses an ambiguous match, and uses the one inside the block when the other is outside', () => {
    const ambiguous = applySearchReplace(
      { 'a.ts': '// EVOLVE-BLOCK-START\nx = 1;\ny = 2;\nx = 1;\n// EVOLVE-BLOCK-END\n' },
      [{ file: null, search: 'x = 1;', replace: 'x = 5;' }],
    );
    expect(ambiguous.ok).toBe(false);
    if (!ambiguous.ok) expect(ambiguous.errors[0]).toMatch(/matches 2 places \(a.ts line 2, a.ts line 4\)/);

    const inside = applySearchReplace(sample, [{ file: null, search: 'return x * 2;', replace: 'return x * 4;' }]);
    expect(inside.ok).toBe(true);
    if (inside.ok) {
      expect(inside.files['main.ts']).toContain('    return x * 4;');
      expect(inside.files['main.ts']).toContain('export function twice(x: number): number {\n  return x * 2;');
    }
  });

  it('is atomic, refuses marker edits, unknown files and no-op edits; an empty SEARCH adds at the end of the block', () => {
    const mixed = applySearchReplace(sample, [
      { file: 'main.ts', search: 'return 0;', replace: 'return -1;' },
      { file: 'main.ts', search: 'return nothing;', replace: 'x' },
    ]);
    expect(mixed.ok).toBe(false);
    const marker = applySearchReplace(sample, [
      { file: 'main.ts', search: 'return 0;', replace: '// EVOLVE-BLOCK-END' },
    ]);
    expect(!marker.ok && marker.errors[0]).toMatch(/marker/);
    const unknown = applySearchReplace(sample, [{ file: 'nope.ts', search: 'return 0;', replace: 'x' }]);
    expect(!unknown.ok && unknown.errors[0]).toMatch(/no file "nope.ts".*main.ts/);
    const empty = applySearchReplace(sample, [{ file: 'main.ts', search: '\n', replace: 'export const added = 2;' }]);
    expect(empty.ok && empty.files['main.ts']).toContain(
      '  return 0;\n}\nexport const added = 2;\n// EVOLVE-BLOCK-END\n',
    );
    const noop = applyDiffAnswer(sample, 'main.ts\n<<<<<<< SEARCH\nreturn 0;\n=======\nreturn 0;\n>>>>>>> REPLACE\n');
    expect(!noop.ok && noop.error).toMatch(/change nothing/);
    const none = applyDiffAnswer(seed, answer('answer-no-edit.md'));
    expect(!none.ok && none.error).toMatch(/no SEARCH\/REPLACE block/);
  });
});

describe('whole-file rewrites', () => {
  it('takes the fenced file, keeps markers, refuses fragments and identical files', () => {
    const original = seed['optimizer.ts'] ?? '';
    const rewritten = original.replace("'rand1';", "'best1';");
    const outcome = applyRewriteAnswer(seed, `Use best1.\n\n\`\`\`typescript\n${rewritten}\`\`\`\n`, 'optimizer.ts');
    expect(outcome.ok).toBe(true);
    if (outcome.ok) expect(outcome.files['optimizer.ts']).toBe(rewritten);
    const fragment = applyRewriteAnswer(seed, '```ts\nconst STRATEGY = "best1";\n```', 'optimizer.ts');
    expect(!fragment.ok && fragment.error).toMatch(/lost its EVOLVE-BLOCK-START/);
    const same = applyRewriteAnswer(seed, `\`\`\`ts\n${original}\`\`\``, 'optimizer.ts');
    expect(!same.ok && same.error).toMatch(/identical/);
    const prose = applyRewriteAnswer(seed, answer('answer-no-edit.md'), 'optimizer.ts');
    expect(!prose.ok && prose.error).toMatch(/no fenced code block/);
  });

  it('summarises an answer by its first prose line', () => {
    expect(summaryLine(answer('answer-diff-crossover.md'), 'llm-diff')).toMatch(/^Switch to JADE-style/);
    expect(summaryLine('optimizer.ts\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE', 'llm-diff')).toBe('model edit');
  });
});
