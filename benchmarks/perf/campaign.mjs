#!/usr/bin/env node
/**
 * Campaign throughput, the headline number of `npm run bench` (run.mjs calls `campaignRows`):
 * children per minute of the demo campaign (benchmarks/demo.yaml: seed 7, the parametric mutator,
 * 2 workers, a fixed number of children) in the process sandbox and in Docker, and where a child's
 * time goes (selection, mutation, git commit, bundling, sandbox, the agent's jobs, SQLite, ref),
 * from the loop's own timing record (`CampaignSummary.timings`). Also one git commit and one node
 * ref as the lineage store writes them, against git's plumbing, interleaved in one run.
 *
 * Alone: `node benchmarks/perf/campaign.mjs [--quick] [--children N] [--dist DIR] [--before DIR]
 * [--repeats R]` replaces the campaign section of benchmarks/perf/RESULTS.md (with --dist, it only
 * prints it). `--before DIR` names another build's `dist` (say a `git worktree` of an older commit,
 * built): its campaigns run interleaved with this build's (before, after, before, after …), so both
 * see the same load, and its commits are timed beside this build's.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const loadAverage = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ');

/**
 * Runs the demo campaign once with `build` (`load(file)` imports from its dist) in `sandboxKind`;
 * returns children per minute and, when the build records them, the loop's timings and the split
 * of the evaluation (bundling re-timed on each child's files, the agent's jobs from the archive).
 */
