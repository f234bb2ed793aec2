/**
 * @module `clade run` and `clade resume`: the campaign with a progress display, a clean stop on
 * the first Ctrl-C and an abort on the second, and a summary that names the next commands.
 */
import path from 'node:path';
import { removeCampaignParts } from '../campaign/campaign-directory.js';
import type { CampaignSummary } from '../campaign/types.js';
import { loadCampaignFile } from '../campaign-file.js';
import { BUDGET_LIMITS } from '../config/schema.js';
import { CladeError } from '../core/errors.js';
import { type Campaign, createCampaign, openCampaign } from '../create-campaign.js';
import { cladeCommand } from './command-name.js';
import { openReadOnly } from './inspect.js';
import { createProgressDisplay, formatDuration } from './progress.js';

export interface RunFlags {
  dir?: string;
  iterations?: number;
  workers?: number;
  sandbox?: string;
  seed?: number;
  /** CEC2022 data directory (`task.dataDir`). */
  dataDir?: string;
  model?: string;
  selection?: string;
  mutator?: string;
  json?: boolean;
  /** `--unsafe-process-sandbox`: `sandbox.allowUnisolated: true`. */
  unsafeProcessSandbox?: boolean;
  /** false with `--no-preflight`: the models are not checked before the first child. */
  preflight?: boolean;
}

export async function runCommand(file: string, flags: RunFlags): Promise<void> {
  const loaded = loadCampaignFile(file, {
    ...(flags.iterations !== undefined ? { iterations: flags.iterations } : {}),
    ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
    ...(flags.sandbox !== undefined ? { sandbox: flags.sandbox } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.dataDir !== undefined ? { dataDir: flags.dataDir } : {}),
    ...(flags.selection !== undefined ? { selection: flags.selection } : {}),
    ...(flags.mutator !== undefined ? { mutator: flags.mutator } : {}),
    ...(flags.model !== undefined ? { model: flags.model } : {}),
  });
  if (flags.unsafeProcessSandbox === true) loaded.config.sandbox.allowUnisolated = true;
  const directory = flags.dir ?? path.join('archive', loaded.config.name);
  const campaign = await createCampaign(loaded, directory, flags.preflight === false ? { preflight: false } : {});
  try {
    await drive(campaign, directory, flags.json === true, {});
  } catch (error) {
    throw discardIfSeedFailed(error, directory, file, loaded.agentDirectory);
  }
}

/**
 * A new campaign whose seed agent did not score cannot be resumed: its directory is removed, and
 * the error says why the seed failed (with the end of its log) and the command to run again once
 * it is fixed. Any other error is returned unchanged and the directory kept.
 */
function discardIfSeedFailed(error: unknown, directory: string, file: string, agentDirectory: string): unknown {
  if (!(error instanceof CladeError) || error.code !== 'AGENT_INVALID') return error;
  let archive: ReturnType<typeof openReadOnly> | undefined;
  let details: string[] = [];
  try {
    archive = openReadOnly(directory);
    const root = archive.getNode(0);
    if (archive.nodeCount() !== 1 || root === null || root.status === 'scored') return error;
    details = [`The seed agent did not score (status ${root.status})${root.error ? `: ${root.error}` : '.'}`];
    const log = archive
      .evaluations(0)
      .map((evaluation) => evaluation.logExcerpt.trimEnd())
      .find((excerpt) => excerpt.length > 0);
    if (log)
      details.push(
        'Its log ends with:',
        ...log
          .split('\n')
          .slice(-12)
          .map((line) => `  ${line}`),
      );
  } catch {
    return error;
  } finally {
    archive?.close();
  }
  removeCampaignParts(directory);
  return new CladeError(
    'AGENT_INVALID',
    [
      ...details,
      `Nothing was kept (${directory} was removed). Fix the seed agent in ${agentDirectory}, then run the same command again: clade run ${file} --dir ${directory}`,
    ].join('\n'),
    { cause: error },
  );
}

export async function resumeCommand(
  directory: string,
  flags: Pick<RunFlags, 'iterations' | 'workers' | 'json' | 'preflight'>,
): Promise<void> {
  if (flags.iterations !== undefined && flags.iterations > BUDGET_LIMITS.iterations) {
    throw new CladeError(
      'USAGE',
      `--iterations ${flags.iterations} is more than a campaign may make (at most ${BUDGET_LIMITS.iterations}).`,
    );
  }
  const campaign = await openCampaign(directory, flags.preflight === false ? { preflight: false } : {});
  await drive(campaign, directory, flags.json === true, {
    ...(flags.iterations !== undefined ? { iterations: flags.iterations } : {}),
    ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
  });
}

