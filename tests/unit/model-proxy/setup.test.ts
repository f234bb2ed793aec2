import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openArchive } from '../../../src/archive/sqlite-store.js';
import { validateCampaign } from '../../../src/campaign-file.js';
import type { CampaignConfig } from '../../../src/config/schema.js';
import { ConfigError } from '../../../src/core/errors.js';
import { createModelLedger } from '../../../src/model/ledger.js';
import type { ModelClient } from '../../../src/model/types.js';
import { createConfiguredModelProxy, prepareAgentModel } from '../../../src/model-proxy/setup.js';
import { mutatorKinds } from '../../../src/mutation/registry.js';
import { callProxy, chat } from '../../helpers/proxy-client.js';

/** The agents' model as the wiring prepares it: the mutator kind supplies the default. */
function agentModelOf(config: CampaignConfig, options: Parameters<typeof prepareAgentModel>[2]) {
  return prepareAgentModel(
    config,
    mutatorKinds.get(config.mutation.operator).defaultAgentModel?.(config.mutation),
    options,
  );
}

const KEY = 'sk-setup-test-0a1b2c3d4e5f-secret';
const numericTask = { kind: 'numeric', problems: [{ fn: 'sphere', dim: 2 }] };

function campaign(extra: Record<string, unknown>) {
  return validateCampaign({ name: 'proxy-setup', agent: './agent', task: numericTask, ...extra });
}

function configError(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('agentModel configuration', () => {
  it('has documented defaults and no model unless one is named', () => {
    const config = campaign({});
    expect(config.agentModel).toBeUndefined();
    expect(agentModelOf(config, { environment: {} })).toBeNull();
    const named = campaign({ agentModel: { model: 'openai:gpt-4.1-mini' } });
    expect(named.agentModel).toEqual({
      model: 'openai:gpt-4.1-mini',
      maxTokensPerCall: 4096,
      retries: 4,
      timeoutSeconds: 180,
      budget: { tokens: 1_000_000, usd: null, calls: 500 },
    });
  });

  it('resolves the model and its key from the environment, with the per-run budget', () => {
    const config = campaign({
      agentModel: {
        model: 'openai:gpt-4.1-mini',
        maxTokensPerCall: 2000,
        budget: { tokens: null, usd: 0.5, calls: 40 },
      },
    });
    const setup = agentModelOf(config, { environment: { OPENAI_API_KEY: KEY } });
    expect(setup?.client.provider).toBe('openai');
    expect(setup?.client.model).toBe('gpt-4.1-mini');
    expect(setup?.source).toBe('agentModel.model');
    expect(setup?.secrets).toEqual([KEY]);
    expect(setup?.budget).toEqual({ usd: 0.5, calls: 40 });
    expect(setup?.config.maxTokensPerCall).toBe(2000);
    expect(setup?.warnings).toEqual([]);
  });

  it("falls back to a self-modify campaign's agent model, and agentModel.model overrides it", () => {
    const environment = { OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: 'sk-ant-setup-test-0123456789' };
    const mutation = { operator: 'self-modify', models: ['openai:gpt-4.1-mini'] };
    const first = agentModelOf(campaign({ mutation }), { environment });
    expect([first?.source, first?.client.provider, first?.budget]).toEqual([
      'mutation.models.0',
      'openai',
      { tokens: 1_000_000, calls: 500 },
    ]);
    const named = agentModelOf(campaign({ mutation: { ...mutation, agentModel: 'anthropic:claude-sonnet-4-5' } }), {
      environment,
    });
    expect([named?.source, named?.client.provider]).toEqual(['mutation.agentModel', 'anthropic']);
    const overridden = agentModelOf(
      campaign({
        mutation: { ...mutation, agentModel: 'anthropic:claude-sonnet-4-5' },
        agentModel: { model: 'openai:gpt-4.1' },
      }),
      { environment },
    );
    expect([overridden?.source, overridden?.client.model]).toEqual(['agentModel.model', 'gpt-4.1']);
  });

  it('says which variable is missing and which field named the model', () => {
    const error = configError(() =>
      agentModelOf(campaign({ agentModel: { model: 'anthropic:claude-sonnet-4-5' } }), { environment: {} }),
    );
    expect(error.message).toMatch(
      /^agentModel\.model: anthropic:claude-sonnet-4-5 needs an API key: set .*ANTHROPIC_API_KEY/,
    );
    expect(error.issues[0]?.path).toBe('agentModel.model');
    const badName = configError(() =>
      agentModelOf(campaign({ agentModel: { model: 'gpt-4.1-mini' } }), { environment: {} }),
    );
    expect(badName.message).toMatch(/^agentModel\.model: "gpt-4.1-mini" is not a model name/);
    const unknownField = configError(() => campaign({ agentModel: { model: 'openai:x', maxTokens: 5 } }));
    expect(unknownField.message).toMatch(/agentModel/);
  });

  it('refuses a dollar budget over a model without a price, and warns otherwise', () => {
    const environment = { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };
    const local = 'openai-compatible:qwen2.5-coder:7b';
    const error = configError(() =>
      agentModelOf(campaign({ agentModel: { model: local, budget: { usd: 1 } } }), { environment }),
    );
    expect(error.message).toMatch(
      /agentModel\.budget\.usd is set, but clade has no price for openai-compatible:qwen2\.5-coder:7b/,
    );
    const setup = agentModelOf(campaign({ agentModel: { model: local } }), { environment });
    expect(setup?.warnings[0]).toMatch(/No price known for openai-compatible:qwen2.5-coder:7b \(the agents' model\)/);
    const priced = agentModelOf(
      campaign({ agentModel: { model: local, budget: { usd: 1 } }, prices: { [local]: { input: 0, output: 0 } } }),
      { environment },
    );
    expect(priced?.budget.usd).toBe(1);
  });

  it('builds a proxy that records against the node through the ledger and stops at the campaign budget', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'clade-proxy-setup-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const archive = openArchive(path.join(directory, 'archive.db'));
    cleanups.push(() => archive.close());
    const client: ModelClient = {
      provider: 'openai',
      model: 'gpt-4.1-mini',
      complete: async () => ({ text: 'done', tokensIn: 1000, tokensOut: 500, finishReason: 'stop', raw: {} }),
    };
    const config = campaign({
      agentModel: { model: 'openai:gpt-4.1-mini', maxTokensPerCall: 300 },
      budget: { tokens: 2500 },
    });
    const setup = agentModelOf(config, { environment: {}, models: { 'openai:gpt-4.1-mini': client } });
    if (!setup) throw new Error('expected a setup');
    const ledger = createModelLedger(archive, config.budget);
    const proxy = createConfiguredModelProxy(setup, { ledger, socketDirectory: directory });
    cleanups.push(() => proxy.close());
    const session = await proxy.openSession({ nodeId: 9, purpose: 'evaluation', budget: setup.budget });
    expect((await callProxy(session.socketPath, { body: chat('one') })).status).toBe(200);
    expect((await callProxy(session.socketPath, { body: chat('two') })).status).toBe(200);
    // 3000 tokens spent ≥ the campaign's 2500: refused although the run's own budget has room.
    const third = await callProxy(session.socketPath, { body: chat('three') });
    expect(third.status).toBe(429);
    expect((third.body.error as { message: string }).message).toMatch(
      /campaign's model budget is spent: the token budget of 2500/,
    );
    const calls = archive.modelCalls(9);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.request).toMatchObject({ maxTokens: 300 });
  });
});
