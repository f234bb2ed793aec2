#!/usr/bin/env node
/**
 * Parent-selection comparison (`node benchmarks/selection/compare.mjs [--seeds N] [--children N]`):
 * every selector on the built-in numeric task with the parametric mutator, the same budget of
 * children and the same seeds, in the process sandbox. Writes benchmarks/selection/RESULTS.md with
 * the mean and spread of the best score per selector. Uses the built code in dist/ (`npm run build`).
 *
 * The best score counts only nodes evaluated on every job (HGM and staged runs leave some nodes
 * partly evaluated, and a score on one job is not comparable with a mean over all of them).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const load = (file) => import(path.join(root, 'dist/src', file));
const { loadCampaignFile } = await load('campaign-file.js');
const { createCampaign } = await load('create-campaign.js');

const argument = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const seeds = argument('--seeds', 5);
const children = argument('--children', 30);
const workers = argument('--workers', 2);
const selectors = ['dgm', 'weighted', 'power-law', 'tournament', 'hgm', 'map-elites', 'best', 'random'];
const problems = [
  { fn: 'rastrigin', dim: 5 },
  { fn: 'ackley', dim: 5 },
  { fn: 'rosenbrock', dim: 5 },
  { fn: 'schwefel', dim: 5 },
];
const evaluationsPerDim = 600;
const jobsPerNode = problems.length;
// Small islands budget: 40 children over 2 islands, migrating every 5 island-generations.
const strategyOptions = { 'map-elites': '\n  mapElites: { islands: 2, migrationInterval: 5 }' };

const log = (line) => process.stderr.write(`${line}\n`);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'clade-selection-compare-'));
const results = new Map(selectors.map((name) => [name, []]));
try {
  for (let seed = 1; seed <= seeds; seed++) {
    for (const strategy of selectors) {
      const directory = path.join(scratch, `${strategy}-${seed}`);
      const file = `${directory}.yaml`;
      writeFileSync(
        file,
        `name: compare-${strategy}-${seed}
seed: ${seed}
agent: ${JSON.stringify(path.join(root, 'agents/de-optimizer'))}
task:
  kind: numeric
  problems:
${problems.map((problem) => `    - { fn: ${problem.fn}, dim: ${problem.dim} }`).join('\n')}
  evaluationsPerDim: ${evaluationsPerDim}
mutation:
  operator: parametric
selection:
  strategy: ${strategy}${strategyOptions[strategy] ?? ''}
budget:
  iterations: ${children}
workers: ${workers}
sandbox:
  kind: process
  timeoutSeconds: 60
`,
      );
      const started = Date.now();
      const campaign = await createCampaign(loadCampaignFile(file), directory);
      let summary;
      let best = null;
      let jobs = 0;
      try {
        summary = await campaign.run({ warn: () => {} });
        for (const node of campaign.archive.listNodes()) {
          const count = campaign.archive.evaluations(node.id).length;
          jobs += count;
          if (node.status === 'scored' && count === jobsPerNode && (best === null || node.score > best)) {
            best = node.score;
          }
        }
      } finally {
        campaign.close();
      }
      const seconds = (Date.now() - started) / 1000;
      results.get(strategy).push({ best, root: summary.rootScore, jobs, seconds });
      log(
        `${strategy} seed ${seed}: best ${best?.toFixed(4)} (root ${summary.rootScore?.toFixed(4)}), ${jobs} jobs, ${seconds.toFixed(1)} s`,
      );
      rmSync(directory, { recursive: true, force: true });
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
const deviation = (values) => {
  if (values.length < 2) return 0;
  const average = mean(values);
  return Math.sqrt(values.reduce((sum, value) => sum + (value - average) ** 2, 0) / (values.length - 1));
};
const rows = [...results].map(([strategy, runs]) => {
  const bests = runs.map((run) => run.best ?? 0);
  return {
    strategy,
    mean: mean(bests),
    deviation: deviation(bests),
    minimum: Math.min(...bests),
    maximum: Math.max(...bests),
    gain: mean(runs.map((run) => (run.best ?? 0) - (run.root ?? 0))),
    jobs: mean(runs.map((run) => run.jobs)),
    seconds: mean(runs.map((run) => run.seconds)),
  };
});
const lines = [
  '# Parent selection: comparison on the built-in numeric task',
  '',
  `Produced by \`node benchmarks/selection/compare.mjs --seeds ${seeds} --children ${children} --workers ${workers}\` on ${new Date().toISOString().slice(0, 10)}`,
  `(${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}).`,
  '',
  'Setup, the same for every selector: seed agent `agents/de-optimizer`, `parametric` mutator with its',
  `defaults, ${children} children per campaign, ${workers} workers, process sandbox; task: ${problems
    .map((problem) => `${problem.fn}-d${problem.dim}`)
    .join(', ')}`,
  `with ${evaluationsPerDim}·D function evaluations per problem, one repeat; seeds 1–${seeds}. Chosen small so the`,
  'whole comparison runs in minutes on two shared cores. Selector options are the defaults, except',
  '`map-elites` with 2 islands migrating every 5 island-generations (30 children are 15 per island).',
  '',
  '"Best" is the best score among nodes evaluated on all jobs (HGM evaluates new children on one job',
  'and adds jobs one at a time, so it spends fewer jobs for the same number of children: see "jobs").',
  '"Gain" is best minus the seed agent\'s score. Spread: sample standard deviation, min and max over seeds.',
  '',
  '| selector | mean best | std | min | max | mean gain | jobs evaluated | seconds/run |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (row) =>
      `| \`${row.strategy}\` | ${row.mean.toFixed(4)} | ${row.deviation.toFixed(4)} | ${row.minimum.toFixed(4)} | ${row.maximum.toFixed(4)} | ${row.gain.toFixed(4)} | ${row.jobs.toFixed(0)} | ${row.seconds.toFixed(1)} |`,
  ),
  '',
  'Per run (best score by seed):',
  '',
  `| selector | ${Array.from({ length: seeds }, (_, index) => `seed ${index + 1}`).join(' | ')} |`,
  `|---|${Array.from({ length: seeds }, () => '---').join('|')}|`,
  ...[...results].map(
    ([strategy, runs]) => `| \`${strategy}\` | ${runs.map((run) => (run.best ?? 0).toFixed(4)).join(' | ')} |`,
  ),
  '',
];
writeFileSync(path.join(root, 'benchmarks/selection/RESULTS.md'), `${lines.join('\n')}\n`);
log('wrote benchmarks/selection/RESULTS.md');
