/**
 * @module Writes and reads git objects (blobs, trees, commits) and writes node refs of a bare SHA-1
 * repository straight in its files, as git itself lays them out: an object is `<type> <size>\0<content>`,
 * named by its SHA-1, zlib-deflated into `objects/<2 hex>/<38 hex>`; a loose ref is a file holding
 * the hash and a newline, written through a `.lock` file. No git process runs, so a node's commit
 * costs hashing and a few small file writes instead of several process starts.
 *
 * Only what git would write byte for byte is written here (the same object hashes as
 * `git add` + `write-tree` + `commit-tree`; see tests/unit/lineage/loose-objects.test.ts); every
 * other case — a SHA-256 or reftable repository, reflogs, unusual path names, a packed parent — is
 * left to the caller's git fallback (`looseObjectSupport`, `treeNeedsGit`).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync, inflateSync, constants as zlibConstants } from 'node:zlib';
import type { AgentFiles } from '../core/types.js';

/** A full SHA-1 object name. */
const FULL_SHA1 = /^[0-9a-f]{40}$/;

/** Mode of every file in an agent tree (`core.fileMode=false`: never executable). */
const FILE_MODE = '100644';
/** Mode git writes for a subtree entry (no leading zero). */
const TREE_MODE = '40000';

/**
 * Whether the repository at `gitDirectory` can be written directly: SHA-1 objects, loose files for
 * refs (no reftable), no reflogs (git writes none for a bare repository unless
 * `core.logAllRefUpdates` says so), no shared permissions and no forced fsync (git's default
 * fsyncs neither loose objects nor refs; neither does this writer). Read once from its `config`.
 */
