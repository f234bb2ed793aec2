import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import type { AgentFiles, AgentNode } from '../../../src/core/types.js';
import {
  commentStylesFor,
  editableRegions,
  evolveBlockRanges,
  hasEvolveBlocks,
  markerExample,
  markerOnLine,
} from '../../../src/mutation/edit-regions.js';
import { applyEvolveValues, parseEvolveParameters } from '../../../src/mutation/evolve-annotations.js';
import { applyDiffAnswer, applyRewriteAnswer, rewriteTarget } from '../../../src/mutation/llm-mutator.js';
import { createParametricMutator } from '../../../src/mutation/parametric.js';
import { applySearchReplace } from '../../../src/mutation/search-replace.js';
import { checkSyntax } from '../../../src/mutation/syntax-check.js';

const PROGRAMS = new URL('./programs/', import.meta.url);

/** The fixture programs: Python, C, Lua, HTML, OCaml and a README that only quotes markers. */
function programs(): AgentFiles {
  const files: AgentFiles = {};
  for (const name of readdirSync(PROGRAMS)) files[name] = readFileSync(new URL(name, PROGRAMS), 'utf8');
  return files;
}

const files = programs();
const text = (name: string): string => files[name] as string;
const lineOf = (name: string, needle: string): number =>
  text(name)
    .split('\n')
    .findIndex((line) => line.includes(needle));

function node(id: number): AgentNode {
  return {
    id,
    parentId: id === 0 ? null : 0,
    commit: `c${id}`,
    status: 'scored',
    score: 0.5,
    publicMetrics: {},
    privateMetrics: {},
    mutation: { operator: 'seed', summary: 'seed' },
    error: null,
    iteration: id,
    createdAt: '2026-01-01T00:00:00.000Z',
    evaluatedAt: '2026-01-01T00:00:01.000Z',
  };
}

