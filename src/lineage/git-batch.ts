/**
 * @module Whole-repository reads and writes of a lineage repository in one git process each
 * (`for-each-ref`, `cat-file --batch-check`, `cat-file --batch`, `update-ref --stdin`), for the
 * commands that look at every node at once (`clade fsck`, `clade replay --campaign`): 100,000
 * nodes cost a few git processes, not 100,000.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ArchiveError } from '../core/errors.js';
import { gitEnvironment, NODE_REF_PREFIX } from './git-store.js';

/** Options of the batch helpers. */
export interface GitBatchOptions {
  /** The git executable. Default `git`. */
  gitBinary?: string;
}

/** One `refs/clade/nodes/<id>` reference and what it points at. */
export interface NodeRefEntry {
  nodeId: number;
  /** The object the ref names. */
  object: string;
  /** `commit` normally; anything else is damage. */
  objectType: string;
  /** The commit's tree (empty when the object is not a commit). */
  tree: string;
  /** The commit's parents. */
  parents: string[];
}

/** Runs git in the bare repository with `input` on standard input; resolves with standard output. */
function runGit(repository: string, args: readonly string[], input: string, options: GitBatchOptions): Promise<Buffer> {
  const gitDirectory = resolve(repository);
  if (!existsSync(join(gitDirectory, 'HEAD'))) {
    return Promise.reject(
      new ArchiveError(
        'LINEAGE_FAILED',
        `No lineage repository at ${gitDirectory}: it has no HEAD file. Pass a campaign directory made by \`clade run\` (its code.git).`,
      ),
    );
  }
  const binary = options.gitBinary ?? 'git';
  return new Promise<Buffer>((resolvePromise, rejectPromise) => {
    const child = spawn(binary, ['-c', 'core.quotePath=false', ...args], {
      cwd: gitDirectory,
      env: gitEnvironment(gitDirectory),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    const errors: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
    child.on('error', (error) =>
      rejectPromise(
        new ArchiveError(
          'LINEAGE_FAILED',
          `Could not run ${binary} ${args.join(' ')}: ${error.message}. Check that git is installed and on PATH.`,
          { cause: error },
        ),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) {
        resolvePromise(Buffer.concat(chunks));
        return;
      }
      const stderr = Buffer.concat(errors).toString('utf8').trim();
      rejectPromise(
        new ArchiveError(
          'LINEAGE_FAILED',
          `git ${args.join(' ')} failed in lineage repository ${gitDirectory} (exit code ${String(code)}): ${stderr}`,
        ),
      );
    });
    child.stdin.on('error', () => {
      // The process exited early; the close handler reports why.
    });
    child.stdin.end(input);
  });
}

/** Every node ref with its object, type, tree and parents: one `git for-each-ref`. */
export async function listNodeRefEntries(repository: string, options: GitBatchOptions = {}): Promise<NodeRefEntry[]> {
  const format = '%(refname)%00%(objectname)%00%(objecttype)%00%(tree)%00%(parent)';
  const output = (
    await runGit(repository, ['for-each-ref', `--format=${format}`, NODE_REF_PREFIX], '', options)
  ).toString('utf8');
  const entries: NodeRefEntry[] = [];
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const [name = '', object = '', objectType = '', tree = '', parents = ''] = line.split('\u0000');
    const suffix = name.slice(NODE_REF_PREFIX.length);
    if (!/^\d+$/.test(suffix)) continue;
    entries.push({
      nodeId: Number(suffix),
      object,
      objectType,
      tree,
      parents: parents.split(' ').filter((parent) => parent !== ''),
    });
  }
  return entries;
}

/**
 * Every node ref and the object it names, without reading the objects (so a ref whose object was
 * deleted is listed, where `listNodeRefEntries` fails): one `git for-each-ref`.
 */
