#!/usr/bin/env node
/**
 * @module Measures the `llm-diff` machinery on the `llm-diff-builtin` preset without a real model:
 * a local OpenAI-compatible server on 127.0.0.1 answers every prompt with one SEARCH/REPLACE edit
 * of an `@evolve` value inside the EVOLVE-BLOCK (a scripted "model"; every fourth first answer has
 * no edit, so clade must re-ask), and the same campaign is run with the `parametric` mutator.
 * It reports prompt sizes, calls and re-asks per child, the share of children whose edit applied,
 * the time spent in the mutator, and what such a campaign would cost with priced models.
 * Model quality is NOT measured here: that needs a real model (see RESULTS.md).
 *
 * Usage: npm run build && node benchmarks/llm-diff/measure.mjs [--children 12] [--workers 2]
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { loadCampaignFile } = await import(path.join(root, 'dist/src/campaign-file.js'));
const { createCampaign } = await import(path.join(root, 'dist/src/create-campaign.js'));
const { createPriceTable } = await import(path.join(root, 'dist/src/model/prices.js'));

const flag = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const children = flag('--children', 12);
const workers = flag('--workers', 2);

const ANNOTATED =
  /^(\s*const (\w+) = \/\* @evolve (float|int) ([-\d.e+]+)\.\.([-\d.e+]+)( log)? \*\/ )([-\d.e+_]+)(;.*)$/;
let firstPrompts = 0;
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => {
    body += chunk;
  });
  request.on('end', () => {
    const parsed = JSON.parse(body);
    const messages = parsed.messages;
    const users = messages.filter((message) => message.role === 'user');
    const prompt = users[0]?.content ?? '';
    if (users.length === 1) firstPrompts++;
    const lines = prompt.split('\n').filter((line) => ANNOTATED.test(line));
    const digest = createHash('sha256').update(JSON.stringify(messages)).digest();
    let text = 'The current settings look reasonable; I would keep them.';
    if (!(users.length === 1 && firstPrompts % 4 === 0) && lines.length > 0) {
      const line = lines[digest[0] % lines.length];
      const [, head, name, kind, low, high, log, , tail] = ANNOTATED.exec(line);
      const fraction = digest.readUInt32BE(1) / 2 ** 32;
      let value = log
        ? Math.exp(Math.log(Number(low)) + fraction * (Math.log(Number(high)) - Math.log(Number(low))))
        : Number(low) + fraction * (Number(high) - Number(low));
      value = kind === 'int' ? Math.round(value) : Number(value.toFixed(3));
      text = `Set ${name} to ${value}.\n\noptimizer.ts\n<<<<<<< SEARCH\n${line}\n=======\n${head}${value}${tail}\n>>>>>>> REPLACE\n`;
    }
    const promptTokens = Math.ceil(messages.reduce((sum, message) => sum + message.content.length, 0) / 4);
    const completionTokens = Math.ceil(text.length / 4);
    const answer = JSON.stringify({
      id: 'chatcmpl-measure',
      object: 'chat.completion',
      created: 0,
      model: parsed.model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(answer);
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseURL = `http://127.0.0.1:${server.address().port}/v1`;

const preset = path.join(root, 'benchmarks/llm-diff-builtin.yaml');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'clade-llm-measure-'));
const results = {};
try {
  for (const operator of ['parametric', 'llm-diff']) {
    const overrides = {
      iterations: children,
      workers,
      sandbox: 'process',
      ...(operator === 'parametric' ? { mutator: 'parametric' } : { model: 'openai-compatible:scripted' }),
    };
    const loaded = loadCampaignFile(preset, overrides);
    const campaign = await createCampaign(loaded, path.join(scratch, operator), {
      environment: { OPENAI_BASE_URL: baseURL },
    });
    const mutateStarted = new Map();
    const mutateMs = [];
    const started = Date.now();
    const summary = await campaign.run({
      warn: () => {},
      onEvent: (event) => {
        if (event.type === 'node-created') mutateStarted.set(event.nodeId, Date.now());
        if (event.type === 'evaluation-finished' && mutateStarted.has(event.nodeId)) {
          mutateMs.push(Date.now() - mutateStarted.get(event.nodeId) - event.durationMs);
        }
      },
    });
    const nodes = campaign.archive.listNodes().filter((node) => node.parentId !== null);
    const calls = campaign.archive.listModelCalls();
    campaign.close();
    const byNode = new Map();
    for (const call of calls) byNode.set(call.nodeId, (byNode.get(call.nodeId) ?? 0) + 1);
    results[operator] = {
      seconds: (Date.now() - started) / 1000,
      children: nodes.length,
      scored: nodes.filter((node) => node.status === 'scored').length,
      patchFailed: nodes.filter((node) => node.status === 'patch_failed').length,
      best: summary.bestScore,
      root: summary.rootScore,
      calls: calls.length,
      reasked: [...byNode.values()].filter((count) => count > 1).length,
      promptTokens: calls.length ? Math.round(calls.reduce((sum, call) => sum + call.tokensIn, 0) / calls.length) : 0,
      answerTokens: calls.length ? Math.round(calls.reduce((sum, call) => sum + call.tokensOut, 0) / calls.length) : 0,
      mutateMsMedian: mutateMs.sort((a, b) => a - b)[Math.floor(mutateMs.length / 2)] ?? 0,
      tokensIn: calls.reduce((sum, call) => sum + call.tokensIn, 0),
      tokensOut: calls.reduce((sum, call) => sum + call.tokensOut, 0),
    };
  }
} finally {
  server.close();
  rmSync(scratch, { recursive: true, force: true });
}

const prices = createPriceTable();
const llm = results['llm-diff'];
console.log(JSON.stringify(results, null, 2));
for (const name of ['openai:gpt-4.1-mini', 'openai:gpt-4.1', 'anthropic:claude-haiku-4-5']) {
  const [provider, model] = name.split(':');
  const perChild = prices.costOf(provider, model, llm.tokensIn, llm.tokensOut) / llm.children;
  console.log(`${name}: $${perChild.toFixed(4)} per child at these token counts`);
}
