/**
 * A synthetic campaign directory of any size, written through the archive API (`recordNode`) and
 * `git fast-import` (one process for every commit and ref), so that tests and benchmarks can check
 * `tree`, `show`, `fsck` on 100,000 nodes without running 100,000 evaluations.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openArchive } from '../../src/archive/sqlite-store.js';
import { validateCampaign } from '../../src/campaign-file.js';
import type { CampaignConfig } from '../../src/config/schema.js';
import { createRandom } from '../../src/core/random.js';
import type { AgentNode, EvaluationRecord, Metrics, NodeStatus } from '../../src/core/types.js';
import { createTask } from '../../src/create-campaign.js';
import { createGitCodeStore, gitEnvironment } from '../../src/lineage/git-store.js';

/** The stored configuration of synthetic campaigns: one 3-d problem, one repeat (one evaluation per node). */
export function syntheticConfig(): CampaignConfig {
  return validateCampaign(
    {
      name: 'synthetic',
      seed: 5,
      agent: 'agents/de-optimizer',
      task: {
        kind: 'numeric',
        problems: [{ fn: 'sphere', dim: 3 }],
        evaluationsPerDim: 100,
      },
      sandbox: { kind: 'process' },
    },
    'synthetic campaign',
  );
}

export interface SyntheticCampaign {
  nodes: AgentNode[];
  /** The scored node with the highest score (lowest id on ties). */
  bestId: number;
}

function runFastImport(gitDirectory: string, input: string, marksFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['fast-import', '--quiet', `--export-marks=${marksFile}`], {
      cwd: gitDirectory,
      env: gitEnvironment(gitDirectory),
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import failed: ${stderr}`))));
    child.stdin.end(input);
  });
}

/**
 * Writes a campaign of `count` nodes into `directory` (which must exist and be empty): a random
 * tree (each child's parent is an earlier scored node), about 8 % failed children, evaluations that
 * aggregate to each node's score, and one commit per node on its parent's commit with its ref.
 */
export async function writeSyntheticCampaign(directory: string, count: number, seed = 1): Promise<SyntheticCampaign> {
  const config = syntheticConfig();
  const task = createTask(config);
  const jobs = task.jobs();
  const random = createRandom('synthetic-campaign', seed);

  // The shape first: parents, statuses, scores.
  const scoredIds: number[] = [];
  const shape: { id: number; parentId: number | null; status: NodeStatus; jobScores: number[] }[] = [];
  for (let id = 0; id < count; id++) {
    // Uniform among earlier scored nodes: a bushy tree, about ln(count) deep.
    const parentId = id === 0 ? null : (scoredIds[Math.floor(random.next() * scoredIds.length)] ?? 0);
    const roll = random.next();
    const status: NodeStatus = id === 0 ? 'scored' : roll < 0.04 ? 'crashed' : roll < 0.08 ? 'patch_failed' : 'scored';
    const jobScores = jobs.map(() => Math.round(random.next() * 1e6) / 1e6);
    shape.push({ id, parentId, status, jobScores });
    if (status === 'scored') scoredIds.push(id);
  }

  // Git: one fast-import for every commit; marks give the hashes.
  const codePath = path.join(directory, 'code.git');
  const code = createGitCodeStore(codePath);
  await code.init();
  const lines: string[] = [];
  for (const node of shape) {
    const content = `export default function optimize() { return ${node.id}; }\n`;
    lines.push(`blob\nmark :${2 * node.id + 1}\ndata ${Buffer.byteLength(content)}\n${content}`);
    const message = `node ${node.id}`;
    lines.push(
      `commit refs/clade/nodes/${node.id}\nmark :${2 * node.id + 2}\ncommitter clade <clade@localhost> 1700000000 +0000\ndata ${message.length}\n${message}`,
    );
    if (node.parentId !== null) lines.push(`from :${2 * node.parentId + 2}`);
    lines.push(`M 100644 :${2 * node.id + 1} optimizer.ts\n`);
  }
  const marksFile = path.join(directory, 'marks.txt');
  await runFastImport(codePath, `${lines.join('\n')}\n`, marksFile);
  const commits = new Map<number, string>();
  for (const line of readFileSync(marksFile, 'utf8').split('\n')) {
    const [mark, sha] = line.split(' ');
    if (!mark || !sha) continue;
    const number = Number(mark.slice(1));
    if (number % 2 === 0) commits.set(number / 2 - 1, sha);
  }

  // Archive: one recordNode per node, as the campaign loop writes them.
  const archive = openArchive(path.join(directory, 'archive.db'));
  const nodes: AgentNode[] = [];
  let best: AgentNode | null = null;
  try {
    archive.createCampaign({
      id: 'synthetic-1',
      name: config.name,
      seed: config.seed,
      config,
      configPath: path.join(directory, 'synthetic.yaml'),
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    archive.recordEvent('campaign-started', {
      type: 'campaign-started',
      campaign: config.name,
      resumed: false,
      nodes: 0,
    });
    for (const node of shape) {
      const time = new Date(Date.UTC(2026, 0, 1) + node.id * 1000).toISOString();
      const scored = node.status === 'scored';
      const evaluations: EvaluationRecord[] =
        node.status === 'patch_failed'
          ? []
          : jobs.map((job, index) => ({
              nodeId: node.id,
              problem: job.problem,
              repeat: job.repeat,
              seed: job.seed,
              status: scored ? 'ok' : 'crashed',
              score: scored ? (node.jobScores[index] as number) : null,
              metrics: (scored ? { error: 1 - (node.jobScores[index] as number), evaluations: 300 } : {}) as Metrics,
              durationMs: 5,
              logExcerpt: '',
            }));
      const outcomes = evaluations.map((evaluation) => ({
        job: { problem: evaluation.problem, repeat: evaluation.repeat, seed: evaluation.seed },
        status: evaluation.status,
        score: evaluation.score,
        metrics: evaluation.metrics,
        durationMs: evaluation.durationMs,
        logExcerpt: '',
      }));
      const score = scored ? task.aggregate(outcomes).score : null;
      const agentNode: AgentNode = {
        id: node.id,
        parentId: node.parentId,
        commit: commits.get(node.id) as string,
        status: node.status,
        score,
        publicMetrics: {},
        privateMetrics: { environment: 'node v20' },
        mutation: {
          operator: node.id === 0 ? 'seed' : 'parametric',
          summary: node.id === 0 ? 'seed agent' : `change ${node.id}`,
        },
        error: scored ? null : 'failed',
        iteration: node.id,
        createdAt: time,
        evaluatedAt: time,
      };
      archive.recordNode(agentNode, evaluations);
      nodes.push(agentNode);
      if (scored && score !== null && (best === null || score > (best.score ?? -1))) best = agentNode;
    }
  } finally {
    archive.close();
  }
  return { nodes, bestId: best?.id ?? 0 };
}
