/**
 * @module `clade diff` (the code change between two nodes) and `clade export` (a node's agent
 * files written out, ready to use). Both open the archive read-only, so they work while a
 * campaign runs.
 */
import path from 'node:path';
import { CAMPAIGN_FILES } from '../core/campaign-layout.js';
import { CladeError } from '../core/errors.js';
import { createGitCodeStore } from '../lineage/git-store.js';
import { findNode, openReadOnly } from './inspect.js';

/**
 * `clade diff <dir> <a> [b]`: the unified diff from `a` to `b`. Without `b`, from `a`'s parent to
 * `a` (the seed agent: everything added). Node ids or `best`.
 */
export async function diffCommand(
  directory: string,
  first: string,
  second: string | undefined,
  flags: { stat?: boolean; json?: boolean },
): Promise<void> {
  const archive = openReadOnly(directory);
  try {
    const a = findNode(archive, first);
    let from: { id: number; commit: string } | null;
    let to: { id: number; commit: string };
    if (second === undefined) {
      to = a;
      from = a.parentId === null ? null : archive.getNode(a.parentId);
      if (a.parentId !== null && from === null) {
        throw new CladeError(
          'ARCHIVE_CORRUPT',
          `Node #${a.id} names parent #${a.parentId}, which is not in the archive. Run \`clade fsck ${directory}\`.`,
        );
      }
    } else {
      from = a;
      to = findNode(archive, second);
    }
    const code = createGitCodeStore(path.join(directory, CAMPAIGN_FILES.code));
    const diff = await code.diff(from?.commit ?? null, to.commit);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ from: from?.id ?? null, to: to.id, diff })}\n`);
      return;
    }
    if (flags.stat) {
      process.stdout.write(`${formatDiffStat(diff)}\n`);
      return;
    }
    const title = from === null ? `Node #${to.id} (seed agent), as added` : `From node #${from.id} to node #${to.id}`;
    process.stdout.write(`${title}:\n${diff.trim() ? diff.trimEnd() : '(no change)'}\n`);
  } finally {
    archive.close();
  }
}

/** One line per changed file with its added and removed line counts, from a unified diff. */
export function formatDiffStat(diff: string): string {
  const files: { name: string; added: number; removed: number }[] = [];
  let current: { name: string; added: number; removed: number } | null = null;
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) {
      const match = / b\/(.*)$/.exec(line);
      current = { name: match?.[1] ?? line.slice(11), added: 0, removed: 0 };
      files.push(current);
    } else if (current && line.startsWith('+') && !line.startsWith('+++ ')) current.added++;
    else if (current && line.startsWith('-') && !line.startsWith('--- ')) current.removed++;
  }
  if (files.length === 0) return '(no change)';
  const width = Math.max(...files.map((file) => file.name.length));
  return files.map((file) => `${file.name.padEnd(width)}  +${file.added} -${file.removed}`).join('\n');
}

/**
 * `clade export <dir> <node> <outdir>`: writes the node's agent files under `outdir` (created;
 * refused when it exists and is not empty), plus nothing else: the directory is the agent, ready
 * to be a seed (`agent:` in a campaign file) or to be used on its own.
 */
export async function exportCommand(directory: string, nodeArgument: string, outDirectory: string): Promise<void> {
  const archive = openReadOnly(directory);
  try {
    const node = findNode(archive, nodeArgument);
    const code = createGitCodeStore(path.join(directory, CAMPAIGN_FILES.code));
    await code.exportTo(node.commit, outDirectory);
    const files = Object.keys(await code.readFiles(node.commit)).length;
    process.stderr.write(
      `Exported node #${node.id} (${node.status}${node.score !== null ? `, score ${node.score.toFixed(4)}` : ''}): ${files} file${files === 1 ? '' : 's'} in ${outDirectory}\n` +
        `Use it as a seed agent: set \`agent: ${path.resolve(outDirectory)}\` in a campaign file.\n`,
    );
  } finally {
    archive.close();
  }
}