describe('EVOLVE-BLOCK markers in every language', () => {
  it('chooses comment styles by extension, and accepts every style for unknown extensions', () => {
    expect(commentStylesFor('pack.py').map((style) => style.open)).toEqual(['#']);
    expect(commentStylesFor('src/newton.c').map((style) => style.open)).toEqual(['//', '/*']);
    expect(commentStylesFor('tune.lua').map((style) => style.open)).toEqual(['--']);
    expect(commentStylesFor('page.HTML').map((style) => style.open)).toEqual(['<!--']);
    expect(commentStylesFor('solver.ml').map((style) => style.open)).toEqual(['(*']);
    expect(commentStylesFor('model.lisp').map((style) => style.open)).toEqual([';']);
    expect(commentStylesFor('fit.m').map((style) => style.open)).toEqual(['%']);
    expect(commentStylesFor('Makefile').map((style) => style.open)).toEqual(['#']);
    expect(commentStylesFor('data.json')).toEqual([]);
    expect(commentStylesFor('notes.txt')).toEqual([]);
    expect(commentStylesFor('docs/README')).toEqual([]);
    expect(commentStylesFor('rules.unknown').length).toBe(9);
    expect(markerExample('pack.py')).toBe('# EVOLVE-BLOCK-START');
    expect(markerExample('solver.ml', 'EVOLVE-BLOCK-END')).toBe('(* EVOLVE-BLOCK-END *)');
  });

  it('finds the blocks of the Python, C, Lua, HTML and OCaml programs, and none in the README', () => {
    const regions = editableRegions(files);
    expect([...regions.keys()].sort()).toEqual(['newton.c', 'pack.py', 'page.html', 'solver.ml', 'tune.lua']);
    // Ranges are the lines strictly between the marker lines (0-based, end exclusive).
    expect(regions.get('pack.py')).toEqual([
      { start: lineOf('pack.py', '# EVOLVE-BLOCK-START') + 1, end: lineOf('pack.py', '# EVOLVE-BLOCK-END') },
      { start: lineOf('pack.py', 'if __name__') + 1, end: text('pack.py').split('\n').length - 2 },
    ]);
    expect(regions.get('newton.c')).toEqual([{ start: 3, end: 12 }]);
    expect(regions.get('tune.lua')).toEqual([{ start: 3, end: 6 }]);
    expect(regions.get('page.html')).toEqual([{ start: 5, end: 7 }]);
    expect(regions.get('solver.ml')).toEqual([{ start: 4, end: 10 }]);
  });

  it('counts a marker only in a comment of its own language', () => {
    expect(markerOnLine('pack.py', 'x = 1  # EVOLVE-BLOCK-START')).toBe('start');
    expect(markerOnLine('pack.py', '## ---- EVOLVE-BLOCK-END ----')).toBe('end');
    expect(markerOnLine('pack.py', '// EVOLVE-BLOCK-START')).toBeNull();
    expect(markerOnLine('pack.py', 'EVOLVE-BLOCK-START')).toBeNull();
    expect(markerOnLine('pack.py', '# EVOLVE-BLOCK-STARTED')).toBeNull();
    expect(markerOnLine('pack.py', '# see the EVOLVE-BLOCK-START marker')).toBeNull();
    expect(markerOnLine('kernel.rs', '//! EVOLVE-BLOCK-START')).toBe('start');
    expect(markerOnLine('kernel.rs', '/** EVOLVE-BLOCK-END */')).toBe('end');
    expect(markerOnLine('kernel.rs', ' * EVOLVE-BLOCK-START inside a doc comment')).toBeNull();
    expect(markerOnLine('model.lisp', ';;; EVOLVE-BLOCK-START')).toBe('start');
    expect(markerOnLine('fit.m', '%% EVOLVE-BLOCK-END')).toBe('end');
    expect(markerOnLine('Lib.hs', '{- EVOLVE-BLOCK-START -}')).toBe('start');
    expect(markerOnLine('page.html', '<p>// EVOLVE-BLOCK-START</p>')).toBeNull();
    expect(markerOnLine('data.json', '"// EVOLVE-BLOCK-START"')).toBeNull();
    for (const line of [
      '# EVOLVE-BLOCK-START',
      '-- EVOLVE-BLOCK-START',
      '(* EVOLVE-BLOCK-START *)',
      '% EVOLVE-BLOCK-START',
    ]) {
      expect(markerOnLine('rules.unknown', line)).toBe('start');
    }
    // A Python file written with C markers has no blocks, so the whole tree is editable.
    expect(evolveBlockRanges('// EVOLVE-BLOCK-START\nx = 1\n// EVOLVE-BLOCK-END\n', 'wrong.py')).toBeNull();
    expect(hasEvolveBlocks({ 'wrong.py': '// EVOLVE-BLOCK-START\nx = 1\n// EVOLVE-BLOCK-END\n' })).toBe(false);
    expect(hasEvolveBlocks({ 'README.md': text('README.md') })).toBe(false);
    // A note that quotes a marker does not switch the tree to marked mode.
    const noted = { 'solve.py': 'x = 1\n', 'NOTES.txt': 'Wrap code in # EVOLVE-BLOCK-START and # EVOLVE-BLOCK-END.\n' };
    expect([...editableRegions(noted).keys()].sort()).toEqual(['NOTES.txt', 'solve.py']);
  });

  it('makes only marked files editable when any file is marked (README and helpers stay fixed)', () => {
    const tree = {
      'pack.py': text('pack.py'),
      'helper.py': 'def helper():\n    return 1\n',
      'README.md': text('README.md'),
    };
    expect([...editableRegions(tree).keys()]).toEqual(['pack.py']);
    const unmarked = { 'helper.py': 'def helper():\n    return 1\n', 'README.md': text('README.md') };
    expect([...editableRegions(unmarked).keys()].sort()).toEqual(['README.md', 'helper.py']);
  });
});

