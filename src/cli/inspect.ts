/**
 * @module `clade tree` and `clade show`: read-only views of a campaign directory. They open the
 * archive read-only, so they work while a campaign runs.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { assertNoParentCycle } from '../archive/parent-links.js';
import { openArchive } from '../archive/sqlite-store.js';
import type { ArchiveStore } from '../archive/types.js';
import { CAMPAIGN_FILES } from '../core/campaign-layout.js';
import { CladeError } from '../core/errors.js';
import type { AgentNode } from '../core/types.js';
import { createGitCodeStore } from '../lineage/git-store.js';
import { formatArtifacts } from './format-artifacts.js';
import { formatModelCalls, totalModelCalls } from './format-model-calls.js';
import { formatSelfModify } from './format-self-modify.js';
import { bestNode, renderTree, treeJson } from './render-tree.js';

/** Opens the campaign directory's archive read-only (works while a campaign runs). */
export function openReadOnly(directory: string): ArchiveStore {
  const file = path.join(directory, CAMPAIGN_FILES.archive);
  if (existsSync(directory) && !statSync(directory).isDirectory()) {
    throw new CladeError(
      'USAGE',
      `${directory} is a file, not a campaign directory. Give the directory a campaign ran in, e.g. archive/demo.`,
    );
  }
  if (!existsSync(file)) {
    throw new CladeError(
      'ARCHIVE_NOT_FOUND',
      `${directory} holds no campaign (no ${CAMPAIGN_FILES.archive}). Give the directory a campaign ran in (the --dir of \`clade run\`), e.g. archive/demo.`,
    );
  }
  return openArchive(file, { readonly: true });
}

/** The marks `clade tree` draws, printed under its header. */
export const TREE_LEGEND =
  'Marks: ★ best node · * its lineage · ✗ <status> a child that did not score (score otherwise)';

export async function showTree(directory: string, flags: { json?: boolean; depth?: number }): Promise<void> {
  const archive = openReadOnly(directory);
  try {
    const nodes = archive.listNodes();
    assertNoParentCycle(nodes, directory);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(treeJson(nodes, archive.nodeStats()))}\n`);
      return;
    }
    const campaign = archive.getCampaign();
    const best = bestNode(nodes);
    process.stdout.write(
      `Campaign ${campaign?.name ?? '?'}: ${nodes.length} nodes${best ? `, best ${best.score?.toFixed(4)} at #${best.id}` : ''}\n`,
    );
    process.stdout.write(`${TREE_LEGEND}\n`);
    process.stdout.write(`${renderTree(nodes, flags.depth === undefined ? {} : { maxDepth: flags.depth })}\n`);
  } finally {
    archive.close();
  }
}

export async function showNode(directory: string, nodeArgument: string, flags: { json?: boolean }): Promise<void> {
  const archive = openReadOnly(directory);
  try {
    const node = findNode(archive, nodeArgument);
    const parent = node.parentId === null ? null : archive.getNode(node.parentId);
    const evaluations = archive.evaluations(node.id);
    const code = createGitCodeStore(path.join(directory, CAMPAIGN_FILES.code));
    const diff = await code.diff(parent?.commit ?? null, node.commit);
    const children = archive.childIds(node.id);
    const modelCalls = archive.modelCalls(node.id);
    if (flags.json) {
      const modelCost = totalModelCalls(modelCalls);
      process.stdout.write(`${JSON.stringify({ node, children, evaluations, diff, modelCalls, modelCost })}\n`);
      return;
    }
    const out: string[] = [];
    out.push(`Node #${node.id}  ${node.status}${node.score !== null ? `  score ${node.score.toFixed(4)}` : ''}`);
    out.push(
      `  parent     ${node.parentId === null ? '— (seed agent)' : `#${node.parentId}${parent?.score != null ? ` (score ${parent.score.toFixed(4)})` : ''}`}`,
    );
    out.push(`  children   ${children.length > 0 ? children.map((id) => `#${id}`).join(' ') : 'none'}`);
    out.push(`  mutation   ${node.mutation.operator}: ${node.mutation.summary}`);
    out.push(`  commit     ${node.commit}`);
    out.push(`  created    ${node.createdAt}   evaluated ${node.evaluatedAt ?? '–'}`);
    if (node.error) out.push(`  note       ${node.error.split('\n').join('\n             ')}`);
    out.push(...formatSelfModify(node.mutation));
    if (Object.keys(node.publicMetrics).length > 0) {
      out.push('', 'Public metrics:');
      for (const [key, value] of Object.entries(node.publicMetrics))
        out.push(`  ${key.padEnd(28)} ${formatValue(value)}`);
    }
    out.push(...formatArtifacts(node));
    if (evaluations.length > 0) {
      out.push('', 'Evaluations:');
      out.push(
        `  ${'problem'.padEnd(22)} ${'rep'.padStart(3)} ${'status'.padEnd(8)} ${'score'.padStart(7)} ${'error'.padStart(11)} ${'evals'.padStart(9)} ${'ms'.padStart(7)}`,
      );
      for (const evaluation of evaluations) {
        const error = evaluation.metrics.error;
        const used = evaluation.metrics.evaluations;
        out.push(
          `  ${evaluation.problem.padEnd(22)} ${String(evaluation.repeat).padStart(3)} ${evaluation.status.padEnd(8)} ${(evaluation.score === null ? '–' : evaluation.score.toFixed(4)).padStart(7)} ${(typeof error === 'number' ? error.toExponential(3) : '–').padStart(11)} ${(typeof used === 'number' ? String(used) : '–').padStart(9)} ${String(Math.round(evaluation.durationMs)).padStart(7)}`,
        );
      }
      const logs = evaluations.filter((evaluation) => evaluation.logExcerpt.trim().length > 0);
      if (logs.length > 0) {
        out.push('', 'Log excerpts:');
        for (const evaluation of logs) {
          out.push(`  [${evaluation.problem} #${evaluation.repeat}]`);
          out.push(
            ...evaluation.logExcerpt
              .trimEnd()
              .split('\n')
              .slice(-12)
              .map((line) => `    ${line}`),
          );
        }
      }
    }
    out.push(...formatModelCalls(modelCalls));
    out.push('', node.parentId === null ? 'Code (seed agent, as added):' : `Diff against parent #${node.parentId}:`);
    out.push(diff.trim() ? diff.trimEnd() : '  (no change)');
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    archive.close();
  }
}

/** The node a command-line argument names: an id, or `best`. */
export function findNode(archive: ArchiveStore, argument: string): AgentNode {
  if (argument === 'best') {
    const best = archive.bestNode();
    if (!best) throw new CladeError('NODE_NOT_FOUND', 'No node is scored yet, so there is no best node.');
    return best;
  }
  const id = Number(argument);
  if (!Number.isInteger(id) || id < 0) {
    throw new CladeError('USAGE', `Node "${argument}" is not a node id; give a number such as 0, or "best".`);
  }
  const node = archive.getNode(id);
  if (!node) {
    const max = archive.maxNodeId();
    throw new CladeError(
      'NODE_NOT_FOUND',
      `Node #${id} is not in this archive (ids run from 0 to ${max ?? 'none'}). \`clade tree <dir>\` lists them.`,
    );
  }
  return node;
}

function formatValue(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toPrecision(6);
  return String(value);
}
