import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchCommand, parseNumberList } from '../../../src/cli/bench.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const out = mkdtempSync(path.join(tmpdir(), 'clade-bench-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('clade bench', () => {
  it('parses function lists with ranges and names bad input', () => {
    expect(parseNumberList('--fns', '1,3-5,3')).toEqual([1, 3, 4, 5]);
    expect(() => parseNumberList('--fns', '1,x')).toThrow(/--fns takes numbers and ranges/);
    expect(() => parseNumberList('--fns', '5-3')).toThrow(/runs backwards/);
  });

  it('refuses unknown suites, functions, dimensions and agent directories with what to do', async () => {
    const agent = path.join(ROOT, 'agents/de-rand1bin');
    await expect(benchCommand('cec2017', { agent })).rejects.toThrow(/Use one of: cec2022, builtin/);
    await expect(benchCommand('builtin', { agent, fns: '9' })).rejects.toThrow(/--fns: builtin has functions 1..7/);
    await expect(benchCommand('builtin', { agent, dims: '7' })).rejects.toThrow(/--dims/);
    await expect(benchCommand('builtin', { agent: path.join(out, 'none') })).rejects.toThrow(/no such directory/);
  });

  it('runs, writes the tables, and adds later cases to the same results', async () => {
    const agent = path.join(ROOT, 'agents/de-rand1bin');
    const flags = { agent, dims: '2', runs: 2, workers: 2, out };
    await benchCommand('builtin', { ...flags, fns: '1' });
    await benchCommand('builtin', { ...flags, fns: '3' });
    const csv = readFileSync(path.join(out, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv.map((line) => line.split(',')[3])).toEqual(['function', 'sphere', 'rastrigin']);
    const markdown = readFileSync(path.join(out, 'results.md'), 'utf8');
    expect(markdown).toContain('2 run(s) per case');
    const runs = JSON.parse(readFileSync(path.join(out, 'runs.json'), 'utf8')) as { runs: { ok: boolean }[] };
    expect(runs.runs).toHaveLength(4);
    expect(runs.runs.every((run) => run.ok)).toBe(true);
  }, 120_000);

  it('resumes a case: only the missing runs are run, and the tables equal an uninterrupted protocol', async () => {
    const agent = path.join(ROOT, 'agents/de-rand1bin');
    const resumed = mkdtempSync(path.join(tmpdir(), 'clade-bench-resume-'));
    const whole = mkdtempSync(path.join(tmpdir(), 'clade-bench-whole-'));
    try {
      const flags = { agent, dims: '2', fns: '1', workers: 2 };
      await benchCommand('builtin', { ...flags, runs: 1, out: resumed });
      const first = JSON.parse(readFileSync(path.join(resumed, 'runs.json'), 'utf8')) as {
        runs: { run: number; durationMs: number }[];
      };
      await benchCommand('builtin', { ...flags, runs: 3, out: resumed });
      await benchCommand('builtin', { ...flags, runs: 3, out: whole });
      const read = (directory: string) =>
        (
          JSON.parse(readFileSync(path.join(directory, 'runs.json'), 'utf8')) as {
            runs: { run: number; error: number; seed: number; durationMs: number }[];
          }
        ).runs.sort((left, right) => left.run - right.run);
      const after = read(resumed);
      expect(after.map((run) => run.run)).toEqual([0, 1, 2]);
      // Run 0 was kept from the first call, not run again.
      expect(after[0]?.durationMs).toBe(first.runs[0]?.durationMs);
      const strip = (runs: ReturnType<typeof read>) => runs.map(({ run, error, seed }) => ({ run, error, seed }));
      expect(strip(after)).toEqual(strip(read(whole)));
    } finally {
      rmSync(resumed, { recursive: true, force: true });
      rmSync(whole, { recursive: true, force: true });
    }
  }, 120_000);
});
