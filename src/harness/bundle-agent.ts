/**
 * @module Turns an agent's TypeScript tree into one ES module (esbuild), entirely in memory,
 * before it enters a sandbox. Errors are written for a model: `file:line:column: message`, then
 * the offending line.
 */
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import type { Loader, Message, Plugin } from 'esbuild';
import { isSafeRelativePath } from '../core/safe-path.js';
import type { AgentFiles } from '../core/types.js';

/** What `bundleAgent` returns: the module's code, or an error a model can act on. */
export type BundleAgentResult = { ok: true; code: string } | { ok: false; error: string };

/** Bundles an agent tree from its entry file into one ES module (`bundleAgent`, or a test's own). */
export type AgentBundler = (files: AgentFiles, entry: string) => Promise<BundleAgentResult>;

/** Options of `bundleAgent`. */
export interface BundleAgentOptions {
  /**
   * Appends an inline source map so that stack traces (the harness enables source maps) point at
   * the agent's own files, e.g. `agent:src/search.ts:12:7`. Default: true.
   */
  sourceMap?: boolean;
}

/** Loaders by file extension; other extensions cannot be imported. */
const LOADERS: Record<string, Loader> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
  '.json': 'json',
};

/** Namespace of the agent's files inside esbuild (shown as `agent:` in source-mapped stacks). */
const NAMESPACE = 'agent';

/** Most errors listed in one message. */
const MAX_ERRORS = 10;

const builtinNames = new Set(builtinModules.filter((name) => !name.startsWith('_')));

/**
 * Transpiles and bundles the agent tree `files` from `entry` into one ESM string (target node20).
 *
 * Nothing is read from or written to disk. An import resolves only to:
 * - a file of the tree, by a relative specifier (`./util.js` also finds `util.ts`; extensions and
 *   `index` files are tried like TypeScript does); leaving the tree (`../` past its root) fails;
 * - a node builtin with the `node:` prefix (`node:fs`, `node:worker_threads`), left as an import.
 *   Builtins are allowed because the sandbox, not the bundler, is the security boundary.
 * Anything else (`lodash`, an unprefixed builtin such as `fs`, an absolute path) is an error
 * naming the import and the file. Type errors are not errors (types are stripped, not checked);
 * syntax errors are.
 */
