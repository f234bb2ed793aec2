/**
 * @module The command the user ran clade with, for the hints clade prints (`clade tree …`,
 * `npx clade resume …`): `clade` when it runs as an installed command found on PATH, `npx clade`
 * through npx or an npm script in a checkout, and `node <path>/main.js` when run by path.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';

/** What `cladeCommand` looks at; the process's own by default (tests pass their own). */
export interface CommandContext {
  /** The script node runs (`process.argv[1]`): the bin link, or `dist/src/cli/main.js`. */
  script: string | undefined;
  environment: NodeJS.ProcessEnv;
  /** The working directory, to shorten a `node <path>` hint. */
  cwd: string;
}

function processContext(): CommandContext {
  return { script: process.argv[1], environment: process.env, cwd: process.cwd() };
}

function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** Whether running `name` by name finds `script` first on the context's PATH. */
function isFirstOnPath(name: string, script: string, environment: NodeJS.ProcessEnv): boolean {
  const target = realPath(script);
  for (const directory of (environment.PATH ?? '').split(path.delimiter)) {
    if (directory === '') continue;
    const candidate = path.join(directory, name);
    try {
      realpathSync(candidate);
    } catch {
      continue;
    }
    return realPath(candidate) === target;
  }
  return false;
}

/** A shell word: quoted when it holds anything but safe characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The command to print in hints so that the user can paste it: `clade` (an installed bin, first on
 * PATH), `npx clade` (a bin run from a `node_modules/.bin`, as npx and npm scripts run it, or
 * `main.js` run by an npm script such as `npm start` in a checkout), the bin's own path when it is
 * not on PATH, otherwise `node <script>` (relative to the working directory when inside it).
 */
export function cladeCommand(context: CommandContext = processContext()): string {
  const { script, environment, cwd } = context;
  if (script === undefined || script === '') return 'clade';
  const name = path.basename(script);
  if (!/\.[cm]?js$/.test(name)) {
    // A bin link: npx (and a project's scripts) run it from a node_modules/.bin directory.
    if (/[\\/]node_modules[\\/]\.bin$/.test(path.dirname(script))) return 'npx clade';
    return isFirstOnPath(name, script, environment) ? name : shellWord(script);
  }
  // `node dist/src/cli/main.js` run by an npm script (`npm start`) in a checkout, where npx finds clade.
  if (environment.npm_lifecycle_event !== undefined && environment.npm_lifecycle_event !== 'npx') return 'npx clade';
  const relative = path.relative(cwd, script);
  const shown = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : script;
  return `node ${shellWord(shown)}`;
}
