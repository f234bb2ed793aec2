import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAgentDirectory } from '../../../src/campaign/agent-directory.js';
import { loadCampaignFile, validateCampaign } from '../../../src/campaign-file.js';
import { ConfigError } from '../../../src/core/errors.js';
import { createCampaign } from '../../../src/create-campaign.js';
import { editableRegions } from '../../../src/mutation/edit-regions.js';
import { parseEvolveParameters } from '../../../src/mutation/evolve-annotations.js';
import { type LlmMutationConfig, prepareLlmMutation } from '../../../src/mutation/llm-setup.js';
import { checkSyntax } from '../../../src/mutation/syntax-check.js';
import { repositoryRoot, seedAgent, temporaryDirectory } from '../../helpers/campaign-fixture.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const base = {
  name: 'llm',
  agent: seedAgent,
  task: { kind: 'numeric', problems: [{ fn: 'sphere', dim: 2 }] },
};

function campaignFile(body: string): { file: string; directory: string } {
  const directory = temporaryDirectory('clade-llm-config-');
  cleanups.push(directory.remove);
  const file = path.join(directory.path, 'campaign.yaml');
  writeFileSync(
    file,
    `name: llm\nagent: ${JSON.stringify(seedAgent)}\ntask:\n  kind: numeric\n  problems: [{ fn: sphere, dim: 2 }]\n${body}`,
  );
  return { file, directory: directory.path };
}

describe('LLM mutation in the campaign file', () => {
  it('validates llm-diff with defaults, weighted models, budgets and prices', () => {
    const config = validateCampaign({
      ...base,
      mutation: {
        operator: 'llm-diff',
        models: ['openai:gpt-4.1-mini', { model: 'anthropic:claude-haiku-4-5', weight: 2 }],
      },
      budget: { iterations: 5, usd: 2.5, tokens: 1_000_000 },
      prices: { 'openai-compatible:qwen': { input: 0, output: 0 } },
    });
    expect(config.mutation).toMatchObject({
      operator: 'llm-diff',
      temperature: null,
      maxTokens: 8192,
      retries: 4,
      patchRetries: 2,
      stream: false,
      prompts: {},
    });
    expect((config.mutation as LlmMutationConfig).models[1]).toEqual({
      model: 'anthropic:claude-haiku-4-5',
      weight: 2,
    });
    expect(config.budget).toMatchObject({ usd: 2.5, tokens: 1_000_000 });
  });

  it('names the field of a mistake: unknown operator, parametric fields on an LLM mutator, no models', () => {
    expect(() => validateCampaign({ ...base, mutation: { operator: 'llm-magic' } })).toThrow(/mutation.operator/);
    expect(() =>
      validateCampaign({ ...base, mutation: { operator: 'llm-diff', models: ['openai:x'], sigma: 0.2 } }),
    ).toThrow(/mutation: unknown field "sigma"/);
    expect(() => validateCampaign({ ...base, mutation: { operator: 'llm-rewrite' } })).toThrow(
      /mutation.models: is required/,
    );
    expect(() => validateCampaign({ ...base, budget: { usd: -1 } })).toThrow(/budget.usd/);
  });

  it('--model switches a parametric campaign to llm-diff; --mutator keeps the models of the same family', () => {
    const { file } = campaignFile('mutation:\n  operator: parametric\n  sigma: 0.3\n');
    const switched = loadCampaignFile(file, { model: 'openai-compatible:qwen2.5-coder:7b' });
    expect(switched.config.mutation).toMatchObject({
      operator: 'llm-diff',
      models: ['openai-compatible:qwen2.5-coder:7b'],
    });
    const llm = campaignFile('mutation:\n  operator: llm-diff\n  models: [openai:gpt-4.1-mini]\n  patchRetries: 1\n');
    const rewrite = loadCampaignFile(llm.file, { mutator: 'llm-rewrite' });
    expect(rewrite.config.mutation).toMatchObject({
      operator: 'llm-rewrite',
      models: ['openai:gpt-4.1-mini'],
      patchRetries: 1,
    });
    const back = loadCampaignFile(llm.file, { mutator: 'parametric' });
    expect(back.config.mutation).toMatchObject({ operator: 'parametric', sigma: 0.15 });
  });

  it('fails at start, before creating the directory, when the key is missing', async () => {
    const { file, directory } = campaignFile('mutation:\n  operator: llm-diff\n  models: [openai:gpt-4.1-mini]\n');
    const loaded = loadCampaignFile(file);
    const target = path.join(directory, 'run');
    const failure = await createCampaign(loaded, target, { environment: {} }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toMatch(/set the environment variable OPENAI_API_KEY/);
    const { existsSync } = await import('node:fs');
    expect(existsSync(target)).toBe(false);
  });

  it('refuses a dollar budget it could not enforce, and loads prompt overrides relative to the campaign file', () => {
    const { file, directory } = campaignFile(
      'mutation:\n  operator: llm-diff\n  models: [openai-compatible:llama3]\n  prompts: { system: my-system.md }\nbudget: { usd: 1 }\n',
    );
    const environment = { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };
    const loaded = loadCampaignFile(file);
    expect(() =>
      prepareLlmMutation(loaded.config, loaded.config.mutation as LlmMutationConfig, directory, { environment }),
    ).toThrow(/no price for openai-compatible:llama3/);
    const priced = { ...loaded.config, prices: { 'openai-compatible:llama3': { input: 0, output: 0 } } };
    expect(() => prepareLlmMutation(priced, priced.mutation as LlmMutationConfig, directory, { environment })).toThrow(
      /mutation.prompts.system: cannot read/,
    );
    writeFileSync(path.join(directory, 'my-system.md'), 'You are terse. {{task}}');
    expect(
      prepareLlmMutation(priced, priced.mutation as LlmMutationConfig, directory, { environment })?.templates.system,
    ).toBe('You are terse. {{task}}');
    writeFileSync(path.join(directory, 'my-system.md'), 'Hello {{parent_code}}');
    expect(() => prepareLlmMutation(priced, priced.mutation as LlmMutationConfig, directory, { environment })).toThrow(
      /unknown placeholder \{\{parent_code\}\}/,
    );
  });

  it('ships a preset for any OpenAI-compatible endpoint, on an agent whose whole algorithm is editable', async () => {
    const loaded = loadCampaignFile(path.join(repositoryRoot, 'benchmarks/llm-diff-builtin.yaml'));
    expect(loaded.config.mutation.operator).toBe('llm-diff');
    const setup = prepareLlmMutation(
      loaded.config,
      loaded.config.mutation as LlmMutationConfig,
      path.dirname(loaded.file),
      {
        environment: { OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' },
      },
    );
    expect(setup?.ensemble.members[0]?.client.provider).toBe('openai-compatible');
    expect(setup?.warnings).toEqual([]);
    const agent = await readAgentDirectory(loaded.agentDirectory);
    expect(parseEvolveParameters(agent).errors).toEqual([]);
    expect(parseEvolveParameters(agent).parameters).toHaveLength(8);
    const ranges = editableRegions(agent).get('optimizer.ts') ?? [];
    const lines = (agent['optimizer.ts'] ?? '').split('\n');
    expect(lines.slice(ranges[0]?.start, ranges[0]?.end).join('\n')).toContain('export default function optimize');
    expect(await checkSyntax(agent, ['optimizer.ts', 'types.ts'])).toBeNull();
  });
});
