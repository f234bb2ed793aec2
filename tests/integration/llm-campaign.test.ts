import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openArchive } from '../../src/archive/sqlite-store.js';
import { loadCampaignFile } from '../../src/campaign-file.js';
import { createCampaign, openCampaign } from '../../src/create-campaign.js';
import { createGitCodeStore } from '../../src/lineage/git-store.js';
import { createReplayLibrary } from '../../src/model/replay.js';
import { runCli, temporaryDirectory, writeSmallCampaign } from '../helpers/campaign-fixture.js';
import { type ModelServer, startModelServer } from '../helpers/model-server.js';
import { createScriptedModel } from '../helpers/scripted-model.js';

const KEY = 'sk-e2e-clade-7d41c0ffee93a5b2-do-not-leak';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(handler: Parameters<typeof startModelServer>[0]): Promise<ModelServer> {
  const server = await startModelServer(handler);
  cleanups.push(() => server.close());
  return server;
}

function workspace(): string {
  const directory = temporaryDirectory('clade-llm-e2e-');
  cleanups.push(directory.remove);
  return directory.path;
}

/** Every byte a campaign directory holds, git objects decompressed. */
function everythingStored(directory: string): string {
  const parts: string[] = [];
  const walk = (current: string): void => {
    for (const name of readdirSync(current)) {
      const full = path.join(current, name);
      if (statSync(full).isDirectory()) walk(full);
      else parts.push(readFileSync(full).toString('latin1'));
    }
  };
  walk(directory);
  parts.push(
    execFileSync('git', ['--git-dir', path.join(directory, 'code.git'), 'cat-file', '--batch-all-objects', '--batch'], {
      encoding: 'latin1',
      maxBuffer: 256 * 1024 * 1024,
    }),
  );
  return parts.join('\n');
}

