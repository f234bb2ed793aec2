import { posix } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnsafePathError } from '../../../src/core/errors.js';
import { assertSafeRelativePath, isSafeRelativePath } from '../../../src/core/safe-path.js';

describe('assertSafeRelativePath', () => {
  it('accepts plain relative paths, including unicode and dot files', () => {
    for (const path of [
      'a.ts',
      'src/agent.ts',
      'deep/er/still/file.txt',
      'données/é.ts',
      '.gitignore',
      '..foo',
      'a..b/c',
      'x/.hidden',
    ]) {
      expect(() => assertSafeRelativePath(path)).not.toThrow();
    }
  });

  it.each([
    ['', /empty/],
    ['/etc/passwd', /absolute/],
    ['../outside.ts', /"\.\."/],
    ['a/../../b', /"\.\."/],
    ['a/..', /"\.\."/],
    ['a//b', /empty segment/],
    ['a/', /empty segment/],
    ['./a', /"\."/],
    ['a\\b', /backslash/],
    ['..\\..\\x', /backslash/],
    ['a\u0000b', /NUL/],
    ['C:/windows', /drive letter/],
    ['.git/hooks/pre-commit', /\.git/],
    ['sub/.GIT/config', /\.git/],
    ['.. /x', /only of dots and spaces/],
    ['a/...', /only of dots and spaces/],
  ])('refuses %j', (path, reason) => {
    expect(() => assertSafeRelativePath(path)).toThrow(UnsafePathError);
    expect(() => assertSafeRelativePath(path)).toThrow(reason);
    expect(isSafeRelativePath(path)).toBe(false);
  });

  it('reports the code UNSAFE_PATH and names the path', () => {
    try {
      assertSafeRelativePath('../x');
      expect.unreachable();
    } catch (error) {
      expect((error as UnsafePathError).code).toBe('UNSAFE_PATH');
      expect((error as UnsafePathError).message).toContain('"../x"');
    }
  });

  it('accepts only canonical paths that stay inside the tree (property)', () => {
    const segment = fc.constantFrom('a', 'b', '.', '..', '', '.git', 'é', 'c d', '\\', '/', '\u0000', 'x.ts');
    const candidate = fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('/'));
    fc.assert(
      fc.property(fc.oneof(candidate, fc.string()), (path) => {
        if (!isSafeRelativePath(path)) return;
        expect(posix.isAbsolute(path)).toBe(false);
        expect(posix.normalize(path)).toBe(path);
        expect(path === '..' || path.startsWith('../')).toBe(false);
        const inside = posix.relative('/root/agent', posix.join('/root/agent', path));
        expect(inside === '..' || inside.startsWith('../')).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