export async function bundleAgent(
  files: AgentFiles,
  entry: string,
  options: BundleAgentOptions = {},
): Promise<BundleAgentResult> {
  if (!isSafeRelativePath(entry)) {
    return { ok: false, error: `The agent entry "${entry}" is not a relative path inside the agent tree.` };
  }
  if (!Object.hasOwn(files, entry)) {
    return {
      ok: false,
      error: `The agent entry file "${entry}" does not exist. Files in the agent tree: ${listFiles(files)}.`,
    };
  }
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (error) {
    return { ok: false, error: `esbuild is not available on the host (${String(error)}); run \`npm install\`.` };
  }
  try {
    const output = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      outfile: 'agent.mjs',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: options.sourceMap === false ? false : 'inline',
      sourcesContent: false,
      legalComments: 'none',
      logLevel: 'silent',
      tsconfigRaw: {},
      plugins: [agentTreePlugin(files)],
    });
    const file = output.outputFiles[0];
    if (file === undefined) return { ok: false, error: 'esbuild produced no output for the agent.' };
    return { ok: true, code: file.text };
  } catch (error) {
    const messages = (error as { errors?: Message[] }).errors;
    if (Array.isArray(messages) && messages.length > 0) return { ok: false, error: formatBuildMessages(messages) };
    return { ok: false, error: `Bundling the agent failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Resolves and loads imports from the in-memory tree only. */
function agentTreePlugin(files: AgentFiles): Plugin {
  return {
    name: 'clade-agent-tree',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        const specifier = args.path;
        if (args.kind === 'entry-point') return { path: specifier, namespace: NAMESPACE };
        if (specifier.startsWith('node:')) {
          if (!builtinNames.has(specifier.slice('node:'.length)) && !builtinModules.includes(specifier)) {
            return { errors: [{ text: `"${specifier}" is not a node builtin module.` }] };
          }
          return { path: specifier, external: true };
        }
        if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
          if (args.namespace !== NAMESPACE)
            return { errors: [{ text: `Cannot import "${specifier}" from outside the agent tree.` }] };
          const joined = posix.normalize(posix.join(posix.dirname(args.importer), specifier));
          if (joined === '..' || joined.startsWith('../') || posix.isAbsolute(joined)) {
            return {
              errors: [
                {
                  text: `Import "${specifier}" in ${args.importer} points outside the agent tree; agents may import only their own files.`,
                },
              ],
            };
          }
          const found = resolveInTree(files, joined);
          if (found === null) {
            return {
              errors: [
                {
                  text: `Cannot find "${specifier}" imported by ${args.importer} (looked for ${joined} with .ts/.js/.json extensions and index files). Files in the agent tree: ${listFiles(files)}.`,
                },
              ],
            };
          }
          return { path: found, namespace: NAMESPACE };
        }
        const bare = specifier.split('/')[0] ?? specifier;
        if (builtinNames.has(specifier) || builtinNames.has(bare)) {
          return {
            errors: [
              { text: `Import "${specifier}" without the "node:" prefix is not allowed; write "node:${specifier}".` },
            ],
          };
        }
        if (specifier.startsWith('/') || /^[A-Za-z]:[\\/]/.test(specifier) || specifier.startsWith('file:')) {
          return {
            errors: [
              {
                text: `Import "${specifier}" is an absolute path; agents may import only their own files, with relative paths such as "./util.js".`,
              },
            ],
          };
        }
        return {
          errors: [
            {
              text: `Import "${specifier}" is a package; agents cannot use packages (there is no node_modules in the sandbox). Import your own files with relative paths ("./util.js") or node builtins with the "node:" prefix ("node:fs").`,
            },
          ],
        };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        const contents = files[args.path];
        if (contents === undefined) return { errors: [{ text: `File ${args.path} is not in the agent tree.` }] };
        const loader = LOADERS[posix.extname(args.path)];
        if (loader === undefined) {
          return {
            errors: [
              { text: `Cannot import ${args.path}: only ${Object.keys(LOADERS).join(', ')} files can be imported.` },
            ],
          };
        }
        return { contents, loader };
      });
    },
  };
}

/** The tree's file for an import of `path`, trying what TypeScript's bundler resolution tries. */
function resolveInTree(files: AgentFiles, path: string): string | null {
  const candidates = [path];
  const extension = posix.extname(path);
  const stem = path.slice(0, path.length - extension.length);
  if (extension === '.js') candidates.push(`${stem}.ts`, `${stem}.tsx`);
  if (extension === '.jsx') candidates.push(`${stem}.tsx`);
  if (extension === '.mjs') candidates.push(`${stem}.mts`);
  if (extension === '.cjs') candidates.push(`${stem}.cts`);
  for (const suffix of ['.ts', '.tsx', '.mts', '.js', '.mjs', '.json']) candidates.push(`${path}${suffix}`);
  for (const index of ['index.ts', 'index.tsx', 'index.js', 'index.mjs'])
    candidates.push(path === '.' ? index : `${path}/${index}`);
  for (const candidate of candidates) {
    if (isSafeRelativePath(candidate) && Object.hasOwn(files, candidate)) return candidate;
  }
  return null;
}

function listFiles(files: AgentFiles): string {
  const names = Object.keys(files).sort();
  if (names.length === 0) return '(none)';
  return names.length <= 20 ? names.join(', ') : `${names.slice(0, 20).join(', ')} and ${names.length - 20} more`;
}

/** Formats esbuild errors as `file:line:column: message` followed by the line and a caret. */
export function formatBuildMessages(messages: readonly Message[]): string {
  const shown = messages.slice(0, MAX_ERRORS).map(formatMessage);
  if (messages.length > MAX_ERRORS) shown.push(`… and ${messages.length - MAX_ERRORS} more error(s).`);
  return shown.join('\n');
}

function formatMessage(message: Message): string {
  const lines = [withLocation(message.location, message.text)];
  for (const note of message.notes) {
    if (note.text) lines.push(withLocation(note.location, `note: ${note.text}`));
  }
  return lines.join('\n');
}

function withLocation(location: Message['location'], text: string): string {
  if (location === null) return text;
  const file = location.file.startsWith(`${NAMESPACE}:`) ? location.file.slice(NAMESPACE.length + 1) : location.file;
  const lineText = location.lineText.length > 200 ? `${location.lineText.slice(0, 200)}…` : location.lineText;
  // Keep tabs so the caret lines up under the column.
  const caret =
    location.column <= 200 ? `\n    ${location.lineText.slice(0, location.column).replace(/[^\t]/g, ' ')}^` : '';
  return `${file}:${location.line}:${location.column + 1}: ${text}\n    ${lineText}${caret}`;
}
