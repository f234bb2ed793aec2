/**
 * @module The git lineage store: a bare repository per campaign in which every node's code is a
 * commit on its parent node's commit (no checkout, no branch). Commits and node refs are written
 * straight into the repository's files (`loose-objects.ts`: no git process per node); reads, diffs
 * and the cases the direct writer leaves to git run git's plumbing commands.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { devNull, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type SimpleGit, simpleGit } from 'simple-git';
import { ArchiveError, CladeError, describeError } from '../core/errors.js';
import { assertSafeRelativePath } from '../core/safe-path.js';
import type { AgentFiles } from '../core/types.js';
import { gitSignature, LooseObjectStore, looseObjectSupport, treeNeedsGit } from './loose-objects.js';
import type { CodeStore } from './types.js';

/** Options of `createGitCodeStore`. */
export interface GitCodeStoreOptions {
  /** The git executable, a name on `PATH` or a path. Default `git`. */
  gitBinary?: string;
  /**
   * How commits and node refs are written and files read. `loose-objects` (the default): objects
   * and refs go straight into the repository's files, the same bytes git would write, and files are
   * read from loose objects, falling back to git for what that cannot do (a SHA-256 or reftable
   * repository, unusual path names, packed objects). `git`: always through git's plumbing (`add`,
   * `write-tree`, `commit-tree`, `update-ref`, `ls-tree`, `cat-file`), a process each.
   */
  writer?: 'loose-objects' | 'git';
  /** The time a commit is stamped with. Default: the current time. */
  clock?: () => Date;
}

/** Hash of the empty tree in a SHA-1 repository: `diff(null, commit)` compares against it. */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** Prefix of the refs that keep node commits alive. */
export const NODE_REF_PREFIX = 'refs/clade/nodes/';

/**
 * Configuration given on every command (`-c`), so that commits and diffs do not depend on the
 * user's git configuration (which the environment hides as well, see `gitEnvironment`).
 */
const COMMAND_CONFIG = [
  'user.name=clade',
  'user.email=clade@localhost',
  'commit.gpgSign=false',
  `core.hooksPath=${devNull}`,
  'core.autocrlf=false',
  'core.safecrlf=false',
  'core.fileMode=false',
  'core.quotePath=false',
  `core.attributesFile=${devNull}`,
  `core.excludesFile=${devNull}`,
  'diff.noPrefix=false',
  'diff.mnemonicPrefix=false',
  'gc.auto=0',
];

/**
 * Attributes written to the repository's `info/attributes`, which take precedence over any
 * `.gitattributes` inside an agent's files: files are stored byte for byte (no end-of-line
 * conversion, no filters, no keyword expansion, no re-encoding).
 */
const STORE_VERBATIM_ATTRIBUTES = '* -text -filter -ident -working-tree-encoding\n';

/** Environment variables passed through to git; everything else (GIT_*, HOME, PAGER …) is dropped. */
const PASSED_ENVIRONMENT = ['PATH', 'Path', 'SystemRoot', 'SYSTEMROOT', 'WINDIR', 'TMPDIR', 'TEMP', 'TMP'];

/**
 * A git environment that ignores the user's and the system's configuration, hooks, pagers,
 * editors and prompts, and points git at `gitDirectory`.
 */
export function gitEnvironment(gitDirectory: string, extra: Record<string, string> = {}): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const name of PASSED_ENVIRONMENT) {
    const value = process.env[name];
    if (value !== undefined) environment[name] = value;
  }
  return {
    ...environment,
    GIT_DIR: gitDirectory,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: devNull,
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    LC_ALL: 'C',
    ...extra,
  };
}

/**
 * A revision passed to git must not be read as an option (`--output=…`) or split into several
 * arguments; anything else is left to git to resolve.
 */
function assertRevision(revision: string, role: string): void {
  if (
    typeof revision !== 'string' ||
    revision.length === 0 ||
    revision.startsWith('-') ||
    /[\s\u0000-\u001f]/.test(revision)
  ) {
    throw new CladeError(
      'USAGE',
      `Refused ${role} "${String(revision)}": a commit must be a hash or revision name without whitespace that does not start with "-".`,
    );
  }
}

function assertNodeId(nodeId: number): void {
  if (!Number.isSafeInteger(nodeId) || nodeId < 0) {
    throw new CladeError('USAGE', `Refused node id ${String(nodeId)}: node ids are non-negative integers.`);
  }
}

/**
 * Finds paths that are both a file and a directory (`a` and `a/b`): such a tree cannot be written.
 */
