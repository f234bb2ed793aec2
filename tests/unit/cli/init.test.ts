/**
 * `clade init`: each shipped template scaffolds a campaign whose every top-level field is written
 * (set or commented with its default), with no placeholder left, and that campaign runs as
 * `clade run <dir>/campaign.yaml --iterations 3 --sandbox process` runs it, offline: the
 * python-program seed improves within three children of the parametric mutator, the TypeScript
 * optimizer scores, the coding agent scores against a local scripted model server. A non-empty
 * directory is refused (named) without --force; bad flags are ConfigErrors naming what is
 * allowed; prompts come only on a terminal; --help teaches with examples.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadCampaignFile } from '../../../src/campaign-file.js';
import { INIT_TEMPLATES, initCommand, registerInitCommand, scaffoldCampaign } from '../../../src/cli/init.js';
import { CladeError, ConfigError } from '../../../src/core/errors.js';
import { createCampaign } from '../../../src/create-campaign.js';
import { startScriptedModelServer } from '../../helpers/scripted-model-server.js';

/** Every top-level field of a campaign file (src/config/schema.ts). */
const CAMPAIGN_FIELDS = [
  'name',
  'seed',
  'agent',
  'task',
  'mutation',
  'selection',
  'evaluation',
  'inspirations',
  'budget',
  'prices',
  'workers',
  'sandbox',
  'executor',
];

let root = '';

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'clade-init-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Streams that are not a terminal, and what was written to the output. */
function pipes(isTTY = false): {
  input: PassThrough & { isTTY?: boolean };
  output: PassThrough & { isTTY?: boolean };
  text(): string;
} {
  const input = Object.assign(new PassThrough(), { isTTY });
  const output = Object.assign(new PassThrough(), { isTTY });
  let written = '';
  output.on('data', (chunk: Buffer) => {
    written += chunk.toString();
  });
  return { input, output, text: () => written };
}

/** Runs the scaffolded campaign as `clade run <file> --iterations N --sandbox process` (one worker). */
async function runCampaign(file: string, iterations: number, extra: { model?: string } = {}) {
  const directory = path.join(path.dirname(file), '..', `${path.basename(path.dirname(file))}-run`);
  const campaign = await createCampaign(
    loadCampaignFile(file, { sandbox: 'process', iterations, workers: 1, ...extra }),
    directory,
  );
  try {
    return await campaign.run({ warn: () => {} });
  } finally {
    campaign.close();
  }
}

