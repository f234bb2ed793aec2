import { describe, expect, it } from 'vitest';
import { validateCampaign } from '../../../src/config/load.js';
import { describeTaskForModel } from '../../../src/mutation/llm-setup.js';

const mutation = { operator: 'llm-diff', models: ['openai:gpt-4.1-mini'] };

describe('describeTaskForModel', () => {
  it('describes a numeric task as minimisation with its budget and scoring', () => {
    const config = validateCampaign(
      { name: 'n', agent: '.', task: { kind: 'numeric', problems: [{ fn: 'sphere', dim: 3 }] }, mutation },
      'test',
    );
    const text = describeTaskForModel(config, 'builtin: sphere-d3');
    expect(text).toContain('minimisation');
    expect(text).toContain('sphere-d3');
    expect(text).toMatch(/× dimension times/);
  });

  it('describes a coding task as a coding agent scored by hidden tests, not as minimisation', () => {
    const config = validateCampaign(
      { name: 'c', agent: '.', task: { kind: 'coding', exercises: ['two-fer', 'leap'] }, mutation },
      'test',
    );
    const text = describeTaskForModel(config, 'coding: 2 exercises (two-fer, leap)');
    expect(text).not.toContain('minimisation');
    expect(text).toContain('coding agent');
    expect(text).toContain('hidden tests');
    expect(text).toContain('two-fer, leap');
  });
});
