/**
 * @module A benchmark protocol's statistics and tables: mean / std / median per case, and markdown
 * and CSV tables that compare with published results.
 */

import type { ProtocolSuite } from './protocol-suite.js';
import type { ProtocolRun } from './run-protocol.js';

/** Statistics of one case. */
export interface ProtocolCaseSummary {
  fn: number;
  dimension: number;
  /** Successful runs the statistics are over. */
  runs: number;
  failed: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single run. */
  std: number;
  median: number;
  best: number;
  worst: number;
  meanEvaluations: number;
  /** Runs that reached the target error. */
  solved: number;
  /** Mean error at each checkpoint. */
  checkpointMeans: number[];
}

/** Mean / std / median … per (function, dimension), in first-seen order. */
export function summariseProtocol(runs: readonly ProtocolRun[]): ProtocolCaseSummary[] {
  const groups = new Map<string, ProtocolRun[]>();
  for (const run of runs) {
    const key = `${run.dimension}/${run.fn}`;
    const group = groups.get(key) ?? [];
    group.push(run);
    groups.set(key, group);
  }
  const summaries: ProtocolCaseSummary[] = [];
  for (const group of groups.values()) {
    const first = group[0] as ProtocolRun;
    const ok = group.filter((run) => run.ok && run.error !== null);
    const errors = ok.map((run) => run.error as number).sort((left, right) => left - right);
    const count = errors.length;
    const mean = count === 0 ? Number.NaN : errors.reduce((sum, error) => sum + error, 0) / count;
    const variance = count < 2 ? 0 : errors.reduce((sum, error) => sum + (error - mean) ** 2, 0) / (count - 1);
    const median =
      count === 0
        ? Number.NaN
        : count % 2 === 1
          ? (errors[(count - 1) / 2] as number)
          : ((errors[count / 2 - 1] as number) + (errors[count / 2] as number)) / 2;
    const checkpointCount = ok[0]?.checkpointErrors.length ?? 0;
    const checkpointMeans = Array.from(
      { length: checkpointCount },
      (_, index) => ok.reduce((sum, run) => sum + (run.checkpointErrors[index] as number), 0) / count,
    );
    summaries.push({
      fn: first.fn,
      dimension: first.dimension,
      runs: count,
      failed: group.length - count,
      mean,
      std: Math.sqrt(variance),
      median,
      best: count === 0 ? Number.NaN : (errors[0] as number),
      worst: count === 0 ? Number.NaN : (errors[count - 1] as number),
      meanEvaluations: count === 0 ? Number.NaN : ok.reduce((sum, run) => sum + (run.evaluations as number), 0) / count,
      solved: ok.filter((run) => run.error === 0).length,
      checkpointMeans,
    });
  }
  return summaries;
}

/** A number for tables: 0 as 0, else 4 significant digits. */
export function formatError(value: number): string {
  if (Number.isNaN(value)) return '—';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e6) return Number(value.toPrecision(4)).toString();
  return value.toExponential(3);
}

/** What the tables say about how the results were made. */
export interface ProtocolReportContext {
  agent: string;
  suite: ProtocolSuite;
  runsPerCase: number;
  seed: number;
  /** e.g. `2026-11-21`, node version, machine; free text. */
  environment: string;
  wallSeconds: number;
}

/** The comparison the issue asks for: how many cases are at or below the published L-SHADE mean. */
export function compareWith(
  summaries: readonly ProtocolCaseSummary[],
  suite: ProtocolSuite,
  name: string,
): { compared: number; atOrBelow: number } {
  let compared = 0;
  let atOrBelow = 0;
  for (const summary of summaries) {
    const published = suite.published(summary.fn, summary.dimension).find((entry) => entry.name === name);
    if (published === undefined || summary.runs === 0) continue;
    compared++;
    // Published means are rounded to 3–4 significant digits: compare at that precision.
    if (Number(summary.mean.toPrecision(4)) <= published.mean) atOrBelow++;
  }
  return { compared, atOrBelow };
}

