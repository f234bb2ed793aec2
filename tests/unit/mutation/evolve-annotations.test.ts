import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CladeError } from '../../../src/core/errors.js';
import type { AgentFiles } from '../../../src/core/types.js';
import {
  applyEvolveValues,
  type EvolveParameter,
  type EvolveValue,
  formatEvolveValue,
  parseEvolveParameters,
} from '../../../src/mutation/evolve-annotations.js';

const FIXTURE = new URL('../../fixtures/agents/annotated-de/', import.meta.url);

function loadFixture(): AgentFiles {
  const files: AgentFiles = {};
  for (const name of readdirSync(FIXTURE)) files[name] = readFileSync(new URL(name, FIXTURE), 'utf8');
  return files;
}

function byKey(parameters: readonly EvolveParameter[]): Map<string, EvolveParameter> {
  return new Map(parameters.map((parameter) => [parameter.key, parameter]));
}

/** Wraps lines in an EVOLVE-BLOCK inside `agent.ts`; the block's first line is line 2. */
function block(...lines: string[]): AgentFiles {
  return { 'agent.ts': ['// EVOLVE-BLOCK-START', ...lines, '// EVOLVE-BLOCK-END', ''].join('\n') };
}

describe('parseEvolveParameters on the fixture agent', () => {
  const files = loadFixture();
  const { parameters, errors } = parseEvolveParameters(files);
  const found = byKey(parameters);

  it('finds every annotation inside blocks, in file then source order, and nothing outside', () => {
    expect(errors).toEqual([]);
    expect(parameters.map((parameter) => parameter.key)).toEqual([
      'optimizer.ts#DIFFERENTIAL_WEIGHT',
      'optimizer.ts#CROSSOVER_RATE',
      'optimizer.ts#PBEST',
      'optimizer.ts#POPULATION_PER_DIMENSION',
      'optimizer.ts#STRATEGY',
      'optimizer.ts#boundaryHandling',
      'optimizer.ts#initialSpread',
      'optimizer.ts#tolerance',
      'restart.ts#RESTART_AFTER_STALL',
      'restart.ts#RESTART_SHRINK',
    ]);
    expect(found.has('optimizer.ts#LOG_EVERY')).toBe(false);
  });

  it('reads kinds, ranges, log flags, values and quote styles', () => {
    expect(found.get('optimizer.ts#DIFFERENTIAL_WEIGHT')).toMatchObject({
      kind: 'float',
      low: 0,
      high: 2,
      log: false,
      value: 0.5,
    });
    expect(found.get('optimizer.ts#PBEST')).toMatchObject({
      kind: 'float',
      low: 0.01,
      high: 0.5,
      log: true,
      value: 0.1,
    });
    expect(found.get('optimizer.ts#POPULATION_PER_DIMENSION')).toMatchObject({
      kind: 'int',
      low: 2,
      high: 30,
      value: 10,
    });
    expect(found.get('optimizer.ts#STRATEGY')).toMatchObject({
      kind: 'choice',
      options: ['rand1', 'best1', 'current-to-pbest1'],
      value: 'rand1',
      quote: "'",
    });
    expect(found.get('optimizer.ts#boundaryHandling')).toMatchObject({ kind: 'choice', value: 'reflect', quote: '"' });
    // Negative value, negative and exponent-form bounds (capital E and explicit +).
    expect(found.get('optimizer.ts#initialSpread')).toMatchObject({
      kind: 'float',
      low: -0.1,
      high: 2.5,
      value: -0.05,
    });
    expect(found.get('optimizer.ts#tolerance')).toMatchObject({
      kind: 'float',
      low: 1e-12,
      high: 1e-2,
      log: true,
      value: 1e-8,
    });
  });

  it('records the exact span and line of each literal', () => {
    for (const parameter of parameters) {
      const text = files[parameter.file] as string;
      expect(text.slice(parameter.span.start, parameter.span.end)).toBe(parameter.literal);
      const lines = text.split('\n');
      const line = lines[parameter.span.line - 1] as string;
      expect(line.slice(parameter.span.column - 1)).toMatch(new RegExp(`^${escapeRegExp(parameter.literal)}`));
      expect(line).toContain('@evolve');
    }
    const pbest = found.get('optimizer.ts#PBEST') as EvolveParameter;
    const pbestLine =
      (files['optimizer.ts'] as string).split('\n').findIndex((line) => line.includes('const PBEST')) + 1;
    expect(pbest.span.line).toBe(pbestLine);
    expect(found.get('optimizer.ts#STRATEGY')?.literal).toBe("'rand1'");
    expect(found.get('optimizer.ts#initialSpread')?.literal).toBe('-0.05');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('parseEvolveParameters grammar', () => {
  it('names parameters from const, let, typed declarations, assignments and quoted properties', () => {
    const { parameters, errors } = parseEvolveParameters(
      block(
        'let STEP = /* @evolve float 0..1 */ .25;',
        'const SIZE: number = /* @evolve int -5..5 */ -3;',
        'state.decay = /* @evolve float 1e-3..1 log */ 5e-2;',
        "const table = { 'quoted-key': /* @evolve choice a|b */ 'b' };",
        'run(/* @evolve int 0..10000 */ 1_000);',
      ),
    );
    expect(errors).toEqual([]);
    expect(parameters.map((parameter) => [parameter.key, parameter.value])).toEqual([
      ['agent.ts#STEP', 0.25],
      ['agent.ts#SIZE', -3],
      ['agent.ts#decay', 0.05],
      ['agent.ts#quoted-key', 'b'],
      ['agent.ts#4', 1000],
    ]);
    expect(parameters[4]?.name).toBeNull();
    expect(parameters[4]?.label).toBe('agent.ts#4');
  });

  it('gives repeated names distinct keys and reads several blocks per file', () => {
    const files: AgentFiles = {
      'a.ts': [
        '// EVOLVE-BLOCK-START',
        'const first = { rate: /* @evolve float 0..1 */ 0.1 };',
        '// EVOLVE-BLOCK-END',
        'const between = /* @evolve float 0..1 */ 0.2;',
        '/* EVOLVE-BLOCK-START */',
        'const second = { rate: /* @evolve float 0..1 */ 0.3 };',
        '/* EVOLVE-BLOCK-END */',
      ].join('\n'),
    };
    const { parameters, errors } = parseEvolveParameters(files);
    expect(errors).toEqual([]);
    expect(parameters.map((parameter) => [parameter.key, parameter.value])).toEqual([
      ['a.ts#rate', 0.1],
      ['a.ts#rate#2', 0.3],
    ]);
  });

  it('handles CRLF line endings and exponent-form literals', () => {
    const text =
      '// EVOLVE-BLOCK-START\r\nconst EPS = /* @evolve float 1e-9..1E-1 log */ 1.5e-4;\r\n// EVOLVE-BLOCK-END\r\n';
    const { parameters, errors } = parseEvolveParameters({ 'crlf.ts': text });
    expect(errors).toEqual([]);
    expect(parameters[0]).toMatchObject({ key: 'crlf.ts#EPS', value: 1.5e-4, literal: '1.5e-4', span: { line: 2 } });
  });

  it('ignores annotations outside blocks and files without blocks', () => {
    const { parameters, errors } = parseEvolveParameters({
      'free.ts': 'const A = /* @evolve float 0..1 */ 0.5;\nconst B = /* @evolve nonsense */ 0.5;\n',
      'after.ts': '// EVOLVE-BLOCK-START\n// EVOLVE-BLOCK-END\nconst C = /* @evolve float 0..1 */ 2;\n',
    });
    expect(parameters).toEqual([]);
    expect(errors).toEqual([]);
  });

  const malformed: [string, string, RegExp][] = [
    ['unknown kind', 'const A = /* @evolve double 0..1 */ 0.5;', /unknown kind "double"/],
    ['empty range', 'const A = /* @evolve float 1..0 */ 0.5;', /empty range 1\.\.0/],
    ['missing range', 'const A = /* @evolve float */ 0.5;', /malformed range/],
    ['log with a non-positive bound', 'const A = /* @evolve float 0..1 log */ 0.5;', /log range needs positive bounds/],
    ['unknown flag', 'const A = /* @evolve float 0..1 logarithmic */ 0.5;', /unknown flag "logarithmic"/],
    ['fractional int bounds', 'const A = /* @evolve int 0.5..3 */ 1;', /int bounds must be integers/],
    ['fractional int value', 'const A = /* @evolve int 0..3 */ 1.5;', /not an integer/],
    ['value out of range', 'const A = /* @evolve float 0..1 */ 1.5;', /outside its range 0\.\.1/],
    ['one option', "const A = /* @evolve choice only */ 'only';", /at least two options/],
    ['duplicate option', "const A = /* @evolve choice a|b|a */ 'a';", /listed twice/],
    ['value not an option', "const A = /* @evolve choice a|b */ 'c';", /not one of the options a\|b/],
    ['string for a number', "const A = /* @evolve float 0..1 */ '0.5';", /expected a number literal/],
    ['number for a choice', 'const A = /* @evolve choice a|b */ 1;', /expected a quoted option/],
    ['no literal', 'const A = /* @evolve float 0..1 */ compute();', /expected a number literal/],
    ['identifier glued to the number', 'const A = /* @evolve float 0..1 */ 0.5x;', /expected a number literal/],
  ];
  for (const [title, line, message] of malformed) {
    it(`reports ${title} with file and line, and keeps the good annotations`, () => {
      const { parameters, errors } = parseEvolveParameters(
        block('const GOOD = /* @evolve float 0..1 */ 0.5;', '', line),
      );
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^agent\.ts:4: /);
      expect(errors[0]).toMatch(message);
      expect(parameters.map((parameter) => parameter.key)).toEqual(['agent.ts#GOOD']);
    });
  }

  it('reports a START without END only when annotations follow it', () => {
    const open = parseEvolveParameters({
      'open.ts': 'const X = 1;\n// EVOLVE-BLOCK-START\n\nconst A = /* @evolve float 0..1 */ 0.5;\n',
    });
    expect(open.parameters).toEqual([]);
    expect(open.errors).toHaveLength(1);
    expect(open.errors[0]).toMatch(/^open\.ts:2: EVOLVE-BLOCK-START has no matching EVOLVE-BLOCK-END.*line 4/);
    expect(
      parseEvolveParameters({ 'quiet.ts': '// EVOLVE-BLOCK-START\nconst A = 1; // no @evolve here\n' }).errors,
    ).toEqual([]);
  });
});

describe('formatEvolveValue', () => {
  const [float, log, integer, choice] = parseEvolveParameters(
    block(
      'const F = /* @evolve float -2..2 */ 0.5;',
      'const T = /* @evolve float 1e-12..1e-2 log */ 1e-8;',
      'const N = /* @evolve int 2..30 */ 10;',
      'const S = /* @evolve choice a|bb */ "a";',
    ),
  ).parameters as [EvolveParameter, EvolveParameter, EvolveParameter, EvolveParameter];

  it('writes floats with six significant digits and no exponent', () => {
    expect(formatEvolveValue(float, 0.123456789)).toEqual({ text: '0.123457', value: 0.123457 });
    expect(formatEvolveValue(float, -1.0000001)).toEqual({ text: '-1', value: -1 });
    expect(formatEvolveValue(float, 1e-7)).toEqual({ text: '0.0000001', value: 1e-7 });
    expect(formatEvolveValue(log, 1.23456789e-10)).toEqual({ text: '0.000000000123457', value: 1.23457e-10 });
    expect(formatEvolveValue(float, -0)).toEqual({ text: '0', value: 0 });
    expect(formatEvolveValue(float, -3.5e-9)).toEqual({ text: '-0.0000000035', value: -3.5e-9 });
    // Below 1e-21 the exponent form is the readable one, and still a valid literal.
    expect(formatEvolveValue(float, 5e-324)).toEqual({ text: '5e-324', value: 5e-324 });
  });

  it('clips into range and rounds ints', () => {
    expect(formatEvolveValue(float, 3)).toEqual({ text: '2', value: 2 });
    expect(formatEvolveValue(float, -7)).toEqual({ text: '-2', value: -2 });
    expect(formatEvolveValue(integer, 7.6)).toEqual({ text: '8', value: 8 });
    expect(formatEvolveValue(integer, 100)).toEqual({ text: '30', value: 30 });
    expect(formatEvolveValue(integer, -4)).toEqual({ text: '2', value: 2 });
  });

  it('keeps more digits where six would leave the range', () => {
    const [narrow] = parseEvolveParameters(block('const W = /* @evolve float 0..0.1234567 */ 0.1;')).parameters as [
      EvolveParameter,
    ];
    const written = formatEvolveValue(narrow, 0.1234567);
    expect(written.value).toBeLessThanOrEqual(0.1234567);
    expect(Number(written.text)).toBe(written.value);
  });

  it('keeps the choice quote style and rejects unknown options and wrong types', () => {
    expect(formatEvolveValue(choice, 'bb')).toEqual({ text: '"bb"', value: 'bb' });
    expect(() => formatEvolveValue(choice, 'c')).toThrow(/options are a\|bb/);
    expect(() => formatEvolveValue(float, 'x')).toThrow(CladeError);
    expect(() => formatEvolveValue(float, Number.NaN)).toThrow(/needs a number/);
  });

  it('always writes a literal that reads back as the recorded value, within range', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
        fc.double({ noNaN: true, min: 1e-14, max: 1 }),
        (a, b) => {
          for (const [parameter, value] of [
            [float, a],
            [log, b],
            [integer, a],
          ] as const) {
            const written = formatEvolveValue(parameter, value);
            if (written.value === 0 || Math.abs(written.value as number) >= 1e-21)
              expect(written.text).not.toMatch(/e/i);
            expect(Number(written.text)).toBe(written.value);
            if (parameter.kind === 'choice') throw new Error('unreachable');
            expect(written.value).toBeGreaterThanOrEqual(parameter.low);
            expect(written.value).toBeLessThanOrEqual(parameter.high);
          }
        },
      ),
    );
  });
});

