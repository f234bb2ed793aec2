#!/usr/bin/env node
/**
 * Performance benchmarks (`npm run bench`): campaign throughput (children per minute of the demo
 * campaign, process sandbox and Docker, and the time split per child), objective-function throughput, parent selection
 * latency, archive writes and reads, git commits, and the process sandbox's per-run overhead.
 * Writes benchmarks/perf/RESULTS.md with the machine and the date. Uses the built code in dist/.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const load = (file) => import(path.join(root, 'dist/src', file));

const { BUILTIN_FUNCTION_NAMES, createBuiltinFunction } = await load('numeric/functions.js');
const { createRandom } = await load('core/random.js');
const { openArchive } = await load('archive/sqlite-store.js');
const { createGitCodeStore } = await load('lineage/git-store.js');
const { createProcessSandbox } = await load('sandbox/process-sandbox.js');

const quick = process.argv.includes('--quick');
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const rows = [];
const section = (title, header) =>
  rows.push('', `## ${title}`, '', header, header.replace(/[^|]/g, '-').replace(/-\|-/g, '-|-'));
const log = (line) => process.stderr.write(`${line}\n`);

// 0. The headline: children per minute of the demo campaign in the process sandbox and in Docker,
// where a child's time goes, and one git commit against git plumbing (benchmarks/perf/campaign.mjs;
// alone it rewrites only its section of RESULTS.md and can compare two builds).
if (!process.argv.includes('--skip-campaign')) {
  const { campaignRows } = await import('./campaign.mjs');
  rows.push(...(await campaignRows({ load, quick, log })));
}

// 1. Objective functions: batches of 1,000 points on Float64Array kernels, one core.
section('Built-in functions (batch of 1,000 points, one core)', '| function | D | evaluations/s |');
for (const dimension of [10, 20]) {
  for (const name of BUILTIN_FUNCTION_NAMES) {
    const fn = createBuiltinFunction(name, dimension, 1, [-100, 100]);
    const count = 1000;
    const points = new Float64Array(count * dimension);
    const random = createRandom('bench', name, dimension);
    for (let index = 0; index < points.length; index++) points[index] = random.uniform(-100, 100);
    const out = new Float64Array(count);
    for (let warm = 0; warm < 20; warm++) fn.evaluateBatch(points, count, out);
    let evaluations = 0;
    const started = performance.now();
    const duration = quick ? 100 : 500;
    while (performance.now() - started < duration) {
      fn.evaluateBatch(points, count, out);
      evaluations += count;
    }
    const rate = evaluations / ((performance.now() - started) / 1000);
    rows.push(`| ${name} | ${dimension} | ${(rate / 1e6).toFixed(2)} M |`);
    log(`${name} d${dimension}: ${(rate / 1e6).toFixed(2)} M evals/s`);
  }
}

// 1b. Tensor backends: the same functions, batches of 10,000 points, typed kernels vs tfjs (float32).
{
  const { createTensorBackend, describeTensorBackends } = await load('numeric/tensor/index.js');
  const available = (await describeTensorBackends()).filter((info) => info.available);
  section(
    'Tensor backends: batched evaluation (batch of 10,000 points, evaluations/s)',
    `| function | D | ${available.map((info) => info.name).join(' | ')} |`,
  );
  const backends = [];
  for (const info of available) backends.push(await createTensorBackend(info.name));
  for (const dimension of [10, 20]) {
    for (const name of BUILTIN_FUNCTION_NAMES) {
      const fn = createBuiltinFunction(name, dimension, 1, [-100, 100]);
      const count = 10_000;
      const points = new Float64Array(count * dimension);
      const random = createRandom('bench-tensor', name, dimension);
      for (let index = 0; index < points.length; index++) points[index] = random.uniform(-100, 100);
      const cells = [];
      for (const backend of backends) {
        const evaluator = backend.builtin(fn);
        for (let warm = 0; warm < 3; warm++) await evaluator.evaluate(points, count);
        let evaluations = 0;
        const started = performance.now();
        const duration = quick ? 100 : 400;
        while (performance.now() - started < duration) {
          await evaluator.evaluate(points, count);
          evaluations += count;
        }
        const rate = evaluations / ((performance.now() - started) / 1000);
        evaluator.dispose();
        cells.push(`${(rate / 1e6).toFixed(2)} M`);
      }
      rows.push(`| ${name} | ${dimension} | ${cells.join(' | ')} |`);
      log(`tensor ${name} d${dimension}: ${cells.join(', ')}`);
    }
  }
  for (const backend of backends) backend.dispose();
}

// 1c. CEC2022 F1–F12 at D = 10 and 20 against a vectorised numpy baseline (benchmarks/perf/cec2022.mjs).
{
  const { cec2022Rows } = await import('./cec2022.mjs');
  const flagIndex = process.argv.indexOf('--data-dir');
  rows.push(
    ...(await cec2022Rows({ quick, log, dataDirectory: flagIndex >= 0 ? process.argv[flagIndex + 1] : undefined })),
  );
}

// 2. Parent selection, every selector, at 1,000 / 10,000 / 100,000 nodes, per draw as the campaign
// loop makes it (benchmarks/perf/selection.mjs; alone it rewrites only its section of RESULTS.md).
{
  const { selectionRows } = await import('./selection.mjs');
  rows.push(...(await selectionRows({ load, quick, log })));
}

// 2b. Clade statistics: appending one evaluation updates the node and its ancestors, O(depth) rows.
{
  const scratchStats = mkdtempSync(path.join(os.tmpdir(), 'clade-bench-stats-'));
  try {
    section(
      "Clade statistics: append one evaluation (own + ancestors' clade counts, one transaction)",
      '| tree | median ms |',
    );
    const archive = openArchive(path.join(scratchStats, 'archive.db'));
    const depth = quick ? 200 : 1000;
    const record = (id, parentId) =>
      archive.recordNode(
        {
          id,
          parentId,
          commit: `c${id}`,
          status: 'scored',
          score: 0.5,
          publicMetrics: {},
          privateMetrics: {},
          mutation: { operator: 'bench', summary: '' },
          error: null,
          iteration: id,
          createdAt: new Date().toISOString(),
          evaluatedAt: null,
        },
        [],
      );
    for (let id = 0; id < depth; id++) record(id, id === 0 ? null : id - 1);
    const times = [];
    for (let repeat = 0; repeat < (quick ? 5 : 21); repeat++) {
      const started = performance.now();
      archive.appendEvaluations(
        {
          id: depth - 1,
          status: 'scored',
          score: 0.5,
          publicMetrics: {},
          privateMetrics: {},
          error: null,
          evaluatedAt: null,
        },
        [
          {
            nodeId: depth - 1,
            problem: 'p',
            repeat,
            seed: 0,
            status: 'ok',
            score: 0.5,
            metrics: {},
            durationMs: 0,
            logExcerpt: '',
          },
        ],
      );
      times.push(performance.now() - started);
    }
    const stats = archive.nodeStats();
    if (Math.abs(stats[0].clade.passes - stats.at(-1).own.passes) > 1e-9) throw new Error('clade counts do not add up');
    rows.push(`| a chain of ${depth} nodes, leaf appended | ${median(times).toFixed(3)} |`);
    log(`clade append at depth ${depth}: ${median(times).toFixed(3)} ms`);
    archive.close();
  } finally {
    rmSync(scratchStats, { recursive: true, force: true });
  }
}

// 3. Archive: record nodes one transaction each, then list them.
const scratch = mkdtempSync(path.join(os.tmpdir(), 'clade-bench-'));
try {
  section('Archive (SQLite, WAL, synchronous=FULL)', '| operation | result |');
  const archive = openArchive(path.join(scratch, 'archive.db'));
  const total = quick ? 2_000 : 20_000;
  const started = performance.now();
  for (let id = 0; id < total; id++) {
    archive.recordNode(
      {
        id,
        parentId: id === 0 ? null : Math.floor(id / 2),
        commit: 'a'.repeat(40),
        status: 'scored',
        score: id / total,
        publicMetrics: { 'score:sphere-d10': 0.5 },
        privateMetrics: {},
        mutation: { operator: 'parametric', summary: 'F 0.5→0.6' },
        error: null,
        iteration: id,
        createdAt: new Date().toISOString(),
        evaluatedAt: new Date().toISOString(),
      },
      [
        {
          nodeId: id,
          problem: 'sphere-d10',
          repeat: 0,
          seed: 1,
          status: 'ok',
          score: 0.5,
          metrics: { error: 1 },
          durationMs: 10,
          logExcerpt: '',
        },
      ],
    );
  }
  const perNode = (performance.now() - started) / total;
  rows.push(`| recordNode (node + 1 evaluation + event, own transaction) | ${perNode.toFixed(3)} ms |`);
  const listStarted = performance.now();
  const listed = archive.listNodes().length;
  rows.push(
    `| listNodes over ${listed.toLocaleString('en')} nodes | ${(performance.now() - listStarted).toFixed(1)} ms |`,
  );
  archive.close();
  log(`archive: ${perNode.toFixed(3)} ms/node`);

  // 4. Git lineage: commit a 3-file agent on its parent.
  section('Lineage (git)', '| operation | median ms |');
  const code = createGitCodeStore(path.join(scratch, 'code.git'));
  await code.init();
  let parent = null;
  const commitTimes = [];
  for (let index = 0; index < (quick ? 5 : 20); index++) {
    const files = {
      'optimizer.ts': `const F = ${index};\n`.repeat(50),
      'types.ts': 'export {};\n',
      'README.md': '# agent\n',
    };
    const t0 = performance.now();
    parent = await code.commit(files, parent, `node ${index}`);
    commitTimes.push(performance.now() - t0);
  }
  const readTimes = [];
  for (let index = 0; index < 10; index++) {
    const t0 = performance.now();
    await code.readFiles(parent);
    readTimes.push(performance.now() - t0);
  }
  rows.push(
    `| commit (3 files) | ${median(commitTimes).toFixed(1)} |`,
    `| readFiles | ${median(readTimes).toFixed(1)} |`,
  );
  log(`git commit: ${median(commitTimes).toFixed(1)} ms`);

  // 5. Process sandbox: an empty program that writes its result file.
  section('Process sandbox', '| operation | median ms |');
  const sandbox = createProcessSandbox();
  const runTimes = [];
  for (let index = 0; index < (quick ? 5 : 15); index++) {
    const t0 = performance.now();
    const result = await sandbox.run({
      files: { 'main.mjs': "import { writeFileSync } from 'node:fs'; writeFileSync('result.json', '{\"ok\":true}');" },
      entry: 'main.mjs',
      resultFile: 'result.json',
      limits: { timeoutMs: 10_000, memoryMb: 512, outputBytes: 65_536, cpus: 1, pids: 64, resultBytes: 1 << 20 },
    });
    if (result.exit !== 'exited' || result.result?.ok !== true)
      throw new Error(`sandbox run failed: ${JSON.stringify(result)}`);
    runTimes.push(performance.now() - t0);
  }
  rows.push(`| run (spawn node, write files, read result, clean up) | ${median(runTimes).toFixed(1)} |`);
  log(`process sandbox: ${median(runTimes).toFixed(1)} ms`);
  await sandbox.close();
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// 6. Per-evaluation sandbox overhead for a trivial program (writes its result file), serial runs:
// the process sandbox, Docker with a fresh container per run (cold), Docker's warm pool. Node's
// own start-up (spawning `node -e 0` on the host) is measured alongside: every driver pays it.
{
  const runs = quick ? 10 : 50;
  const percentile = (values, fraction) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
  };
  const trivial = {
    files: { 'main.mjs': "import { writeFileSync } from 'node:fs'; writeFileSync('result.json', '{\"ok\":true}');" },
    entry: 'main.mjs',
    resultFile: 'result.json',
    limits: { timeoutMs: 20_000, memoryMb: 512, outputBytes: 65_536, cpus: 1, pids: 64, resultBytes: 1 << 20 },
  };
  const measure = async (sandbox) => {
    await sandbox.run(trivial); // warm-up (and, for the pool, the container start)
    const times = [];
    for (let index = 0; index < runs; index++) {
      const t0 = performance.now();
      const result = await sandbox.run(trivial);
      if (result.exit !== 'exited' || result.result?.ok !== true)
        throw new Error(`sandbox run failed: ${JSON.stringify(result)}`);
      times.push(performance.now() - t0);
    }
    return { p50: percentile(times, 0.5), p95: percentile(times, 0.95) };
  };
  section(
    `Sandbox overhead per evaluation (trivial program, serial, ${runs} runs each)`,
    '| sandbox | p50 ms | p95 ms |',
  );
  const { spawnSync } = await import('node:child_process');
  const startTimes = [];
  for (let index = 0; index < runs; index++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    startTimes.push(performance.now() - t0);
  }
  rows.push(
    `| (node start-up alone: \`node -e 0\` on the host) | ${percentile(startTimes, 0.5).toFixed(1)} | ${percentile(startTimes, 0.95).toFixed(1)} |`,
  );
  const processStats = await measure(createProcessSandbox());
  rows.push(`| process | ${processStats.p50.toFixed(1)} | ${processStats.p95.toFixed(1)} |`);
  log(`process sandbox: p50 ${processStats.p50.toFixed(1)} ms`);
  const { connectDocker, probeEngine, inspectSandboxImage } = await load('sandbox/docker-engine.js');
  const { createDockerSandbox } = await load('sandbox/docker-sandbox.js');
  const docker = connectDocker();
  const probe = await probeEngine(docker);
  const image = probe.reachable ? await inspectSandboxImage(docker) : null;
  if (!probe.reachable || image === null) {
    const why = probe.reachable
      ? 'no sandbox image (`clade sandbox build --offline`)'
      : `no Docker engine (${probe.reason})`;
    rows.push(`| docker cold / warm pool | skipped: ${why} | |`);
    log(`docker sandbox benchmarks skipped: ${why}`);
  } else {
    for (const [label, pool] of [
      ['docker, fresh container per run (cold)', 0],
      ['docker, warm pool', 1],
    ]) {
      const sandbox = await createDockerSandbox({ docker, pool });
      const stats = await measure(sandbox);
      await sandbox.close();
      rows.push(`| ${label} | ${stats.p50.toFixed(1)} | ${stats.p95.toFixed(1)} |`);
      log(`${label}: p50 ${stats.p50.toFixed(1)} ms, p95 ${stats.p95.toFixed(1)} ms`);
      if (pool > 0)
        rows.push(
          '',
          `Warm pool p50 = ${(stats.p50 / processStats.p50).toFixed(2)} × the process sandbox's; docker ${probe.version}, image ${image.digest.slice(0, 19)}….`,
        );
    }
  }
}

// 7. Queue executor (BullMQ on Redis, `clade worker` processes on this host): the queue's overhead
// per evaluation against in-process dispatch, and throughput with 1, 2 and 4 worker processes on
// the built-in task. Skipped with a note when redis-server is missing.
if (!process.argv.includes('--skip-queue')) {
  const { spawn, spawnSync } = await import('node:child_process');
  const net = await import('node:net');
  const hasRedis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!hasRedis) {
    section('Queue executor (BullMQ on Redis)', '| measurement | result |');
    rows.push('| all | skipped: redis-server is not installed (`apt-get install -y redis-server`) |');
    log('queue executor benchmarks skipped: no redis-server');
  } else {
    const { createQueueSandbox } = await load('sandbox/queue-sandbox.js');
    const { createNumericTask } = await load('tasks/numeric-task.js');
    const { evaluateNode } = await load('tasks/evaluate-node.js');
    const { bundleAgent } = await load('harness/bundle-agent.js');
    const { loadHarness } = await load('harness/load-harness.js');
    const { readAgentDirectory } = await load('campaign/agent-directory.js');
    const { loadCampaignFile } = await load('campaign-file.js');
    const scratchQueue = mkdtempSync(path.join(os.tmpdir(), 'clade-bench-queue-'));
    const port = await new Promise((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address();
        server.close(() => resolve(free));
      });
    });
    const redisUrl = `redis://127.0.0.1:${port}`;
    const redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', scratchQueue],
      { stdio: 'ignore' },
    );
    const cli = path.join(root, 'dist/src/cli/main.js');
    const workers = [];
    const startWorkers = async (count, queue) => {
      const started = [];
      for (let index = 0; index < count; index++) {
        const child = spawn(
          process.execPath,
          [cli, 'worker', '--redis', redisUrl, '--queue', queue, '--sandbox', 'process', '--name', `bench-${index}`],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        let output = '';
        const ready = new Promise((resolve, reject) => {
          child.stdout.on('data', (chunk) => {
            output += chunk;
            if (output.includes('Ctrl-C stops')) resolve();
          });
          child.once('exit', (code) => reject(new Error(`clade worker exited with ${code}: ${output}`)));
        });
        workers.push(child);
        started.push(child);
        await ready;
      }
      return started;
    };
    const stopWorkers = async (children) => {
      await Promise.all(
        children.map(
          (child) =>
            new Promise((resolve) => {
              child.once('exit', resolve);
              child.kill('SIGTERM');
            }),
        ),
      );
    };
    try {
      for (let tries = 0; ; tries++) {
        const ok = await new Promise((resolve) => {
          const socket = net.connect(port, '127.0.0.1', () => {
            socket.destroy();
            resolve(true);
          });
          socket.once('error', () => resolve(false));
        });
        if (ok) break;
        if (tries > 200) throw new Error('redis-server did not start');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }

      // 7a. Overhead per evaluation: the trivial program, serial, in-process vs through the queue.
      const runs = quick ? 10 : 40;
      const trivialSource = (index) =>
        `import { writeFileSync } from 'node:fs'; writeFileSync('result.json', '{"ok":${index}}');`;
      const limits = { timeoutMs: 20_000, memoryMb: 512, outputBytes: 65_536, cpus: 1, pids: 64, resultBytes: 1 << 20 };
      // Runs alternate between the two (A, B, A, B …) so that load from elsewhere hits both alike.
      const runOnce = async (sandbox, value) => {
        const t0 = performance.now();
        const result = await sandbox.run({
          files: { 'main.mjs': trivialSource(value) },
          entry: 'main.mjs',
          resultFile: 'result.json',
          limits,
        });
        if (result.exit !== 'exited' || result.result?.ok !== value)
          throw new Error(`queue benchmark run failed: ${JSON.stringify(result).slice(0, 300)}`);
        return performance.now() - t0;
      };
      section(
        `Queue executor: overhead per evaluation (trivial program, serial, ${runs} runs each, alternating; one local \`clade worker\`)`,
        '| dispatch | p50 ms | mean ms |',
      );
      const direct = createProcessSandbox();
      const overheadWorkers = await startWorkers(1, 'bench-overhead');
      const queued = createQueueSandbox({
        redis: redisUrl,
        queue: 'bench-overhead',
        namespace: `overhead-${Date.now()}`,
      });
      await runOnce(direct, -1);
      await runOnce(queued, -2); // warm-up: connections, the worker's first job
      const localTimes = [];
      const remoteTimes = [];
      for (let index = 0; index < runs; index++) {
        localTimes.push(await runOnce(direct, index));
        remoteTimes.push(await runOnce(queued, 1_000_000 + index));
      }
      await queued.close();
      await direct.close();
      await stopWorkers(overheadWorkers);
      const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
      const local = { p50: median(localTimes), mean: mean(localTimes) };
      const remote = { p50: median(remoteTimes), mean: mean(remoteTimes) };
      rows.push(
        `| in-process (process sandbox) | ${local.p50.toFixed(1)} | ${local.mean.toFixed(1)} |`,
        `| queue → clade worker (process sandbox) | ${remote.p50.toFixed(1)} | ${remote.mean.toFixed(1)} |`,
        '',
        `Queue overhead per evaluation: ${(remote.p50 - local.p50).toFixed(1)} ms at the median (${(remote.mean - local.mean).toFixed(1)} ms mean): enqueue (the request travels inside the job), a worker's blocking fetch, the result back through Redis and its checks.`,
      );
      log(`queue overhead: p50 ${local.p50.toFixed(1)} → ${remote.p50.toFixed(1)} ms`);

      // 7b. Throughput on the built-in task (the demo campaign's seed agent and problems, 2,000 × D
      // evaluations per problem): distinct evaluations (task seeds differ), 8 in flight.
      const loaded = loadCampaignFile(path.join(root, 'benchmarks/demo.yaml'));
      const taskConfig = { ...loaded.config.task, evaluationsPerDim: 2_000 };
      const files = readAgentDirectory(loaded.agentDirectory);
      const harness = await loadHarness();
      const taskLimits = {
        timeoutMs: 120_000,
        memoryMb: 1024,
        outputBytes: 65_536,
        cpus: 1,
        pids: 64,
        resultBytes: 16 << 20,
      };
      const evaluations = quick ? 8 : 24;
      const inFlight = 8;
      const throughput = async (sandbox, label) => {
        const started = performance.now();
        let next = 0;
        let scored = 0;
        let failed = 0;
        const seedBase = Date.now();
        const lane = async () => {
          while (next < evaluations) {
            const index = next++;
            const task = createNumericTask(taskConfig, (seedBase + index) % 2 ** 32);
            const outcome = await evaluateNode(files, {
              task,
              sandbox,
              limits: taskLimits,
              bundle: bundleAgent,
              harness,
            });
            if (outcome.status === 'scored') scored++;
            else {
              failed++;
              log(`${label}: evaluation ${index} ended ${outcome.status}: ${outcome.error}`);
            }
          }
        };
        await Promise.all(Array.from({ length: inFlight }, lane));
        const seconds = (performance.now() - started) / 1000;
        return { rate: scored / seconds, seconds, note: failed > 0 ? ` (${failed} not scored)` : '' };
      };
      section(
        `Queue executor: throughput on the built-in task (demo problems, 2,000 × D evaluations each; ${evaluations} evaluations, ${inFlight} in flight; ${os.cpus().length} cores)`,
        '| dispatch | evaluations/s | wall s |',
      );
      for (const parallel of [1, 2, 4]) {
        const { createProcessSandbox: create } = await load('sandbox/process-sandbox.js');
        const direct = create();
        // In-process dispatch at the same parallelism: a gate of `parallel` runs at once.
        let active = 0;
        const queue = [];
        const gated = {
          kind: 'process',
          async run(request) {
            if (active >= parallel) await new Promise((resolve) => queue.push(resolve));
            active++;
            try {
              return await direct.run(request);
            } finally {
              active--;
              queue.shift()?.();
            }
          },
          close: () => direct.close(),
        };
        const inProcess = await throughput(gated, `in-process ×${parallel}`);
        rows.push(
          `| in-process, ${parallel} sandbox(es) at once | ${inProcess.rate.toFixed(2)}${inProcess.note} | ${inProcess.seconds.toFixed(1)} |`,
        );
        log(`in-process ×${parallel}: ${inProcess.rate.toFixed(2)} evaluations/s`);
        const name = `bench-throughput-${parallel}`;
        const children = await startWorkers(parallel, name);
        const sandbox = createQueueSandbox({
          redis: redisUrl,
          queue: name,
          namespace: `throughput-${parallel}-${Date.now()}`,
        });
        const viaQueue = await throughput(sandbox, `queue ×${parallel}`);
        await sandbox.close();
        await stopWorkers(children);
        rows.push(
          `| queue, ${parallel} \`clade worker\` process(es) | ${viaQueue.rate.toFixed(2)}${viaQueue.note} | ${viaQueue.seconds.toFixed(1)} |`,
        );
        log(`queue ×${parallel} workers: ${viaQueue.rate.toFixed(2)} evaluations/s`);
      }
      rows.push(
        '',
        `All processes share this machine's ${os.cpus().length} cores, so more workers than cores cannot add throughput here; on separate hosts each worker brings its own cores.`,
      );
    } finally {
      for (const child of workers) if (child.exitCode === null) child.kill('SIGKILL');
      redis.kill('SIGTERM');
      await new Promise((resolve) => (redis.exitCode !== null ? resolve() : redis.once('exit', resolve)));
      rmSync(scratchQueue, { recursive: true, force: true });
    }
  }
}

// Inspecting a large campaign: tree, show, diff and fsck on 100,000 nodes.
const { benchLargeArchive } = await import('./large-archive.mjs');
await benchLargeArchive({ root, load, rows, section, log, quick });

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const header = [
  '# Performance results',
  '',
  `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}.`,
  quick ? '(quick mode: shorter runs)' : '',
];
const output = `${[...header, ...rows].join('\n')}\n`;
if (!quick || process.argv.includes('--write')) writeFileSync(path.join(root, 'benchmarks/perf/RESULTS.md'), output);
process.stdout.write(output);

// The web viewer has its own benchmark and results file (benchmarks/perf/VIEWER-RESULTS.md).
if (!process.argv.includes('--skip-viewer')) {
  const { spawnSync } = await import('node:child_process');
  const viewerArgs = [path.join(root, 'benchmarks/perf/viewer.mjs'), ...(quick ? ['--quick'] : [])];
  const viewerRun = spawnSync(process.execPath, viewerArgs, { stdio: 'inherit' });
  if (viewerRun.status !== 0) process.exitCode = 1;
}
