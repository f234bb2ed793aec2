/**
 * `npm run bench` section: `clade tree`, `show`, `diff`, `fsck` on a synthetic campaign of 100,000
 * nodes (25,000 with --quick), timed through the built CLI (process start included). The archive
 * schema and campaign record come from the archive API; the rows are bulk-inserted in one
 * transaction and the commits and refs written by one `git fast-import`, so that building the
 * campaign takes seconds (tests/integration/large-archive.test.ts builds one through `recordNode`
 * and checks the commands' output instead).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

export async function benchLargeArchive({ root, load, rows, section, log, quick }) {
  const { openArchive } = await load('archive/sqlite-store.js');
  const { validateCampaign } = await load('campaign-file.js');
  const { createTask } = await load('create-campaign.js');
  const { createGitCodeStore, gitEnvironment } = await load('lineage/git-store.js');
  const { createRandom } = await load('core/random.js');
  const count = quick ? 25_000 : 100_000;
  const base = os.platform() === 'linux' ? '/dev/shm' : os.tmpdir();
  const directory = mkdtempSync(path.join(base, 'clade-bench-large-'));
  try {
    const config = validateCampaign(
      {
        name: 'large',
        seed: 5,
        agent: 'agents/de-optimizer',
        task: {
          kind: 'numeric',
          problems: [
            { fn: 'sphere', dim: 3 },
            { fn: 'rastrigin', dim: 3 },
          ],
          evaluationsPerDim: 100,
        },
        sandbox: { kind: 'process' },
      },
      'bench',
    );
    const jobs = createTask(config).jobs();
    const random = createRandom('bench-large', count);
    const scored = [];
    const shape = [];
    for (let id = 0; id < count; id++) {
      const parentId = id === 0 ? null : scored[Math.floor(random.next() * scored.length)];
      const status = id === 0 || random.next() >= 0.08 ? 'scored' : 'crashed';
      const jobScores = jobs.map(() => random.next());
      shape.push({ id, parentId, status, jobScores });
      if (status === 'scored') scored.push(id);
    }

    const built = performance.now();
    const code = createGitCodeStore(path.join(directory, 'code.git'));
    await code.init();
    const parts = [];
    for (const node of shape) {
      const content = `export default function optimize() { return ${node.id}; }\n`;
      parts.push(`blob\nmark :${2 * node.id + 1}\ndata ${Buffer.byteLength(content)}\n${content}`);
      const message = `node ${node.id}`;
      parts.push(
        `commit refs/clade/nodes/${node.id}\nmark :${2 * node.id + 2}\ncommitter clade <clade@localhost> 1700000000 +0000\ndata ${message.length}\n${message}`,
      );
      if (node.parentId !== null) parts.push(`from :${2 * node.parentId + 2}`);
      parts.push(`M 100644 :${2 * node.id + 1} optimizer.ts\n`);
    }
    const marks = path.join(directory, 'marks.txt');
    await new Promise((resolve, reject) => {
      const child = spawn('git', ['fast-import', '--quiet', `--export-marks=${marks}`], {
        cwd: code.path,
        env: gitEnvironment(code.path),
        stdio: ['pipe', 'ignore', 'inherit'],
      });
      child.on('error', reject);
      child.on('close', (status) => (status === 0 ? resolve() : reject(new Error('git fast-import failed'))));
      child.stdin.end(`${parts.join('\n')}\n`);
    });
    const commits = new Map();
    for (const line of readFileSync(marks, 'utf8').split('\n')) {
      const [mark, sha] = line.split(' ');
      if (mark && sha && Number(mark.slice(1)) % 2 === 0) commits.set(Number(mark.slice(1)) / 2 - 1, sha);
    }

    const archivePath = path.join(directory, 'archive.db');
    const archive = openArchive(archivePath);
    archive.createCampaign({
      id: 'large-1',
      name: 'large',
      seed: 5,
      config,
      configPath: '',
      createdAt: '2026-01-01T00:00:00Z',
    });
    archive.close();
    const database = new Database(archivePath);
    const insertNode = database.prepare(
      `INSERT INTO nodes (campaign_id, id, parent_id, commit_sha, status, score, public_metrics, private_metrics, mutation, error, iteration, created_at, evaluated_at)
       VALUES ('large-1', ?, ?, ?, ?, ?, '{}', '{}', ?, ?, ?, ?, ?)`,
    );
    const insertEvaluation = database.prepare(
      `INSERT INTO evaluations (node_id, problem, repeat, seed, status, score, metrics, duration_ms, log_excerpt) VALUES (?, ?, ?, ?, ?, ?, '{}', 5, '')`,
    );
    const insertEvent = database.prepare(
      `INSERT INTO events (campaign_id, type, node_id, data, created_at) VALUES ('large-1', 'node-recorded', ?, '{}', ?)`,
    );
    let best = null;
    database.transaction(() => {
      for (const node of shape) {
        const time = new Date(Date.UTC(2026, 0, 1) + node.id * 1000).toISOString();
        const ok = node.status === 'scored';
        const score = ok ? node.jobScores.reduce((sum, value) => sum + value, 0) / jobs.length : null;
        const mutation = JSON.stringify({
          operator: node.id === 0 ? 'seed' : 'parametric',
          summary: `change ${node.id}`,
        });
        insertNode.run(
          node.id,
          node.parentId,
          commits.get(node.id),
          node.status,
          score,
          mutation,
          ok ? null : 'failed',
          node.id,
          time,
          time,
        );
        for (const [index, job] of jobs.entries()) {
          const jobScore = ok ? node.jobScores[index] : null;
          insertEvaluation.run(node.id, job.problem, job.repeat, job.seed, ok ? 'ok' : 'crashed', jobScore);
        }
        insertEvent.run(node.id, time);
        if (ok && (best === null || score > best.score)) best = { id: node.id, score };
      }
    })();
    database.close();
    log(`large archive: ${count} nodes built in ${((performance.now() - built) / 1000).toFixed(1)} s`);

    const cli = path.join(root, 'dist/src/cli/main.js');
    const time = (args) => {
      const started = performance.now();
      const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
      const ms = performance.now() - started;
      if (result.status !== 0) throw new Error(`clade ${args.join(' ')} failed: ${result.stderr}`);
      return ms;
    };
    const startup = Math.min(time(['--version']), time(['--version']));
    const busiest = [
      ...shape.reduce((counts, node) => counts.set(node.parentId, (counts.get(node.parentId) ?? 0) + 1), new Map()),
    ]
      .filter(([id]) => id !== null)
      .sort((a, b) => b[1] - a[1])[0][0];
    section(
      `Inspecting a campaign of ${count.toLocaleString('en')} nodes (wall time through the CLI, process start included)`,
      '| command | ms |',
    );
    rows.push(`| \`clade --version\` (process start, for reference) | ${startup.toFixed(0)} |`);
    for (const [label, args] of [
      ['`clade tree` (every node)', ['tree', directory]],
      ['`clade tree --depth 2`', ['tree', directory, '--depth', '2']],
      ['`clade tree --json`', ['tree', directory, '--json']],
      ['`clade show best`', ['show', directory, 'best']],
      [`\`clade show ${busiest}\` (the node with the most children)`, ['show', directory, String(busiest)]],
      ['`clade diff 0 best`', ['diff', directory, '0', 'best']],
      ['`clade fsck` (every invariant, every node)', ['fsck', directory]],
    ]) {
      const ms = time(args);
      rows.push(`| ${label} | ${ms.toFixed(0)} |`);
      log(`${args.slice(0, 1).concat(args.slice(2)).join(' ')}: ${ms.toFixed(0)} ms`);
    }
    rows.push('', `Best node #${best.id}. The refs are loose files, as \`clade run\` leaves them.`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