describe('@evolve annotations in every language', () => {
  const { parameters, errors } = parseEvolveParameters(files);
  const found = new Map(parameters.map((parameter) => [parameter.key, parameter]));

  it('reads trailing line comments, leading and trailing block comments, and ignores annotations outside blocks', () => {
    expect(errors).toEqual([]);
    expect(parameters.map((parameter) => [parameter.key, parameter.kind, parameter.literal])).toEqual([
      ['newton.c#STEPS', 'int', '40'],
      ['newton.c#RATE', 'float', '0.25'],
      ['newton.c#DAMPING', 'float', '0.5'],
      ['newton.c#MODE', 'choice', '"fast"'],
      ['pack.py#SHRINK', 'float', '0.97'],
      ['pack.py#LAYOUT', 'choice', '"hex"'],
      ['pack.py#PASSES', 'int', '3'],
      ['page.html#0', 'int', '4'],
      ['page.html#1', 'float', '0.75'],
      ['solver.ml#steps', 'int', '8'],
      ['solver.ml#damping', 'float', '0.9'],
      ['solver.ml#strategy', 'choice', '"newton"'],
      ['tune.lua#rate', 'float', '0.5'],
      ['tune.lua#mode', 'choice', "'greedy'"],
      ['tune.lua#restarts', 'int', '4'],
    ]);
    expect(found.has('pack.py#GRID')).toBe(false);
    expect(found.get('newton.c#RATE')).toMatchObject({ low: 0.01, high: 1, log: true, value: 0.25 });
    expect(found.get('pack.py#LAYOUT')).toMatchObject({ options: ['grid', 'hex'], value: 'hex', quote: '"' });
    // Spans point at the literal itself.
    for (const parameter of parameters) {
      expect(text(parameter.file).slice(parameter.span.start, parameter.span.end)).toBe(parameter.literal);
    }
  });

  it('reads Lisp, MATLAB, Erlang, SQL, shell and YAML annotations, with their names', () => {
    const more = parseEvolveParameters({
      'model.lisp':
        ';; EVOLVE-BLOCK-START\n(defparameter *mode* "fast") ; @evolve choice fast|slow\n;; EVOLVE-BLOCK-END\n',
      'fit.m': '% EVOLVE-BLOCK-START\nalpha = 0.5; % @evolve float 0..1\n% EVOLVE-BLOCK-END\n',
      'tune.erl': '%% EVOLVE-BLOCK-START\n-define(ROUNDS, 12). % @evolve int 1..99\n%% EVOLVE-BLOCK-END\n',
      'query.sql': '-- EVOLVE-BLOCK-START\nSELECT * FROM t LIMIT 10; -- @evolve int 1..100\n-- EVOLVE-BLOCK-END\n',
      'run.sh': '# EVOLVE-BLOCK-START\nTHREADS=4 # @evolve int 1..64\n# EVOLVE-BLOCK-END\n',
      'fit.r': '# EVOLVE-BLOCK-START\nlearning.rate <- 0.05 # @evolve float 0.001..1 log\n# EVOLVE-BLOCK-END\n',
      'config.yaml':
        '# EVOLVE-BLOCK-START\nsolver:\n  tolerance: 1e-6 # @evolve float 1e-9..1e-2 log\n# EVOLVE-BLOCK-END\n',
    });
    expect(more.errors).toEqual([]);
    expect(more.parameters.map((parameter) => [parameter.key, parameter.literal])).toEqual([
      ['config.yaml#tolerance', '1e-6'],
      ['fit.m#alpha', '0.5'],
      ['fit.r#learning.rate', '0.05'],
      ['model.lisp#*mode*', '"fast"'],
      ['query.sql#0', '10'],
      ['run.sh#THREADS', '4'],
      ['tune.erl#ROUNDS', '12'],
    ]);
  });

  it('reports a line annotation with no literal before it, in the language of the file', () => {
    const { parameters: none, errors: problems } = parseEvolveParameters({
      'bad.py':
        '# EVOLVE-BLOCK-START\nRATE = compute()  # @evolve float 0..1\nok = 1  # @evolve int 0..9\n# EVOLVE-BLOCK-END\n',
    });
    expect(none.map((parameter) => parameter.key)).toEqual(['bad.py#ok']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^bad\.py:2: expected a number literal ending the code before `# @evolve float 0\.\.1`/,
    );
    const kind = parseEvolveParameters({
      'bad.py': '# EVOLVE-BLOCK-START\nX = 1  # @evolve double 0..1\n# EVOLVE-BLOCK-END\n',
    });
    expect(kind.errors[0]).toMatch(/unknown kind "double".*`X = 0\.5 {2}# @evolve float LOW\.\.HIGH \[log\]`/);
  });

  it('writes new values into each language and leaves every other byte alone', () => {
    const values = {
      'pack.py#SHRINK': 0.8,
      'pack.py#LAYOUT': 'grid',
      'newton.c#STEPS': 100,
      'newton.c#MODE': 'careful',
      'tune.lua#mode': 'sweep',
      'page.html#0': 6,
      'solver.ml#damping': 0.5,
    };
    const changed = applyEvolveValues(files, parameters, values);
    expect(changed['pack.py']).toBe(
      text('pack.py').replace('SHRINK = 0.97', 'SHRINK = 0.8').replace('LAYOUT = "hex"', 'LAYOUT = "grid"'),
    );
    expect(changed['newton.c']).toContain('#define STEPS 100 // @evolve int 10..400');
    expect(changed['newton.c']).toContain('static const char *MODE = "careful"; /* @evolve choice fast|careful */');
    expect(changed['tune.lua']).toContain("local mode = 'sweep' -- @evolve choice greedy|random|sweep");
    expect(changed['page.html']).toContain('<td><!-- @evolve int 1..12 -->6</td>');
    expect(changed['solver.ml']).toContain('let damping = 0.5 (* @evolve float 0.1..1 *)');
    const again = parseEvolveParameters(changed);
    expect(again.errors).toEqual([]);
    const read = Object.fromEntries(again.parameters.map((parameter) => [parameter.key, parameter.value]));
    expect(read).toMatchObject({ ...values, 'pack.py#SHRINK': 0.8 });
  });

  it('lets the parametric mutator evolve a Python program whose child still parses', async () => {
    const mutator = createParametricMutator({
      operator: 'parametric',
      differentialWeight: 0.5,
      crossoverRate: 0.9,
      sigma: 0.2,
      choiceResample: 0.5,
    } as Parameters<typeof createParametricMutator>[0]);
    const tree = { 'pack.py': text('pack.py'), 'README.md': text('README.md') };
    for (let seed = 1; seed <= 5; seed++) {
      const result = await mutator.mutate({
        parent: { node: node(0), files: tree },
        inspirations: [],
        random: createRandom(seed),
      });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const child = result.files['pack.py'] as string;
      expect(child).not.toBe(tree['pack.py']);
      expect(result.files['README.md']).toBe(tree['README.md']);
      // Only the three annotated literals may differ.
      const strip = (source: string) => source.replace(/^(SHRINK|LAYOUT|PASSES) = \S+/gm, '$1 = _');
      expect(strip(child)).toBe(strip(tree['pack.py']));
      expect(await checkSyntax(result.files, ['pack.py'])).toBeNull();
    }
  });
});

