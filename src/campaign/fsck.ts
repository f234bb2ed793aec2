/**
 * @module `clade fsck`: the invariants of a campaign directory, checked over the whole archive and
 * lineage repository with a few queries and a few git processes (never one per node), and the
 * repairs that are safe: node refs that a crash left missing or stale, and schema upgrades.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readArchiveFacts } from '../archive/integrity.js';
import { migrations } from '../archive/migrations/index.js';
import { findParentCycle } from '../archive/parent-links.js';
import { openArchive } from '../archive/sqlite-store.js';
import type { CampaignConfig } from '../config/schema.js';
import { CAMPAIGN_FILES } from '../core/campaign-layout.js';
import { CladeError, describeError } from '../core/errors.js';
import {
  commitHeaders,
  listNodeRefEntries,
  listNodeRefObjects,
  type NodeRefEntry,
  objectTypes,
  setNodeRefs,
} from '../lineage/git-batch.js';
import type { JobOutcome, Task } from '../tasks/types.js';
import { lockCampaignDirectory } from './lock.js';

/** Files of a campaign directory (the same names `createCampaign` uses). */
const LOCK_FILE = 'clade.lock';

/** One broken invariant. */
export interface FsckProblem {
  /** Stable kind, e.g. `ref-missing`, `commit-missing`, `score-mismatch`. */
  kind: string;
  /** The node it is about, when there is one. */
  nodeId: number | null;
  /** What is wrong, for people. */
  message: string;
  /** Whether `--repair` fixes it. */
  repairable: boolean;
  /** Set when `--repair` fixed it. */
  repaired?: boolean;
}

/** The outcome of `checkCampaign`. */
export interface FsckReport {
  directory: string;
  /** Counts that should agree. */
  counts: {
    nodes: number;
    refs: number;
    recordedEvents: number;
    evaluations: number;
    scored: number;
  };
  problems: FsckProblem[];
  /** Things worth knowing that are not damage (a campaign running right now …). */
  notes: string[];
}

/** Options of `checkCampaign`. */
export interface FsckOptions {
  /** Fix what is safely fixable (missing or stale refs, an old schema). Takes the directory's lock. */
  repair?: boolean;
  /** Most problems of one kind listed before the rest are counted. Default 20. */
  maxPerKind?: number;
  /**
   * What fsck needs of the wiring above it: the campaign-file schema (the stored configuration is
   * validated against the registered kinds) and the task factory (for the evaluation checks).
   * Pass `campaignWiring` from `src/create-campaign.ts`.
   */
  wiring: {
    validateCampaign(raw: unknown, source: string): CampaignConfig;
    createTask(config: CampaignConfig): Task;
  };
}

/** Tolerance of the recomputed node score against the stored one. */
const SCORE_TOLERANCE = 1e-9;

/**
 * Checks every invariant of the campaign directory and, with `repair`, fixes the safe ones:
 * - SQLite: `quick_check` and foreign keys; one campaign record whose configuration validates;
 * - nodes: one root (#0), every parent recorded before its child and scored, status and score
 *   consistent (scored ⇔ a finite score in [0, 1]), one `node-recorded` event each;
 * - evaluations: only the task's jobs (staged evaluation may record a subset), with the task's
 *   seeds; a scored node has at least one `ok`, and its score is the task's aggregate of them;
 * - git: every node's commit exists and is a commit whose parent is its parent node's commit, and
 *   `refs/clade/nodes/<id>` points at it (repairable); no ref names a node the archive lacks.
 */
