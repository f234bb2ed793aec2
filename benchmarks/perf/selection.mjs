#!/usr/bin/env node
/**
 * Parent-selection latency, the `npm run bench` section (run.mjs calls `selectionRows`); alone,
 * `node benchmarks/perf/selection.mjs [--quick] [--dist DIR]` replaces that section of
 * benchmarks/perf/RESULTS.md (or, with --dist, only prints it: to time another build, such as the
 * code before a change, from its dist/ directory).
 *
 * Archives of 1,000 / 10,000 / 100,000 nodes carrying what every selector reads. Two cases, each a
 * median over repeats, the way the campaign loop uses a selector:
 * - "draw": the parent of the previous draw gets one more child, then one draw;
 * - "new node + draw": a node is recorded (score, features, one outcome added to its own and every
 *   ancestor's clade counts, its parent's child count), then one draw.
 * With a build that has `CandidatePool` the snapshot is the loop's journaled pool; with an older
 * build it is what that loop did: a copy of every candidate per draw, each selector rebuilding.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** The section's markdown lines. `load(file)` imports a module of the build under test. */
export async function selectionRows({ load, quick = false, log = () => {} }) {
  const selection = await load('selection/index.js');
  const { createRandom } = await load('core/random.js');
  const journaled = typeof selection.CandidatePool === 'function';
  // Builds with a selector registry: every registered kind, from its defaults, as a campaign builds it.
  const selectors = selection.selectorKinds
    ? Object.fromEntries(
        selection.selectorKinds.list().map((kind) => {
          const section = selection.selectionSectionSchema().parse({ strategy: kind.kind });
          return [kind.kind, () => kind.create(section)];
        }),
      )
    : {
        dgm: () => selection.dgmSelector(),
        weighted: () => selection.weightedSelector(),
        'power-law': () => selection.powerLawSelector(),
        tournament: () => selection.tournamentSelector(),
        hgm: () => selection.hgmSelector(),
        'map-elites': () => selection.mapElitesSelector(),
        best: () => selection.bestSelector(),
        random: () => selection.randomSelector(),
      };
  const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const repeats = quick ? 7 : 21;

  const makeNode = (random, id) => {
    const status = random.next() < 0.9 ? 'scored' : 'crashed';
    return {
      id,
      parentId: id === 0 ? null : random.int(id),
      status,
      score: status === 'scored' ? random.next() : null,
      children: 0,
      iteration: id,
      own: { passes: random.int(5), failures: random.int(5) },
      clade: { passes: random.int(500), failures: random.int(500) },
      features: { codeLength: 3000 + random.int(500), diversity: random.int(200) },
    };
  };

  /** The loop's view of the archive: a journaled pool, or (older builds) a map copied per draw. */
  const makeArchive = (size) => {
    const random = createRandom('bench-selection', size);
    const nodes = Array.from({ length: size }, (_, id) => makeNode(random, id));
    for (const node of nodes) if (node.parentId !== null) nodes[node.parentId].children++;
    if (journaled) {
      const pool = new selection.CandidatePool();
      for (const node of nodes) pool.add(node);
      return {
        size: () => pool.size,
        get: (id) => pool.get(id),
        update: (id, change) => pool.update(id, change),
        add: (node) => pool.add(node),
        snapshot: (iteration) => pool.snapshot(iteration),
      };
    }
    const map = new Map(nodes.map((node) => [node.id, node]));
    return {
      size: () => map.size,
      get: (id) => map.get(id),
      update: (id, change) => Object.assign(map.get(id), change),
      add: (node) => map.set(node.id, node),
      snapshot: (iteration) => ({ nodes: [...map.values()], iteration }),
    };
  };

  const rows = [];
  const cases = [
    ['draw', false],
    ['new node + draw', true],
  ];
  const results = new Map();
  for (const [name, create] of Object.entries(selectors)) {
    for (const size of sizes) {
      const archive = makeArchive(size);
      const selector = create();
      const random = createRandom('bench-selection-draw', name, size);
      const grow = createRandom('bench-selection-grow', name, size);
      let last = 0;
      const step = (withNode) => {
        if (withNode) {
          const id = archive.size();
          const node = makeNode(grow, id);
          archive.add(node);
          const outcome = node.own;
          for (let current = archive.get(node.parentId); current; ) {
            archive.update(current.id, {
              clade: {
                passes: current.clade.passes + outcome.passes,
                failures: current.clade.failures + outcome.failures,
              },
            });
            current = current.parentId === null ? undefined : archive.get(current.parentId);
          }
          archive.update(node.parentId, { children: archive.get(node.parentId).children + 1 });
        } else {
          archive.update(last, { children: archive.get(last).children + 1 });
        }
        const [pick] = selector.select(archive.snapshot(archive.size()), random, 1);
        last = pick ?? 0;
      };
      for (const [label, withNode] of cases) {
        for (let warm = 0; warm < 3; warm++) step(withNode);
        const times = [];
        for (let repeat = 0; repeat < repeats; repeat++) {
          const started = performance.now();
          step(withNode);
          times.push(performance.now() - started);
        }
        results.set(`${name}|${label}|${size}`, median(times));
      }
      log(
        `selection ${name} ${size}: ${cases.map(([label]) => `${label} ${results.get(`${name}|${label}|${size}`).toFixed(3)} ms`).join(', ')}`,
      );
    }
  }
  const load1 = os.loadavg()[0].toFixed(1);
  rows.push(
    '',
    '## Parent selection, per draw as the campaign loop makes it, median ms',
    '',
    `${journaled ? 'Journaled candidate pool (selectors keep their state between draws)' : 'Snapshot copied per draw, every selector rebuilding (the code before the pool)'}; ` +
      `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ` +
      `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${load1} at the end. ` +
      '"draw": one more child for the previous parent, then a draw; "new node + draw": a node recorded ' +
      "(its outcome added to every ancestor's clade counts), then a draw (`node benchmarks/perf/selection.mjs` alone).",
    '',
    `| selector | ${cases.flatMap(([label]) => sizes.map((size) => `${label}, ${size.toLocaleString('en')}`)).join(' | ')} |`,
    `|---|${cases.flatMap(() => sizes.map(() => '---')).join('|')}|`,
  );
  for (const name of Object.keys(selectors)) {
    rows.push(
      `| \`${name}\` | ${cases
        .flatMap(([label]) => sizes.map((size) => results.get(`${name}|${label}|${size}`).toFixed(3)))
        .join(' | ')} |`,
    );
  }
  return rows;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const distIndex = process.argv.indexOf('--dist');
  const dist = distIndex >= 0 ? path.resolve(process.argv[distIndex + 1]) : path.join(root, 'dist');
  const load = (file) => import(path.join(dist, 'src', file));
  const rows = await selectionRows({
    load,
    quick: process.argv.includes('--quick'),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (distIndex >= 0) {
    process.stdout.write(`${rows.join('\n')}\n`);
  } else {
    // Replace this section of RESULTS.md (up to the next section), keeping the others.
    const file = path.join(root, 'benchmarks/perf/RESULTS.md');
    const text = readFileSync(file, 'utf8');
    const start = text.indexOf('\n## Parent selection');
    const next = start < 0 ? -1 : text.indexOf('\n## ', start + 1);
    const section = rows.join('\n');
    const updated =
      start < 0
        ? `${text.trimEnd()}\n${section}\n`
        : `${text.slice(0, start)}${section}\n${next < 0 ? '' : text.slice(next)}`;
    writeFileSync(file, updated);
    process.stderr.write('updated the selection section of benchmarks/perf/RESULTS.md\n');
  }
}