describe('applyEvolveValues', () => {
  const files = loadFixture();
  const { parameters } = parseEvolveParameters(files);
  const found = byKey(parameters);

  it('rewrites only the given literals and leaves every other byte alone', () => {
    const result = applyEvolveValues(files, parameters, {
      'optimizer.ts#DIFFERENTIAL_WEIGHT': 0.6180339887,
      'optimizer.ts#STRATEGY': 'current-to-pbest1',
      'optimizer.ts#boundaryHandling': 'clip',
      'optimizer.ts#POPULATION_PER_DIMENSION': 17.4,
    });
    expect(result['restart.ts']).toBe(files['restart.ts']);
    expect(result['README.md']).toBe(files['README.md']);
    const before = (files['optimizer.ts'] as string).split('\n');
    const after = (result['optimizer.ts'] as string).split('\n');
    expect(after).toHaveLength(before.length);
    const changedLines = before.flatMap((line, index) => (line === after[index] ? [] : [[line, after[index]]]));
    expect(changedLines).toEqual([
      [
        'const DIFFERENTIAL_WEIGHT = /* @evolve float 0..2 */ 0.5;',
        'const DIFFERENTIAL_WEIGHT = /* @evolve float 0..2 */ 0.618034;',
      ],
      [
        'const POPULATION_PER_DIMENSION = /* @evolve int 2..30 */ 10;',
        'const POPULATION_PER_DIMENSION = /* @evolve int 2..30 */ 17;',
      ],
      [
        "const STRATEGY: Strategy = /* @evolve choice rand1|best1|current-to-pbest1 */ 'rand1';",
        "const STRATEGY: Strategy = /* @evolve choice rand1|best1|current-to-pbest1 */ 'current-to-pbest1';",
      ],
      [
        '  boundaryHandling: /* @evolve choice clip|reflect|resample */ "reflect",',
        '  boundaryHandling: /* @evolve choice clip|reflect|resample */ "clip",',
      ],
    ]);
    expect(files['optimizer.ts']).toContain("'rand1';");
  });

  it('clips values outside the range', () => {
    const result = applyEvolveValues(files, parameters, {
      'restart.ts#RESTART_SHRINK': 9,
      'restart.ts#RESTART_AFTER_STALL': -3,
    });
    expect(result['restart.ts']).toContain('/* @evolve float 0.05..1 */ 1;');
    expect(result['restart.ts']).toContain('/* @evolve int 5..200 */ 5;');
  });

  it('throws PATCH_APPLY_FAILED for unknown keys, unknown choices and stale files', () => {
    const code = (action: () => unknown): string | undefined => {
      try {
        action();
      } catch (error) {
        return error instanceof CladeError ? error.code : 'not a CladeError';
      }
      return undefined;
    };
    expect(code(() => applyEvolveValues(files, parameters, { 'optimizer.ts#NOPE': 1 }))).toBe('PATCH_APPLY_FAILED');
    expect(code(() => applyEvolveValues(files, parameters, { 'optimizer.ts#STRATEGY': 'best2' }))).toBe(
      'PATCH_APPLY_FAILED',
    );
    const stale = { ...files, 'optimizer.ts': `// moved\n${files['optimizer.ts']}` };
    expect(code(() => applyEvolveValues(stale, parameters, { 'optimizer.ts#PBEST': 0.2 }))).toBe('PATCH_APPLY_FAILED');
  });

  it('round-trips: any values, applied and parsed again, read back as written and nothing else moves', () => {
    const valueFor = (parameter: EvolveParameter): fc.Arbitrary<EvolveValue> =>
      parameter.kind === 'choice'
        ? fc.constantFrom(...parameter.options)
        : fc.double({ noNaN: true, noDefaultInfinity: true, min: parameter.low - 10, max: parameter.high + 10 });
    const arbitrary = fc.record(
      Object.fromEntries(parameters.map((parameter) => [parameter.key, valueFor(parameter)])) as Record<
        string,
        fc.Arbitrary<EvolveValue>
      >,
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(arbitrary, (values) => {
        const result = applyEvolveValues(files, parameters, values as Record<string, EvolveValue>);
        const reparsed = parseEvolveParameters(result);
        expect(reparsed.errors).toEqual([]);
        expect(reparsed.parameters.map((parameter) => parameter.key)).toEqual(
          parameters.map((parameter) => parameter.key),
        );
        for (const parameter of reparsed.parameters) {
          const original = found.get(parameter.key) as EvolveParameter;
          const given = values[parameter.key];
          const expected = given === undefined ? original.value : formatEvolveValue(original, given).value;
          expect(parameter.value).toBe(expected);
          if (given === undefined) expect(parameter.literal).toBe(original.literal);
        }
        // Everything outside the literals is byte-identical.
        for (const file of Object.keys(files)) {
          const strip = (text: string, spans: readonly EvolveParameter[]): string => {
            let stripped = text;
            for (const parameter of [...spans].filter((entry) => entry.file === file).reverse()) {
              stripped = stripped.slice(0, parameter.span.start) + stripped.slice(parameter.span.end);
            }
            return stripped;
          };
          expect(strip(result[file] as string, reparsed.parameters)).toBe(strip(files[file] as string, parameters));
        }
      }),
      { numRuns: 200 },
    );
  });
});