export async function checkCampaign(directory: string, options: FsckOptions): Promise<FsckReport> {
  const archivePath = path.join(directory, CAMPAIGN_FILES.archive);
  const codePath = path.join(directory, CAMPAIGN_FILES.code);
  if (!existsSync(archivePath)) {
    throw new CladeError(
      'ARCHIVE_NOT_FOUND',
      `${directory} holds no campaign (no ${CAMPAIGN_FILES.archive}). Pass a campaign directory made by \`clade run\`.`,
    );
  }
  const maxPerKind = options.maxPerKind ?? 20;
  const problems: FsckProblem[] = [];
  const notes: string[] = [];
  const add = (kind: string, nodeId: number | null, message: string, repairable = false): FsckProblem => {
    const problem: FsckProblem = { kind, nodeId, message, repairable };
    problems.push(problem);
    return problem;
  };

  const lock = options.repair ? lockCampaignDirectory(path.resolve(directory)) : null;
  try {
    const runningOwner = lock === null ? campaignRunning(directory) : null;
    if (runningOwner !== null) {
      notes.push(
        `A campaign is running in this directory (process ${runningOwner}): the newest node may be recorded a moment before its ref is set.`,
      );
    }
    let facts = readArchiveFacts(archivePath);
    let schemaRepaired = false;
    if (options.repair && facts.schemaVersion < migrations.length) {
      const before = facts.schemaVersion;
      facts.close();
      // Opening read-write applies the pending migrations.
      openArchive(archivePath).close();
      notes.push(`Upgraded the archive's schema from version ${before} to ${migrations.length}.`);
      schemaRepaired = true;
      facts = readArchiveFacts(archivePath);
    }
    try {
      if (!(facts.quickCheck.length === 1 && facts.quickCheck[0] === 'ok')) {
        for (const line of facts.quickCheck) add('sqlite-damage', null, `SQLite quick_check: ${line}`);
      }
      for (const line of facts.foreignKeyProblems) add('sqlite-foreign-key', null, `Foreign key broken: ${line}`);
      if (facts.schemaVersion < migrations.length && !schemaRepaired) {
        add(
          'schema-old',
          null,
          `The archive has schema version ${facts.schemaVersion}, older than this clade's (${migrations.length}); \`clade fsck --repair\` upgrades it.`,
          true,
        );
      }
      if (facts.campaignCount !== 1) {
        add(
          'campaign-count',
          null,
          `The archive holds ${facts.campaignCount} campaign records; it must hold exactly one.`,
        );
      }
      let config: CampaignConfig | null = null;
      if (facts.campaignConfig !== undefined) {
        try {
          config = options.wiring.validateCampaign(facts.campaignConfig, `${archivePath} (stored configuration)`);
        } catch (error) {
          add('config-invalid', null, `The stored campaign configuration does not validate: ${describeError(error)}`);
        }
      }

      // Nodes.
      const byId = new Map(facts.nodes.map((node) => [node.id, node]));
      let scored = 0;
      for (const node of facts.nodes) {
        if (node.status === 'scored') scored++;
        if (node.parentId === null) {
          if (node.id !== 0) add('extra-root', node.id, `Node #${node.id} has no parent; only the seed agent #0 may.`);
        } else {
          const parent = byId.get(node.parentId);
          if (!parent)
            add('parent-missing', node.id, `Node #${node.id} names parent #${node.parentId}, which is not recorded.`);
          else {
            if (node.parentId >= node.id)
              add(
                'parent-order',
                node.id,
                `Node #${node.id} has parent #${node.parentId}, which is not older than it.`,
              );
            if (parent.status !== 'scored')
              add(
                'parent-unscored',
                node.id,
                `Node #${node.id} has parent #${node.parentId}, whose status is ${parent.status}; parents are scored nodes.`,
              );
          }
        }
        if (node.status === 'scored') {
          if (node.score === null || !Number.isFinite(node.score) || node.score < 0 || node.score > 1)
            add(
              'score-invalid',
              node.id,
              `Node #${node.id} is scored but its score is ${String(node.score)} (expected a number in [0, 1]).`,
            );
        } else if (node.score !== null) {
          add(
            'score-unexpected',
            node.id,
            `Node #${node.id} has status ${node.status} but a score (${node.score}); only scored nodes have one.`,
          );
        }
        if (node.evaluatedAt === null)
          add(
            'half-written',
            node.id,
            `Node #${node.id} has no evaluation time; it was not recorded by the campaign loop.`,
          );
        const events = facts.recordedEvents.get(node.id) ?? 0;
        if (events !== 1)
          add('event-count', node.id, `Node #${node.id} has ${events} node-recorded events (expected 1).`);
      }
      const cycle = findParentCycle(facts.nodes);
      if (cycle !== null)
        add(
          'parent-cycle',
          cycle[0] ?? null,
          `Nodes ${cycle.map((id) => `#${id}`).join(' → ')} → #${cycle[0]} form a parent cycle: \`tree\`, \`resume\` and \`serve\` refuse this archive. Restore archive.db from a backup.`,
        );
      if (facts.nodes.length > 0 && !byId.has(0))
        add('root-missing', null, 'The seed agent #0 is not recorded, but other nodes are.');
      for (const [nodeId, count] of facts.recordedEvents) {
        if (!byId.has(nodeId))
          add(
            'event-orphan',
            nodeId,
            `${count} node-recorded event(s) name node #${nodeId}, which is not recorded (a half-written node).`,
          );
      }
      if (facts.orphanEvaluations > 0)
        add('evaluation-orphan', null, `${facts.orphanEvaluations} evaluation rows belong to no recorded node.`);

      // Evaluations, against the task the stored configuration describes.
      if (config !== null) checkEvaluations(facts, byId, options.wiring.createTask(config), add);

      // Git.
      const refs = existsSync(path.join(codePath, 'HEAD')) ? await readNodeRefs(codePath, notes) : null;
      if (refs === null) {
        add('lineage-missing', null, `There is no lineage repository at ${codePath}.`);
      } else {
        await checkLineage(codePath, facts.nodes, byId, refs, add, options.repair === true);
      }
      const refCount = refs === null ? 0 : refs.length;

      // Keep the listing readable: at most maxPerKind per kind, then a count.
      const shown: FsckProblem[] = [];
      const perKind = new Map<string, number>();
      for (const problem of problems) {
        const seen = (perKind.get(problem.kind) ?? 0) + 1;
        perKind.set(problem.kind, seen);
        if (seen <= maxPerKind) shown.push(problem);
      }
      for (const [kind, count] of perKind) {
        if (count > maxPerKind) {
          const unrepaired = problems.filter((problem) => problem.kind === kind && !problem.repaired);
          shown.push({
            kind,
            nodeId: null,
            message: `… and ${count - maxPerKind} more ${kind} problems.`,
            repairable: unrepaired.length > 0 && unrepaired.every((problem) => problem.repairable),
            ...(unrepaired.length === 0 ? { repaired: true } : {}),
          });
        }
      }
      return {
        directory,
        counts: {
          nodes: facts.nodes.length,
          refs: refCount,
          recordedEvents: [...facts.recordedEvents.values()].reduce((sum, count) => sum + count, 0),
          evaluations: facts.evaluationRows,
          scored,
        },
        problems: shown,
        notes,
      };
    } finally {
      facts.close();
    }
  } finally {
    lock?.release();
  }
}

