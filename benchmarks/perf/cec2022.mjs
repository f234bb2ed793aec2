#!/usr/bin/env node
/**
 * @module CEC2022 throughput: F1–F12 at D = 10 and 20, batches of 1,000 points on clade's
 * Float64Array kernels (one core), next to a vectorised numpy evaluation of the same functions on
 * the same machine (benchmarks/perf/cec2022_numpy.py, one BLAS thread). Rates are evaluations per
 * CPU second (process CPU time), so a busy machine slows both sides alike.
 *
 * The numpy run drops OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE from its environment (this machine sets
 * them for old OpenBLAS builds; they slow a current numpy) and the table names the BLAS kernel
 * numpy then runs (threadpoolctl), so the baseline is numpy at its own speed.
 *
 * `npm run bench` includes this table in RESULTS.md; run alone it writes CEC2022-RESULTS.md:
 *   node benchmarks/perf/cec2022.mjs [--data-dir DIR] [--quick] [--before MODULE]
 * --before MODULE: an ES module exporting `createCec2022Function` (say, an esbuild bundle of
 * src/numeric/cec2022/index.ts at an earlier commit), timed interleaved with the current kernels in
 * the same process (rounds alternating, so both see the same load) and checked to give the same values.
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
export async function cec2022Rows({ quick = false, dataDirectory, before, log = () => {} } = {}) {
  const { createCec2022Function } = await load('numeric/cec2022/index.js');
  const { resolveCec2022DataDirectory } = await load('numeric/cec2022/data-directory.js');
  const { createRandom } = await load('core/random.js');
  const candidates = [dataDirectory, resolveCec2022DataDirectory({}).directory].filter(
    (candidate) => candidate !== undefined && existsSync(path.join(candidate, 'M_12_D20.txt')),
  );
  const directory = candidates[0];
  const previous = before === undefined ? undefined : await import(pathToFileURL(path.resolve(before)).href);
  const header =
    previous === undefined
      ? '| function | D | clade (Float64Array) | numpy (vectorised) | clade / numpy |'
      : '| function | D | clade before | clade after | numpy (vectorised) | before / numpy | after / numpy | after / before |';
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
  const numpyEnvironment = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  delete numpyEnvironment.OPENBLAS_CORETYPE;
  delete numpyEnvironment.OPENBLAS_L2_SIZE;
  let numpy = null;
  let numpyNote = '';
  try {
    const output = execFileSync(
      'python3',
      [path.join(root, 'benchmarks/perf/cec2022_numpy.py'), 'bench', directory, '--seconds', String(seconds)],
      {
        env: numpyEnvironment,
        stdio: ['ignore', 'pipe', 'pipe'],
        // CPU-time budget of 24 × `seconds`; wall time can be many times that on a loaded machine.
        timeout: 3_600_000,
      },
    );
    numpy = JSON.parse(output.toString());
    numpyNote = `numpy ${numpy.numpy}, one BLAS thread (${blasKernel(numpyEnvironment)}; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset)`;
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
  /** Evaluations per CPU second of `instance` on the batch, over `budget` CPU seconds. */
  const measure = (instance, points, count, out, budget) => {
    let evaluations = 0;
    const started = cpuSeconds();
    while (cpuSeconds() - started < budget) {
      instance.evaluateBatch(points, count, out);
      evaluations += count;
    }
    return evaluations / (cpuSeconds() - started);
  };
  const ratios = [];
  const beforeRatios = [];
  const speedups = [];
  const kilo = (value) => `${(value / 1e3).toFixed(0)} k`;
  const times = (value) => (value === null ? '–' : `${value.toFixed(2)}×`);
  for (const dimension of [10, 20]) {
    for (let fn = 1; fn <= 12; fn++) {
      const instance = createCec2022Function(fn, dimension, directory);
      const old = previous?.createCec2022Function(fn, dimension, directory);
      const count = 1000;
      const points = new Float64Array(count * dimension);
      const random = createRandom('bench-cec2022', fn, dimension);
      for (let index = 0; index < points.length; index++) points[index] = random.uniform(-100, 100);
      const out = new Float64Array(count);
      const oldOut = new Float64Array(count);
      for (let warm = 0; warm < 5; warm++) {
        instance.evaluateBatch(points, count, out);
        old?.evaluateBatch(points, count, oldOut);
      }
      if (old !== undefined && !out.every((value, index) => Object.is(value, oldOut[index]))) {
        log(`cec2022 F${fn} d${dimension}: before and after differ on the benchmark batch`);
      }
      // Three alternating rounds when there is a `before`, so both sides see the same load.
      const rounds = old === undefined ? 1 : 3;
      let rate = 0;
      let oldRate = 0;
      for (let round = 0; round < rounds; round++) {
        rate += measure(instance, points, count, out, seconds / rounds) / rounds;
        if (old !== undefined) oldRate += measure(old, points, count, oldOut, seconds / rounds) / rounds;
      }
      const baseline = numpy?.rates?.[`F${fn}_D${dimension}`];
      const ratio = baseline ? rate / baseline : null;
      if (ratio !== null) ratios.push(ratio);
      if (old === undefined) {
        rows.push(`| F${fn} | ${dimension} | ${kilo(rate)} | ${baseline ? kilo(baseline) : '–'} | ${times(ratio)} |`);
      } else {
        const oldRatio = baseline ? oldRate / baseline : null;
        if (oldRatio !== null) beforeRatios.push(oldRatio);
        speedups.push(rate / oldRate);
        rows.push(
          `| F${fn} | ${dimension} | ${kilo(oldRate)} | ${kilo(rate)} | ${baseline ? kilo(baseline) : '–'} | ${times(oldRatio)} | ${times(ratio)} | ${times(rate / oldRate)} |`,
        );
      }
      log(
        `cec2022 F${fn} d${dimension}: ${(rate / 1e3).toFixed(0)} k evals/s${baseline ? ` (numpy ${(baseline / 1e3).toFixed(0)} k)` : ''}`,
      );
    }
  }
  const mean = (values) =>
    values.length > 0 ? Math.exp(values.reduce((sum, value) => sum + Math.log(value), 0) / values.length) : null;
  const geometricMean = mean(ratios);
  rows.push(
    '',
    `Data: ${directory}. Baseline: ${numpyNote}.` +
      (geometricMean === null
        ? ''
        : ` Geometric mean of clade / numpy: ${geometricMean.toFixed(2)}×; ${ratios.filter((ratio) => ratio >= 1.5).length} of ${ratios.length} cases at 1.5× or more, ${ratios.filter((ratio) => ratio >= 1).length} at 1× or more.`) +
      (speedups.length === 0
        ? ''
        : ` Before: ${mean(beforeRatios)?.toFixed(2)}× numpy; after / before ${mean(speedups)?.toFixed(2)}× (geometric means).`),
  );
  return rows;
}

/** Which BLAS library and kernel numpy loads in `environment` (threadpoolctl), or why unknown. */
function blasKernel(environment) {
  try {
    const output = execFileSync(
      'python3',
      [
        '-c',
        'import json, numpy; from threadpoolctl import threadpool_info; ' +
          'print(json.dumps([(i.get("internal_api"), i.get("architecture"), i.get("version")) for i in threadpool_info()]))',
      ],
      { env: environment, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const libraries = JSON.parse(output.toString());
    return libraries.map(([api, architecture, version]) => `${api} ${version} kernel ${architecture}`).join(', ');
  } catch {
    return 'BLAS kernel unknown: threadpoolctl not installed';
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const flag = process.argv.indexOf('--data-dir');
  const rows = await cec2022Rows({
    quick: process.argv.includes('--quick'),
    dataDirectory: flag >= 0 ? process.argv[flag + 1] : undefined,
    before: process.argv.includes('--before') ? process.argv[process.argv.indexOf('--before') + 1] : undefined,
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