describe('a campaign with an LLM mutator, through the built CLI', () => {
  it('grows children from applied diffs, records every call and its cost, and never lets the key out', async () => {
    const model = createScriptedModel({ rateLimitFirst: 1, noEditAt: [3], probeAt: 5 });
    const server = await serve(model.handler);
    const root = workspace();
    const file = writeSmallCampaign(root, { iterations: '6', workers: '1', name: 'llm-e2e' });
    const directory = path.join(root, 'run');
    const result = await runCli(
      ['run', file, '--dir', directory, '--model', 'openai:gpt-4.1-mini', '--sandbox', 'process', '--json'],
      { env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${server.origin}/v1` } },
    );
    expect(result.stderr).not.toContain('unexpected failure');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as {
      nodes: number;
      models: { count: number; tokensIn: number; tokensOut: number; costUsd: number };
    };
    expect(summary.nodes).toBe(7);

    // The SDK really sent the key; the server saw one request per attempt.
    expect(server.requests.every((request) => request.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(server.requests.every((request) => request.body.model === 'gpt-4.1-mini')).toBe(true);

    const archive = openArchive(path.join(directory, 'archive.db'), { readonly: true });
    const code = createGitCodeStore(path.join(directory, 'code.git'));
    try {
      const nodes = archive.listNodes();
      const children = nodes.filter((node) => node.parentId !== null);
      expect(children).toHaveLength(6);
      const calls = archive.listModelCalls();
      // 6 first prompts, one re-ask after the answer with no edit; the 429 is a retried attempt, not a call.
      expect(calls).toHaveLength(7);
      expect(server.requests).toHaveLength(8);
      expect(summary.models.count).toBe(7);
      expect(calls[0]?.attempts).toBe(2);
      expect(calls.slice(1).every((call) => call.attempts === 1)).toBe(true);
      let totalCost = 0;
      for (const call of calls) {
        expect(call.tokensIn).toBeGreaterThan(500);
        expect(call.tokensOut).toBeGreaterThan(10);
        expect(call.costUsd).toBeCloseTo((call.tokensIn * 0.4 + call.tokensOut * 1.6) / 1e6, 12);
        totalCost += call.costUsd;
      }
      expect(summary.models.costUsd).toBeCloseTo(totalCost, 12);

      for (const child of children) {
        expect(child.mutation.operator).toBe('llm-diff');
        const own = archive.modelCalls(child.id);
        expect(own.length).toBeGreaterThanOrEqual(1);
        const parent = nodes.find((node) => node.id === child.parentId);
        const diff = await code.diff(parent?.commit ?? null, child.commit);
        const files = await code.readFiles(child.commit);
        // The child's code holds the exact replacement the model wrote in its last answer.
        const answer = String((own.at(-1)?.response as { text?: string } | undefined)?.text ?? '');
        const replacement = /=======\n([\s\S]*?)\n>>>>>>> REPLACE/.exec(answer)?.[1] ?? '<none>';
        expect(files['optimizer.ts']).toContain(replacement);
        if (answer.includes('ENV-PROBE')) {
          expect(diff).toMatch(/^\+throw new Error\(`ENV-PROBE/m);
        } else {
          expect(diff).toMatch(/^\+.*@evolve/m);
          expect(diff).toMatch(/^-.*@evolve/m);
        }
      }
      // The re-asked child: two calls, the second sees the patch error.
      const reasked = children.find((child) => archive.modelCalls(child.id).length === 2);
      expect(reasked).toBeDefined();
      const second = archive.modelCalls(reasked?.id ?? -1)[1]?.request as { messages: Array<{ content: string }> };
      expect(second.messages.at(-1)?.content).toMatch(/no SEARCH\/REPLACE block/);
      expect(reasked?.mutation.details).toMatchObject({ rounds: 2 });

      // The probe child made its agent throw its own environment: it got no key.
      const probe = children.find((child) =>
        archive.modelCalls(child.id).some((call) => JSON.stringify(call.response).includes('ENV-PROBE')),
      );
      expect(probe).toBeDefined();
      expect(probe?.status).not.toBe('scored');
      const probeText = `${probe?.error ?? ''}${archive
        .evaluations(probe?.id ?? -1)
        .map((evaluation) => evaluation.logExcerpt)
        .join('\n')}`;
      expect(probeText).toContain('ENV-PROBE');
      expect(probeText).not.toContain(KEY);
      expect(probeText).not.toContain('OPENAI_API_KEY');
      expect(children.filter((child) => child.status === 'scored').length).toBeGreaterThanOrEqual(4);
    } finally {
      archive.close();
    }

    // Nothing stored or printed holds the key.
    expect(everythingStored(directory)).not.toContain(KEY);
    expect(result.stdout + result.stderr).not.toContain(KEY);

    // clade show lists the node's model calls and cost, in text and JSON.
    const shown = await runCli(['show', directory, '1']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(
      /Model calls:\n\s+1\. openai:gpt-4\.1-mini\s+\d+ in \/ \d+ out\s+\$0\.\d{4}\s+[\d.]+ s\s+2 attempts\s+answered/,
    );
    expect(shown.stdout).toMatch(/total: 1 call, \d+ tokens in, \d+ out, \$0\.\d{4}/);
    const json = JSON.parse((await runCli(['show', directory, '1', '--json'])).stdout) as {
      modelCalls: unknown[];
      modelCost: { calls: number; costUsd: number };
    };
    expect(json.modelCalls).toHaveLength(1);
    expect(json.modelCost.calls).toBe(1);
    expect(json.modelCost.costUsd).toBeGreaterThan(0);
  }, 240_000);

  it('fails at start naming the variable when the key is missing (exit 2, nothing created)', async () => {
    const root = workspace();
    const file = writeSmallCampaign(root, { iterations: '2' });
    const directory = path.join(root, 'run');
    const result = await runCli(
      ['run', file, '--dir', directory, '--model', 'openai:gpt-4.1-mini', '--sandbox', 'process'],
      {
        env: { OPENAI_API_KEY: '' },
      },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/set the environment variable OPENAI_API_KEY/);
    expect(() => statSync(directory)).toThrow();
  });

  it('stops cleanly at the token budget, and regrows the same tree from the recorded calls without a provider', async () => {
    const model = createScriptedModel();
    const server = await serve(model.handler);
    const root = workspace();
    const file = writeSmallCampaign(root, { iterations: '20', workers: '1', name: 'budgeted' });
    const yaml = readFileSync(file, 'utf8').replace('budget:\n', 'budget:\n  tokens: 9000\n');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, yaml);
    const environment = { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${server.origin}/v1` };
    const loaded = loadCampaignFile(file, { model: 'openai:gpt-4.1-mini' });
    const first = await createCampaign(loaded, path.join(root, 'first'), { environment });
    const summary = await first.run({ warn: () => {} });
    const calls = first.archive.listModelCalls();
    const nodes = first.archive.listNodes();
    first.close();
    expect(summary.reason).toBe('budget');
    expect(nodes.length).toBeGreaterThan(1);
    expect(nodes.length).toBeLessThan(21);
    const tokens = calls.reduce((sum, call) => sum + call.tokensIn + call.tokensOut, 0);
    expect(tokens).toBeGreaterThanOrEqual(9000);
    // The budget was not yet spent before the last child started.
    expect(tokens - (calls.at(-1)?.tokensIn ?? 0) - (calls.at(-1)?.tokensOut ?? 0)).toBeLessThan(9000);

    // The budget spans resumes: a resumed campaign starts no child.
    const resumed = await openCampaign(path.join(root, 'first'), { environment });
    const again0 = await resumed.run({ warn: () => {}, iterations: 40 });
    const after = resumed.archive.nodeCount();
    resumed.close();
    expect(again0.reason).toBe('budget');
    expect(after).toBe(nodes.length);

    const requestsBefore = server.requests.length;
    const replay = await createCampaign(loaded, path.join(root, 'replayed'), {
      environment: {},
      replay: createReplayLibrary(calls),
    });
    const replayed = await replay.run({ warn: () => {} });
    const again = replay.archive.listNodes();
    replay.close();
    expect(server.requests.length).toBe(requestsBefore);
    expect(replayed.reason).toBe('budget');
    expect(again.map((node) => [node.id, node.parentId, node.status, node.score])).toEqual(
      nodes.map((node) => [node.id, node.parentId, node.status, node.score]),
    );
  }, 240_000);
});
