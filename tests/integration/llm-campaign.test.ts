import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openArchive } from '../../src/archive/sqlite-store.js';
import { loadCampaignFile } from '../../src/campaign-file.js';
import { createCampaign, openCampaign } from '../../src/create-campaign.js';
import { createGitCodeStore } from '../../src/lineage/git-store.js';
import { createReplayLibrary } from '../../src/model/replay.js';
import { runCli, temporaryDirectory, writeSmallCampaign } from '../helpers/campaign-fixture.js';
import { type ModelServer, openAICompletion, startModelServer } from '../helpers/model-server.js';
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

describe('a Python program evolved by LLM mutators, through the built CLI', () => {
  const program = [
    '"""Returns a guess; the evaluator scores how close it is to a target it keeps to itself."""',
    'import math',
    '',
    'SCALE = 1.0  # @evolve float 0..2   (outside the block: fixed)',
    '',
    '# EVOLVE-BLOCK-START',
    'GUESS = 0.2  # @evolve float 0..1',
    '',
    '',
    'def guess():',
    '    return GUESS',
    '# EVOLVE-BLOCK-END',
    '',
    '',
    'def answer():  # the entry point the evaluator calls',
    '    return math.fsum([guess()]) * SCALE',
    '',
  ].join('\n');
  const evaluator = [
    'import importlib.util, json, os, sys',
    'program, result = sys.argv[1], sys.argv[2]',
    'spec = importlib.util.spec_from_file_location("solve", os.path.join(program, "solve.py"))',
    'module = importlib.util.module_from_spec(spec)',
    'spec.loader.exec_module(module)',
    'value = module.answer()',
    'json.dump({"score": 1 - abs(value - 0.8), "public": {"guess": value}, "private": {"holdout": 0.918273645},',
    '           "artifacts": {"feedback": "the guess was %.3f" % value}}, open(result, "w"))',
    '',
  ].join('\n');

  /** The program's text outside its EVOLVE-BLOCK (marker lines included). */
  const outside = (text: string): string => text.replace(/# EVOLVE-BLOCK-START\n[\s\S]*?# EVOLVE-BLOCK-END/, '<block>');

  function writePythonCampaign(root: string): string {
    mkdirSync(path.join(root, 'program'), { recursive: true });
    mkdirSync(path.join(root, 'evaluator'), { recursive: true });
    writeFileSync(path.join(root, 'program', 'solve.py'), program);
    writeFileSync(path.join(root, 'evaluator', 'evaluate.py'), evaluator);
    const file = path.join(root, 'campaign.yaml');
    writeFileSync(
      file,
      [
        'name: python-llm',
        'seed: 5',
        'agent: program',
        'task:',
        '  kind: program',
        '  evaluator: evaluator',
        '  command: [python3, evaluate.py, "{program}", "{result}"]',
        'budget:',
        '  iterations: 3',
        'workers: 1',
        'sandbox:',
        '  kind: process',
        '  timeoutSeconds: 30',
        '',
      ].join('\n'),
    );
    return file;
  }

  /** The parent's GUESS as the prompt shows it (the parent's code comes before any inspiration). */
  const parentGuess = (prompt: string): string => /^GUESS = ([\d.]+) {2}# @evolve/m.exec(prompt)?.[1] ?? 'none';

  async function run(root: string, server: ModelServer, mutator: string) {
    const directory = path.join(root, 'run');
    const result = await runCli(
      [
        'run',
        path.join(root, 'campaign.yaml'),
        '--dir',
        directory,
        '--model',
        'openai:gpt-4.1-mini',
        '--mutator',
        mutator,
      ],
      { env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${server.origin}/v1` } },
    );
    expect(result.stderr).not.toContain('unexpected failure');
    expect(result.code).toBe(0);
    return directory;
  }

  it("llm-diff changes only the # EVOLVE-BLOCK, sees the parent's artifacts, and improves on the seed", async () => {
    const server = await serve((request, index) => {
      const messages = request.body.messages as Array<{ role: string; content: string }>;
      const prompt = messages[1]?.content ?? '';
      if (index === 0) {
        // First answer: an edit outside the block, which must be sent back.
        return {
          kind: 'json',
          body: openAICompletion(
            'Use cmath.\n\nsolve.py\n<<<<<<< SEARCH\nimport math\n=======\nimport cmath as math\n>>>>>>> REPLACE\n',
          ),
        };
      }
      const guess = parentGuess(prompt);
      const next = Math.min(1, Number(guess) + 0.2).toFixed(2);
      const edit = `Move the guess up.\n\nsolve.py\n<<<<<<< SEARCH\nGUESS = ${guess}  # @evolve float 0..1\n=======\nGUESS = ${next}  # @evolve float 0..1\n>>>>>>> REPLACE\n\nsolve.py\n<<<<<<< SEARCH\n=======\n# tried ${next}\n>>>>>>> REPLACE\n`;
      return { kind: 'json', body: openAICompletion(edit) };
    });
    const root = workspace();
    writePythonCampaign(root);
    const directory = await run(root, server, 'llm-diff');

    const archive = openArchive(path.join(directory, 'archive.db'), { readonly: true });
    const code = createGitCodeStore(path.join(directory, 'code.git'));
    try {
      const nodes = archive.listNodes();
      expect(nodes).toHaveLength(4);
      const seed = nodes.find((node) => node.parentId === null);
      expect(seed?.status).toBe('scored');
      for (const child of nodes.filter((node) => node.parentId !== null)) {
        expect(child.status).toBe('scored');
        const files = await code.readFiles(child.commit);
        expect(outside(files['solve.py'] ?? '')).toBe(outside(program));
        expect(files['solve.py']).toMatch(/\n# tried [\d.]+\n# EVOLVE-BLOCK-END\n/);
      }
      const best = Math.max(...nodes.map((node) => node.score ?? -1));
      expect(best).toBeGreaterThan(seed?.score ?? 1);
      // The outside edit was sent back with the reason.
      const second = (server.requests[1]?.body.messages ?? []) as Array<{ content: string }>;
      expect(second.at(-1)?.content).toMatch(/found at solve\.py line 2, which is outside the editable region/);
      // Every prompt carries the parent's artifacts and public metrics, never its private ones.
      const prompts = server.requests.map(
        (request) => ((request.body.messages ?? []) as Array<{ content: string }>)[1]?.content ?? '',
      );
      for (const prompt of prompts) {
        expect(prompt).toMatch(/## Artifacts of its evaluation\n### feedback\n```\nthe guess was \d\.\d{3}\n```/);
        expect(prompt).toContain('### solve.py\n```python\n');
      }
      expect(JSON.stringify(server.requests)).not.toContain('0.918273645');
      expect(JSON.stringify(server.requests)).not.toContain('holdout');
    } finally {
      archive.close();
    }
  });

  it('llm-rewrite keeps every byte outside the block, even when the model reformats it', async () => {
    const server = await serve((request) => {
      const prompt = ((request.body.messages ?? []) as Array<{ content: string }>)[1]?.content ?? '';
      const guess = parentGuess(prompt);
      // The model reformats the outside (blank lines, trailing spaces) and rewrites the block.
      const rewritten = program
        .replace('import math\n', 'import math   \n\n')
        .replace(/GUESS = [\d.]+ {2}/, `GUESS = ${Math.min(1, Number(guess) + 0.3).toFixed(2)}  `)
        .replace('    return GUESS', '    value = GUESS\n    return value');
      return { kind: 'json', body: openAICompletion(`Rewrite.\n\n\`\`\`python\n${rewritten}\n\n\`\`\`\n`) };
    });
    const root = workspace();
    writePythonCampaign(root);
    const directory = await run(root, server, 'llm-rewrite');
    const archive = openArchive(path.join(directory, 'archive.db'), { readonly: true });
    const code = createGitCodeStore(path.join(directory, 'code.git'));
    try {
      const children = archive.listNodes().filter((node) => node.parentId !== null);
      expect(children).toHaveLength(3);
      for (const child of children) {
        expect(child.status).toBe('scored');
        const files = await code.readFiles(child.commit);
        expect(outside(files['solve.py'] ?? '')).toBe(outside(program));
        expect(files['solve.py']).toContain('    value = GUESS\n    return value\n# EVOLVE-BLOCK-END');
      }
    } finally {
      archive.close();
    }
  });
});