/** The markdown table: one section per dimension, then the comparison with published results. */
export function renderProtocolMarkdown(
  summaries: readonly ProtocolCaseSummary[],
  context: ProtocolReportContext,
): string {
  const { suite } = context;
  const lines: string[] = [];
  lines.push(`# ${suite.name} — ${context.agent}`);
  lines.push('');
  lines.push(
    `Made by \`clade bench ${suite.name} --agent ${context.agent}\`: ${context.runsPerCase} run(s) per case ` +
      `(the official protocol asks for 30), seed ${context.seed}, budgets ${[
        ...new Set(summaries.map((s) => s.dimension)),
      ]
        .map((dimension) => `${suite.budget(dimension).toLocaleString('en-US')} (D=${dimension})`)
        .join(', ')}, ` +
      `stop at error ≤ ${suite.targetError} (counted as 0). ${context.environment}; ${Math.round(context.wallSeconds)} s wall.`,
  );
  lines.push('');
  for (const dimension of [...new Set(summaries.map((summary) => summary.dimension))]) {
    const rows = summaries.filter((summary) => summary.dimension === dimension);
    const publishedNames = [
      ...new Set(rows.flatMap((row) => suite.published(row.fn, dimension).map((entry) => entry.name))),
    ];
    lines.push(`## D = ${dimension}`);
    lines.push('');
    const header = [
      'fn',
      'runs',
      'mean',
      'std',
      'median',
      'best',
      'worst',
      'solved',
      'mean FEs',
      ...publishedNames.map((name) => `${name} (published)`),
    ];
    lines.push(`| ${header.join(' | ')} |`);
    lines.push(`|${header.map(() => '---').join('|')}|`);
    for (const row of rows) {
      const published = suite.published(row.fn, dimension);
      lines.push(
        `| ${[
          suite.label(row.fn),
          row.failed > 0 ? `${row.runs} (+${row.failed} failed)` : String(row.runs),
          formatError(row.mean),
          formatError(row.std),
          formatError(row.median),
          formatError(row.best),
          formatError(row.worst),
          `${row.solved}/${row.runs}`,
          Number.isNaN(row.meanEvaluations) ? '—' : Math.round(row.meanEvaluations).toLocaleString('en-US'),
          ...publishedNames.map((name) => {
            const entry = published.find((candidate) => candidate.name === name);
            return entry === undefined ? '—' : formatError(entry.mean);
          }),
        ].join(' | ')} |`,
      );
    }
    lines.push('');
    for (const name of publishedNames) {
      const { compared, atOrBelow } = compareWith(rows, suite, name);
      lines.push(
        `- Mean error at or below the published ${name} mean on ${atOrBelow} of ${compared} cases (means compared at 4 significant digits).`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** The CSV table: one row per case, with the mean error at each checkpoint. */
export function renderProtocolCsv(summaries: readonly ProtocolCaseSummary[], context: ProtocolReportContext): string {
  const { suite } = context;
  const checkpointCount = Math.max(0, ...summaries.map((summary) => summary.checkpointMeans.length));
  const header = [
    'agent',
    'suite',
    'dimension',
    'function',
    'runs',
    'failed',
    'budget',
    'mean',
    'std',
    'median',
    'best',
    'worst',
    'solved',
    'mean_fes',
    ...Array.from({ length: checkpointCount }, (_, index) => `mean_error_at_checkpoint_${index}`),
  ];
  const rows = summaries.map((summary) =>
    [
      context.agent,
      suite.name,
      summary.dimension,
      suite.label(summary.fn),
      summary.runs,
      summary.failed,
      suite.budget(summary.dimension),
      summary.mean,
      summary.std,
      summary.median,
      summary.best,
      summary.worst,
      summary.solved,
      summary.meanEvaluations,
      ...summary.checkpointMeans,
    ].join(','),
  );
  return `${[header.join(','), ...rows].join('\n')}\n`;
}
