import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const seedAgent = path.join(repositoryRoot, 'agents/de-optimizer');
export const cliEntry = path.join(repositoryRoot, 'dist/src/cli/main.js');

/** A temp directory removed by the returned cleanup. */
export function temporaryDirectory(prefix: string): { path: string; remove: () => void } {
  const directory = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { path: directory, remove: () => rmSync(directory, { recursive: true, force: true }) };
}

/** Writes a small, fast campaign file (two 3-d problems, a tiny budget) and returns its path. */
export function writeSmallCampaign(directory: string, overrides: Record<string, string> = {}): string {
  const fields = {
    name: 'small',
    seed: '11',
    iterations: '8',
    workers: '2',
    evaluationsPerDim: '300',
    ...overrides,
  };
  const file = path.join(directory, 'small.yaml');
  writeFileSync(
    file,
    `name: ${fields.name}
seed: ${fields.seed}
agent: ${JSON.stringify(seedAgent)}
task:
  kind: numeric
  problems:
    - { fn: sphere, dim: 3 }
    - { fn: rastrigin, dim: 3 }
  evaluationsPerDim: ${fields.evaluationsPerDim}
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

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`npm run build` first; `npm test` does it). */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  if (!existsSync(cliEntry)) throw new Error(`${cliEntry} is missing: run \`npm run build\` before the tests.`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliEntry, ...args], {
      cwd: options.cwd ?? repositoryRoot,
      env: { ...process.env, ...options.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
