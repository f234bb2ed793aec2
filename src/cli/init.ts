/**
 * @module `clade init <dir>`: scaffolds a campaign people can edit from one of the templates shipped
 * in `templates/` (a campaign file with every field commented, a seed, an evaluator or task, a
 * README), then prints the command that runs it. Flags for everything; it asks only on a terminal.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { CladeError, ConfigError } from '../core/errors.js';
import { packagePath } from '../core/package-root.js';
import { cladeCommand } from './command-name.js';

/** The templates shipped with clade, in the order `clade init` offers them; the first is the default. */
export const INIT_TEMPLATES = ['python-program', 'typescript-optimizer', 'coding-agent'] as const;

/** The file in a template directory that describes it (not copied). */
const MANIFEST = 'template.json';
/** Files whose text gets `{{name}}`, `{{clade}}` and `{{dir}}` replaced. */
const TEXT_FILE = /\.(ya?ml|md|txt|json)$/;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** `templates/<name>/template.json`. */
interface TemplateManifest {
  /** One line on what the template is, shown by `--help` and the prompt. */
  summary: string;
  /** Directories copied from clade's package into the campaign: destination → source (package-relative). */
  copy?: Record<string, string>;
  /** The next step printed after scaffolding: a title and a command (placeholders as in the files). */
  next?: { title: string; command: string };
}

/** Flags of `clade init`. */
export interface InitFlags {
  template?: string;
  name?: string;
  force?: boolean;
}

/** Where `clade init` reads answers and writes; the process's own by default. */
export interface InitStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream & { isTTY?: boolean };
  /** The command printed in the next-step hint. Default: `cladeCommand()`. */
  command?: string;
  /** The directory of the templates. Default: `templates/` in clade's package. */
  templatesDirectory?: string;
}

/** What `scaffoldCampaign` wrote. */
export interface ScaffoldResult {
  /** Absolute path of the campaign directory. */
  directory: string;
  /** Absolute path of its campaign file. */
  campaignFile: string;
  /** Top-level entries written, sorted. */
  entries: string[];
  /** The next step to print: a title and the command, placeholders filled. */
  next: { title: string; command: string };
}

function readManifest(templatesDirectory: string, template: string): TemplateManifest {
  const file = path.join(templatesDirectory, template, MANIFEST);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as TemplateManifest;
  } catch (error) {
    throw new CladeError(
      'CONFIG_NOT_FOUND',
      `The template "${template}" is damaged: cannot read ${file}. Reinstall clade.`,
      { cause: error },
    );
  }
}

/** A name made from the directory's last part, valid as a campaign name. */
export function defaultCampaignName(directory: string): string {
  const base = path
    .basename(path.resolve(directory))
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '')
    .slice(0, 64)
    .replace(/[-_]+$/, '');
  return NAME_PATTERN.test(base) ? base : 'my-campaign';
}

function checkTemplate(template: string): void {
  if (!(INIT_TEMPLATES as readonly string[]).includes(template)) {
    throw new ConfigError(
      `Unknown template "${template}". Choose one of: ${INIT_TEMPLATES.join(', ')} (e.g. --template python-program).`,
      [{ path: '--template', message: `one of ${INIT_TEMPLATES.join(', ')}`, value: template }],
    );
  }
}

function checkName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new ConfigError(
      `Invalid --name "${name}": a campaign name is 1–64 letters, digits, "-" or "_", starting with a letter or digit.`,
      [{ path: '--name', message: 'letters, digits, "-" and "_"', value: name }],
    );
  }
}

/** Refuses a directory that is a file, or not empty without `force`, naming it and what it holds. */
function checkTarget(directory: string, shown: string, force: boolean): void {
  if (!existsSync(directory)) return;
  if (!statSync(directory).isDirectory()) {
    throw new CladeError('USAGE', `${shown} exists and is not a directory. Choose another place for the campaign.`);
  }
  const entries = readdirSync(directory).sort();
  if (entries.length > 0 && !force) {
    const listed = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
    throw new CladeError(
      'USAGE',
      `${shown} is not empty (it holds ${listed}). Choose a new directory, or pass --force to write the ` +
        "template's files into it (files of the same name are replaced; others are kept).",
    );
  }
}