describe('llm-diff edits in every language', () => {
  it('applies a SEARCH/REPLACE inside a Python block and refuses one outside', () => {
    const inside = applyDiffAnswer(
      files,
      'pack.py\n<<<<<<< SEARCH\n    radius = SHRINK * 0.5 / (GRID + 1)\n=======\n    radius = SHRINK * 0.52 / (GRID + 1)\n>>>>>>> REPLACE\n',
    );
    expect(inside.ok).toBe(true);
    if (inside.ok) expect(inside.changed).toEqual(['pack.py']);
    const outside = applyDiffAnswer(
      files,
      'pack.py\n<<<<<<< SEARCH\nimport math\n=======\nimport cmath\n>>>>>>> REPLACE\n',
    );
    expect(!outside.ok && outside.error).toMatch(/found at pack\.py line 2, which is outside the editable regions/);
    const html = applyDiffAnswer(
      files,
      'page.html\n<<<<<<< SEARCH\n<p class="lead">weight <!-- @evolve float 0..1 -->0.75</p>\n=======\n<p class="lead">weight <!-- @evolve float 0..1 -->0.6</p>\n>>>>>>> REPLACE\n',
    );
    expect(html.ok).toBe(true);
  });

  it('refuses a REPLACE that writes a marker in the comment style of the file only', () => {
    const marker = applySearchReplace(files, [
      { file: 'tune.lua', search: 'M.restarts = 4 -- @evolve int 0..16', replace: '-- EVOLVE-BLOCK-END' },
    ]);
    expect(!marker.ok && marker.errors[0]).toMatch(
      /REPLACE part contains an EVOLVE-BLOCK-START\/EVOLVE-BLOCK-END marker/,
    );
    // A Python string that quotes a C marker is no marker in Python.
    const quoted = applySearchReplace(files, [
      {
        file: 'pack.py',
        search: 'PASSES = 3  # @evolve int 1..10',
        replace: 'PASSES = 3  # @evolve int 1..10\nNOTE = "// EVOLVE-BLOCK-END"',
      },
    ]);
    expect(quoted.ok).toBe(true);
  });
});