export async function listNodeRefObjects(
  repository: string,
  options: GitBatchOptions = {},
): Promise<{ nodeId: number; object: string }[]> {
  const output = (
    await runGit(repository, ['for-each-ref', '--format=%(refname)%00%(objectname)', NODE_REF_PREFIX], '', options)
  ).toString('utf8');
  const entries: { nodeId: number; object: string }[] = [];
  for (const line of output.split('\n')) {
    const [name = '', object = ''] = line.split('\u0000');
    const suffix = name.slice(NODE_REF_PREFIX.length);
    if (/^\d+$/.test(suffix)) entries.push({ nodeId: Number(suffix), object });
  }
  return entries;
}

/**
 * The type of each object (`commit`, `tree`, `blob` …), or null when the repository lacks it: one
 * `git cat-file --batch-check`.
 */
export async function objectTypes(
  repository: string,
  objects: readonly string[],
  options: GitBatchOptions = {},
): Promise<Map<string, string | null>> {
  const types = new Map<string, string | null>();
  const unique: string[] = [];
  for (const object of new Set(objects)) {
    // Anything but a hash could be read by git as a revision expression: it is reported missing.
    if (/^[0-9a-f]{4,64}$/.test(object)) unique.push(object);
    else types.set(object, null);
  }
  if (unique.length === 0) return types;
  const output = (await runGit(repository, ['cat-file', '--batch-check'], `${unique.join('\n')}\n`, options)).toString(
    'utf8',
  );
  const lines = output.split('\n');
  unique.forEach((object, index) => {
    const [, type] = (lines[index] ?? '').split(' ');
    types.set(object, type === undefined || type === 'missing' || type === 'ambiguous' ? null : type);
  });
  return types;
}

/** The tree and parents of each commit (commits only; check types first): one `git cat-file --batch`. */
export async function commitHeaders(
  repository: string,
  commits: readonly string[],
  options: GitBatchOptions = {},
): Promise<Map<string, { tree: string; parents: string[] }>> {
  const headers = new Map<string, { tree: string; parents: string[] }>();
  const unique = [...new Set(commits)];
  if (unique.length === 0) return headers;
  const output = await runGit(repository, ['cat-file', '--batch'], `${unique.join('\n')}\n`, options);
  let offset = 0;
  for (const commit of unique) {
    const newline = output.indexOf(0x0a, offset);
    if (newline === -1) break;
    const [, type, size] = output.toString('utf8', offset, newline).split(' ');
    if (type === undefined || size === undefined || type === 'missing') {
      offset = newline + 1;
      continue;
    }
    const start = newline + 1;
    const end = start + Number(size);
    if (type === 'commit') {
      const body = output.toString('utf8', start, end);
      const headerEnd = body.indexOf('\n\n');
      let tree = '';
      const parents: string[] = [];
      for (const line of body.slice(0, headerEnd === -1 ? body.length : headerEnd).split('\n')) {
        if (line.startsWith('tree ')) tree = line.slice(5);
        else if (line.startsWith('parent ')) parents.push(line.slice(7));
      }
      headers.set(commit, { tree, parents });
    }
    offset = end + 1;
  }
  return headers;
}

/** Points `refs/clade/nodes/<id>` at each commit, all in one `git update-ref --stdin` transaction. */
export async function setNodeRefs(
  repository: string,
  entries: readonly { nodeId: number; commit: string }[],
  options: GitBatchOptions = {},
): Promise<void> {
  if (entries.length === 0) return;
  for (const entry of entries) {
    if (!Number.isSafeInteger(entry.nodeId) || entry.nodeId < 0 || !/^[0-9a-f]{40,64}$/.test(entry.commit)) {
      throw new ArchiveError(
        'LINEAGE_FAILED',
        `Refused to set the ref of node ${entry.nodeId} to "${entry.commit}": node ids are non-negative integers and commits full hashes.`,
      );
    }
  }
  const input = entries.map((entry) => `update ${NODE_REF_PREFIX}${entry.nodeId} ${entry.commit}\n`).join('');
  await runGit(repository, ['update-ref', '--stdin'], input, options);
}
