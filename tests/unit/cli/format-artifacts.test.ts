import { describe, expect, it } from 'vitest';
import { formatArtifacts, terminalSafe } from '../../../src/cli/format-artifacts.js';

describe('clade show: artifacts', () => {
  it('prints each artifact under its name, indented, with nothing for a node without artifacts', () => {
    expect(formatArtifacts({})).toEqual([]);
    expect(formatArtifacts({ artifacts: {} })).toEqual([]);
    expect(formatArtifacts({ artifacts: { summary: 'sum 2.58\nvalid', stderr: 'warning' } })).toEqual([
      '',
      'Artifacts:',
      '  [summary]',
      '    sum 2.58',
      '    valid',
      '  [stderr]',
      '    warning',
    ]);
  });

  it('makes terminal control characters visible and shortens long artifacts', () => {
    expect(terminalSafe('\u001b[31mred\u0007\r\tok\n')).toBe('\\u001b[31mred\\u0007\\u000d\tok\n');
    const lines = formatArtifacts({
      artifacts: { 'log\u001b]0;title': Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n') },
    });
    expect(lines[2]).toBe('  [log\\u001b]0;title]');
    expect(lines).toHaveLength(2 + 1 + 40 + 1);
    expect(lines.at(-1)).toBe('    … 10 more lines (clade show --json has them all)');
  });
});
