/**
 * @module `clade replay <dir> <node>` (re-run one node's evaluations and compare) and
 * `clade replay <dir> --campaign <out>` (re-grow the whole campaign and compare the trees).
 * Both build the task, sandbox and limits exactly as the campaign does (`createTask`,
 * `chooseSandbox`, `sandboxLimits`) from the configuration stored in the archive.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { openArchive } from '../archive/sqlite-store.js';
import type { ArchiveStore } from '../archive/types.js';
import { lockCampaignDirectory } from '../campaign/lock.js';
import type { FieldDifference, NodeComparison } from '../campaign/regrow-campaign.js';
import { regrowCampaign } from '../campaign/regrow-campaign.js';
import { replayNode } from '../campaign/replay-node.js';
import { validateCampaign } from '../config/load.js';
import type { CampaignConfig } from '../config/schema.js';
import { CladeError } from '../core/errors.js';
import { createRandom } from '../core/random.js';
import { CAMPAIGN_FILES, chooseSandbox, createMutator, createTask, sandboxLimits } from '../create-campaign.js';
import { createGitCodeStore } from '../lineage/git-store.js';
import { bundleAgent } from '../sandbox/bundle-agent.js';
import { loadHarness } from '../sandbox/harness.js';
import { createSelector } from '../selection/registry.js';
import { evaluateNode } from '../tasks/evaluate-node.js';
import { findNode, openReadOnly } from './inspect.js';
import { createProgressDisplay } from './progress.js';

export interface ReplayFlags {
  campaign?: string;
  json?: boolean;
  failFast?: boolean;
}

export async function replayCommand(
  directory: string,
  nodeArgument: string | undefined,
  flags: ReplayFlags,
): Promise<void> {
  if (flags.campaign !== undefined && nodeArgument !== undefined) {
    throw new CladeError(
      'USAGE',
      `Give either a node (\`clade replay ${directory} ${nodeArgument}\`) or --campaign <out>, not both.`,
    );
  }
  if (flags.campaign !== undefined) return replayCampaignCommand(directory, flags.campaign, flags);
  if (nodeArgument === undefined) {
    throw new CladeError(
      'USAGE',
      `Say what to replay: a node (\`clade replay ${directory} best\`) or the whole campaign (\`clade replay ${directory} --campaign <out>\`).`,
    );
  }
  return replayNodeCommand(directory, nodeArgument, flags);
}

function storedConfig(archive: ArchiveStore): CampaignConfig {
  const record = archive.getCampaign();
  if (!record) {
    throw new CladeError(
      'ARCHIVE_CORRUPT',
      `${archive.path} has no campaign record; it was not made by \`clade run\`.`,
    );
  }
  return validateCampaign(record.config, `${archive.path} (stored configuration)`);
}

/**
 * The configuration whose sandbox matches where the stored evaluation ran: an evaluation that ran
 * in the process sandbox (environment `node vX`) is replayed in the process sandbox even when
 * `auto` would now choose another.
 */
function configForEnvironment(config: CampaignConfig, environment: string | null): CampaignConfig {
  if (environment?.startsWith('node ') && config.sandbox.kind !== 'process') {
    return { ...config, sandbox: { ...config.sandbox, kind: 'process' } };
  }
  return config;
}

async function replayNodeCommand(directory: string, nodeArgument: string, flags: ReplayFlags): Promise<void> {
  const archive = openReadOnly(directory);
  try {
    const config = storedConfig(archive);
    const node = findNode(archive, nodeArgument);
    const evaluations = archive.evaluations(node.id);
    const code = createGitCodeStore(path.join(directory, CAMPAIGN_FILES.code));
    const files = await code.readFiles(node.commit);
    const environment = typeof node.privateMetrics.environment === 'string' ? node.privateMetrics.environment : null;
    const sandboxConfig = configForEnvironment(config, environment);
    const sandbox = await chooseSandbox(sandboxConfig, (message) => process.stderr.write(`warning: ${message}\n`));
    const harness = await loadHarness();
    const limits = sandboxLimits(sandboxConfig);
    if (!flags.json) process.stderr.write(`Replaying node #${node.id} (${evaluations.length} jobs)…\n`);
    let report: Awaited<ReturnType<typeof replayNode>>;
    try {
      report = await replayNode({
        node,
        evaluations,
        files,
        task: createTask(config),
        evaluate: (agentFiles, task) =>
          evaluateNode(agentFiles, { task, sandbox, limits, bundle: bundleAgent, harness }),
      });
    } finally {
      await sandbox.close();
    }
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      const lines: string[] = [];
      const score = (value: number | null) => (value === null ? '–' : String(value));
      lines.push(`Node #${node.id}: stored ${report.stored.status} ${score(report.stored.score)}`);
      if (report.replayed) lines.push(`      replay ${report.replayed.status} ${score(report.replayed.score)}`);
      lines.push(
        `  environment  stored ${report.environment.stored ?? '–'}, replay ${report.environment.replayed ?? '–'}`,
      );
      for (const note of report.notes) lines.push(`  note: ${note}`);
      if (report.differences.length > 0) {
        lines.push(`${report.differences.length} difference${report.differences.length === 1 ? '' : 's'}:`);
        lines.push(...formatDifferences(report.differences, 'stored', 'replay'));
      }
      lines.push(
        report.agrees
          ? report.comparison === 'none'
            ? 'Nothing to compare.'
            : `Reproduced: the replay agrees with the stored results (${report.comparison === 'exact' ? 'exactly' : 'within the stored confidence interval'}).`
          : 'NOT reproduced: the replay differs from the stored results.',
      );
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    if (!report.agrees) process.exitCode = 1;
  } finally {
    archive.close();
  }
}

