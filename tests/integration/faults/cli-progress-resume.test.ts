/**
 * Issue 17 finding 8 / issue 15 item 7: after `clade resume`, the progress display announced the
 * first scored child as a "new best" whatever its score. It starts from the archive's best now.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressDisplay } from '../../../src/cli/progress.js';
import type { AgentNode } from '../../../src/core/types.js';

function child(id: number, score: number): AgentNode {
  return {
    id,
    parentId: 0,
    commit: `c${id}`,
    status: 'scored',
    score,
    publicMetrics: {},
    privateMetrics: {},
    mutation: { operator: 'parametric', summary: `change ${id}` },
    error: null,
    iteration: id,
    createdAt: '2026-01-01T00:00:00.000Z',
    evaluatedAt: '2026-01-01T00:00:01.000Z',
  };
}

describe('the progress display of a resumed campaign', () => {
  it('announces only a child that beats the best already in the archive', () => {
    const stream = new PassThrough();
    let written = '';
    stream.on('data', (chunk: Buffer) => {
      written += chunk.toString();
    });
    const progress = createProgressDisplay({
      stream: stream as unknown as NodeJS.WriteStream,
      iterations: 10,
      json: false,
      best: { id: 4, score: 0.8 },
    });
    progress.onEvent({ type: 'campaign-started', campaign: 'demo', resumed: true, nodes: 6 });
    progress.onEvent({ type: 'node-recorded', node: child(6, 0.5) });
    progress.onEvent({ type: 'node-recorded', node: child(7, 0.8) });
    expect(written).not.toContain('new best');
    progress.onEvent({ type: 'node-recorded', node: child(8, 0.9) });
    expect(written).toContain('new best 0.9000 at node #8');
    progress.finish();
  });
});
