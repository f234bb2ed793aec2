/**
 * An LLM campaign with many workers and retried model calls raises no `MaxListenersExceededWarning`.
 * Each running child listens on the campaign's abort signal while its model call, its retry wait
 * and its sandbox runs last (and takes the listener back after); with 11 or more workers that was
 * over Node's threshold of 10 on one AbortSignal, and the warning appeared (this test failed then).
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCampaignFile } from '../../../src/campaign-file.js';
import { createCampaign } from '../../../src/create-campaign.js';
import { runCli, temporaryDirectory, writeSmallCampaign } from '../../helpers/campaign-fixture.js';
import { startModelServer } from '../../helpers/model-server.js';
import { createScriptedModel } from '../../helpers/scripted-model.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('model calls and long-lived signals', () => {
  it('an llm-diff campaign with 12 workers and retried calls raises no MaxListenersExceededWarning', async () => {
    const model = createScriptedModel();
    let requests = 0;
    // Every third request fails once with a 503 (retried), and answers come a little late, so
    // the workers' calls overlap.
    const server = await startModelServer(async (request, index) => {
      requests++;
      await new Promise((resolve) => setTimeout(resolve, 40));
      if (index % 3 === 0) {
        return {
          kind: 'json',
          status: 503,
          headers: { 'retry-after-ms': '1' },
          body: { error: { message: 'overloaded', type: 'server_error' } },
        };
      }
      return model.handler(request, index);
    });
    cleanups.push(() => server.close());
    const root = temporaryDirectory('clade-listeners-');
    cleanups.push(root.remove);
    const file = writeSmallCampaign(root.path, { iterations: '24', workers: '12', name: 'listeners' });
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      if (warning.name === 'MaxListenersExceededWarning') warnings.push(warning);
    };
    process.on('warning', onWarning);
    cleanups.push(() => {
      process.off('warning', onWarning);
    });
    const loaded = loadCampaignFile(file, { model: 'openai:gpt-4.1-mini' });
    const campaign = await createCampaign(loaded, path.join(root.path, 'run'), {
      environment: { OPENAI_API_KEY: 'sk-test-listeners', OPENAI_BASE_URL: `${server.origin}/v1` },
    });
    cleanups.push(() => campaign.close());
    const stop = new AbortController();
    const abort = new AbortController();
    const summary = await campaign.run({ stopSignal: stop.signal, abortSignal: abort.signal, warn: () => {} });
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    expect(summary.nodes).toBe(25);
    expect(requests).toBeGreaterThan(30);
    expect(warnings.map((warning) => warning.message)).toEqual([]);
  }, 120_000);

  it('the same through the built CLI: nothing on stderr about listeners', async () => {
    const model = createScriptedModel();
    const server = await startModelServer(async (request, index) => {
      await new Promise((resolve) => setTimeout(resolve, 40));
      if (index % 3 === 0) {
        return {
          kind: 'json',
          status: 503,
          headers: { 'retry-after-ms': '1' },
          body: { error: { message: 'overloaded', type: 'server_error' } },
        };
      }
      return model.handler(request, index);
    });
    cleanups.push(() => server.close());
    const root = temporaryDirectory('clade-listeners-cli-');
    cleanups.push(root.remove);
    const file = writeSmallCampaign(root.path, { iterations: '24', workers: '12', name: 'listeners-cli' });
    const result = await runCli(
      ['run', file, '--dir', path.join(root.path, 'run'), '--model', 'openai:gpt-4.1-mini', '--sandbox', 'process'],
      {
        env: {
          OPENAI_API_KEY: 'sk-test-listeners',
          OPENAI_BASE_URL: `${server.origin}/v1`,
          NODE_OPTIONS: '--trace-warnings',
        },
      },
    );
    expect(result.stderr).not.toContain('MaxListenersExceededWarning');
    expect(result.code).toBe(0);
  }, 120_000);
});