describe('empty SEARCH inserts at the end of the block (aider, ShinkaEvolve)', () => {
  const one = '# EVOLVE-BLOCK-START\ndef f(x):\n    return x\n# EVOLVE-BLOCK-END\n';

  it('adds the REPLACE lines just before the END line, which stays on its own line', () => {
    const result = applySearchReplace({ 'main.py': one }, [
      { file: 'main.py', search: '', replace: 'def g(x):\n    return x * 2' },
    ]);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.files['main.py']).toBe(
        '# EVOLVE-BLOCK-START\ndef f(x):\n    return x\ndef g(x):\n    return x * 2\n# EVOLVE-BLOCK-END\n',
      );
    }
  });

  it('stays valid Python over consecutive insertions (ShinkaEvolve test_consecutive_insertions_stay_valid_python)', async () => {
    let current: AgentFiles = { 'main.py': one.trimEnd() };
    for (const payload of ['y = 2', 'z = 3']) {
      const answer = `main.py\n<<<<<<< SEARCH\n=======\n${payload}\n>>>>>>> REPLACE\n`;
      const outcome = applyDiffAnswer(current, answer);
      expect(outcome.ok).toBe(true);
      if (!outcome.ok) return;
      current = outcome.files;
    }
    expect(current['main.py']).toContain('y = 2\nz = 3\n# EVOLVE-BLOCK-END');
    expect(await checkSyntax(current, ['main.py'])).toBeNull();
  });

  it('keeps an indented END marker and the code on a marker line (ShinkaEvolve insertion cases)', () => {
    const indented = 'def outer():\n    # EVOLVE-BLOCK-START\n    x = 1\n    # EVOLVE-BLOCK-END\n    return x';
    const first = applySearchReplace({ 'a.py': indented }, [{ file: null, search: '\n', replace: '    y = 2' }]);
    expect(first.ok && first.files['a.py']).toBe(
      'def outer():\n    # EVOLVE-BLOCK-START\n    x = 1\n    y = 2\n    # EVOLVE-BLOCK-END\n    return x',
    );
    // clade: code on a marker line is outside the block, so an insertion goes before that line and keeps it whole.
    const coded =
      'def outer():\n    # EVOLVE-BLOCK-START\n    existing = 1\n    done = True  # EVOLVE-BLOCK-END\n    return existing';
    const second = applySearchReplace({ 'a.py': coded }, [{ file: 'a.py', search: '', replace: '    inserted = 2' }]);
    expect(second.ok && second.files['a.py']).toBe(
      'def outer():\n    # EVOLVE-BLOCK-START\n    existing = 1\n    inserted = 2\n    done = True  # EVOLVE-BLOCK-END\n    return existing',
    );
  });

  it('uses the last block of the file, works in OCaml, and asks for a path when several files are marked', () => {
    const python = applySearchReplace(files, [{ file: 'pack.py', search: '', replace: '    print("done")' }]);
    expect(python.ok).toBe(true);
    if (python.ok) expect(python.files['pack.py']).toContain('    main()\n    print("done")\n# EVOLVE-BLOCK-END\n');
    const ocaml = applySearchReplace(files, [
      { file: 'solver.ml', search: '', replace: 'let twice x = step (step x)' },
    ]);
    expect(ocaml.ok && ocaml.files['solver.ml']).toContain('let twice x = step (step x)\n(* EVOLVE-BLOCK-END *)');
    const ambiguous = applySearchReplace(files, [{ file: null, search: '', replace: 'x = 1' }]);
    expect(!ambiguous.ok && ambiguous.errors[0]).toMatch(
      /SEARCH part is empty, which adds the REPLACE lines at the end of an EVOLVE-BLOCK, but it could go into any of .*pack\.py.*Put the file's path/,
    );
    const unclosed = applySearchReplace({ 'a.py': '# EVOLVE-BLOCK-START\nx = 1\n' }, [
      { file: null, search: '', replace: 'y = 2' },
    ]);
    expect(!unclosed.ok && unclosed.errors[0]).toMatch(/but no file has a complete EVOLVE-BLOCK to add to/);
    const unmarked = applySearchReplace({ 'a.py': 'x = 1\n' }, [{ file: null, search: '', replace: 'y = 2' }]);
    expect(unmarked.ok && unmarked.files['a.py']).toBe('x = 1\ny = 2\n');
  });
});