function assertNoFileDirectoryClash(paths: readonly string[]): void {
  const files = new Set(paths);
  for (const path of paths) {
    let slash = path.indexOf('/');
    while (slash !== -1) {
      const prefix = path.slice(0, slash);
      if (files.has(prefix)) {
        throw new CladeError(
          'AGENT_INVALID',
          `Cannot store agent files: "${prefix}" is a file and also the directory of "${path}". Rename one of them.`,
        );
      }
      slash = path.indexOf('/', slash + 1);
    }
  }
}

/** One entry of `git ls-tree -r -z`. */
interface TreeEntry {
  mode: string;
  type: string;
  object: string;
  path: string;
}

function parseTree(output: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of output.split('\u0000')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [mode = '', type = '', object = ''] = record.slice(0, tab).split(' ');
    entries.push({ mode, type, object, path: record.slice(tab + 1) });
  }
  return entries;
}

/**
 * Creates a lineage store backed by the bare git repository at `path` (created by `init`).
 * Commits are written without a checkout: the files go to a private temporary directory and index
 * (`mkdtemp`), so any number of commits may run at once.
 */
export function createGitCodeStore(path: string, options: GitCodeStoreOptions = {}): CodeStore {
  return new GitCodeStore(resolve(path), options);
}

/** A 40-digit SHA-1 object name, the only parent the direct writer takes (anything else goes to git). */
const FULL_HASH = /^[0-9a-f]{40}$/;

class GitCodeStore implements CodeStore {
  readonly path: string;
  readonly #gitBinary: string;
  readonly #clock: () => Date;
  readonly #useLooseObjects: boolean;
  /** The loose-object store and what it may do, decided when first needed (after `init`). */
  #loose: { writer: LooseObjectStore; objects: boolean; refs: boolean } | null = null;

  constructor(path: string, options: GitCodeStoreOptions) {
    this.path = path;
    this.#gitBinary = options.gitBinary ?? 'git';
    this.#clock = options.clock ?? (() => new Date());
    this.#useLooseObjects = (options.writer ?? 'loose-objects') === 'loose-objects';
  }

