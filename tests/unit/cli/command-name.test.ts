/**
 * `cladeCommand()`: the command printed in hints is the one the user ran — an installed bin found
 * first on PATH, npx (a node_modules/.bin link), an npm script running main.js in a checkout, or
 * `node <path>` — checked with real files and links in a temporary directory.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cladeCommand } from '../../../src/cli/command-name.js';

let root = '';
let main = '';

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'clade-command-'));
  main = path.join(root, 'lib/node_modules/clade/dist/src/cli/main.js');
  mkdirSync(path.dirname(main), { recursive: true });
  writeFileSync(main, '');
  for (const bin of ['bin', 'other-bin', 'project/node_modules/.bin']) {
    mkdirSync(path.join(root, bin), { recursive: true });
    symlinkSync(main, path.join(root, bin, 'clade'));
  }
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('cladeCommand', () => {
  it('an installed bin that is first on PATH: clade', () => {
    const environment = { PATH: [path.join(root, 'bin'), '/usr/bin'].join(path.delimiter) };
    expect(cladeCommand({ script: path.join(root, 'bin/clade'), environment, cwd: '/' })).toBe('clade');
  });

  it('an installed bin not on PATH (or shadowed by another clade): its own path', () => {
    const script = path.join(root, 'bin/clade');
    expect(cladeCommand({ script, environment: { PATH: '/usr/bin' }, cwd: '/' })).toBe(script);
    writeFileSync(path.join(root, 'other.js'), '');
    mkdirSync(path.join(root, 'shadow'), { recursive: true });
    symlinkSync(path.join(root, 'other.js'), path.join(root, 'shadow/clade'));
    const environment = { PATH: [path.join(root, 'shadow'), path.join(root, 'bin')].join(path.delimiter) };
    expect(cladeCommand({ script, environment, cwd: '/' })).toBe(script);
  });

  it('a bin run from node_modules/.bin (npx, npm scripts): npx clade', () => {
    const script = path.join(root, 'project/node_modules/.bin/clade');
    expect(cladeCommand({ script, environment: { npm_lifecycle_event: 'npx' }, cwd: root })).toBe('npx clade');
  });

  it('main.js run by an npm script in a checkout (npm start): npx clade', () => {
    expect(cladeCommand({ script: main, environment: { npm_lifecycle_event: 'start' }, cwd: root })).toBe('npx clade');
  });

  it('main.js run by node: node and its path, relative when inside the working directory', () => {
    expect(cladeCommand({ script: main, environment: {}, cwd: path.join(root, 'lib/node_modules/clade') })).toBe(
      'node dist/src/cli/main.js',
    );
    expect(cladeCommand({ script: main, environment: {}, cwd: path.join(root, 'bin') })).toBe(`node ${main}`);
  });
});
