import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAgentDirectory } from '../../../src/campaign/agent-directory.js';

const directory = mkdtempSync(path.join(tmpdir(), 'clade-program-agent-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('a Python program as the seed agent', () => {
  it('skips the __pycache__ Python writes beside an imported program (binary .pyc files)', () => {
    writeFileSync(path.join(directory, 'packing.py'), 'N = 26\n');
    mkdirSync(path.join(directory, 'lib', '__pycache__'), { recursive: true });
    writeFileSync(path.join(directory, 'lib', 'util.py'), 'def f():\n    return 1\n');
    writeFileSync(path.join(directory, 'lib', '__pycache__', 'util.cpython-311.pyc'), new Uint8Array([0, 1, 2]));
    expect(readAgentDirectory(directory)).toEqual({
      'packing.py': 'N = 26\n',
      'lib/util.py': 'def f():\n    return 1\n',
    });
  });
});