/** A path to print: as the user wrote it (POSIX separators), quoted for a shell when needed. */
function shownPath(directory: string): string {
  const normal = path.normalize(directory).replace(/[\\/]+$/, '') || '.';
  return /^[\w@%+=:,./-]+$/.test(normal) ? normal : `'${normal.replaceAll("'", "'\\''")}'`;
}

/** `text` with `{{key}}` replaced by `values[key]` (unknown keys kept). */
function fillPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole);
}

/** Copies `source` into `target` (recursively), replacing placeholders in text files. */
function copyTemplateTree(source: string, target: string, values: Record<string, string>, top = true): void {
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    if (top && entry.name === MANIFEST) continue;
    const from = path.join(source, entry.name);
    const to = path.join(target, entry.name);
    if (entry.isDirectory()) copyTemplateTree(from, to, values, false);
    else if (entry.isFile()) {
      if (TEXT_FILE.test(entry.name)) {
        writeFileSync(to, fillPlaceholders(readFileSync(from, 'utf8'), values));
      } else {
        cpSync(from, to);
      }
    }
  }
}

/**
 * Writes the template into `directory`: its files (placeholders `{{name}}`, `{{clade}}`, `{{dir}}`
 * replaced) and the package directories its manifest copies (seed agents). Checks the template,
 * the name and the directory first. @throws ConfigError / CladeError (`USAGE`) for bad input.
 */
export function scaffoldCampaign(options: {
  directory: string;
  template: string;
  name: string;
  force?: boolean;
  command?: string;
  templatesDirectory?: string;
}): ScaffoldResult {
  const { template, name } = options;
  checkTemplate(template);
  checkName(name);
  const directory = path.resolve(options.directory);
  const shown = shownPath(options.directory);
  checkTarget(directory, shown, options.force === true);
  const templatesDirectory = options.templatesDirectory ?? packagePath('templates');
  const source = path.join(templatesDirectory, template);
  if (!existsSync(source)) {
    throw new CladeError('CONFIG_NOT_FOUND', `clade's template "${template}" is missing (${source}). Reinstall clade.`);
  }
  const manifest = readManifest(templatesDirectory, template);
  const values: Record<string, string> = { name, dir: shown, clade: options.command ?? cladeCommand() };
  copyTemplateTree(source, directory, values);
  for (const [destination, packageRelative] of Object.entries(manifest.copy ?? {})) {
    cpSync(packagePath(packageRelative), path.join(directory, destination), { recursive: true });
  }
  const next = manifest.next ?? { title: 'Run it:', command: '{{clade}} run {{dir}}/campaign.yaml' };
  return {
    directory,
    campaignFile: path.join(directory, 'campaign.yaml'),
    entries: readdirSync(directory).sort(),
    next: { title: next.title, command: fillPlaceholders(next.command, values) },
  };
}

/** Questions on a terminal, answered line by line (lines typed ahead are kept for the next question). */
function questioner(input: NodeJS.ReadableStream, output: NodeJS.WritableStream) {
  const reader = createInterface({ input, output });
  const lines = reader[Symbol.asyncIterator]();
  return {
    async ask(question: string, fallback: string): Promise<string> {
      output.write(`${question} [${fallback}]: `);
      const next = await lines.next();
      const answer = next.done === true ? '' : String(next.value).trim();
      return answer === '' ? fallback : answer;
    },
    close: () => reader.close(),
  };
}

