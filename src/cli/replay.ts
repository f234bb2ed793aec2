/**
 * @module `clade replay <dir> <node>` (re-run one node's evaluations and compare) and
 * `clade replay <dir> --campaign <out>` (re-grow the whole campaign and compare the trees).
 * A node is re-run with the task, sandbox and limits built as the campaign builds them
 * (`createTask`, `campaignSandbox`, `sandboxLimits`) from the configuration stored in the archive; a
 * campaign is regrown through `createCampaign` and `Campaign.run`, the wiring `clade run` uses.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { assertNoParentCycle } from '../archive/parent-links.js';
import type { ArchiveStore } from '../archive/types.js';
import type { FieldDifference, NodeComparison } from '../campaign/regrow-campaign.js';
import { regrowCampaign } from '../campaign/regrow-campaign.js';
import { replayNode } from '../campaign/replay-node.js';
import { validateCampaign } from '../campaign-file.js';
import type { CampaignConfig } from '../config/schema.js';
import { CAMPAIGN_FILES } from '../core/campaign-layout.js';
import { CladeError } from '../core/errors.js';
import { campaignSandbox, createCampaign, createTask, sandboxLimits } from '../create-campaign.js';
import { bundleAgent } from '../harness/bundle-agent.js';
import { loadHarness } from '../harness/load-harness.js';
import { createGitCodeStore } from '../lineage/git-store.js';
import { createReplayLibrary } from '../model/replay.js';
import { sandboxKindOfEnvironment } from '../sandbox/choose-sandbox.js';
import { evaluateNode } from '../tasks/evaluate-node.js';
import { cladeCommand } from './command-name.js';
import { findNode, openReadOnly } from './inspect.js';
import { createProgressDisplay } from './progress.js';

export interface ReplayFlags {
  campaign?: string;
  json?: boolean;
  failFast?: boolean;
  /** `--unsafe-process-sandbox`: `sandbox.allowUnisolated: true` for this replay. */
  unsafeProcessSandbox?: boolean;
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
  // Run where it ran: the stored environment says which sandbox kind that was.
  const ranOnHost = sandboxKindOfEnvironment(environment) === 'process';
  if (ranOnHost && config.sandbox.kind !== 'process') {
    return { ...config, sandbox: { ...config.sandbox, kind: 'process' } };
  }
  return config;
}

/** The stored configuration with `sandbox.allowUnisolated` set when `--unsafe-process-sandbox` was given. */
function allowUnisolatedIf(config: CampaignConfig, allow: boolean): CampaignConfig {
  return allow ? { ...config, sandbox: { ...config.sandbox, allowUnisolated: true } } : config;
}

async function replayNodeCommand(directory: string, nodeArgument: string, flags: ReplayFlags): Promise<void> {
  const archive = openReadOnly(directory);
  try {
    const config = allowUnisolatedIf(storedConfig(archive), flags.unsafeProcessSandbox === true);
    const node = findNode(archive, nodeArgument);
    const evaluations = archive.evaluations(node.id);
    const code = createGitCodeStore(path.join(directory, CAMPAIGN_FILES.code));
    const files = await code.readFiles(node.commit);
    const environment = typeof node.privateMetrics.environment === 'string' ? node.privateMetrics.environment : null;
    const sandboxConfig = configForEnvironment(config, environment);
    const limits = sandboxLimits(sandboxConfig);
    if (!flags.json) process.stderr.write(`Replaying node #${node.id} (${evaluations.length} jobs)…\n`);
    // The sandbox is made only when there is something to re-run.
    let sandbox: Awaited<ReturnType<typeof campaignSandbox>> | null = null;
    let report: Awaited<ReturnType<typeof replayNode>>;
    try {
      report = await replayNode({
        node,
        evaluations,
        files,
        task: createTask(config),
        evaluate: async (agentFiles, task) => {
          sandbox = await campaignSandbox(sandboxConfig, {
            warn: (message) => process.stderr.write(`warning: ${message}\n`),
          });
          const harness = await loadHarness();
          return evaluateNode(agentFiles, { task, sandbox, limits, bundle: bundleAgent, harness });
        },
      });
    } finally {
      await (sandbox as Awaited<ReturnType<typeof campaignSandbox>> | null)?.close();
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
        report.comparison === 'none'
          ? 'NOT reproduced: there is nothing to compare (no stored evaluation to re-run).'
          : report.agrees
            ? `Reproduced: the replay agrees with the stored results (${report.comparison === 'exact' ? 'exactly' : 'within the stored confidence interval'}).`
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
    // The regrown tree follows the recorded parents: a damaged archive with a cycle has no order.
    assertNoParentCycle(source.listNodes(), directory);
    const record = source.getCampaign();
    const config = allowUnisolatedIf(storedConfig(source), flags.unsafeProcessSandbox === true);
    const configPath = record?.configPath ?? path.join(directory, 'campaign.yaml');
    // The target is a campaign made the way `clade run` makes one, from the stored configuration.
    // A model mutator is served the recorded calls (by request hash): no provider, no key.
    const campaign = await createCampaign(
      { config, file: configPath, agentDirectory: path.resolve(path.dirname(configPath), config.agent) },
      target,
      { environment: {}, replay: createReplayLibrary(source.listModelCalls()) },
    );
    try {
      const sourceCode = createGitCodeStore(path.join(directory, CAMPAIGN_FILES.code));
      const progress = createProgressDisplay({
        stream: process.stderr,
        iterations: Math.max(0, source.nodeCount() - 1),
        json: flags.json === true,
      });
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.on('SIGINT', onSignal);
      let firstShown = false;
      let report: Awaited<ReturnType<typeof regrowCampaign>>;
      try {
        report = await regrowCampaign({
          source: { archive: source, code: sourceCode },
          target: { archive: campaign.archive, code: campaign.code },
          runInvocation: (invocation) =>
            campaign.run({
              schedule: invocation.schedule,
              seedFiles: invocation.seedFiles,
              workers: invocation.workers,
              iterations: invocation.iterations,
              onEvent: invocation.onEvent,
              stopSignal: invocation.stopSignal,
              warn: (message) => progress.note(`warning: ${message}`),
            }),
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
        lines.push(`Compare: ${cladeCommand()} tree ${outDirectory}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (!report.identical) process.exitCode = 1;
    } finally {
      campaign.close();
    }
  } finally {
    source.close();
  }
}
