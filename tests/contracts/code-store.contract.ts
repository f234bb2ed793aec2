/**
 * @module The contract every `CodeStore` must pass, run for every kind registered in `codeStores`
 * (src/lineage/registry.ts): a kind's descriptor makes a store at a path, so every registered kind
 * is run without a fixture of its own.
 *
 * What the suite fixes for every store:
 * - `init` is idempotent; a root commit and a child commit on it read back exactly the files given:
 *   nested folders, non-ASCII names, CRLF and lone CR, no trailing newline, empty files, a byte-like
 *   file holding every code point 0–255 (NUL included, as git sees a binary file), astral characters;
 * - `exportTo` writes the same bytes (UTF-8) into a new or empty folder and refuses a non-empty one;
 * - `diff` names what changed (a removed and an added line, an added and a deleted file), and from
 *   null lists every file as added;
 * - node refs point at commits and are listed; unknown commits are not found;
 * - an unsafe path (`..`, absolute, backslash, NUL, `.git`) is refused with `UnsafePathError`
 *   (the whole commit is refused: no hash comes back).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnsafePathError } from '../../src/core/errors.js';
import type { AgentFiles } from '../../src/core/types.js';
import { type CodeStoreKind, codeStores } from '../../src/lineage/registry.js';
import type { CodeStore } from '../../src/lineage/types.js';

/** Every code point 0–255 (NUL and the C1 controls included) and back: what a byte-oriented store must not mangle. */
export const BYTE_LIKE_TEXT =
  Array.from({ length: 256 }, (_, code) => String.fromCharCode(code)).join('') +
  Array.from({ length: 256 }, (_, code) => String.fromCharCode(255 - code)).join('');

/** The parent's files: every awkward kind of content a node's tree may hold. */
export const PARENT_FILES: AgentFiles = {
  'agent.ts': 'export const step = 0.5;\nexport function run() {\n  return step;\n}\n',
  'src/deep/nested/helper.ts': 'export const nested = true;\n',
  'données/é-ü-ñ.txt': 'accents é ü ñ, CJK 漢字, emoji 🧬🚀 (astral), RTL עברית\n',
  'windows.txt': 'line one\r\nline two\r\nlone cr\rend\r\n',
  'no-newline.txt': 'last line has no newline',
  'empty.txt': '',
  'data/bytes.bin': BYTE_LIKE_TEXT,
  'with space/and-dash_underscore.md': '# title\n\ttabbed\n',
  '.gitignore': '*.txt\n*.bin\n',
};

/** The child: one line changed, one file added, one deleted, the byte-like file changed. */
export const CHILD_FILES: AgentFiles = (() => {
  const files: AgentFiles = {
    ...PARENT_FILES,
    'agent.ts': 'export const step = 0.75;\nexport function run() {\n  return step;\n}\n',
    'added/new-file.ts': 'export const added = 1;\n',
    'data/bytes.bin': `${BYTE_LIKE_TEXT}\u0000tail`,
  };
  delete files['empty.txt'];
  return files;
})();

/** Unsafe paths every store must refuse. */
export const UNSAFE_PATHS = [
  '../escape.ts',
  '/absolute.ts',
  'a\\b.ts',
  'nul\u0000.ts',
  '.git/config',
  'x/../y.ts',
  'a//b.ts',
];

/** Relative POSIX paths of the files under `root`, sorted. */
function listFiles(root: string, prefix = ''): string[] {
  return readdirSync(path.join(root, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      return entry.isDirectory() ? listFiles(root, relative) : [relative];
    })
    .sort();
}

