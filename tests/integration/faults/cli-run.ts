/**
 * Runs the built CLI with a deadline (a command that hangs fails the test instead of hanging it)
 * and, optionally, as another user (for the read-only cases: root ignores file permissions).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cliEntry, repositoryRoot } from '../../helpers/campaign-fixture.js';

export interface TimedCliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the deadline passed and the command was killed. */
  timedOut: boolean;
  milliseconds: number;
}

/** The uid/gid of `nobody`, when this process is root and `setpriv` can drop to it; otherwise null. */
export const unprivilegedUser: { uid: number; gid: number } | null = (() => {
  if (process.getuid?.() !== 0) return null;
  const probe = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']);
  return probe.status === 0 ? { uid: 65534, gid: 65534 } : null;
})();

/** Runs `clade <args>` (dist/src/cli/main.js), killed with SIGKILL after `deadlineMs`. */
export function runCliWithin(
  args: readonly string[],
  options: { deadlineMs?: number; env?: NodeJS.ProcessEnv; cwd?: string; asNobody?: boolean } = {},
): Promise<TimedCliResult> {
  if (!existsSync(cliEntry)) throw new Error(`${cliEntry} is missing: run \`npm run build\` before the tests.`);
  const started = Date.now();
  const [program, programArgs] = options.asNobody
    ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cliEntry, ...args]]
    : [process.execPath, [cliEntry, ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(program as string, programArgs as string[], {
      cwd: options.cwd ?? repositoryRoot,
      env: { ...process.env, ...options.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.deadlineMs ?? 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, milliseconds: Date.now() - started });
    });
  });
}