async function drive(
  campaign: Campaign,
  directory: string,
  json: boolean,
  overrides: { iterations?: number; workers?: number },
): Promise<void> {
  const iterations = overrides.iterations ?? campaign.config.budget.iterations;
  const progress = createProgressDisplay({
    stream: process.stderr,
    iterations,
    json,
    costUsd: () => campaign.archive.modelCallTotals().costUsd,
    // A resumed campaign's best so far: only a child that beats it is a new best.
    best: startingBest(campaign),
  });
  const stop = new AbortController();
  const abort = new AbortController();
  const onSignal = (): void => {
    if (!stop.signal.aborted) stop.abort();
    else if (!abort.signal.aborted) {
      progress.note('Aborting running evaluations; they will be redone by `clade resume`.');
      abort.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let summary: CampaignSummary;
  let models = { count: 0, tokensIn: 0, tokensOut: 0, costUsd: 0 };
  try {
    summary = await campaign.run({
      ...overrides,
      onEvent: progress.onEvent,
      stopSignal: stop.signal,
      abortSignal: abort.signal,
      warn: (message) => progress.note(`warning: ${message}`),
      info: (message) => progress.note(message),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.finish();
    try {
      models = campaign.archive.modelCallTotals();
    } catch {
      // The totals are a courtesy line; a closed or broken archive has already been reported.
    }
    campaign.close();
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ type: 'summary', directory, ...summary, models })}\n`);
  } else {
    process.stderr.write(formatSummary(campaign.config.name, directory, summary));
    if (models.count > 0) process.stderr.write(formatModelTotals(models, campaign.config.budget));
  }
  if (summary.reason === 'interrupted' || summary.reason === 'aborted') process.exitCode = 130;
  // Nothing answered: the campaign paused itself; the exit code says it did not finish.
  if (summary.reason === 'model-unreachable') process.exitCode = 1;
}

/** The archive's best scored node, as the progress display tracks it (null for a new campaign). */
function startingBest(campaign: Campaign): { id: number; score: number } | null {
  const best = campaign.archive.bestNode();
  return best !== null && best.score !== null ? { id: best.id, score: best.score } : null;
}

export function formatSummary(name: string, directory: string, summary: CampaignSummary): string {
  const failed = Object.entries(summary.statuses)
    .filter(([status]) => status !== 'scored')
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
  const score = (value: number | null) => (value === null ? '–' : value.toFixed(4));
  const gain =
    summary.rootScore !== null && summary.bestScore !== null
      ? ` (${summary.bestScore >= summary.rootScore ? '+' : ''}${(summary.bestScore - summary.rootScore).toFixed(4)} over the seed)`
      : '';
  const clade = cladeCommand();
  const lines = [
    '',
    `Campaign ${name} ${summary.reason === 'iterations' ? 'finished' : `stopped (${summary.reason})`} in ${formatDuration(summary.durationMs / 1000)}: ${summary.nodes} nodes, ${summary.statuses.scored ?? 0} scored${failed ? `, ${failed}` : ''}.`,
    ...(summary.reason === 'model-unreachable'
      ? [
          `  stopped: ${summary.stopDetail ?? 'the model could not be reached'}; fix it and \`${clade} resume ${directory}\`` +
            ' (children that failed count against budget.iterations: add --iterations to make up for them)',
        ]
      : []),
    `  root score  ${score(summary.rootScore)}`,
    `  best score  ${score(summary.bestScore)}${summary.bestNodeId !== null ? `  node #${summary.bestNodeId}` : ''}${gain}`,
    '',
    'Look at it:',
    `  ${clade} tree ${directory}`,
    `  ${clade} show ${directory} ${summary.bestNodeId ?? 0}`,
    `  ${clade} diff ${directory} ${summary.bestNodeId ?? 0}              # what it changed in its parent`,
    `  ${clade} export ${directory} ${summary.bestNodeId ?? 0} <outdir>   # its files, ready to use`,
    `  ${clade} replay ${directory} ${summary.bestNodeId ?? 0}            # prove its score reproduces`,
    `  ${clade} serve ${directory}                # the web viewer`,
    summary.reason === 'iterations'
      ? `  ${clade} resume ${directory} --iterations ${summary.nodes - 1 + 50}   # grow it further`
      : `  ${clade} resume ${directory}   # continue where it stopped`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/** One line on the model calls of the whole campaign, and the budget when one is set. */
export function formatModelTotals(
  totals: { count: number; tokensIn: number; tokensOut: number; costUsd: number },
  budget: { usd: number | null; tokens: number | null },
): string {
  const limits = [
    budget.usd !== null ? `budget $${budget.usd}` : null,
    budget.tokens !== null ? `budget ${budget.tokens} tokens` : null,
  ].filter((item) => item !== null);
  return `Model calls: ${totals.count}, ${totals.tokensIn} tokens in, ${totals.tokensOut} out, $${totals.costUsd.toFixed(4)}${
    limits.length > 0 ? ` (${limits.join(', ')})` : ''
  }.\n`;
}