/**
 * Every node ref with its object's type and parents. When git cannot list them so (a ref names an
 * object that was deleted), the refs are listed without their objects and each object is looked up
 * on its own, so the missing ones are reported as problems instead of ending the check.
 */
async function readNodeRefs(codePath: string, notes: string[]): Promise<NodeRefEntry[]> {
  try {
    return await listNodeRefEntries(codePath);
  } catch (error) {
    notes.push(
      `git could not list the node refs with their commits (${describeError(error).split('\n')[0]}); each was looked up on its own.`,
    );
    const refs = await listNodeRefObjects(codePath);
    const types = await objectTypes(
      codePath,
      refs.map((ref) => ref.object),
    );
    const commits = refs.map((ref) => ref.object).filter((object) => types.get(object) === 'commit');
    const headers = await commitHeaders(codePath, commits);
    return refs.map((ref) => ({
      nodeId: ref.nodeId,
      object: ref.object,
      objectType: types.get(ref.object) ?? 'missing',
      tree: headers.get(ref.object)?.tree ?? '',
      parents: headers.get(ref.object)?.parents ?? [],
    }));
  }
}

type AddProblem = (kind: string, nodeId: number | null, message: string, repairable?: boolean) => FsckProblem;

function checkEvaluations(
  facts: ReturnType<typeof readArchiveFacts>,
  byId: ReadonlyMap<number, { id: number; status: string; score: number | null }>,
  task: Task,
  add: AddProblem,
): void {
  const jobs = task.jobs();
  const jobKey = (problem: string, repeat: number) => `${problem}\u0000${repeat}`;
  const expected = new Map(jobs.map((job) => [jobKey(job.problem, job.repeat), job]));
  const seen = new Set<number>();
  facts.forEachNodeEvaluations((nodeId, evaluations) => {
    seen.add(nodeId);
    const node = byId.get(nodeId);
    if (!node) return; // Reported as orphans.
    // Staged and HGM evaluation record a node's jobs over time: a subset of the task's jobs is fine,
    // a job the task does not have is not.
    const unknown = evaluations.filter((evaluation) => !expected.has(jobKey(evaluation.problem, evaluation.repeat)));
    if (unknown.length > 0) {
      add(
        'evaluations-unknown',
        nodeId,
        `Node #${nodeId} has evaluations of jobs the task does not have (${unknown.map((evaluation) => `${evaluation.problem} #${evaluation.repeat}`).join(', ')}; the task: ${task.description}).`,
      );
      return;
    }
    for (const evaluation of evaluations) {
      const job = expected.get(jobKey(evaluation.problem, evaluation.repeat));
      if (job && job.seed !== evaluation.seed)
        add(
          'seed-mismatch',
          nodeId,
          `Node #${nodeId}, ${evaluation.problem} #${evaluation.repeat}: stored seed ${evaluation.seed}, the task derives ${job.seed}.`,
        );
      if (evaluation.score !== null && !(evaluation.score >= 0 && evaluation.score <= 1))
        add(
          'evaluation-score-invalid',
          nodeId,
          `Node #${nodeId}, ${evaluation.problem} #${evaluation.repeat}: score ${evaluation.score} is outside [0, 1].`,
        );
      if (evaluation.status === 'ok' && evaluation.score === null)
        add(
          'evaluation-score-missing',
          nodeId,
          `Node #${nodeId}, ${evaluation.problem} #${evaluation.repeat}: status ok without a score.`,
        );
    }
    if (node.status !== 'scored') return;
    if (!evaluations.some((evaluation) => evaluation.status === 'ok')) {
      add('scored-without-ok', nodeId, `Node #${nodeId} is scored but none of its evaluations is ok.`);
      return;
    }
    const outcomes: JobOutcome[] = evaluations.map((evaluation) => ({
      job: { problem: evaluation.problem, repeat: evaluation.repeat, seed: evaluation.seed },
      status: evaluation.status,
      score: evaluation.score,
      metrics: evaluation.metrics,
      durationMs: 0,
      logExcerpt: '',
    }));
    const recomputed = task.aggregate(outcomes).score;
    if (node.score !== null && Math.abs(recomputed - node.score) > SCORE_TOLERANCE) {
      add(
        'score-mismatch',
        nodeId,
        `Node #${nodeId} has score ${node.score}, but its evaluations aggregate to ${recomputed}.`,
      );
    }
  });
  for (const node of byId.values()) {
    if (node.status === 'scored' && !seen.has(node.id))
      add('evaluations-missing', node.id, `Node #${node.id} is scored but has no evaluations.`);
  }
}

