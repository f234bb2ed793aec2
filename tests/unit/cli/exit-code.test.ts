import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../../src/cli/exit-code.js';
import { CladeError, ConfigError } from '../../../src/core/errors.js';
import { createQueueSandbox } from '../../../src/sandbox/queue-sandbox.js';

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('exitCodeOf', () => {
  it('exits 2 for a bad configuration raised outside the loader, as for a ConfigError', () => {
    // A Redis URL the schema's pattern lets through but the queue cannot parse: raised by the sandbox.
    const error = thrownBy(() => createQueueSandbox({ redis: 'redis://127.0.0.1:notaport' }));
    expect(error).toBeInstanceOf(CladeError);
    expect(error).not.toBeInstanceOf(ConfigError);
    expect((error as CladeError).code).toBe('CONFIG_INVALID');
    expect(exitCodeOf(error)).toBe(2);
    expect(exitCodeOf(new ConfigError('task.kind: unknown'))).toBe(2);
    expect(exitCodeOf(new CladeError('USAGE', 'bad flag'))).toBe(2);
    expect(exitCodeOf(new CladeError('CONFIG_NOT_FOUND', 'no file'))).toBe(2);
  });

  it('exits 1 for faults that are not the input', () => {
    expect(exitCodeOf(new CladeError('SANDBOX_UNAVAILABLE', 'no engine'))).toBe(1);
    expect(exitCodeOf(new CladeError('ARCHIVE_CORRUPT', 'broken'))).toBe(1);
    expect(exitCodeOf(new Error('bug'))).toBe(1);
  });
});
