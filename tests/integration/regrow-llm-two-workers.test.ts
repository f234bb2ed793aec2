/**
 * An llm-diff campaign grown by two workers from a server whose answers vary from call to call and
 * arrive at uneven times regrows identically from its recorded calls. The prompt's history is the
 * archive as it stood when each child was created (not when its mutation happened to run), so the
 * regrow, which follows the recorded order of creations and records, asks the same questions.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { regrowCampaign } from '../../src/campaign/regrow-campaign.js';
import { loadCampaignFile } from '../../src/campaign-file.js';
import { createCampaign } from '../../src/create-campaign.js';
import { createReplayLibrary } from '../../src/model/replay.js';
import { temporaryDirectory, writeSmallCampaign } from '../helpers/campaign-fixture.js';
import { type ReceivedRequest, startModelServer } from '../helpers/model-server.js';
import { createScriptedModel } from '../helpers/scripted-model.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('regrowing a two-worker llm-diff campaign whose answers vary', () => {
  it('asks the same prompts and grows the same tree', async () => {
    const scripted = createScriptedModel();
    let calls = 0;
    const server = await startModelServer(async (request, index) => {
      const call = ++calls;
      // Uneven answer times: odd calls wait, so evaluations and mutations interleave differently.
      await new Promise((resolve) => setTimeout(resolve, call % 2 === 1 ? 400 : 20));
      // A different answer to every call, identical prompts included.
      const varied: ReceivedRequest = {
        ...request,
        body: {
          ...request.body,
          messages: [...((request.body.messages as unknown[]) ?? []), { role: 'system', content: `call ${call}` }],
        },
      };
      return scripted.handler(varied, index);
    });
    cleanups.push(() => server.close());
    const workspace = temporaryDirectory('clade-regrow-llm-');
    cleanups.push(workspace.remove);
    const file = writeSmallCampaign(workspace.path, { name: 'llm2', iterations: '6', workers: '2' });
    const loaded = loadCampaignFile(file, { model: 'openai:gpt-4.1-mini' });
    const environment = { OPENAI_API_KEY: 'sk-regrow', OPENAI_BASE_URL: `${server.origin}/v1` };
    const grown = await createCampaign(loaded, path.join(workspace.path, 'grown'), { environment, preflight: false });
    await grown.run({ warn: () => {} });
    const recordedCalls = grown.archive.listModelCalls();
    expect(grown.archive.nodeCount()).toBe(7);
    // Later children's prompts carry a history of earlier ones (the case that used to diverge).
    expect(recordedCalls.some((call) => JSON.stringify(call.request).includes('programs so far') === true)).toBe(true);

    const requestsBefore = server.requests.length;
    const target = await createCampaign(loaded, path.join(workspace.path, 'regrown'), {
      environment: {},
      replay: createReplayLibrary(recordedCalls),
    });
    try {
      const report = await regrowCampaign({
        source: { archive: grown.archive, code: grown.code },
        target: { archive: target.archive, code: target.code },
        runInvocation: (invocation) =>
          target.run({
            schedule: invocation.schedule,
            seedFiles: invocation.seedFiles,
            workers: invocation.workers,
            iterations: invocation.iterations,
            onEvent: invocation.onEvent,
            stopSignal: invocation.stopSignal,
            warn: () => {},
          }),
      });
      expect(report.firstDivergence).toBeNull();
      expect(report.identical).toBe(true);
      expect(report.regrownNodes).toBe(7);
      // Answered from the record alone: the server saw nothing more.
      expect(server.requests.length).toBe(requestsBefore);
    } finally {
      target.close();
      grown.close();
    }
  }, 240_000);
});