function formatDifferences(differences: readonly FieldDifference[], left: string, right: string): string[] {
  const show = (value: unknown): string => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return text === undefined ? 'undefined' : text.length > 160 ? `${text.slice(0, 157)}...` : text;
  };
  return differences.map(
    (difference) => `  ${difference.field}: ${left} ${show(difference.recorded)}, ${right} ${show(difference.regrown)}`,
  );
}

async function replayCampaignCommand(directory: string, outDirectory: string, flags: ReplayFlags): Promise<void> {
  const target = path.resolve(outDirectory);
  if (path.resolve(directory) === target) {
    throw new CladeError('USAGE', `--campaign ${outDirectory} is the campaign being replayed; give a new directory.`);
  }
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new CladeError(
      'USAGE',
      `Cannot regrow into ${outDirectory}: the directory is not empty. Give a new or empty directory.`,
    );
  }
  const source = openReadOnly(directory);
  try {
    const record = source.getCampaign();
    const config = storedConfig(source);
    if (config.mutation.operator !== 'parametric') {
      throw new CladeError(
        'USAGE',
        `Campaign ${record?.name ?? directory} used the ${config.mutation.operator} mutator; regrowing it needs its recorded model calls served back (recorded-call replay), which \`clade replay --campaign\` does not wire yet. Replay single nodes instead: \`clade replay ${directory} <node>\`.`,
      );
    }
    mkdirSync(target, { recursive: true });
    const lock = lockCampaignDirectory(target);
    const archive = openArchive(path.join(target, CAMPAIGN_FILES.archive));
    try {
      const suffix = createRandom(Date.now(), process.pid).uint32().toString(16).padStart(8, '0');
      archive.createCampaign({
        id: `${config.name}-${suffix}`,
        name: config.name,
        seed: config.seed,
        config,
        configPath: record?.configPath ?? '',
        createdAt: new Date().toISOString(),
      });
      const code = createGitCodeStore(path.join(target, CAMPAIGN_FILES.code));
      await code.init();
      const sourceCode = createGitCodeStore(path.join(directory, CAMPAIGN_FILES.code));
      const progress = createProgressDisplay({
        stream: process.stderr,
        iterations: Math.max(0, source.nodeCount() - 1),
        json: flags.json === true,
      });
      const sandbox = await chooseSandbox(config, (message) => progress.note(`warning: ${message}`));
      const harness = await loadHarness();
      const limits = sandboxLimits(config);
      const task = createTask(config);
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.on('SIGINT', onSignal);
      let firstShown = false;
      let report: Awaited<ReturnType<typeof regrowCampaign>>;
      try {
        report = await regrowCampaign({
          source: { archive: source, code: sourceCode },
          target: { archive, code },
          settings: { seed: config.seed, inspirations: config.inspirations, limits },
          evaluate: (files, signal) =>
            evaluateNode(files, { task, sandbox, limits, bundle: bundleAgent, harness, ...(signal ? { signal } : {}) }),
          mutator: createMutator(config),
          selector: createSelector(config.selection),
          onEvent: progress.onEvent,
          onCompared: (comparison: NodeComparison) => {
            if (comparison.differences.length === 0 || firstShown || flags.json) return;
            firstShown = true;
            progress.note(`First divergence at node #${comparison.nodeId}:`);
            for (const line of formatDifferences(comparison.differences, 'recorded', 'regrown')) progress.note(line);
          },
          failFast: flags.failFast === true,
          stopSignal: stop.signal,
        });
      } finally {
        process.off('SIGINT', onSignal);
        progress.finish();
        await sandbox.close();
      }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ type: 'replay', directory, out: outDirectory, ...report })}\n`);
      } else {
        const lines = [
          '',
          `Regrew ${directory} into ${outDirectory}: ${report.regrownNodes} of ${report.recordedNodes} nodes, ${report.invocations} invocation${report.invocations === 1 ? '' : 's'} (order from ${report.scheduleSource === 'events' ? 'recorded creation events' : 'timestamps: the archive predates creation events'}).`,
        ];
        if (report.lostChildren > 0) {
          lines.push(
            `  ${report.lostChildren} child(ren) the recorded campaign lost to an abort were re-made and discarded.`,
          );
        }
        if (report.scheduleProblem) lines.push(`  Could not follow the recorded order: ${report.scheduleProblem}.`);
        if (report.identical) {
          lines.push('Identical: same parents, code, statuses and scores, node by node.');
        } else {
          lines.push(`DIFFERENT: ${report.divergentNodes} node(s) differ.`);
          if (report.firstDivergence) {
            lines.push(`First divergence at node #${report.firstDivergence.nodeId}:`);
            lines.push(...formatDifferences(report.firstDivergence.differences, 'recorded', 'regrown'));
          }
        }
        lines.push(`Compare: npx clade tree ${outDirectory}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (!report.identical) process.exitCode = 1;
    } finally {
      archive.close();
      lock.release();
    }
  } finally {
    source.close();
  }
}