describe('llm-rewrite keeps every byte outside the EVOLVE-BLOCKs', () => {
  const tree = { 'pack.py': text('pack.py'), 'README.md': text('README.md') };
  const original = text('pack.py');
  const fenced = (code: string) => `Shrink less.\n\n\`\`\`python\n${code}\`\`\`\n`;

  it('rewrites a Python file: only the blocks change', () => {
    expect(rewriteTarget(tree)).toBe('pack.py');
    const rewritten = original.replace('SHRINK = 0.97', 'SHRINK = 0.99');
    const outcome = applyRewriteAnswer(tree, fenced(rewritten), 'pack.py');
    expect(outcome.ok && outcome.files['pack.py']).toBe(rewritten);
  });

  it('refuses a rewrite that changes an import outside the block, naming the line', () => {
    const rewritten = original
      .replace('import math\n', 'import math, random\n')
      .replace('SHRINK = 0.97', 'SHRINK = 0.99');
    const outcome = applyRewriteAnswer(tree, fenced(rewritten), 'pack.py');
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error).toContain(
        'the new pack.py changes code outside the EVOLVE-BLOCKs, which must stay exactly as it is: line 2 is `import math`, and your line 2 is `import math, random`',
      );
      expect(outcome.error).toMatch(/such as an import, goes inside a block/);
    }
    const added = applyRewriteAnswer(
      tree,
      fenced(original.replace('def main():', 'import random\n\n\ndef main():')),
      'pack.py',
    );
    expect(!added.ok && added.error).toMatch(/you added line \d+, `import random`/);
  });

  it('keeps the code on a marker line: changing it is refused', () => {
    const rewritten = original.replace(
      'if __name__ == "__main__":  # EVOLVE-BLOCK-START',
      'if True:  # EVOLVE-BLOCK-START',
    );
    const outcome = applyRewriteAnswer(
      tree,
      fenced(rewritten.replace('    main()', '    main()\n    main()')),
      'pack.py',
    );
    expect(!outcome.ok && outcome.error).toMatch(
      /line 32 is `if __name__ == "__main__": {2}# EVOLVE-BLOCK-START`, and your line 32 is `if True:/,
    );
  });

  it("takes only the blocks when the outside differs in whitespace, so the outside bytes are the parent's", () => {
    const reformatted = original
      .replace('import math\nimport sys\n', 'import math\n\nimport sys   \n')
      .replace('SHRINK = 0.97', 'SHRINK = 0.95')
      .replace('    main()', '    main()\n    main()');
    const outcome = applyRewriteAnswer(tree, fenced(reformatted), 'pack.py');
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.files['pack.py']).toBe(
      original.replace('SHRINK = 0.97', 'SHRINK = 0.95').replace('    main()', '    main()\n    main()'),
    );
    // CRLF files keep CRLF.
    const crlf = { 'a.lua': '-- EVOLVE-BLOCK-START\r\nlocal a = 1\r\n-- EVOLVE-BLOCK-END\r\nreturn a\r\n' };
    const lua = applyRewriteAnswer(
      crlf,
      '```lua\n-- EVOLVE-BLOCK-START\nlocal a = 2\nlocal b = 3\n-- EVOLVE-BLOCK-END\nreturn a\n```',
      'a.lua',
    );
    expect(lua.ok && lua.files['a.lua']).toBe(
      '-- EVOLVE-BLOCK-START\r\nlocal a = 2\r\nlocal b = 3\r\n-- EVOLVE-BLOCK-END\r\nreturn a\r\n',
    );
  });

  it('refuses a rewrite with a different number of blocks, or none, and asks for the right fence', () => {
    const one = original.replace('if __name__ == "__main__":  # EVOLVE-BLOCK-START', 'if __name__ == "__main__":');
    const fewer = applyRewriteAnswer(tree, fenced(one.replace(/# EVOLVE-BLOCK-END\n$/, '')), 'pack.py');
    expect(!fewer.ok && fewer.error).toMatch(/has 1 EVOLVE-BLOCK and the current one 2 EVOLVE-BLOCKs/);
    const fragment = applyRewriteAnswer(tree, '```python\nSHRINK = 0.9\n```', 'pack.py');
    expect(!fragment.ok && fragment.error).toMatch(
      /lost its EVOLVE-BLOCK-START\/EVOLVE-BLOCK-END marker lines; keep them as they are \(`# EVOLVE-BLOCK-START` … `# EVOLVE-BLOCK-END`\)/,
    );
    // C-style markers in a Python file are no markers there.
    const wrongStyle = applyRewriteAnswer(
      tree,
      fenced(original.replaceAll('# EVOLVE-BLOCK', '// EVOLVE-BLOCK')),
      'pack.py',
    );
    expect(!wrongStyle.ok && wrongStyle.error).toMatch(/lost its EVOLVE-BLOCK-START/);
    const prose = applyRewriteAnswer(tree, 'No code here.', 'pack.py');
    expect(!prose.ok && prose.error).toMatch(/between ```python and ```/);
    const same = applyRewriteAnswer(tree, fenced(original), 'pack.py');
    expect(!same.ok && same.error).toMatch(/identical/);
  });
});