async function checkLineage(
  codePath: string,
  nodes: readonly { id: number; parentId: number | null; commit: string }[],
  byId: ReadonlyMap<number, { id: number; commit: string }>,
  refs: Awaited<ReturnType<typeof listNodeRefEntries>>,
  add: AddProblem,
  repair: boolean,
): Promise<void> {
  const refById = new Map(refs.map((ref) => [ref.nodeId, ref]));
  for (const ref of refs) {
    if (!byId.has(ref.nodeId))
      add(
        'ref-orphan',
        ref.nodeId,
        `refs/clade/nodes/${ref.nodeId} exists, but node #${ref.nodeId} is not recorded (not repaired: delete the ref with \`git update-ref -d\` if it is unwanted).`,
      );
  }
  // Commits whose parents the refs did not tell us (ref missing or pointing elsewhere).
  const unresolved = nodes.filter((node) => refById.get(node.id)?.object !== node.commit).map((node) => node.commit);
  const types = await objectTypes(codePath, unresolved);
  const headers = await commitHeaders(
    codePath,
    unresolved.filter((commit) => types.get(commit) === 'commit'),
  );
  const parentsOf = (node: { id: number; commit: string }): string[] | null => {
    const ref = refById.get(node.id);
    if (ref?.object === node.commit && ref.objectType === 'commit') return ref.parents;
    return headers.get(node.commit)?.parents ?? null;
  };
  const toRepair: { nodeId: number; commit: string; problem: FsckProblem }[] = [];
  for (const node of nodes) {
    const ref = refById.get(node.id);
    const pointsRight = ref?.object === node.commit;
    const commitExists = pointsRight ? ref?.objectType === 'commit' : types.get(node.commit) === 'commit';
    if (!commitExists) {
      add(
        'commit-missing',
        node.id,
        `Node #${node.id}'s commit ${node.commit} is not a commit of ${codePath}; its code is lost.`,
      );
      continue;
    }
    if (!ref) {
      const problem = add(
        'ref-missing',
        node.id,
        `refs/clade/nodes/${node.id} is missing (commit ${node.commit} exists).`,
        true,
      );
      toRepair.push({ nodeId: node.id, commit: node.commit, problem });
    } else if (!pointsRight) {
      const problem = add(
        'ref-stale',
        node.id,
        `refs/clade/nodes/${node.id} points at ${ref.object}, but the node's commit is ${node.commit}.`,
        true,
      );
      toRepair.push({ nodeId: node.id, commit: node.commit, problem });
    }
    const parents = parentsOf(node);
    if (parents === null) continue;
    const parentNode = node.parentId;
    if (parentNode === null) {
      if (parents.length > 0)
        add(
          'commit-parent',
          node.id,
          `Node #${node.id} is the root, but its commit has parent(s) ${parents.join(', ')}.`,
        );
    } else {
      const expected = byId.get(parentNode)?.commit;
      if (expected !== undefined && (parents.length !== 1 || parents[0] !== expected))
        add(
          'commit-parent',
          node.id,
          `Node #${node.id}'s commit has parent(s) ${parents.join(', ') || 'none'}, but its parent node #${parentNode} has commit ${expected}.`,
        );
    }
  }
  if (repair && toRepair.length > 0) {
    await setNodeRefs(codePath, toRepair);
    for (const entry of toRepair) entry.problem.repaired = true;
  }
}

/** The pid of a live process holding the directory's lock, or null. */
function campaignRunning(directory: string): number | null {
  const file = path.join(directory, LOCK_FILE);
  if (!existsSync(file)) return null;
  const owner = Number.parseInt(readFileSync(file, 'utf8'), 10);
  if (!Number.isInteger(owner) || owner === process.pid) return null;
  try {
    process.kill(owner, 0);
    return owner;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? owner : null;
  }
}
