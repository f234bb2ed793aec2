/**
 * @module Prompt templates of the LLM mutators: Markdown files in `src/mutation/prompts/` (copied
 * to `dist/` by `npm run build`), with `{{name}}` placeholders. A campaign file can replace any of
 * them (`mutation.prompts.system: my-system.md`, relative to the campaign file).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../core/errors.js';

/** The templates a mutator uses. */
export interface PromptTemplates {
  /** The system prompt. */
  system: string;
  /** The first user message of `llm-diff`. */
  diff: string;
  /** The first user message of `llm-rewrite`. */
  rewrite: string;
  /** The user message after an unusable answer. */
  patchError: string;
}

export type PromptName = keyof PromptTemplates;

const FILES: Record<PromptName, string> = {
  system: 'system.md',
  diff: 'diff.md',
  rewrite: 'rewrite.md',
  patchError: 'patch-error.md',
};

/** Placeholders each template may use. */
export const PROMPT_PLACEHOLDERS: Record<PromptName, readonly string[]> = {
  system: ['task'],
  diff: [
    'task',
    'parent_id',
    'parent_score',
    'parent_code',
    'metrics',
    'logs',
    'artifacts',
    'history',
    'inspirations',
    'editable',
    'file_hint',
  ],
  rewrite: [
    'task',
    'parent_id',
    'parent_score',
    'parent_code',
    'metrics',
    'logs',
    'artifacts',
    'history',
    'inspirations',
    'target_file',
    'target_language',
  ],
  patchError: ['errors', 'attempts_left', 'attempts_plural'],
};

/** Directory of the built-in templates (beside this module, in `src/` and in `dist/src/`). */
export const BUILTIN_PROMPT_DIRECTORY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'prompts');

/**
 * The built-in templates with `overrides` (template name → file path, relative to
 * `baseDirectory`) applied. A missing file or an unknown placeholder is a `ConfigError`.
 */
export function loadPromptTemplates(
  overrides: Partial<Record<PromptName, string>> = {},
  baseDirectory = process.cwd(),
): PromptTemplates {
  return loadTemplateSet(FILES, PROMPT_PLACEHOLDERS, overrides, baseDirectory);
}

/**
 * Loads a set of templates: each name's built-in file (in `BUILTIN_PROMPT_DIRECTORY`) or its
 * override (a path relative to `baseDirectory`, named in errors as `mutation.prompts.<name>`),
 * checking that a template uses only its allowed placeholders.
 *
 * @throws ConfigError for a file that cannot be read or an unknown placeholder.
 */
export function loadTemplateSet<Name extends string>(
  files: Readonly<Record<Name, string>>,
  allowed: Readonly<Record<Name, readonly string[]>>,
  overrides: Partial<Record<Name, string>> = {},
  baseDirectory = process.cwd(),
): Record<Name, string> {
  const templates = {} as Record<Name, string>;
  for (const name of Object.keys(files) as Name[]) {
    const override = overrides[name];
    const file = override ? path.resolve(baseDirectory, override) : path.join(BUILTIN_PROMPT_DIRECTORY, files[name]);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(
        override
          ? `mutation.prompts.${name}: cannot read the template file ${file}. Give a path relative to the campaign file.`
          : `The built-in prompt template ${file} is missing; rebuild clade (npm run build copies src/mutation/prompts).`,
        [{ path: `mutation.prompts.${name}`, message: 'cannot be read', value: override ?? file }],
        undefined,
        { cause: error },
      );
    }
    const unknown = placeholders(text).filter((placeholder) => !allowed[name].includes(placeholder));
    if (unknown.length > 0) {
      throw new ConfigError(
        `mutation.prompts.${name} (${file}) uses unknown placeholder${unknown.length === 1 ? '' : 's'} ` +
          `${unknown.map((item) => `{{${item}}}`).join(', ')}; this template may use ${allowed[name].map((item) => `{{${item}}}`).join(', ')}.`,
        [{ path: `mutation.prompts.${name}`, message: 'unknown placeholder', value: unknown }],
      );
    }
    templates[name] = text;
  }
  return templates;
}

function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([A-Za-z_]+)\s*\}\}/g)].map((match) => match[1] as string))];
}

/** Fills `{{name}}` placeholders; values are inserted literally (no further substitution). */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{\s*([A-Za-z_]+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole).trim();
}
