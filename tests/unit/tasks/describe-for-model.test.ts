import { describe, expect, it } from 'vitest';
import { validateCampaign } from '../../../src/campaign-file.js';
import { builtinExercisesDirectory } from '../../../src/tasks/coding-exercises.js';
import { createCodingTask } from '../../../src/tasks/coding-task.js';
import { createNumericTask } from '../../../src/tasks/numeric-task.js';

const mutation = { operator: 'llm-diff', models: ['openai:gpt-4.1-mini'] };

describe('Task.describeForModel', () => {
  it('describes a numeric task as minimisation with its budget and scoring', () => {
    const config = validateCampaign(
      { name: 'n', agent: '.', task: { kind: 'numeric', problems: [{ fn: 'sphere', dim: 3 }], repeats: 2 }, mutation },
      'test',
    );
    const text = createNumericTask(config.task as never, 0).describeForModel();
    expect(text).toContain('minimisation');
    expect(text).toContain('sphere-d3');
    expect(text).toMatch(/10000 × dimension times/);
    expect(text).toContain('and 2 seeds');
  });

  it('describes a coding task as a coding agent scored by hidden tests, not as minimisation', () => {
    const text = createCodingTask({
      exercisesDir: builtinExercisesDirectory(),
      exercises: ['two-fer', 'leap'],
      limits: { maxSteps: 5, maxTokens: 10_000, timeoutSeconds: 60, testTimeoutSeconds: 10 },
      campaignSeed: 0,
    }).describeForModel();
    expect(text).not.toContain('minimisation');
    expect(text).toContain('coding agent');
    expect(text).toContain('hidden tests');
    expect(text).toContain('two-fer, leap');
  });
});
