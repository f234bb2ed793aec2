#!/usr/bin/env node
/**
 * @module CEC2022 throughput: F1–F12 at D = 10 and 20, batches of 1,000 points on clade's
 * Float64Array kernels (one core), next to a vectorised numpy evaluation of the same functions on
 * the same machine (benchmarks/perf/cec2022_numpy.py, one BLAS thread). Rates are evaluations per
 * CPU second (process CPU time), so a busy machine slows both sides alike.
 *
 * `npm run bench` includes this table in RESULTS.md; run alone it writes CEC2022-RESULTS.md:
 *   node benchmarks/perf/cec2022.mjs [--data-dir DIR] [--quick]
 * Data: --data-dir, else CLADE_CEC2022_DATA, else the copy shipped in data/cec2022/input_data
 * (or the cache of `clade data fetch cec2022`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const load = (file) => import(pathToFileURL(path.join(root, 'dist/src', file)).href);

/** Markdown lines of the CEC2022 table (a `## …` heading first). */
export async function cec2022Rows({ quick = false, dataDirectory, log = () => {} } = {}) {
  const { createCec2022Function } = await load('numeric/cec2022/index.js');
  const { resolveCec2022DataDirectory } = await load('numeric/cec2022/data-directory.js');
  const { createRandom } = await load('core/random.js');
  const candidates = [dataDirectory, resolveCec2022DataDirectory({}).directory].filter(
    (candidate) => candidate !== undefined && existsSync(path.join(candidate, 'M_12_D20.txt')),
  );
  const directory = candidates[0];
  const header = '| function | D | clade (Float64Array) | numpy (vectorised) | clade / numpy |';
  const rows = [
    '',
    '## CEC2022 (batch of 1,000 points, one core, evaluations per CPU second)',
    '',
    header,
    header.replace(/[^|]/g, '-').replace(/-\|-/g, '-|-'),
  ];
  if (directory === undefined) {
    rows.push('| – | – | no CEC2022 data found (run `clade data fetch cec2022` or pass --data-dir) | – | – |');
    return rows;
  }
  const seconds = quick ? 0.1 : 0.5;
  let numpy = null;
  let numpyNote = '';
  try {
    const output = execFileSync(
      'python3',
      [path.join(root, 'benchmarks/perf/cec2022_numpy.py'), 'bench', directory, '--seconds', String(seconds)],
      {
        env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
        // CPU-time budget of 24 × `seconds`; wall time can be many times that on a loaded machine.
        timeout: 3_600_000,
      },
    );
    numpy = JSON.parse(output.toString());
    numpyNote = `numpy ${numpy.numpy}`;
  } catch (error) {
    const detail = String(error?.stderr?.toString() || error?.message || error)
      .trim()
      .split('\n')
      .pop();
    numpyNote = `numpy baseline unavailable (${detail})`;
    log(numpyNote);
  }
  const cpuSeconds = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  };
  const ratios = [];
  for (const dimension of [10, 20]) {
    for (let fn = 1; fn <= 12; fn++) {
      const instance = createCec2022Function(fn, dimension, directory);
      const count = 1000;
      const points = new Float64Array(count * dimension);
      const random = createRandom('bench-cec2022', fn, dimension);
      for (let index = 0; index < points.length; index++) points[index] = random.uniform(-100, 100);
      const out = new Float64Array(count);
      for (let warm = 0; warm < 5; warm++) instance.evaluateBatch(points, count, out);
      let evaluations = 0;
      const started = cpuSeconds();
      while (cpuSeconds() - started < seconds) {
        instance.evaluateBatch(points, count, out);
        evaluations += count;
      }
      const rate = evaluations / (cpuSeconds() - started);
      const baseline = numpy?.rates?.[`F${fn}_D${dimension}`];
      const ratio = baseline ? rate / baseline : null;
      if (ratio !== null) ratios.push(ratio);
      rows.push(
        `| F${fn} | ${dimension} | ${(rate / 1e3).toFixed(0)} k | ${baseline ? `${(baseline / 1e3).toFixed(0)} k` : '–'} | ${ratio === null ? '–' : `${ratio.toFixed(2)}×`} |`,
      );
      log(
        `cec2022 F${fn} d${dimension}: ${(rate / 1e3).toFixed(0)} k evals/s${baseline ? ` (numpy ${(baseline / 1e3).toFixed(0)} k)` : ''}`,
      );
    }
  }
  const geometricMean =
    ratios.length > 0 ? Math.exp(ratios.reduce((sum, ratio) => sum + Math.log(ratio), 0) / ratios.length) : null;
  rows.push(
    '',
    `Data: ${directory}. Baseline: ${numpyNote}.` +
      (geometricMean === null
        ? ''
        : ` Geometric mean of clade / numpy: ${geometricMean.toFixed(2)}×; ${ratios.filter((ratio) => ratio >= 2).length} of ${ratios.length} cases at 2× or more, ${ratios.filter((ratio) => ratio >= 1).length} at 1× or more.`),
  );
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const flag = process.argv.indexOf('--data-dir');
  const rows = await cec2022Rows({
    quick: process.argv.includes('--quick'),
    dataDirectory: flag >= 0 ? process.argv[flag + 1] : undefined,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const header = [
    '# CEC2022 throughput',
    '',
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}; node ${process.version}; ${new Date().toISOString()}.`,
    'Written by `node benchmarks/perf/cec2022.mjs` (the same table is part of `npm run bench`).',
  ];
  writeFileSync(path.join(root, 'benchmarks/perf/CEC2022-RESULTS.md'), `${[...header, ...rows].join('\n')}\n`);
}