  #looseObjects(): { writer: LooseObjectStore; objects: boolean; refs: boolean } {
    if (this.#loose === null) {
      const support = this.#useLooseObjects ? looseObjectSupport(this.path) : { objects: false, refs: false };
      this.#loose = { writer: new LooseObjectStore(this.path), ...support };
    }
    return this.#loose;
  }

  #git(baseDirectory: string, extraEnvironment: Record<string, string> = {}): SimpleGit {
    return simpleGit({
      baseDir: baseDirectory,
      binary: this.#gitBinary,
      config: COMMAND_CONFIG,
      // Both "unsafe" settings here make git safer: hooks go to /dev/null and the global
      // configuration file is /dev/null.
      unsafe: { allowUnsafeHooksPath: true, allowUnsafeConfigPaths: true },
    }).env(gitEnvironment(this.path, extraEnvironment));
  }

  #lineageError(args: readonly string[], error: unknown, hint: string): ArchiveError {
    const detail = describeError(error).trim().replace(/\s+/g, ' ');
    return new ArchiveError(
      'LINEAGE_FAILED',
      `git ${args.join(' ')} failed in lineage repository ${this.path}: ${detail}. ${hint}`,
      { cause: error },
    );
  }

  /** Runs git in the repository and returns its standard output. */
  async #run(
    args: string[],
    hint = "Check that the repository exists (the campaign directory's code.git) and that `clade fsck` passes.",
    environment: { baseDirectory?: string; extra?: Record<string, string> } = {},
  ): Promise<string> {
    this.#assertRepository();
    try {
      return await this.#git(environment.baseDirectory ?? this.path, environment.extra).raw(args);
    } catch (error) {
      throw this.#lineageError(args, error, hint);
    }
  }

  #assertRepository(): void {
    if (!existsSync(join(this.path, 'HEAD'))) {
      throw new ArchiveError(
        'LINEAGE_FAILED',
        `No lineage repository at ${this.path}: it has no HEAD file. Call init() first, or pass the campaign's code.git directory.`,
      );
    }
  }

  async init(): Promise<void> {
    const args = ['init', '--bare', '--quiet', this.path];
    try {
      await mkdir(this.path, { recursive: true });
      await this.#git(this.path).raw(args);
      await mkdir(join(this.path, 'info'), { recursive: true });
      await writeFile(join(this.path, 'info', 'attributes'), STORE_VERBATIM_ATTRIBUTES);
    } catch (error) {
      throw this.#lineageError(args, error, `Check that ${dirname(this.path)} is writable.`);
    }
  }

  async commit(files: AgentFiles, parentCommit: string | null, message: string): Promise<string> {
    const entries = Object.entries(files);
    const paths = entries.map(([path]) => path);
    for (const path of paths) assertSafeRelativePath(path);
    assertNoFileDirectoryClash(paths);
    if (parentCommit !== null) assertRevision(parentCommit, 'parent commit');
    this.#assertRepository();
    const date = this.#clock();

    const loose = this.#looseObjects();
    if (
      loose.objects &&
      !message.includes('\u0000') &&
      !treeNeedsGit(paths) &&
      (parentCommit === null || (FULL_HASH.test(parentCommit) && (await loose.writer.isKnownCommit(parentCommit))))
    ) {
      try {
        const tree = await loose.writer.writeTree(files);
        return await loose.writer.writeCommit(tree, parentCommit, message, date);
      } catch (error) {
        throw this.#lineageError(['(write loose objects)'], error, 'Check the free disk space and the repository.');
      }
    }
    return this.#commitWithGit(entries, parentCommit, message, date);
  }

  /** `commit` through git's plumbing: the files in a private temporary tree and index. */
  async #commitWithGit(
    entries: readonly [string, string][],
    parentCommit: string | null,
    message: string,
    date: Date,
  ): Promise<string> {
    const scratch = await mkdtemp(join(tmpdir(), 'clade-commit-'));
    try {
      const tree = join(scratch, 'tree');
      await mkdir(tree);
      for (const [path, text] of entries) {
        const target = join(tree, path);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, text, { flag: 'wx' });
      }
      // The date is given, so both writers stamp a commit alike (and a clock option is honoured).
      const stamp = `@${gitSignature(date)}`;
      const environment = {
        baseDirectory: tree,
        extra: {
          GIT_WORK_TREE: tree,
          GIT_INDEX_FILE: join(scratch, 'index'),
          GIT_AUTHOR_DATE: stamp,
          GIT_COMMITTER_DATE: stamp,
        },
      };
      // -f: a .gitignore among the agent's files must not keep other files out.
      await this.#run(['add', '--all', '--force', '.'], 'Check the free disk space and the repository.', environment);
      const treeHash = (await this.#run(['write-tree'], 'Check the repository.', environment)).trim();
      const commitArgs = ['commit-tree', treeHash];
      if (parentCommit !== null) commitArgs.push('-p', parentCommit);
      // The message goes on standard input, ended by a newline as `-m` would end it: `-m ''` would
      // leave git waiting for a message on an open standard input.
      const body = message === '' || message.endsWith('\n') ? message : `${message}\n`;
      const commit = (await this.#spawn(commitArgs, body, environment.extra)).toString('utf8').trim();
      return commit;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  async setNodeRef(nodeId: number, commit: string): Promise<void> {
    assertNodeId(nodeId);
    assertRevision(commit, 'commit');
    const loose = this.#looseObjects();
    if (loose.refs && FULL_HASH.test(commit)) {
      this.#assertRepository();
      if (await loose.writer.isKnownCommit(commit)) {
        try {
          if (await loose.writer.writeRef(`${NODE_REF_PREFIX}${nodeId}`, commit)) return;
        } catch (error) {
          throw this.#lineageError(
            ['(write ref)', `${NODE_REF_PREFIX}${nodeId}`],
            error,
            'Check the free disk space and the repository.',
          );
        }
      }
    }
    await this.#run(
      ['update-ref', `${NODE_REF_PREFIX}${nodeId}`, `${commit}^{commit}`],
      `Check that ${commit} is a commit of this repository.`,
    );
  }

  async nodeRefs(): Promise<Map<number, string>> {
    const output = await this.#run(['for-each-ref', '--format=%(refname)%00%(objectname)', NODE_REF_PREFIX]);
    const references = new Map<number, string>();
    for (const line of output.split('\n')) {
      if (line === '') continue;
      const [name = '', commit = ''] = line.split('\u0000');
      const suffix = name.slice(NODE_REF_PREFIX.length);
      if (!/^\d+$/.test(suffix)) continue;
      references.set(Number(suffix), commit);
    }
    return references;
  }

  async hasCommit(commit: string): Promise<boolean> {
    assertRevision(commit, 'commit');
    this.#assertRepository();
    // --batch-check answers "<name> missing" (exit 0) for an unknown object, so a missing commit is
    // not mistaken for a failure of git.
    const answer = (await this.#spawn(['cat-file', '--batch-check'], `${commit}\n`)).toString('utf8');
    return answer.split(' ')[1] === 'commit';
  }

  async readFiles(commit: string): Promise<AgentFiles> {
    assertRevision(commit, 'commit');
    const loose = this.#looseObjects();
    if (loose.objects && FULL_HASH.test(commit)) {
      this.#assertRepository();
      const files = await loose.writer.readCommitFiles(commit);
      if (files !== null) {
        for (const [path] of files) assertSafeRelativePath(path);
        // fromEntries defines own properties, so even a file named "__proto__" comes back.
        return Object.fromEntries(files);
      }
    }
    const listing = await this.#run(
      ['ls-tree', '-r', '-z', '--full-tree', commit],
      `Check that ${commit} is a commit of this repository.`,
    );
    const entries = parseTree(listing);
    for (const entry of entries) {
      assertSafeRelativePath(entry.path);
      if (entry.type !== 'blob' || (entry.mode !== '100644' && entry.mode !== '100755')) {
        throw new ArchiveError(
          'LINEAGE_FAILED',
          `Commit ${commit} holds "${entry.path}" as a ${entry.type} with mode ${entry.mode}; agent trees may hold regular files only. The commit was not made by clade.`,
        );
      }
    }
    const contents = await this.#readBlobs(entries.map((entry) => entry.object));
    // fromEntries defines own properties, so even a file named "__proto__" comes back.
    return Object.fromEntries(entries.map((entry, index) => [entry.path, contents[index] ?? '']));
  }

  /**
   * Runs git with `input` on standard input and returns its standard output as bytes. Used where
   * simple-git cannot help: commands that read standard input.
   */
  #spawn(args: readonly string[], input: string, extraEnvironment: Record<string, string> = {}): Promise<Buffer> {
    return new Promise<Buffer>((resolvePromise, rejectPromise) => {
      const configuration = COMMAND_CONFIG.flatMap((setting) => ['-c', setting]);
      const child = spawn(this.#gitBinary, [...configuration, ...args], {
        cwd: this.path,
        env: gitEnvironment(this.path, extraEnvironment),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const chunks: Buffer[] = [];
      const errors: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
      child.on('error', (error) =>
        rejectPromise(this.#lineageError(args, error, `Check that ${this.#gitBinary} is installed and on PATH.`)),
      );
      child.on('close', (code) => {
        if (code === 0) {
          resolvePromise(Buffer.concat(chunks));
          return;
        }
        const stderr = Buffer.concat(errors).toString('utf8');
        rejectPromise(
          this.#lineageError(
            args,
            new Error(`exit code ${String(code)}: ${stderr}`),
            'Check the repository with `clade fsck`.',
          ),
        );
      });
      child.stdin.on('error', () => {
        // The process exited before reading everything; the close handler reports why.
      });
      child.stdin.end(input);
    });
  }

  /** Reads blobs with one `git cat-file --batch` process; returns their UTF-8 texts in order. */
  async #readBlobs(objects: readonly string[]): Promise<string[]> {
    if (objects.length === 0) return [];
    const args = ['cat-file', '--batch'];
    const output = await this.#spawn(args, `${objects.join('\n')}\n`);
    const texts: string[] = [];
    let offset = 0;
    for (const object of objects) {
      const newline = output.indexOf(0x0a, offset);
      const header = output.toString('utf8', offset, newline === -1 ? output.length : newline);
      const [, type, size] = header.split(' ');
      if (newline === -1 || type !== 'blob' || size === undefined) {
        throw this.#lineageError(
          args,
          new Error(`unexpected answer "${header}" for object ${object}`),
          'Check the repository with `clade fsck`.',
        );
      }
      const start = newline + 1;
      const end = start + Number(size);
      texts.push(output.toString('utf8', start, end));
      offset = end + 1; // Each content is followed by a newline.
    }
    return texts;
  }

  async diff(from: string | null, to: string): Promise<string> {
    if (from !== null) assertRevision(from, 'commit');
    assertRevision(to, 'commit');
    return this.#run(
      ['diff', '--no-color', '--no-ext-diff', '--no-textconv', from ?? EMPTY_TREE, to, '--'],
      `Check that both commits exist in this repository.`,
    );
  }

  async exportTo(commit: string, outDir: string): Promise<void> {
    const target = resolve(outDir);
    const existing = await stat(target).catch(() => null);
    if (existing !== null) {
      if (!existing.isDirectory()) {
        throw new CladeError(
          'USAGE',
          `Cannot export to ${target}: it exists and is not a directory. Pass a new or empty directory.`,
        );
      }
      if ((await readdir(target)).length > 0) {
        throw new CladeError(
          'USAGE',
          `Cannot export to ${target}: the directory is not empty. Pass a new or empty directory.`,
        );
      }
    }
    const files = await this.readFiles(commit);
    await mkdir(target, { recursive: true });
    for (const [path, text] of Object.entries(files)) {
      assertSafeRelativePath(path);
      const destination = join(target, path);
      await mkdir(dirname(destination), { recursive: true });
      await writeFile(destination, text, { flag: 'wx' });
    }
  }
}
