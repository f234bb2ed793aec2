#!/usr/bin/env node
/**
 * Viewer benchmark (`npm run bench` runs it; or `node benchmarks/perf/viewer.mjs [--quick]`):
 * synthetic archives of growing size (a DGM-like tree: parents drawn with a preference for good
 * nodes), then the viewer's start-up (loading every node), `GET /api/nodes` latency and size, and,
 * when Debian's chromium is installed, the page's time to first draw and its frame times while
 * zooming and panning. Writes benchmarks/perf/VIEWER-RESULTS.md (with --quick: only with --write).
 * Uses the built code in dist/.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const load = (file) => import(path.join(root, 'dist/src', file));
const { openArchive } = await load('archive/sqlite-store.js');
const { createRandom } = await load('core/random.js');
const { startViewer } = await load('viewer/server.js');

const CHROMIUM = '/usr/bin/chromium';
const quick = process.argv.includes('--quick');
const sizes = quick ? [1_000, 5_000] : [1_000, 10_000, 30_000];
const log = (line) => process.stderr.write(`${line}\n`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

function buildArchive(directory, size) {
  const archive = openArchive(path.join(directory, 'archive.db'));
  archive.createCampaign({
    id: `bench-${size}`,
    name: `bench-${size}`,
    seed: 1,
    config: {},
    configPath: '',
    createdAt: new Date().toISOString(),
  });
  const random = createRandom('viewer-bench', size);
  const scores = [];
  const started = Date.parse('2026-01-01T00:00:00Z');
  for (let id = 0; id < size; id++) {
    let parentId = null;
    if (id > 0) {
      // Tournament of 3 among earlier nodes: good nodes get more children, as under DGM selection.
      parentId = Math.floor(random.uniform(0, id));
      for (let round = 0; round < 2; round++) {
        const other = Math.floor(random.uniform(0, id));
        if ((scores[other] ?? 0) > (scores[parentId] ?? 0)) parentId = other;
      }
    }
    const failed = id > 0 && random.uniform(0, 1) < 0.12;
    const base = parentId === null ? 0.3 : (scores[parentId] ?? 0.3);
    const score = failed ? null : Math.min(1, Math.max(0, base + random.uniform(-0.05, 0.04)));
    scores.push(score);
    const time = new Date(started + id * 2000).toISOString();
    archive.recordNode(
      {
        id,
        parentId,
        commit: '0'.repeat(40),
        status: failed ? 'crashed' : 'scored',
        score,
        publicMetrics: {},
        privateMetrics: {},
        mutation: { operator: 'parametric', summary: `F 0.5→${(0.5 + random.uniform(-0.1, 0.1)).toFixed(3)}` },
        error: failed ? 'process exited with code 1' : null,
        iteration: id,
        createdAt: time,
        evaluatedAt: time,
      },
      [],
    );
  }
  archive.close();
}

async function measurePage(viewer, size) {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'clade-viewer-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1440, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const started = performance.now();
    await page.goto(viewer.url);
    await page.waitForSelector(`body[data-nodes="${size}"]`, { timeout: 120_000 });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const ready = performance.now() - started;
    // Zoom in and out around the middle, then pan: one wheel or drag step per frame, timing frames.
    const box = await page.locator('#tree').boundingBox();
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await page.mouse.move(cx, cy);
    for (let step = 0; step < 30; step++) await page.mouse.wheel(0, -120);
    for (let step = 0; step < 30; step++) await page.mouse.wheel(0, 120);
    await page.mouse.down();
    for (let step = 0; step < 40; step++) await page.mouse.move(cx + step * 8, cy + step * 3);
    await page.mouse.up();
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const draws = (await page.evaluate(() => globalThis.cladeViewer.drawTimes())).slice(-100);
    return { ready, drawMedian: median(draws), drawP95: percentile(draws, 0.95), draws: draws.length };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const rows = [
  '# Viewer performance',
  '',
  `${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores), Node ${process.version}.`,
  'Synthetic DGM-like trees (12% failed nodes). "start" loads every node from the archive; "/api/nodes" is the',
  'median of 5 requests; page figures come from headless Chromium (software rendering, no GPU): time until the',
  'tree is first drawn, and the time of one full redraw of the tree while zooming (60 wheel steps) and panning',
  '(40 drag steps); a redraw under 16 ms keeps 60 frames per second.',
  `Load average while measuring: ${os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(', ')} (other work on the machine inflates every figure).`,
  '',
  '| nodes | start ms | /api/nodes ms | /api/nodes KiB | page ready ms | draw median ms | draw p95 ms |',
  '|---|---|---|---|---|---|---|',
];
for (const size of sizes) {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'clade-viewer-bench-'));
  try {
    const built = performance.now();
    buildArchive(directory, size);
    log(`archive of ${size} nodes written in ${((performance.now() - built) / 1000).toFixed(1)} s`);
    const starting = performance.now();
    const viewer = await startViewer({ directory, port: 0 });
    const start = performance.now() - starting;
    const times = [];
    let bytes = 0;
    for (let attempt = 0; attempt < 5; attempt++) {
      const begun = performance.now();
      const response = await fetch(new URL('/api/nodes', viewer.url));
      bytes = (await response.arrayBuffer()).byteLength;
      times.push(performance.now() - begun);
    }
    let page = null;
    if (existsSync(CHROMIUM)) page = await measurePage(viewer, size);
    await viewer.close();
    const cells = [
      size.toLocaleString('en-US'),
      start.toFixed(0),
      median(times).toFixed(1),
      (bytes / 1024).toFixed(0),
      page ? page.ready.toFixed(0) : '–',
      page ? page.drawMedian.toFixed(1) : '–',
      page ? page.drawP95.toFixed(1) : '–',
    ];
    rows.push(`| ${cells.join(' | ')} |`);
    log(rows.at(-1));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
if (!existsSync(CHROMIUM)) rows.push('', `Page figures skipped: ${CHROMIUM} is missing (apt-get install -y chromium).`);
if (!quick || process.argv.includes('--write')) {
  writeFileSync(path.join(root, 'benchmarks/perf/VIEWER-RESULTS.md'), `${rows.join('\n')}\n`);
  log('wrote benchmarks/perf/VIEWER-RESULTS.md');
}
