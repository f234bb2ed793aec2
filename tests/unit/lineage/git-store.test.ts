import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { ArchiveError, CladeError, UnsafePathError } from '../../../src/core/errors.js';
import type { AgentFiles } from '../../../src/core/types.js';
import type { CodeStore } from '../../../src/lineage/index.js';
import { createGitCodeStore, EMPTY_TREE } from '../../../src/lineage/index.js';

let directory: string;
let store: CodeStore;

/** Runs plain git on the store's repository, with no user configuration. */
function git(...args: string[]): string {
  return execFileSync('git', ['--git-dir', store.path, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  });
}

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'clade-lineage-test-'));
  store = createGitCodeStore(join(directory, 'campaign', 'code.git'));
  await store.init();
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

const seedFiles: AgentFiles = {
  'agent.ts': 'export function optimize() {\n  return 1;\n}\n',
  'lib/math/vector.ts': 'export const zero = [0, 0];\n',
  'données/résumé.md': '# Ünïcödé ✓ 🚀\n',
  'config.json': '{"step": 0.5}',
};

describe('createGitCodeStore', () => {
  it('creates a bare repository, idempotently', async () => {
    expect(existsSync(join(store.path, 'HEAD'))).toBe(true);
    expect(git('rev-parse', '--is-bare-repository').trim()).toBe('true');
    await store.init();
    expect(await store.nodeRefs()).toEqual(new Map());
  });

  it('writes a root commit and a child commit whose parent is the root', async () => {
    const root = await store.commit(seedFiles, null, 'node 0: seed');
    expect(root).toMatch(/^[0-9a-f]{40}$/);
    expect(git('rev-list', '--parents', '-n', '1', root).trim()).toBe(root);
    expect(git('log', '-1', '--format=%an <%ae>|%s', root).trim()).toBe('clade <clade@localhost>|node 0: seed');

    const child = await store.commit(
      { ...seedFiles, 'agent.ts': 'export function optimize() {\n  return 2;\n}\n' },
      root,
      'node 1',
    );
    expect(child).not.toBe(root);
    expect(git('rev-parse', `${child}^`).trim()).toBe(root);
    expect(await store.hasCommit(root)).toBe(true);
    expect(await store.hasCommit(child)).toBe(true);
    expect(await store.hasCommit('0123456789abcdef0123456789abcdef01234567')).toBe(false);
    expect(await store.hasCommit(EMPTY_TREE)).toBe(false); // a tree, not a commit
  });

  it('round-trips files byte for byte: nested dirs, unicode, CRLF, no trailing newline, empty files', async () => {
    const files: AgentFiles = {
      ...seedFiles,
      'windows.txt': 'line one\r\nline two\r\n',
      'empty.txt': '',
      '.gitignore': '*.log\nlib/\n',
      'run.log': 'kept although .gitignore names it\n',
      '.gitattributes': '* text=auto eol=crlf\n*.ts filter=nope ident\n',
      'ident.ts': '// $Id$\n',
      'odd/__proto__': 'a file with an awkward name',
    };
    const commit = await store.commit(files, null, 'everything');
    expect(await store.readFiles(commit)).toEqual(files);
  });

  it('keeps a file named __proto__', async () => {
    const files: AgentFiles = Object.fromEntries([
      ['__proto__', 'own property, not a prototype'],
      ['a.ts', 'x'],
    ]);
    const commit = await store.commit(files, null, 'awkward');
    const read = await store.readFiles(commit);
    expect(Object.keys(read).sort()).toEqual(['__proto__', 'a.ts']);
    expect(Object.getOwnPropertyDescriptor(read, '__proto__')?.value).toBe('own property, not a prototype');
  });

  it('commits an empty tree', async () => {
    const commit = await store.commit({}, null, 'empty');
    expect(git('rev-parse', `${commit}^{tree}`).trim()).toBe(EMPTY_TREE);
    expect(await store.readFiles(commit)).toEqual({});
  });

  it('sets node refs and lists them', async () => {
    const root = await store.commit(seedFiles, null, 'node 0');
    const child = await store.commit({ 'agent.ts': 'x' }, root, 'node 1');
    await store.setNodeRef(0, root);
    await store.setNodeRef(1, child);
    await store.setNodeRef(12, child);
    expect(git('rev-parse', 'refs/clade/nodes/1').trim()).toBe(child);
    expect(await store.nodeRefs()).toEqual(
      new Map([
        [0, root],
        [1, child],
        [12, child],
      ]),
    );
    // Moving a ref replaces it.
    await store.setNodeRef(12, root);
    expect((await store.nodeRefs()).get(12)).toBe(root);
  });

  it('refuses a ref to a commit that does not exist, and bad node ids', async () => {
    await expect(store.setNodeRef(0, '0123456789abcdef0123456789abcdef01234567')).rejects.toMatchObject({
      code: 'LINEAGE_FAILED',
    });
    await expect(store.setNodeRef(-1, EMPTY_TREE)).rejects.toThrow(CladeError);
    await expect(store.setNodeRef(1.5, EMPTY_TREE)).rejects.toThrow(CladeError);
  });

  it('diffs two commits, and a root against the empty tree', async () => {
    const root = await store.commit(seedFiles, null, 'node 0');
    const child = await store.commit(
      { ...seedFiles, 'agent.ts': 'export function optimize() {\n  return 2;\n}\n', 'new.ts': 'added\n' },
      root,
      'node 1',
    );
    const change = await store.diff(root, child);
    expect(change).toContain('diff --git a/agent.ts b/agent.ts');
    expect(change).toContain('-  return 1;');
    expect(change).toContain('+  return 2;');
    expect(change).toContain('+++ b/new.ts');
    expect(change).not.toContain('vector.ts');
    expect(change).not.toMatch(/\u001b\[/); // no colour codes

    const everything = await store.diff(null, root);
    for (const path of Object.keys(seedFiles)) expect(everything).toContain(`+++ b/${path}`);
    expect(everything).toContain('+# Ünïcödé ✓ 🚀');
    expect(await store.diff(root, root)).toBe('');
  });

  it('exports a commit into a new or empty directory and refuses a non-empty one', async () => {
    const commit = await store.commit(seedFiles, null, 'node 0');
    const target = join(directory, 'out', 'node-0');
    await store.exportTo(commit, target);
    for (const [path, text] of Object.entries(seedFiles)) {
      expect(readFileSync(join(target, path), 'utf8')).toBe(text);
    }
    expect(readdirSync(target).sort()).toEqual(['agent.ts', 'config.json', 'données', 'lib']);

    const empty = join(directory, 'empty');
    mkdirSync(empty);
    await store.exportTo(commit, empty);
    expect(readFileSync(join(empty, 'agent.ts'), 'utf8')).toBe(seedFiles['agent.ts']);

    const occupied = join(directory, 'occupied');
    mkdirSync(occupied);
    writeFileSync(join(occupied, 'keep.txt'), 'mine');
    await expect(store.exportTo(commit, occupied)).rejects.toThrow(/not empty/);
    expect(readdirSync(occupied)).toEqual(['keep.txt']);

    const file = join(directory, 'a-file');
    writeFileSync(file, '');
    await expect(store.exportTo(commit, file)).rejects.toThrow(/not a directory/);
  });

  it.each(['../escape.ts', '/abs.ts', 'a//b.ts', 'a\\b.ts', 'nul\u0000.ts', '.git/config', 'x/../y.ts'])(
    'refuses the unsafe path %j before writing anything',
    async (path) => {
      const objectsBefore = git('count-objects').trim();
      await expect(store.commit({ 'ok.ts': 'fine', [path]: 'bad' }, null, 'bad')).rejects.toThrow(UnsafePathError);
      expect(git('count-objects').trim()).toBe(objectsBefore);
      expect(existsSync(join(directory, 'escape.ts'))).toBe(false);
    },
  );

  it('refuses a file that is also a directory', async () => {
    await expect(store.commit({ a: 'file', 'a/b': 'nested' }, null, 'clash')).rejects.toMatchObject({
      code: 'AGENT_INVALID',
    });
  });

  it('runs 8 commits in parallel, all different and all readable', async () => {
    // A private temporary directory, to check that every commit cleans up after itself.
    const scratch = join(directory, 'tmp');
    mkdirSync(scratch);
    const savedTemporary = process.env.TMPDIR;
    process.env.TMPDIR = scratch;
    onTestFinished(() => {
      if (savedTemporary === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTemporary;
    });
    expect(tmpdir()).toBe(scratch);
    const root = await store.commit(seedFiles, null, 'node 0');
    const variants = Array.from({ length: 8 }, (_, index) => ({
      ...seedFiles,
      'agent.ts': `export const variant = ${index};\n`,
      [`only-${index}/file.ts`]: `// ${index}\n`,
    }));
    const commits = await Promise.all(variants.map((files, index) => store.commit(files, root, `node ${index + 1}`)));
    expect(new Set(commits).size).toBe(8);
    await Promise.all(commits.map((commit, index) => store.setNodeRef(index + 1, commit)));
    for (const [index, commit] of commits.entries()) {
      expect(git('rev-parse', `${commit}^`).trim()).toBe(root);
      expect(await store.readFiles(commit)).toEqual(variants[index]);
    }
    expect((await store.nodeRefs()).size).toBe(8);
    // No temporary directories or index files are left behind.
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('reports git failures as LINEAGE_FAILED with the command', async () => {
    const missing = '0123456789abcdef0123456789abcdef01234567';
    let thrown: unknown;
    try {
      await store.readFiles(missing);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ArchiveError);
    expect((thrown as ArchiveError).code).toBe('LINEAGE_FAILED');
    expect((thrown as ArchiveError).message).toContain(`git ls-tree -r -z --full-tree ${missing}`);
    expect((thrown as ArchiveError).message).toContain(store.path);

    await expect(store.commit({ 'a.ts': 'x' }, missing, 'orphan')).rejects.toMatchObject({ code: 'LINEAGE_FAILED' });
    await expect(store.diff(missing, missing)).rejects.toMatchObject({ code: 'LINEAGE_FAILED' });
  });

  it('refuses revisions that git would read as options', async () => {
    const outside = join(directory, 'written-by-git.txt');
    await expect(store.diff(`--output=${outside}`, 'HEAD')).rejects.toMatchObject({ code: 'USAGE' });
    await expect(store.readFiles('--help')).rejects.toMatchObject({ code: 'USAGE' });
    await expect(store.hasCommit('a b')).rejects.toMatchObject({ code: 'USAGE' });
    expect(existsSync(outside)).toBe(false);
  });

  it('says so when the repository does not exist', async () => {
    const absent = createGitCodeStore(join(directory, 'nowhere.git'));
    await expect(absent.readFiles(EMPTY_TREE)).rejects.toThrow(/call init\(\) first/i);
    await expect(absent.commit({ 'a.ts': 'x' }, null, 'm')).rejects.toMatchObject({ code: 'LINEAGE_FAILED' });
  });

  it('ignores git settings from the environment', async () => {
    const saved = { ...process.env };
    let commit = '';
    const elsewhere = join(directory, 'elsewhere');
    mkdirSync(elsewhere);
    try {
      process.env.GIT_DIR = elsewhere;
      process.env.GIT_INDEX_FILE = join(elsewhere, 'index');
      process.env.GIT_AUTHOR_NAME = 'Someone Else';
      process.env.GIT_CONFIG_PARAMETERS = "'commit.gpgsign'='true'";
      process.env.HOME = elsewhere;
      writeFileSync(join(elsewhere, '.gitconfig'), '[commit]\n\tgpgsign = true\n[core]\n\tautocrlf = true\n');
      commit = await store.commit({ 'a.txt': 'one\r\ntwo\n' }, null, 'isolated');
      expect(await store.readFiles(commit)).toEqual({ 'a.txt': 'one\r\ntwo\n' });
      expect(readdirSync(elsewhere)).toEqual(['.gitconfig']);
    } finally {
      process.env = saved;
    }
    expect(git('log', '-1', '--format=%an|%G?', commit).trim()).toBe('clade|N');
  });

  it('honours gitBinary', async () => {
    const other = createGitCodeStore(join(directory, 'other.git'), { gitBinary: 'definitely-not-git-binary' });
    await expect(other.init()).rejects.toMatchObject({ code: 'LINEAGE_FAILED' });
  });
});