/** The one-line summaries of the shipped templates, by name (for `--help` and the prompt). */
export function templateSummaries(templatesDirectory = packagePath('templates')): Record<string, string> {
  return Object.fromEntries(
    INIT_TEMPLATES.map((template) => {
      try {
        return [template, readManifest(templatesDirectory, template).summary];
      } catch {
        return [template, '(missing)'];
      }
    }),
  );
}

/**
 * `clade init <dir>`: asks for the template and the name on a terminal when the flags do not give
 * them (never otherwise), scaffolds, and prints what it wrote and the command that runs it.
 */
export async function initCommand(
  directory: string,
  flags: InitFlags,
  streams: InitStreams = { input: process.stdin, output: process.stdout },
): Promise<ScaffoldResult> {
  const interactive = streams.input.isTTY === true && streams.output.isTTY === true;
  const command = streams.command ?? cladeCommand();
  // Before any question: a directory that cannot take the campaign is refused at once.
  checkTarget(path.resolve(directory), shownPath(directory), flags.force === true);
  let template = flags.template;
  let name = flags.name;
  if (interactive && (template === undefined || name === undefined)) {
    // One reader for every question: a second one would miss answers the first has buffered.
    const reader = questioner(streams.input, streams.output);
    try {
      if (template === undefined) {
        const summaries = templateSummaries(streams.templatesDirectory);
        streams.output.write(
          `Templates:\n${INIT_TEMPLATES.map((each) => `  ${each.padEnd(22)}${summaries[each]}`).join('\n')}\n`,
        );
        template = await reader.ask('Template', INIT_TEMPLATES[0]);
        checkTemplate(template);
      }
      name ??= await reader.ask('Campaign name', defaultCampaignName(directory));
    } finally {
      reader.close();
    }
  }
  template ??= INIT_TEMPLATES[0];
  checkTemplate(template);
  name ??= defaultCampaignName(directory);
  const result = scaffoldCampaign({
    directory,
    template,
    name,
    force: flags.force === true,
    command,
    ...(streams.templatesDirectory !== undefined ? { templatesDirectory: streams.templatesDirectory } : {}),
  });
  const shown = shownPath(directory);
  streams.output.write(
    [
      `Created the ${template} campaign "${name}" in ${shown}: ${result.entries.join(', ')}.`,
      `Every field of ${shown}/campaign.yaml is commented; ${shown}/README.md says what to edit.`,
      '',
      result.next.title,
      `  ${result.next.command}`,
      '',
    ].join('\n'),
  );
  return result;
}

/** Adds `clade init` to the program. */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description(
      'Scaffold a campaign you can edit: a campaign file with every field commented, a seed, an evaluator and a README.',
    )
    .argument('<dir>', 'directory to create (must be empty or absent, unless --force)')
    .option('--template <name>', `what to evolve: ${INIT_TEMPLATES.join(' | ')} (default: ${INIT_TEMPLATES[0]})`)
    .option('--name <name>', 'campaign name: letters, digits, "-" and "_" (default: the directory name)')
    .option('--force', 'write into a non-empty directory (files of the same name are replaced)')
    .addHelpText('after', () => {
      let summaries: Record<string, string>;
      try {
        summaries = templateSummaries();
      } catch {
        summaries = {};
      }
      const templates = INIT_TEMPLATES.map((name) => `  ${name.padEnd(22)}${summaries[name] ?? ''}`).join('\n');
      return (
        `\nTemplates:\n${templates}\n\nExamples:\n` +
        '  clade init demo                                   # a Python program and its evaluator\n' +
        '  clade run demo/campaign.yaml                      # evolve it offline\n' +
        '  clade init my-de --template typescript-optimizer  # a DE optimizer on numeric problems\n' +
        '  clade init agents-lab --template coding-agent --name lab   # a coding agent (needs a model)\n\n' +
        'On a terminal it asks for what the flags leave out; otherwise it uses the defaults.'
      );
    })
    .action(async (directory: string, flags: InitFlags) => {
      await initCommand(directory, flags);
    });
}