export function looseObjectSupport(gitDirectory: string): { objects: boolean; refs: boolean } {
  let config: string;
  try {
    config = readFileSync(join(gitDirectory, 'config'), 'utf8');
  } catch {
    return { objects: false, refs: false };
  }
  // Any extension (objectFormat, refStorage, …) changes what a plain writer may assume.
  const extensions = /^\s*\[\s*extensions\b/im.test(config);
  const reflogs = /^\s*logallrefupdates\s*=/im.test(config);
  // Shared permissions and forced fsyncs are git's to apply.
  const special = /^\s*(sharedrepository|fsyncobjectfiles|fsync|fsyncmethod)\s*=/im.test(config);
  return { objects: !extensions && !special, refs: !extensions && !reflogs && !special };
}

/**
 * A path segment git stores as it is, with no special meaning to `git add` or `git fsck` (not
 * `.git…`, `.gitmodules`, or an NTFS short name like `git~1`): ASCII letters, digits and `._@+=,-`.
 * Agent paths outside this set (unicode names included) go through git itself.
 */
const PLAIN_SEGMENT = /^[A-Za-z0-9._@+=,-]+$/;
const GIT_LIKE_SEGMENT = /^\.?git/i;

/** Whether a tree of these paths needs git (some segment is not plain; see PLAIN_SEGMENT). */
export function treeNeedsGit(paths: readonly string[]): boolean {
  for (const path of paths) {
    for (const segment of path.split('/')) {
      if (!PLAIN_SEGMENT.test(segment) || GIT_LIKE_SEGMENT.test(segment) || segment.endsWith('.')) return true;
    }
  }
  return false;
}

/** The SHA-1 name of an object of `type` with `content`, and its bytes as stored (header included). */
function frameObject(type: 'blob' | 'tree' | 'commit', content: Buffer): { hash: string; bytes: Buffer } {
  const bytes = Buffer.concat([Buffer.from(`${type} ${content.length}\u0000`, 'latin1'), content]);
  return { hash: createHash('sha1').update(bytes).digest('hex'), bytes };
}

/** A directory of the tree being built: files (path segment → blob hash) and subdirectories. */
interface DirectoryNode {
  files: Map<string, string>;
  directories: Map<string, DirectoryNode>;
}

/**
 * Git's tree order: names compared as bytes, a subtree's name as if it ended with "/". (All names
 * here are plain ASCII, see PLAIN_SEGMENT, so a string comparison is a byte comparison.)
 */
function compareEntries(left: { sortKey: string }, right: { sortKey: string }): number {
  return left.sortKey < right.sortKey ? -1 : left.sortKey > right.sortKey ? 1 : 0;
}

/** A git commit's author and committer line: `clade <clade@localhost> <seconds> <±hhmm>` at `date` (local time zone). */
export function gitSignature(date: Date): string {
  const seconds = Math.floor(date.getTime() / 1000);
  const offsetMinutes = -date.getTimezoneOffset();
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  const zone = `${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}${String(absolute % 60).padStart(2, '0')}`;
  return `${seconds} ${zone}`;
}

/**
 * The loose objects of one repository, written and read as files. Remembers what it has written
 * (hash → pending write), so unchanged files and subtrees of a child cost a SHA-1 and a map lookup,
 * not a file write.
 */
export class LooseObjectStore {
  readonly #objectsDirectory: string;
  readonly #gitDirectory: string;
  readonly #written = new Map<string, Promise<void>>();
  readonly #commits = new Set<string>();

  constructor(gitDirectory: string) {
    this.#gitDirectory = gitDirectory;
    this.#objectsDirectory = join(gitDirectory, 'objects');
  }

  /**
   * Names an object and starts writing it unless it is written or being written; the write joins
   * `pending`. Hashing is synchronous, so a tree's entries are known before its blobs are on disk.
   */
  #store(type: 'blob' | 'tree' | 'commit', content: Buffer, pending: Promise<void>[]): string {
    const { hash, bytes } = frameObject(type, content);
    let write = this.#written.get(hash);
    if (write === undefined) {
      write = this.#writeFile(hash, bytes);
      this.#written.set(hash, write);
      write.catch(() => this.#written.delete(hash)); // A failed write is tried again next time.
    }
    pending.push(write);
    return hash;
  }

  async #writeFile(hash: string, bytes: Buffer): Promise<void> {
    const directory = join(this.#objectsDirectory, hash.slice(0, 2));
    const target = join(directory, hash.slice(2));
    if (existsSync(target)) return;
    await mkdir(directory, { recursive: true });
    // Written under a temporary name and renamed, as git does: a reader never sees half an object.
    const temporary = join(directory, `tmp_obj_${process.pid}_${Math.random().toString(36).slice(2)}`);
    try {
      // Level 1 is git's own default for loose objects (core.looseCompression).
      await writeFile(temporary, deflateSync(bytes, { level: zlibConstants.Z_BEST_SPEED }), { mode: 0o444 });
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      if (!existsSync(target)) throw error;
    }
  }

  /**
   * Writes the blobs and trees of `files` (paths checked and plain, see treeNeedsGit); resolves with
   * the root tree's hash once every object is on disk.
   */
  async writeTree(files: AgentFiles): Promise<string> {
    const root: DirectoryNode = { files: new Map(), directories: new Map() };
    const pending: Promise<void>[] = [];
    for (const [path, text] of Object.entries(files)) {
      const segments = path.split('/');
      let directory = root;
      for (const segment of segments.slice(0, -1)) {
        let next = directory.directories.get(segment);
        if (next === undefined) {
          next = { files: new Map(), directories: new Map() };
          directory.directories.set(segment, next);
        }
        directory = next;
      }
      directory.files.set(segments.at(-1) ?? path, this.#store('blob', Buffer.from(text, 'utf8'), pending));
    }
    const tree = this.#storeDirectory(root, pending);
    await Promise.all(pending);
    return tree;
  }

  #storeDirectory(directory: DirectoryNode, pending: Promise<void>[]): string {
    const entries: { sortKey: string; mode: string; name: string; hash: string }[] = [];
    for (const [name, child] of directory.directories) {
      entries.push({ sortKey: `${name}/`, mode: TREE_MODE, name, hash: this.#storeDirectory(child, pending) });
    }
    for (const [name, hash] of directory.files) entries.push({ sortKey: name, mode: FILE_MODE, name, hash });
    entries.sort(compareEntries);
    const parts: Buffer[] = [];
    for (const entry of entries) {
      parts.push(Buffer.from(`${entry.mode} ${entry.name}\u0000`, 'latin1'), Buffer.from(entry.hash, 'hex'));
    }
    return this.#store('tree', Buffer.concat(parts), pending);
  }

  /**
   * Writes a commit exactly as `git commit-tree <tree> [-p parent] -m message` does for the
   * identity `clade <clade@localhost>` at `date` (git ends a non-empty message with a newline).
   */
  async writeCommit(tree: string, parent: string | null, message: string, date: Date): Promise<string> {
    const signature = gitSignature(date);
    const body = message === '' || message.endsWith('\n') ? message : `${message}\n`;
    const text =
      `tree ${tree}\n` +
      (parent === null ? '' : `parent ${parent}\n`) +
      `author clade <clade@localhost> ${signature}\n` +
      `committer clade <clade@localhost> ${signature}\n` +
      `\n${body}`;
    const pending: Promise<void>[] = [];
    const hash = this.#store('commit', Buffer.from(text, 'utf8'), pending);
    await Promise.all(pending);
    this.#commits.add(hash);
    return hash;
  }

  /**
   * Whether `hash` (40 hex digits) names a commit this writer knows: one it wrote, or a loose commit
   * object in the repository. False when it cannot tell (absent, or packed): ask git then.
   */
  async isKnownCommit(hash: string): Promise<boolean> {
    if (this.#commits.has(hash)) return true;
    let stored: Buffer;
    try {
      stored = await readFile(join(this.#objectsDirectory, hash.slice(0, 2), hash.slice(2)));
    } catch {
      return false;
    }
    let header: string;
    try {
      // Only the header is needed; `finishFlush` lets a partial inflate of the first bytes succeed.
      header = inflateSync(stored, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).subarray(0, 32).toString('latin1');
    } catch {
      return false;
    }
    if (!header.startsWith('commit ')) return false;
    this.#commits.add(hash);
    return true;
  }

  /** A loose object's type and content, or null when it is not a loose object here (packed, absent, damaged). */
  async readObject(hash: string): Promise<{ type: string; content: Buffer } | null> {
    if (!FULL_SHA1.test(hash)) return null;
    let stored: Buffer;
    try {
      stored = await readFile(join(this.#objectsDirectory, hash.slice(0, 2), hash.slice(2)));
    } catch {
      return null;
    }
    let bytes: Buffer;
    try {
      bytes = inflateSync(stored);
    } catch {
      return null;
    }
    const space = bytes.indexOf(0x20);
    const nul = bytes.indexOf(0);
    if (space < 0 || nul < space) return null;
    const type = bytes.toString('latin1', 0, space);
    const size = Number(bytes.toString('latin1', space + 1, nul));
    const content = bytes.subarray(nul + 1);
    if (!Number.isSafeInteger(size) || content.length !== size) return null;
    return { type, content };
  }

  /**
   * The files of a commit read from loose objects (`ls-tree -r` order, texts as UTF-8), or null
   * when git should answer instead: some object is not loose, or the tree holds anything but
   * regular files and directories (git's path then reports it).
   */
  async readCommitFiles(commit: string): Promise<[string, string][] | null> {
    const object = await this.readObject(commit);
    if (object === null || object.type !== 'commit') return null;
    const header = object.content.toString('latin1', 0, Math.min(object.content.length, 46));
    if (!header.startsWith('tree ') || header[45] !== '\n') return null;
    const files: [string, string][] = [];
    return (await this.#readTree(header.slice(5, 45), '', files)) ? files : null;
  }

  async #readTree(hash: string, prefix: string, files: [string, string][]): Promise<boolean> {
    const tree = await this.readObject(hash);
    if (tree === null || tree.type !== 'tree') return false;
    const { content } = tree;
    const entries: { mode: string; path: string; hash: string }[] = [];
    for (let offset = 0; offset < content.length; ) {
      const space = content.indexOf(0x20, offset);
      const nul = content.indexOf(0, space + 1);
      if (space < 0 || nul < 0 || nul + 21 > content.length) return false;
      entries.push({
        mode: content.toString('latin1', offset, space),
        path: `${prefix}${content.toString('utf8', space + 1, nul)}`,
        hash: content.toString('hex', nul + 1, nul + 21),
      });
      offset = nul + 21;
    }
    // Blobs of one tree read at once; subtrees in order, so files come out in ls-tree's order.
    const blobs = await Promise.all(
      entries.map((entry) =>
        entry.mode === FILE_MODE || entry.mode === '100755' ? this.readObject(entry.hash) : Promise.resolve(null),
      ),
    );
    for (const [index, entry] of entries.entries()) {
      if (entry.mode === TREE_MODE) {
        if (!(await this.#readTree(entry.hash, `${entry.path}/`, files))) return false;
        continue;
      }
      const blob = blobs[index];
      if (blob === null || blob === undefined || blob.type !== 'blob') return false;
      files.push([entry.path, blob.content.toString('utf8')]);
    }
    return true;
  }

  /**
   * Points the loose ref `name` (e.g. `refs/clade/nodes/7`) at `commit`, through `<name>.lock` as
   * git does. Returns false, writing nothing, when the lock is held (another writer): ask git then.
   */
  async writeRef(name: string, commit: string): Promise<boolean> {
    const target = join(this.#gitDirectory, ...name.split('/'));
    const lock = `${target}.lock`;
    await mkdir(join(target, '..'), { recursive: true });
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(lock, 'wx', 0o666);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
    try {
      await handle.writeFile(`${commit}\n`);
      await handle.close();
      await rename(lock, target);
    } catch (error) {
      await handle.close().catch(() => {});
      await rm(lock, { force: true });
      throw error;
    }
    return true;
  }
}
