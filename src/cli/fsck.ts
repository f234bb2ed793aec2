/**
 * @module `clade fsck <dir> [--repair] [--json]`: checks a campaign directory's invariants and
 * prints what is broken. Exit 0 when clean (or everything found was repaired), 1 otherwise.
 */
import { checkCampaign } from '../campaign/fsck.js';
import { CladeError } from '../core/errors.js';
import { campaignWiring } from '../create-campaign.js';

export async function fsckCommand(directory: string, flags: { repair?: boolean; json?: boolean }): Promise<void> {
  const started = Date.now();
  let report: Awaited<ReturnType<typeof checkCampaign>>;
  try {
    report = await checkCampaign(directory, { repair: flags.repair === true, wiring: campaignWiring });
  } catch (error) {
    // --json always prints a report: what stopped the check, and exit 1.
    if (flags.json && error instanceof CladeError) {
      process.stdout.write(
        `${JSON.stringify({ directory, clean: false, error: { code: error.code, message: error.message }, problems: [] })}\n`,
      );
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  const remaining = report.problems.filter((problem) => !problem.repaired);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...report, clean: remaining.length === 0 })}\n`);
  } else {
    const { counts } = report;
    const lines = [
      `Checked ${directory} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${counts.nodes} nodes (${counts.scored} scored), ${counts.refs} node refs, ${counts.evaluations} evaluations, ${counts.recordedEvents} node-recorded events.`,
    ];
    for (const note of report.notes) lines.push(`note: ${note}`);
    for (const problem of report.problems) {
      const tag = problem.repaired ? 'repaired' : problem.repairable ? 'repairable' : 'problem';
      lines.push(`  ${tag.padEnd(10)} ${problem.kind.padEnd(24)} ${problem.message}`);
    }
    if (remaining.length === 0) {
      lines.push(report.problems.length === 0 ? 'Clean.' : 'Everything found was repaired.');
    } else {
      const repairable = remaining.filter((problem) => problem.repairable).length;
      lines.push(
        `${remaining.length} problem${remaining.length === 1 ? '' : 's'} listed${repairable > 0 ? `; ${repairable} can be fixed with \`clade fsck ${directory} --repair\`` : ''}.`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (remaining.length > 0) process.exitCode = 1;
}