describe('clade init: scaffolding', () => {
  it.each(INIT_TEMPLATES)(
    '%s: every field written, placeholders filled, the next command printed',
    async (template) => {
      const directory = path.join(root, `fields-${template}`);
      const streams = pipes();
      const result = await initCommand(directory, { template, name: 'my-run' }, { ...streams, command: 'clade' });
      const text = readFileSync(result.campaignFile, 'utf8');
      expect(text).not.toMatch(/\{\{\w+\}\}/);
      for (const field of CAMPAIGN_FIELDS) expect(text, field).toMatch(new RegExp(`^#? ?${field}:`, 'm'));
      const config = parse(text) as { name: string };
      expect(config.name).toBe('my-run');
      expect(readFileSync(path.join(directory, 'README.md'), 'utf8')).not.toMatch(/\{\{\w+\}\}/);
      expect(existsSync(path.join(directory, 'template.json'))).toBe(false);
      expect(streams.text()).toContain(`clade run ${directory}/campaign.yaml`);
      // The file loads as a campaign file (paths resolved, the agent directory there).
      expect(loadCampaignFile(result.campaignFile).config.name).toBe('my-run');
    },
  );

  it('python-program: EVOLVE-BLOCK with # @evolve constants, and an evaluator beside it', async () => {
    const directory = path.join(root, 'python-files');
    scaffoldCampaign({ directory, template: 'python-program', name: 'py' });
    const program = readFileSync(path.join(directory, 'program/search.py'), 'utf8');
    expect(program).toContain('# EVOLVE-BLOCK-START');
    expect(program).toMatch(/^STEP = [\d.]+ {2}# @evolve float/m);
    expect(existsSync(path.join(directory, 'evaluator/evaluate.py'))).toBe(true);
  });

  it('the name defaults to the directory name', async () => {
    const directory = path.join(root, 'named by dir!');
    const result = await initCommand(directory, {}, { ...pipes(), command: 'clade' });
    expect(parse(readFileSync(result.campaignFile, 'utf8')).name).toBe('named-by-dir');
  });

  it('refuses a non-empty directory without --force, naming it; --force writes and keeps other files', async () => {
    const directory = path.join(root, 'busy');
    mkdirSync(directory);
    writeFileSync(path.join(directory, 'notes.txt'), 'mine');
    const attempt = initCommand(directory, { template: 'python-program' }, { ...pipes(), command: 'clade' });
    await expect(attempt).rejects.toThrow(CladeError);
    await expect(attempt).rejects.toThrow(`${directory} is not empty (it holds notes.txt)`);
    await expect(attempt).rejects.toThrow('--force');
    await initCommand(directory, { template: 'python-program', force: true }, { ...pipes(), command: 'clade' });
    expect(readFileSync(path.join(directory, 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(path.join(directory, 'campaign.yaml'))).toBe(true);
  });

  it('an unknown template or a bad name is a ConfigError naming what is allowed, and writes nothing', async () => {
    const directory = path.join(root, 'bad-flags');
    await expect(initCommand(directory, { template: 'rust' }, { ...pipes(), command: 'clade' })).rejects.toThrow(
      /Unknown template "rust". Choose one of: python-program, typescript-optimizer, coding-agent/,
    );
    await expect(
      initCommand(directory, { template: 'python-program', name: 'two words' }, { ...pipes(), command: 'clade' }),
    ).rejects.toThrow(ConfigError);
    expect(existsSync(directory)).toBe(false);
  });

  it('asks for the template and the name only on a terminal', async () => {
    const terminal = pipes(true);
    terminal.input.write('typescript-optimizer\nasked-name\n');
    const asked = await initCommand(path.join(root, 'asked'), {}, { ...terminal, command: 'clade' });
    expect(terminal.text()).toContain('Templates:');
    expect(parse(readFileSync(asked.campaignFile, 'utf8')).name).toBe('asked-name');
    expect(existsSync(path.join(root, 'asked', 'agent', 'optimizer.ts'))).toBe(true);
    // Not a terminal: the defaults, no question.
    const piped = pipes(false);
    piped.input.write('coding-agent\n');
    await initCommand(path.join(root, 'not-asked'), {}, { ...piped, command: 'clade' });
    expect(piped.text()).not.toContain('Templates:');
    expect(existsSync(path.join(root, 'not-asked', 'program', 'search.py'))).toBe(true);
  });

  it('--help teaches: the templates and examples', () => {
    // main.ts runs the command line when imported: the same registration on a fresh program.
    const program = new Command().name('clade');
    registerInitCommand(program);
    const init = program.commands.find((command) => command.name() === 'init');
    expect(init).toBeDefined();
    let help = '';
    init?.configureOutput({ writeOut: (text) => (help += text) });
    init?.outputHelp();
    expect(help).toContain('--template <name>');
    expect(help).toContain('Examples:');
    expect(help).toContain('clade init demo');
    for (const template of INIT_TEMPLATES) expect(help).toContain(template);
  });
});

describe('clade init: the scaffolded campaigns run offline (process sandbox, 3 children)', () => {
  it('python-program: the parametric mutator improves the seed within three children', async () => {
    const directory = path.join(root, 'py-run');
    const { campaignFile } = scaffoldCampaign({ directory, template: 'python-program', name: 'py' });
    const summary = await runCampaign(campaignFile, 3);
    expect(summary.statuses.scored).toBe(4);
    expect(summary.rootScore).not.toBeNull();
    expect(summary.bestScore as number).toBeGreaterThan(summary.rootScore as number);
  });

  it('typescript-optimizer: the seed and its children score', async () => {
    const directory = path.join(root, 'ts-run');
    const { campaignFile } = scaffoldCampaign({ directory, template: 'typescript-optimizer', name: 'ts' });
    const summary = await runCampaign(campaignFile, 3);
    expect(summary.statuses.scored).toBe(4);
    expect(summary.rootScore as number).toBeGreaterThan(0);
    expect(summary.bestScore as number).toBeGreaterThanOrEqual(summary.rootScore as number);
  });

  it('coding-agent: the seed scores against a local model server (a model that solves nothing scores 0)', async () => {
    const server = await startScriptedModelServer({ script: () => 'I will not change anything.' });
    const saved = { base: process.env.OPENAI_BASE_URL, key: process.env.OPENAI_API_KEY };
    process.env.OPENAI_BASE_URL = server.baseURL;
    process.env.OPENAI_API_KEY = 'test-key';
    try {
      const directory = path.join(root, 'coding-run');
      const { campaignFile } = scaffoldCampaign({ directory, template: 'coding-agent', name: 'coding' });
      const summary = await runCampaign(campaignFile, 1, { model: 'openai-compatible:gpt-4.1-mini' });
      expect(summary.rootScore).toBe(0);
      expect(summary.nodes).toBe(2);
      expect(server.chatRequests().length).toBeGreaterThan(0);
    } finally {
      if (saved.base === undefined) delete process.env.OPENAI_BASE_URL;
      else process.env.OPENAI_BASE_URL = saved.base;
      if (saved.key === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved.key;
      await server.close();
    }
  });
});