async function runDemo({ load, sandboxKind, children, workers, log }) {
  const { loadCampaignFile } = await load('campaign-file.js');
  const { createCampaign, createTask } = await load('create-campaign.js');
  const { bundleAgent } = await load('harness/bundle-agent.js');
  const loaded = loadCampaignFile(path.join(root, 'benchmarks/demo.yaml'));
  const config = {
    ...loaded.config,
    workers,
    budget: { ...loaded.config.budget, iterations: children },
    sandbox: { ...loaded.config.sandbox, kind: sandboxKind },
  };
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'clade-bench-campaign-'));
  try {
    const campaign = await createCampaign({ ...loaded, config }, path.join(scratch, 'campaign'));
    let firstChildAt = null;
    const started = performance.now();
    let summary;
    try {
      summary = await campaign.run({
        iterations: children,
        workers,
        warn: (message) => log(`  warning: ${message}`),
        onEvent: (event) => {
          if (event.type === 'node-created' && firstChildAt === null) firstChildAt = performance.now();
        },
      });
    } finally {
      campaign.close();
    }
    const ended = performance.now();
    const childMinutes = (ended - (firstChildAt ?? started)) / 60_000;
    const result = {
      recorded: summary.recorded,
      statuses: summary.statuses,
      perMinute: summary.recorded / childMinutes,
      wallSeconds: (ended - started) / 1000,
      timings: summary.timings ?? null,
      jobsMs: null,
      bundleMs: null,
    };
    if (summary.timings) {
      // The agent's own jobs (as the harness timed them inside the sandbox) and the bundling of
      // each child's files, timed again here one by one: evaluation − both = sandbox and harness.
      const { openArchive } = await load('archive/sqlite-store.js');
      const { createGitCodeStore } = await load('lineage/git-store.js');
      const archive = openArchive(path.join(scratch, 'campaign', 'archive.db'));
      const code = createGitCodeStore(path.join(scratch, 'campaign', 'code.git'));
      const entry = createTask(config).harness?.agentEntry;
      let jobsMs = 0;
      let bundleMs = 0;
      try {
        for (const node of archive.listNodes()) {
          if (node.id === 0) continue;
          for (const record of archive.evaluations(node.id)) jobsMs += record.durationMs;
          const files = await code.readFiles(node.commit);
          const bundleStarted = performance.now();
          if (entry !== undefined) await bundleAgent(files, entry);
          bundleMs += performance.now() - bundleStarted;
        }
      } finally {
        archive.close();
      }
      result.jobsMs = jobsMs;
      result.bundleMs = bundleMs;
    }
    return result;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * One commit of a 3-file agent on its parent (the child changes one file) and one node ref, per
 * store, interleaved (A, B, C, A, B, C …). `stores`: label → store.
 */
async function timeCommits(stores, count) {
  const results = new Map();
  const parents = new Map();
  for (const [label, store] of stores) {
    await store.init();
    results.set(label, { commit: [], ref: [] });
    parents.set(label, null);
  }
  for (let index = 0; index < count; index++) {
    const files = {
      'optimizer.ts': `export const F = ${index};\n${'// the rest of the optimizer\n'.repeat(200)}`,
      'types.ts': 'export interface Options { F: number }\n',
      'lib/README.md': '# agent\n',
    };
    for (const [label, store] of stores) {
      const commitStarted = performance.now();
      const commit = await store.commit(files, parents.get(label), `node ${index + 1}`);
      const refStarted = performance.now();
      await store.setNodeRef(index + 1, commit);
      const ended = performance.now();
      results.get(label).commit.push(refStarted - commitStarted);
      results.get(label).ref.push(ended - refStarted);
      parents.set(label, commit);
    }
  }
  return results;
}

/**
 * The section's markdown lines. `load(file)` imports a module of the build under test; `before`
 * (optional) of the build to compare with.
 */
export async function campaignRows({
  load,
  before = null,
  quick = false,
  children = quick ? 10 : 30,
  repeats = 1,
  log = () => {},
}) {
  const workers = 2;
  const rows = [];
  const loadAtStart = loadAverage();
  const startedAt = new Date();

  // 1. One commit and one ref, lineage store against git plumbing, interleaved.
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'clade-bench-lineage-'));
  let lineage;
  try {
    const { createGitCodeStore } = await load('lineage/git-store.js');
    const stores = [
      ['loose objects (this build)', createGitCodeStore(path.join(scratch, 'loose.git'))],
      ['git plumbing (`writer: git`)', createGitCodeStore(path.join(scratch, 'plumbing.git'), { writer: 'git' })],
    ];
    if (before) {
      const { createGitCodeStore: createBefore } = await before('lineage/git-store.js');
      stores.push(['before (the --before build)', createBefore(path.join(scratch, 'before.git'))]);
    }
    lineage = await timeCommits(stores, quick ? 10 : 40);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  // 2. The demo campaign, each sandbox, each build, interleaved.
  const builds = before
    ? [
        ['before', before],
        ['after', load],
      ]
    : [['this build', load]];
  const runs = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const sandboxKind of ['process', 'docker']) {
      for (const [build, buildLoad] of builds) {
        log(
          `campaign: ${build}, ${sandboxKind} sandbox, ${children} children, ${workers} workers (load ${loadAverage()})`,
        );
        try {
          const result = await runDemo({ load: buildLoad, sandboxKind, children, workers, log });
          log(
            `  ${result.perMinute.toFixed(1)} children/min, ${result.wallSeconds.toFixed(1)} s, statuses ${JSON.stringify(result.statuses)}`,
          );
          runs.push({ build, sandboxKind, ...result });
        } catch (error) {
          log(`  failed: ${error.message}`);
          runs.push({ build, sandboxKind, error: String(error.message).split('\n')[0] });
        }
      }
    }
  }

  rows.push(
    '',
    '## Campaign throughput (demo campaign)',
    '',
    `Measured ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus()[0]?.model ?? 'unknown CPU'}, ` +
      `${os.cpus().length} cores, Node ${process.version}; load average (1 / 5 / 15 min) ${loadAtStart} at the start, ` +
      `${loadAverage()} at the end (\`node benchmarks/perf/campaign.mjs\`). benchmarks/demo.yaml (seed 7, parametric ` +
      `mutator, the DE optimizer on 4 problems at D = 10), ${children} children, ${workers} workers; children per ` +
      'minute counted from the first child created to the last recorded (the seed evaluation excluded)' +
      (before ? '; the two builds alternate, so both see the same load.' : '.'),
    '',
    `| build | sandbox | children/min | wall s | statuses |`,
    '|---|---|---|---|---|',
  );
  for (const run of runs) {
    rows.push(
      run.error
        ? `| ${run.build} | ${run.sandboxKind} | failed: ${run.error} | | |`
        : `| ${run.build} | ${run.sandboxKind} | ${run.perMinute.toFixed(1)} | ${run.wallSeconds.toFixed(1)} | ${Object.entries(
            run.statuses,
          )
            .map(([status, count]) => `${status} ${count}`)
            .join(', ')} |`,
    );
  }
  const rate = (build, sandboxKind) => {
    const rates = runs.filter((run) => run.build === build && run.sandboxKind === sandboxKind && !run.error);
    return rates.length === 0 ? null : median(rates.map((run) => run.perMinute));
  };
  const latest = builds.at(-1)[0];
  const processRate = rate(latest, 'process');
  const dockerRate = rate(latest, 'docker');
  rows.push('');
  if (processRate !== null && dockerRate !== null) {
    rows.push(
      `Docker / process (${latest}): ${(dockerRate / processRate).toFixed(2)}× the children per minute.` +
        (before && rate('before', 'process') !== null
          ? ` After / before: process ${(processRate / rate('before', 'process')).toFixed(2)}×` +
            (rate('before', 'docker') !== null
              ? `, Docker ${(dockerRate / rate('before', 'docker')).toFixed(2)}×.`
              : '.')
          : ''),
    );
  }

  if (before) {
    // Each repeat's after / before pair ran back to back: the ratio of a pair sees one load.
    for (const sandboxKind of ['process', 'docker']) {
      const pairs = [];
      for (let repeat = 0; repeat < repeats; repeat++) {
        const [previous, next] = ['before', 'after'].map(
          (build) => runs.filter((run) => run.build === build && run.sandboxKind === sandboxKind)[repeat],
        );
        if (previous && next && !previous.error && !next.error) pairs.push(next.perMinute / previous.perMinute);
      }
      if (pairs.length > 0) {
        rows.push(
          `After / before per back-to-back pair, ${sandboxKind}: ${pairs.map((ratio) => `${ratio.toFixed(2)}×`).join(', ')} (median ${median(pairs).toFixed(2)}×).`,
        );
      }
    }
  }

  // The split per child (builds that record `timings`).
  const timed = runs.filter((run) => !run.error && run.timings);
  if (timed.length > 0) {
    rows.push(
      '',
      "Where a child's time goes (ms per child, summed over both workers; from the loop's `CampaignSummary.timings`; " +
        "bundling re-timed on each child's files after the run; jobs: the agent's own run time as the harness " +
        'reports it; sandbox: evaluation − bundling − jobs, i.e. starting the sandbox, writing files, loading the ' +
        'harness, reading the result):',
      '',
      '| build | sandbox | selection | mutation | git commit | bundling | sandbox | jobs (evaluation) | describe | SQLite | git ref | total |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const run of timed) {
      const t = run.timings;
      const per = (value) => (value / t.children).toFixed(1);
      const sandboxMs = Math.max(0, t.evaluationMs - run.bundleMs - run.jobsMs);
      const total = t.selectionMs + t.mutationMs + t.commitMs + t.evaluationMs + t.describeMs + t.recordMs + t.refMs;
      rows.push(
        `| ${run.build} | ${run.sandboxKind} | ${per(t.selectionMs)} | ${per(t.mutationMs)} | ${per(t.commitMs)} | ${per(run.bundleMs)} | ${per(sandboxMs)} | ${per(run.jobsMs)} | ${per(t.describeMs)} | ${per(t.recordMs)} | ${per(t.refMs)} | ${per(total)} |`,
      );
    }
  }

  rows.push(
    '',
    `One git commit (3 files, one changed, on its parent) and one node ref, ${lineage.values().next().value.commit.length} each, interleaved:`,
    '',
    '| writer | commit p50 ms | commit mean ms | ref p50 ms | ref mean ms |',
    '|---|---|---|---|---|',
  );
  const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
  for (const [label, times] of lineage) {
    rows.push(
      `| ${label} | ${median(times.commit).toFixed(2)} | ${mean(times.commit).toFixed(2)} | ${median(times.ref).toFixed(2)} | ${mean(times.ref).toFixed(2)} |`,
    );
    log(
      `lineage ${label}: commit p50 ${median(times.commit).toFixed(2)} ms, ref p50 ${median(times.ref).toFixed(2)} ms`,
    );
  }
  return rows;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const option = (name) => {
    const index = process.argv.indexOf(name);
    return index >= 0 ? process.argv[index + 1] : undefined;
  };
  const dist = option('--dist') ? path.resolve(option('--dist')) : path.join(root, 'dist');
  const beforeDist = option('--before') ? path.resolve(option('--before')) : null;
  const quick = process.argv.includes('--quick');
  const rows = await campaignRows({
    load: (file) => import(path.join(dist, 'src', file)),
    before: beforeDist ? (file) => import(path.join(beforeDist, 'src', file)) : null,
    quick,
    ...(option('--children') ? { children: Number(option('--children')) } : {}),
    repeats: Number(option('--repeats') ?? 1),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (option('--dist') !== undefined) {
    process.stdout.write(`${rows.join('\n')}\n`);
  } else {
    // Replace this section of RESULTS.md (up to the next section), keeping the others.
    const file = path.join(root, 'benchmarks/perf/RESULTS.md');
    const text = readFileSync(file, 'utf8');
    const start = text.indexOf('\n## Campaign throughput');
    const next = start < 0 ? -1 : text.indexOf('\n## ', start + 1);
    const section = rows.join('\n');
    const updated =
      start < 0
        ? `${text.trimEnd()}\n${section}\n`
        : `${text.slice(0, start)}${section}\n${next < 0 ? '' : text.slice(next)}`;
    writeFileSync(file, updated);
    process.stderr.write('updated the campaign section of benchmarks/perf/RESULTS.md\n');
  }
}
