/**
 * @module `clade show` lines for a `self-modify` child: the diagnosis (proposal and implementation
 * suggestion), what the parent agent did on its own source (stop reason, steps, tokens, cost) and
 * which files it changed.
 */
import type { MutationInfo } from '../core/types.js';
import type { SelfModifyDetails } from '../mutation/self-modify.js';

/** Longest proposal or implementation text shown (characters); `--json` has all of it. */
const TEXT_LIMIT = 1200;

/** The lines, or none when the node was not made by `self-modify`. */
export function formatSelfModify(mutation: MutationInfo): string[] {
  if (mutation.operator !== 'self-modify' || !mutation.details) return [];
  const details = mutation.details as Partial<SelfModifyDetails>;
  const out = ['', `Self-modification (diagnosis by ${details.model ?? '?'}):`];
  const block = (label: string, text: string | undefined): void => {
    if (!text) return;
    const shown = text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT)}…` : text;
    out.push(`  ${label}`, ...shown.split('\n').map((line) => `    ${line}`));
  };
  block('proposal', details.diagnosis?.proposal);
  block('implementation', details.diagnosis?.implementation);
  const report = details.report;
  const usage = details.agentUsage;
  if (report) {
    out.push(
      `  agent run  stopped: ${report.stopReason} after ${report.steps} step(s), ${report.tokensIn + report.tokensOut} tokens` +
        (usage ? ` (proxy: ${usage.calls} call(s), $${usage.costUsd.toFixed(4)}, ${usage.refused} refused)` : ''),
    );
  }
  if (details.agentError) out.push(`  agent note ${details.agentError}`);
  const files = [
    ...(details.changed ?? []).map((file) => `~${file}`),
    ...(details.added ?? []).map((file) => `+${file}`),
    ...(details.removed ?? []).map((file) => `-${file}`),
  ];
  if (files.length > 0) out.push(`  files      ${files.join(' ')}`);
  if (details.rejected && details.rejected.length > 0) {
    out.push(`  rejected   ${details.rejected.length} diagnosis answer(s): ${details.rejected.join(' | ')}`);
  }
  return out;
}