describe('Python syntax check (ast.parse on the host: reads, never runs)', () => {
  it('reports a syntax error with file, line and the Python version, and passes good code', async () => {
    const problems = await checkSyntax({ 'bad.py': 'def f(:\n    return 1\n', 'good.py': 'x = 1\n' }, [
      'bad.py',
      'good.py',
    ]);
    expect(problems).toMatch(/^bad\.py:1:\d+: .*\(Python 3\.\d+\)\n {4}def f\(:/);
    expect(problems).not.toContain('good.py');
    expect(await checkSyntax({ 'bad.py': 'def f(:\n' }, ['bad.py'], { python: false })).toBeNull();
    // An interpreter that cannot start leaves Python files unchecked rather than failing them.
    expect(await checkSyntax({ 'bad.py': 'def f(:\n' }, ['bad.py'], { python: '/nonexistent/python3' })).toBeNull();
  });

  it('does not execute the code it checks', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'clade-syntax-'));
    try {
      const marker = path.join(directory, 'ran');
      const source = `import pathlib\npathlib.Path(${JSON.stringify(marker)}).write_text("x")\nraise SystemExit(3)\n`;
      expect(await checkSyntax({ 'evil.py': source }, ['evil.py'])).toBeNull();
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('marker lines quoted in an edit', () => {
  const source = 'import math\nx = 0  # EVOLVE-BLOCK-START\nGUESS = 0.2\n# EVOLVE-BLOCK-END\nprint(x)\n';

  it('drops a marker line quoted unchanged in both SEARCH and REPLACE (ShinkaEvolve strips them too)', () => {
    const outcome = applySearchReplace({ 'a.py': source }, [
      { file: 'a.py', search: 'GUESS = 0.2\n# EVOLVE-BLOCK-END', replace: 'GUESS = 0.4\n# EVOLVE-BLOCK-END' },
    ]);
    expect(outcome.ok && outcome.files['a.py']).toBe(source.replace('GUESS = 0.2', 'GUESS = 0.4'));
    const start = applySearchReplace({ 'a.py': source }, [
      {
        file: 'a.py',
        search: 'x = 0  # EVOLVE-BLOCK-START\nGUESS = 0.2',
        replace: 'x = 0  # EVOLVE-BLOCK-START\nGUESS = 0.3',
      },
    ]);
    expect(start.ok && start.files['a.py']).toBe(source.replace('GUESS = 0.2', 'GUESS = 0.3'));
  });

  it('refuses to change the code on a marker line, or to move a marker', () => {
    const changed = applySearchReplace({ 'a.py': source }, [
      {
        file: 'a.py',
        search: 'x = 0  # EVOLVE-BLOCK-START\nGUESS = 0.2',
        replace: 'x = 1  # EVOLVE-BLOCK-START\nGUESS = 0.2',
      },
    ]);
    expect(!changed.ok && changed.errors[0]).toMatch(/found at a\.py lines 2–3, which is outside the editable region/);
    const codeOnly = applySearchReplace({ 'a.py': source }, [
      { file: 'a.py', search: 'x = 0  # EVOLVE-BLOCK-START', replace: 'x = 1' },
    ]);
    expect(!codeOnly.ok && codeOnly.errors[0]).toMatch(/found at a\.py line 2, which is outside the editable region/);
    const moved = applySearchReplace({ 'a.py': source }, [
      { file: 'a.py', search: 'GUESS = 0.2\n# EVOLVE-BLOCK-END', replace: '# EVOLVE-BLOCK-END\nGUESS = 0.2' },
    ]);
    expect(moved.ok).toBe(false);
  });
});
