import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../../src/archive/types.js';
import { readCampaignSchedule, SegmentGate } from '../../../src/campaign/replay-schedule.js';
import type { AgentNode, RunEvent } from '../../../src/core/types.js';
import { EvaluationAbortedError } from '../../../src/harness/run-harness.js';

let nextEventId = 1;
function event(type: string, nodeId: number | null, data: unknown = {}): EventRecord {
  return { id: nextEventId++, type, nodeId, data, createdAt: '2026-01-01T00:00:00.000Z' };
}
const started = () => event('campaign-started', null);
const created = (id: number, parentId: number) => event('node-created', id, { parentId });
const recorded = (id: number) => event('node-recorded', id);

function node(id: number, parentId: number | null, createdMs: number, evaluatedMs: number): AgentNode {
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
  return {
    id,
    parentId,
    commit: `c${id}`,
    status: 'scored',
    score: 0.5,
    publicMetrics: {},
    privateMetrics: {},
    mutation: { operator: 'parametric', summary: '' },
    error: null,
    iteration: id,
    createdAt: at(createdMs),
    evaluatedAt: at(evaluatedMs),
  };
}

describe('readCampaignSchedule', () => {
  it('splits invocations, counts the workers each needs and the children it lost', () => {
    const events = [
      started(),
      recorded(0),
      created(1, 0),
      created(2, 0),
      recorded(2),
      created(3, 2),
      recorded(1),
      created(4, 1), // lost: aborted before it was recorded
      recorded(3),
      started(),
      created(4, 3),
      recorded(4),
    ];
    const schedule = readCampaignSchedule(events, []);
    expect(schedule.source).toBe('events');
    expect(schedule.segments).toHaveLength(2);
    expect(schedule.segments[0]?.workers).toBe(2);
    expect(schedule.segments[0]?.lost).toEqual([4]);
    expect(schedule.segments[1]?.steps).toEqual([
      { kind: 'create', nodeId: 4, parentId: 3 },
      { kind: 'record', nodeId: 4 },
    ]);
    expect(schedule.segments[1]?.workers).toBe(1);
  });

  it('rebuilds creations from timestamps when the archive has no creation events', () => {
    // Two workers: #1 and #2 start together; #2 finishes first and #3 starts after it; then #1 finishes.
    const nodes = [node(0, null, 0, 10), node(1, 0, 20, 300), node(2, 0, 21, 200), node(3, 2, 210, 400)];
    const schedule = readCampaignSchedule([started(), recorded(0), recorded(2), recorded(1), recorded(3)], nodes);
    expect(schedule.source).toBe('timestamps');
    expect(schedule.segments[0]?.steps).toEqual([
      { kind: 'record', nodeId: 0 },
      { kind: 'create', nodeId: 1, parentId: 0 },
      { kind: 'create', nodeId: 2, parentId: 0 },
      { kind: 'record', nodeId: 2 },
      { kind: 'create', nodeId: 3, parentId: 2 },
      { kind: 'record', nodeId: 1 },
      { kind: 'record', nodeId: 3 },
    ]);
    expect(schedule.segments[0]?.workers).toBe(2);
  });
});

describe('SegmentGate', () => {
  const createdEvent = (nodeId: number): RunEvent => ({ type: 'node-created', nodeId, parentId: 0, operator: 'p' });
  const recordedEvent = (id: number): RunEvent => ({ type: 'node-recorded', node: node(id, 0, 0, 0) });

  it('lets records through in the recorded order, whatever order evaluations finish in', async () => {
    const schedule = readCampaignSchedule(
      [started(), recorded(0), created(1, 0), created(2, 0), recorded(2), recorded(1)],
      [],
    );
    const gate = new SegmentGate(schedule.segments[0] as never);
    const order: string[] = [];
    gate.observe(recordedEvent(0));
    expect(await gate.beforeCreate()).toBe(true);
    gate.observe(createdEvent(1));
    expect(await gate.beforeCreate()).toBe(true);
    gate.observe(createdEvent(2));
    // #1 finishes first but must wait for #2.
    const first = gate.beforeRecord(1).then(() => {
      order.push('record 1');
      gate.observe(recordedEvent(1));
    });
    await Promise.resolve();
    expect(order).toEqual([]);
    await gate.beforeRecord(2).then(() => {
      order.push('record 2');
      gate.observe(recordedEvent(2));
    });
    await first;
    expect(order).toEqual(['record 2', 'record 1']);
    expect(gate.complete).toBe(true);
    // The segment is over: workers stop.
    expect(await gate.beforeCreate()).toBe(false);
  });

  it('discards a child the recorded campaign lost, and reports a run that leaves the schedule', async () => {
    const schedule = readCampaignSchedule([started(), recorded(0), created(1, 0)], []);
    const gate = new SegmentGate(schedule.segments[0] as never);
    gate.observe(recordedEvent(0));
    expect(await gate.beforeCreate()).toBe(true);
    gate.observe(createdEvent(1));
    await expect(gate.beforeRecord(1)).rejects.toBeInstanceOf(EvaluationAbortedError);

    const other = new SegmentGate(readCampaignSchedule([started(), recorded(0)], []).segments[0] as never);
    other.observe(recordedEvent(5));
    expect(other.problem).toContain('recorded node #5 where the recorded campaign recorded node #0');
  });
});