/** Registers the code-store cases for one kind under `describe('code store contract: <kind>')`. */
export function runCodeStoreContract(kind: CodeStoreKind): void {
  describe(`code store contract: ${kind.kind}`, () => {
    let directory: string;
    let store: CodeStore;
    let parent: string;
    let child: string;

    beforeAll(async () => {
      directory = mkdtempSync(path.join(os.tmpdir(), `clade-code-contract-${kind.kind}-`));
      store = kind.create(path.join(directory, 'code.git'));
      await store.init();
      await store.init();
    });
    afterAll(() => rmSync(directory, { recursive: true, force: true }));

    it('commits a root and a child on it, and reads both back exactly (text, CRLF, empty, byte-like and astral content)', async () => {
      parent = await store.commit(PARENT_FILES, null, 'node 0: seed');
      child = await store.commit(CHILD_FILES, parent, 'node 1: child of 0');
      expect(parent).not.toBe(child);
      expect(await store.hasCommit(parent)).toBe(true);
      expect(await store.hasCommit(child)).toBe(true);
      const readParent = await store.readFiles(parent);
      const readChild = await store.readFiles(child);
      expect(Object.keys(readParent).sort()).toEqual(Object.keys(PARENT_FILES).sort());
      expect(Object.keys(readChild).sort()).toEqual(Object.keys(CHILD_FILES).sort());
      for (const [name, text] of Object.entries(PARENT_FILES)) {
        expect(
          Buffer.from(readParent[name] as string, 'utf8').equals(Buffer.from(text, 'utf8')),
          `parent ${name}`,
        ).toBe(true);
      }
      for (const [name, text] of Object.entries(CHILD_FILES)) {
        expect(Buffer.from(readChild[name] as string, 'utf8').equals(Buffer.from(text, 'utf8')), `child ${name}`).toBe(
          true,
        );
      }
      expect(readChild['data/bytes.bin']).toHaveLength(CHILD_FILES['data/bytes.bin']?.length as number);
    });

    it('makes two commits on the same parent at once and keeps both', async () => {
      const [first, second] = await Promise.all([
        store.commit({ 'a.ts': 'one\n' }, parent, 'concurrent a'),
        store.commit({ 'b.ts': 'two\n' }, parent, 'concurrent b'),
      ]);
      expect(await store.readFiles(first as string)).toEqual({ 'a.ts': 'one\n' });
      expect(await store.readFiles(second as string)).toEqual({ 'b.ts': 'two\n' });
    });

    it('points node refs at commits and lists them', async () => {
      await store.setNodeRef(0, parent);
      await store.setNodeRef(1, child);
      const references = await store.nodeRefs();
      expect([...references.entries()].sort(([a], [b]) => a - b)).toEqual([
        [0, parent],
        [1, child],
      ]);
      expect(await store.hasCommit('0123456789abcdef0123456789abcdef01234567')).toBe(false);
      await expect(store.readFiles('0123456789abcdef0123456789abcdef01234567')).rejects.toThrow();
      await expect(store.setNodeRef(2, '0123456789abcdef0123456789abcdef01234567')).rejects.toThrow();
    });

    it('diffs the child against its parent, naming changed, added and deleted files; from null everything is added', async () => {
      const diff = await store.diff(parent, child);
      expect(diff).toContain('agent.ts');
      expect(diff).toMatch(/^-export const step = 0\.5;$/m);
      expect(diff).toMatch(/^\+export const step = 0\.75;$/m);
      expect(diff).toContain('added/new-file.ts');
      expect(diff).toMatch(/^\+export const added = 1;$/m);
      expect(diff).toContain('empty.txt');
      expect(diff).toContain('data/bytes.bin');
      expect(diff).not.toContain('src/deep/nested/helper.ts');
      expect(await store.diff(child, child)).toBe('');
      const everything = await store.diff(null, parent);
      for (const name of ['agent.ts', 'src/deep/nested/helper.ts', 'windows.txt', 'no-newline.txt']) {
        expect(everything).toContain(name);
      }
      expect(everything).toMatch(/^\+export function run\(\) \{$/m);
    });

    it('exports a commit byte for byte into a new or empty folder, and refuses a non-empty one', async () => {
      const target = path.join(directory, 'export-new');
      await store.exportTo(child, target);
      expect(listFiles(target)).toEqual(Object.keys(CHILD_FILES).sort());
      for (const [name, text] of Object.entries(CHILD_FILES)) {
        expect(readFileSync(path.join(target, name)).equals(Buffer.from(text, 'utf8')), `exported ${name}`).toBe(true);
      }
      const empty = path.join(directory, 'export-empty');
      mkdirSync(empty);
      await store.exportTo(parent, empty);
      expect(statSync(path.join(empty, 'empty.txt')).size).toBe(0);
      const occupied = path.join(directory, 'export-occupied');
      mkdirSync(occupied);
      writeFileSync(path.join(occupied, 'keep.txt'), 'mine');
      await expect(store.exportTo(parent, occupied)).rejects.toThrow(/not empty/);
      expect(listFiles(occupied)).toEqual(['keep.txt']);
    });

    it.each(UNSAFE_PATHS)('refuses the unsafe path %j with UnsafePathError, setting no ref', async (unsafe) => {
      const before = await store.nodeRefs();
      await expect(store.commit({ 'ok.ts': 'fine\n', [unsafe]: 'bad' }, parent, 'unsafe')).rejects.toThrow(
        UnsafePathError,
      );
      expect(await store.nodeRefs()).toEqual(before);
    });
  });
}

/** Runs the contract for every kind in `codeStores`. */
export function runRegisteredCodeStoreContracts(): void {
  describe('code store contract coverage', () => {
    it('runs at least the built-in git store', () => {
      expect(codeStores.names()).toContain('git');
    });
  });
  for (const kind of codeStores.list()) runCodeStoreContract(kind);
}
