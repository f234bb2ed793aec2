import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentFiles } from '../../../src/core/types.js';
import { type CodeStore, createGitCodeStore, NODE_REF_PREFIX } from '../../../src/lineage/index.js';

let directory: string;

function git(repository: string, ...args: string[]): string {
  return execFileSync('git', ['--git-dir', repository, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  });
}

/** A store of each writer with the same fixed clock. */
async function pair(): Promise<{ direct: CodeStore; plumbing: CodeStore }> {
  const clock = () => new Date('2026-12-08T03:04:05.678Z');
  const direct = createGitCodeStore(join(directory, 'direct.git'), { clock });
  const plumbing = createGitCodeStore(join(directory, 'plumbing.git'), { clock, writer: 'git' });
  await direct.init();
  await plumbing.init();
  return { direct, plumbing };
}

/** Loose object files in a repository (no temporary files among them). */
function looseObjects(repository: string): string[] {
  const objects = join(repository, 'objects');
  return readdirSync(objects)
    .filter((name) => /^[0-9a-f]{2}$/.test(name))
    .flatMap((name) => readdirSync(join(objects, name)).map((file) => `${name}${file}`))
    .sort();
}

const trees: AgentFiles[] = [
  {},
  { 'agent.ts': 'export const x = 1;\n' },
  {
    'agent.ts': 'export function optimize() {\n  return 1;\n}\n',
    'lib/math/vector.ts': 'export const zero = [0, 0];\n',
    'lib/math.ts': 'file beside a directory of the same stem\n',
    'lib-a/x.ts': 'sorts between lib and lib/\n',
    'lib.d/y.ts': 'y',
    '.gitignore': '*\n',
    '.eslintrc.json': '{}',
    'README.md': '',
    'crlf.txt': 'one\r\ntwo\r\n',
    'no-newline.txt': 'last line',
    'A.txt': 'upper',
    'a.txt': 'lower',
    '0.txt': 'digit',
    'z/z/z/z/deep.txt': 'deep\n',
  },
  // Names the direct writer leaves to git (unicode, spaces, git-like): the same commits either way.
  {
    'données/résumé.md': '# Ünïcödé ✓ 🚀\n',
    'with space.txt': 's',
    'github/workflow.yml': 'on: push\n',
    'plain.ts': 'p',
  },
  { 'text.ts': 'lone surrogate \ud800 and NUL \u0000 inside\n' },
];

