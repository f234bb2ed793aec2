/**
 * Model faults end to end, through the built CLI (`clade run`, `clade replay --campaign`) with
 * `llm-diff` against a local OpenAI-compatible server:
 * - finding 3: a server that sends headers and then stalls ends each attempt at
 *   `mutation.timeoutSeconds`; the run exits 0 with each child stored `invalid`, its reason the
 *   timeout, instead of holding a worker for minutes (or forever);
 * - finding 9: a two-worker campaign whose two children send the same prompt to a server that
 *   answers it differently each time, the first answer arriving last, regrows identically from
 *   its recorded calls (each child gets its own answer, not the first one recorded).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openArchive } from '../../../src/archive/sqlite-store.js';
import { hashModelRequest } from '../../../src/model/request-hash.js';
import type { ModelRequest, StoredModelResponse } from '../../../src/model/types.js';
import { runCli, seedAgent, temporaryDirectory } from '../../helpers/campaign-fixture.js';
import type { ReceivedRequest } from '../../helpers/model-server.js';
import { createScriptedModel } from '../../helpers/scripted-model.js';
import { type FaultReply, startFaultServer } from './fault-server.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function workspace(): string {
  const directory = temporaryDirectory('clade-faults-');
  cleanups.push(directory.remove);
  return directory.path;
}

/** An llm-diff campaign on two small builtin problems, against `openai-compatible:fault-model`. */
function campaignFile(root: string, fields: { iterations: number; workers: number; mutation: string }): string {
  const file = path.join(root, 'campaign.yaml');
  writeFileSync(
    file,
    `name: faults
seed: 5
agent: ${JSON.stringify(seedAgent)}
task:
  kind: numeric
  problems:
    - { fn: sphere, dim: 3 }
    - { fn: rastrigin, dim: 3 }
  evaluationsPerDim: 200
mutation:
  operator: llm-diff
  models:
    - { model: openai-compatible:fault-model }
${fields.mutation}
prices:
  openai-compatible:fault-model: { input: 0, output: 0 }
budget:
  iterations: ${fields.iterations}
workers: ${fields.workers}
sandbox:
  kind: process
  timeoutSeconds: 30
`,
  );
  return file;
}

/** Whether a request carries clade's mutation prompt (a short probe of the server is answered at once). */
const isMutationPrompt = (body: Record<string, unknown>): boolean =>
  JSON.stringify(body.messages ?? []).includes('EVOLVE-BLOCK');

describe('clade run against a server that stalls after its headers', () => {
  it('ends each attempt at mutation.timeoutSeconds and stores the children invalid, with the reason', async () => {
    const server = await startFaultServer(
      (request): FaultReply =>
        isMutationPrompt(request.body)
          ? { kind: 'stall', contentType: 'application/json', first: '{"id":"chatcmpl-stall","choices":[' }
          : { kind: 'json', body: { id: 'x', object: 'chat.completion', choices: [], usage: null } },
    );
    cleanups.push(() => server.close());
    const root = workspace();
    const file = campaignFile(root, {
      iterations: 2,
      workers: 1,
      mutation: '  timeoutSeconds: 1\n  retries: 1\n  patchRetries: 0',
    });
    const directory = path.join(root, 'run');
    const started = Date.now();
    const result = await runCli(['run', file, '--dir', directory, '--json'], {
      env: { OPENAI_API_KEY: 'sk-fault', OPENAI_BASE_URL: `${server.origin}/v1` },
    });
    const elapsed = Date.now() - started;
    expect(result.stderr).not.toContain('unexpected failure');
    expect(result.code).toBe(0);
    // 2 children × 2 attempts × 1 s, plus start-up and the seed's evaluation; not minutes.
    expect(elapsed).toBeLessThan(45_000);
    expect(server.requests.filter((request) => isMutationPrompt(request.body))).toHaveLength(4);

    const archive = openArchive(path.join(directory, 'archive.db'), { readonly: true });
    try {
      const children = archive.listNodes().filter((node) => node.parentId !== null);
      expect(children).toHaveLength(2);
      for (const child of children) {
        expect(child.status).toBe('invalid');
        expect(child.error).toMatch(/gave up after 2 attempts: timeout: no complete answer within 1 s/);
        const calls = archive.modelCalls(child.id);
        expect(calls).toHaveLength(1);
        expect(calls[0]?.attempts).toBe(2);
        expect((calls[0]?.response as StoredModelResponse | undefined)?.error).toMatch(/timeout/);
      }
    } finally {
      archive.close();
    }
  }, 120_000);
});

describe('clade replay --campaign of a two-worker campaign whose answers vary', () => {
  it('regrows identically: each child gets the answer recorded for it', async () => {
    const scripted = createScriptedModel();
    let calls = 0;
    // The first of two identical prompts is answered only after the second was (or after 2 s), so
    // the answers are recorded in the opposite order to the requests.
    const waiting = new Map<string, () => void>();
    const server = await startFaultServer(async (request, index) => {
      const prompt = JSON.stringify(request.body.messages ?? []);
      const second = waiting.get(prompt);
      if (second !== undefined) {
        waiting.delete(prompt);
        setTimeout(second, 300);
      } else {
        await new Promise<void>((resolve) => {
          waiting.set(prompt, resolve);
          setTimeout(resolve, 2000);
        });
        waiting.delete(prompt);
      }
      // A different answer to every request, identical prompts included.
      const varied: ReceivedRequest = {
        method: 'POST',
        path: request.path,
        headers: {},
        body: {
          ...request.body,
          messages: [...((request.body.messages as unknown[]) ?? []), { role: 'system', content: `call ${++calls}` }],
        },
      };
      const reply = await scripted.handler(varied, index);
      if (reply.kind !== 'json') throw new Error('the scripted model answers with JSON');
      return { kind: 'json', body: reply.body };
    });
    cleanups.push(() => server.close());
    const root = workspace();
    // Two children, both of the seed: they send the same first prompt. (Later prompts show the
    // archive's history, which depends on when evaluations finished: replay-schedule's concern.)
    const file = campaignFile(root, { iterations: 2, workers: 2, mutation: '  retries: 0\n  patchRetries: 0' });
    const directory = path.join(root, 'run');
    const environment = { OPENAI_API_KEY: 'sk-fault', OPENAI_BASE_URL: `${server.origin}/v1` };
    const run = await runCli(['run', file, '--dir', directory, '--json'], { env: environment });
    expect(run.stderr).not.toContain('unexpected failure');
    expect(run.code).toBe(0);

    const archive = openArchive(path.join(directory, 'archive.db'), { readonly: true });
    try {
      const recorded = archive.listModelCalls();
      // The fault's precondition: two children sent the same first prompt and got different answers.
      const byPrompt = new Map<string, Set<string>>();
      for (const call of recorded) {
        const prompt = hashModelRequest(call.provider, call.model, call.request as ModelRequest);
        const answers = byPrompt.get(prompt) ?? new Set<string>();
        answers.add(String((call.response as StoredModelResponse | undefined)?.text));
        byPrompt.set(prompt, answers);
      }
      expect([...byPrompt.values()].some((answers) => answers.size >= 2)).toBe(true);
    } finally {
      archive.close();
    }

    const out = path.join(root, 'regrown');
    const replay = await runCli(['replay', directory, '--campaign', out], { env: { OPENAI_API_KEY: '' } });
    expect(replay.stdout).toContain('Identical: same parents, code, statuses and scores, node by node.');
    expect(replay.code).toBe(0);
  }, 240_000);
});
