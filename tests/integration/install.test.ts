/**
 * clade as an installed command: `npm pack` of this checkout, `npm install -g --prefix <tmp>` of the
 * tarball (npm resolves every dependency from package.json, from its cache or the registry), then
 * from a directory outside the repository, with only `<prefix>/bin` added to PATH and no npm
 * environment: `clade run` of a shipped preset, `clade tree`, `clade init demo` and `clade run
 * demo/campaign.yaml` (the python-program template, offline, process sandbox), each printing hints
 * that start with `clade`. Runs everywhere (CI included); nothing is skipped.
 *
 * What it takes: the tarball holds `dist/` as built (`npm test` builds first; `npm pack` by hand
 * runs `prepare`, which builds). To stay near a minute instead of ~6 (better-sqlite3 compiles from
 * source where no prebuilt binary can be downloaded), the install runs with `--ignore-scripts` and
 * gets better-sqlite3's compiled addon from this checkout (same version, same node); set
 * CLADE_INSTALL_TEST_SCRIPTS=1 to run every install script instead (the real thing, minutes).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repository = path.resolve(import.meta.dirname, '../..');
const withScripts = process.env.CLADE_INSTALL_TEST_SCRIPTS === '1';
const INSTALL_TIMEOUT_MS = withScripts ? 900_000 : 300_000;

let root = '';
let prefix = '';
let packageDirectory = '';
let work = '';

/** The environment of a user's shell: no npm_* variables of the test runner, the prefix's bin first. */
function userEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== 'INIT_CWD' && key !== 'NODE_OPTIONS') environment[key] = value;
  }
  environment.PATH = [path.join(prefix, 'bin'), process.env.PATH ?? ''].join(path.delimiter);
  return environment;
}

/** Runs the installed `clade` in `work` (outside the repository); resolves with its output whatever the exit code. */
async function clade(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('clade', args, {
      cwd: work,
      env: userEnvironment(),
      maxBuffer: 16 * 1024 * 1024,
      timeout: 180_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'clade-install-'));
  prefix = path.join(root, 'prefix');
  work = path.join(root, 'work');
  mkdirSync(work);
  for (const built of ['dist/src/cli/main.js', 'dist/src/cli/init.js', 'dist/sandbox/harness.mjs']) {
    if (!existsSync(path.join(repository, built))) {
      throw new Error(`${built} is missing: run \`npm run build\` in ${repository} first (\`npm test\` does).`);
    }
  }
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], {
    cwd: repository,
    env: userEnvironment(),
    maxBuffer: 64 * 1024 * 1024,
  });
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  const tarball = path.join(root, filename);
  await run(
    'npm',
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      tarball,
      '--no-audit',
      '--no-fund',
      '--omit=optional',
      '--prefer-offline',
      ...(withScripts ? [] : ['--ignore-scripts']),
    ],
    {
      cwd: root,
      // better-sqlite3 compiles from source where no prebuilt binary can be downloaded (offline builders).
      env: withScripts ? { ...userEnvironment(), npm_config_build_from_source: 'true' } : userEnvironment(),
      maxBuffer: 64 * 1024 * 1024,
      timeout: INSTALL_TIMEOUT_MS,
    },
  );
  packageDirectory = path.join(prefix, 'lib/node_modules/clade');
  if (!withScripts) {
    const addon = 'build/Release/better_sqlite3.node';
    const ours = path.join(repository, 'node_modules/better-sqlite3');
    const theirs = path.join(packageDirectory, 'node_modules/better-sqlite3');
    const version = (directory: string) =>
      (JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')) as { version: string }).version;
    if (version(ours) !== version(theirs)) {
      throw new Error(
        `The install resolved better-sqlite3 ${version(theirs)} but this checkout holds ${version(ours)}: ` +
          'run `npm install` here, or CLADE_INSTALL_TEST_SCRIPTS=1 to compile it in the install.',
      );
    }
    mkdirSync(path.join(theirs, 'build/Release'), { recursive: true });
    copyFileSync(path.join(ours, addon), path.join(theirs, addon));
  }
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(() => {
  if (root !== '') rmSync(root, { recursive: true, force: true });
});

describe('clade installed from an npm pack tarball (npm install -g --prefix)', () => {
  it('the tarball holds what clade finds relative to its package', () => {
    for (const shipped of [
      'dist/src/cli/main.js',
      'dist/sandbox/harness.mjs',
      'dist/src/mutation/prompts',
      'dist/src/viewer/static/index.html',
      'agents/de-optimizer/optimizer.ts',
      'benchmarks/demo.yaml',
      'benchmarks/coding/exercises',
      'data/cec2022',
      'examples/circle-packing/campaign.yaml',
      'sandbox/Dockerfile',
      'templates/python-program/campaign.yaml',
      'docs/PROGRAM.md',
    ]) {
      expect(existsSync(path.join(packageDirectory, shipped)), shipped).toBe(true);
    }
    expect(existsSync(path.join(packageDirectory, 'src')), 'src/ is not shipped').toBe(false);
    expect(existsSync(path.join(prefix, 'bin/clade'))).toBe(true);
  });

  it('runs a shipped preset from a directory outside the repository, then shows its tree', async () => {
    const version = await clade('--version');
    expect(version.code).toBe(0);
    const preset = path.join(packageDirectory, 'benchmarks/demo.yaml');
    const campaign = await clade('run', preset, '--iterations', '3', '--sandbox', 'process', '--dir', 'demo-run');
    expect(campaign.stderr).toContain('Campaign demo finished');
    expect(campaign.code).toBe(0);
    // The hints name the command the user ran: the installed `clade`, not `npx clade`.
    expect(campaign.stderr).toContain('\n  clade tree demo-run\n');
    expect(campaign.stderr).not.toContain('npx clade');
    const tree = await clade('tree', 'demo-run', '--json');
    expect(tree.code).toBe(0);
    const nodes = (JSON.parse(tree.stdout) as { nodes: { status: string }[] }).nodes;
    expect(nodes).toHaveLength(4);
    expect(nodes.every((node) => node.status === 'scored')).toBe(true);
  });

  it('clade init demo && clade run demo/campaign.yaml: the Python program improves, offline', async () => {
    const init = await clade('init', 'demo', '--template', 'python-program');
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('\n  clade run demo/campaign.yaml\n');
    const campaign = await clade('run', 'demo/campaign.yaml', '--iterations', '3', '--sandbox', 'process', '--json');
    expect(campaign.code).toBe(0);
    const summary = campaign.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; rootScore?: number; bestScore?: number })
      .find((event) => event.type === 'summary');
    expect(summary?.rootScore).toBeTypeOf('number');
    expect(summary?.bestScore as number).toBeGreaterThan(summary?.rootScore as number);
    expect(existsSync(path.join(work, 'archive/demo/archive.db'))).toBe(true);
  });
});