const messages = ['node 1 (parent 0): F 0.5→0.6', 'ends with newline\n', 'two blank lines\n\n', '', '\n\nleading'];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'clade-loose-objects-test-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('loose-object writer', () => {
  it('writes the same commits, trees and blobs as git plumbing, and git fsck --strict finds nothing', async () => {
    const { direct, plumbing } = await pair();
    let directParent: string | null = null;
    let plumbingParent: string | null = null;
    // Each tree once, then each message once (git plumbing is slow: a few processes per commit).
    const cases = [
      ...trees.map((files, index) => ({ files, message: messages[index % messages.length] ?? '' })),
      ...messages.map((message) => ({ files: trees[1] ?? {}, message })),
    ];
    for (const { files, message } of cases) {
      {
        const fromDirect: string = await direct.commit(files, directParent, message);
        const fromPlumbing: string = await plumbing.commit(files, plumbingParent, message);
        expect(fromDirect).toBe(fromPlumbing);
        const read = await direct.readFiles(fromDirect);
        expect(read).toEqual(
          Object.fromEntries(Object.entries(files).map(([path, text]) => [path, Buffer.from(text).toString('utf8')])),
        );
        // Read from loose objects, in the order git's ls-tree lists them.
        expect(Object.entries(read)).toEqual(Object.entries(await plumbing.readFiles(fromPlumbing)));
        directParent = fromDirect;
        plumbingParent = fromPlumbing;
      }
    }
    expect(git(direct.path, 'cat-file', 'commit', directParent ?? '')).toBe(
      git(plumbing.path, 'cat-file', 'commit', plumbingParent ?? ''),
    );
    // Every object git wrote, the direct writer wrote too (the git-like trees went through git there).
    expect(looseObjects(direct.path)).toEqual(looseObjects(plumbing.path));
    await direct.setNodeRef(0, directParent ?? '');
    expect(git(direct.path, 'fsck', '--strict', '--no-dangling', '--no-progress')).toBe('');
  }, 120_000);

  it('writes node refs that git reads, replaces them, and leaves no lock files', async () => {
    const { direct } = await pair();
    const root = await direct.commit({ 'a.ts': 'a' }, null, 'root');
    const child = await direct.commit({ 'a.ts': 'b' }, root, 'child');
    await direct.setNodeRef(0, root);
    await direct.setNodeRef(1, root);
    await direct.setNodeRef(1, child);
    expect(git(direct.path, 'rev-parse', `${NODE_REF_PREFIX}1`).trim()).toBe(child);
    expect(await direct.nodeRefs()).toEqual(
      new Map([
        [0, root],
        [1, child],
      ]),
    );
    expect(readdirSync(join(direct.path, 'refs/clade/nodes')).sort()).toEqual(['0', '1']);
    // A commit this store did not write, in a repository opened anew, is checked before its ref is set.
    const reopened = createGitCodeStore(direct.path);
    await reopened.setNodeRef(2, child);
    await expect(reopened.setNodeRef(3, '0123456789abcdef0123456789abcdef01234567')).rejects.toMatchObject({
      code: 'LINEAGE_FAILED',
    });
    const tree = git(direct.path, 'rev-parse', `${child}^{tree}`).trim();
    await expect(reopened.setNodeRef(4, tree)).rejects.toMatchObject({ code: 'LINEAGE_FAILED' });
    expect(existsSync(join(direct.path, NODE_REF_PREFIX, '3'))).toBe(false);
    expect(existsSync(join(direct.path, NODE_REF_PREFIX, '4'))).toBe(false);
  });

  it('commits on a packed parent and on a parent named by a revision (through git)', async () => {
    const { direct } = await pair();
    const root = await direct.commit({ 'a.ts': 'a' }, null, 'root');
    await direct.setNodeRef(0, root);
    git(direct.path, 'repack', '-a', '-d', '-q');
    git(direct.path, 'pack-refs', '--all');
    git(direct.path, 'prune-packed');
    const reopened = createGitCodeStore(direct.path);
    expect(await reopened.readFiles(root)).toEqual({ 'a.ts': 'a' }); // packed: read through git
    const child = await reopened.commit({ 'a.ts': 'b' }, root, 'on a packed parent');
    expect(git(direct.path, 'rev-parse', `${child}^`).trim()).toBe(root);
    await reopened.setNodeRef(1, child);
    const grandchild = await reopened.commit({ 'a.ts': 'c' }, `${NODE_REF_PREFIX}1`, 'on a ref');
    expect(git(direct.path, 'rev-parse', `${grandchild}^`).trim()).toBe(child);
    await reopened.setNodeRef(0, grandchild); // a loose ref over a packed one
    expect(await reopened.nodeRefs()).toEqual(
      new Map([
        [0, grandchild],
        [1, child],
      ]),
    );
    expect(git(direct.path, 'fsck', '--strict', '--no-dangling', '--no-progress')).toBe('');
  });

  it('reads a commit that holds a symbolic link through git, which refuses it', async () => {
    const { direct } = await pair();
    const blob = execFileSync('git', ['--git-dir', direct.path, 'hash-object', '-w', '--stdin'], {
      input: 'target',
      encoding: 'utf8',
    }).trim();
    const tree = execFileSync('git', ['--git-dir', direct.path, 'mktree'], {
      input: `120000 blob ${blob}\tlink\n`,
      encoding: 'utf8',
    }).trim();
    const commit = git(direct.path, '-c', 'user.name=x', '-c', 'user.email=x@x', 'commit-tree', tree, '-m', 'x').trim();
    await expect(direct.readFiles(commit)).rejects.toMatchObject({
      code: 'LINEAGE_FAILED',
      message: expect.stringContaining('regular files only'),
    });
  });

  it('leaves a SHA-256 repository, one with reflogs and a shared one to git', async () => {
    const sha256 = join(directory, 'sha256.git');
    git(sha256, 'init', '--bare', '--quiet', '--object-format=sha256', sha256);
    const store = createGitCodeStore(sha256);
    await store.init();
    const root = await store.commit({ 'a.ts': 'a' }, null, 'root');
    expect(root).toMatch(/^[0-9a-f]{64}$/);
    await store.setNodeRef(0, root);
    expect(await store.readFiles(root)).toEqual({ 'a.ts': 'a' });

    const logged = createGitCodeStore(join(directory, 'logged.git'));
    await logged.init();
    git(logged.path, 'config', 'core.logAllRefUpdates', 'always');
    const reopened = createGitCodeStore(logged.path);
    const commit = await reopened.commit({ 'a.ts': 'a' }, null, 'root');
    await reopened.setNodeRef(0, commit);
    expect(git(logged.path, 'reflog', 'show', '--format=%H', `${NODE_REF_PREFIX}0`).trim()).toBe(commit);

    const shared = createGitCodeStore(join(directory, 'shared.git'));
    await shared.init();
    git(shared.path, 'config', 'core.sharedRepository', 'group');
    const reopenedShared = createGitCodeStore(shared.path);
    const sharedCommit = await reopenedShared.commit({ 'a.ts': 'a' }, null, 'root');
    const blob = git(shared.path, 'rev-parse', `${sharedCommit}:a.ts`).trim();
    // git made the object's directory group-writable and set-group-id, as the setting asks.
    const mode = statSync(join(shared.path, 'objects', blob.slice(0, 2))).mode;
    expect(mode & 0o2020).toBe(0o2020);
  });

  it('runs 16 commits at once sharing most of their files, leaving no temporary files', async () => {
    const { direct } = await pair();
    const shared: AgentFiles = {};
    for (let index = 0; index < 20; index++) shared[`lib/module-${index}.ts`] = `export const v${index} = ${index};\n`;
    const root = await direct.commit(shared, null, 'root');
    const commits = await Promise.all(
      Array.from({ length: 16 }, (_, index) =>
        direct.commit({ ...shared, 'agent.ts': `export const F = ${index % 8};\n` }, root, `child ${index % 8}`),
      ),
    );
    expect(new Set(commits).size).toBe(8);
    for (const [index, commit] of commits.entries()) {
      expect((await direct.readFiles(commit))['agent.ts']).toBe(`export const F = ${index % 8};\n`);
    }
    expect(looseObjects(direct.path).some((name) => name.includes('tmp'))).toBe(false);
    for (const name of readdirSync(join(direct.path, 'objects'))) {
      if (/^[0-9a-f]{2}$/.test(name)) expect(readdirSync(join(direct.path, 'objects', name)).join()).not.toMatch(/tmp/);
    }
    expect(git(direct.path, 'fsck', '--strict', '--no-progress', '--no-dangling')).toBe('');
  });

  it('rewrites an object file that went missing after it was written once', async () => {
    const { direct } = await pair();
    const first = await direct.commit({ 'a.ts': 'a' }, null, 'root');
    const blob = git(direct.path, 'rev-parse', `${first}:a.ts`).trim();
    rmSync(join(direct.path, 'objects', blob.slice(0, 2), blob.slice(2)));
    // A new store does not remember the object, sees it is absent and writes it again.
    const again = createGitCodeStore(direct.path, { clock: () => new Date('2026-12-08T03:04:05.678Z') });
    expect(await again.commit({ 'a.ts': 'a' }, null, 'root')).toBe(first);
    expect(git(direct.path, 'cat-file', 'blob', blob)).toBe('a');
  });
});
