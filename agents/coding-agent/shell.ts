/**
 * @module The `bash` tool: `sh -c command` in the work directory, stdin closed, stdout and stderr
 * interleaved and capped, killed with every process it started at its timeout or when the run
 * stops.
 *
 * Commands stay in the agent's own process group on purpose: a sandbox that kills its program's
 * group at its limits (and sums the group's memory) then covers them too. A timeout therefore kills
 * the command's process tree, found through Linux's `/proc` and frozen (SIGSTOP) before it is killed
 * so that nothing escapes by forking meanwhile. A background process the command left running
 * (`server &`) is not waited for: once `sh` has exited, the result comes back after a short grace,
 * and the process goes on until the sandbox ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { capOutput, OUTPUT_LIMIT, type ToolResult } from './tool-result.js';

/** After `sh` exits, how long its output pipes may stay open (held by background processes) before the result is returned. */
const PIPE_GRACE_MS = 300;

/** Runs `command`; resolves when it ended, was killed at `timeoutMs`, or was stopped by `signal`. */
export function runBash(
  command: string,
  workDir: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ToolResult> {
  return new Promise((resolvePromise) => {
    const started = Date.now();
    const child = spawn('sh', ['-c', command], { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let dropped = 0;
    const append = (chunk: Buffer) => {
      // A bounded buffer; capOutput cuts the middle at the end.
      output += chunk.toString('utf8');
      if (output.length > OUTPUT_LIMIT * 4) {
        const keep = OUTPUT_LIMIT * 2;
        dropped += output.length - keep * 2;
        output = output.slice(0, keep) + output.slice(output.length - keep);
      }
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);

    let killedBy: 'timeout' | 'stop' | null = null;
    const kill = (reason: 'timeout' | 'stop') => {
      killedBy ??= reason;
      killTree(child);
    };
    const timer = setTimeout(() => kill('timeout'), Math.max(1, timeoutMs));
    const onAbort = () => kill('stop');
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });

    let exitCode: number | null = null;
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    const settle = (error?: Error, heldOpen = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      signal?.removeEventListener('abort', onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolvePromise(describe(error, heldOpen));
    };
    const describe = (error: Error | undefined, heldOpen: boolean): ToolResult => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const body = capOutput(output, dropped);
      if (error !== undefined) {
        return {
          ok: false,
          output: `Could not run the command: ${error.message}`,
          summary: `failed to start: ${error.message}`,
        };
      }
      if (killedBy === 'timeout') {
        return {
          ok: false,
          output: `${body}\n[The command was killed after ${Math.round(timeoutMs / 1000)} s (timeout). Make it faster, run less at once, or avoid commands that wait for input or never end (servers, watch modes).]`,
          summary: `killed at timeout after ${seconds} s`,
        };
      }
      if (killedBy === 'stop') {
        return {
          ok: false,
          output: `${body}\n[The command was stopped: the run ended.]`,
          summary: 'stopped (run ended)',
        };
      }
      const background = heldOpen
        ? '\n[A background process started by the command is still running; its later output is not shown.]'
        : '';
      const lines = output === '' ? 0 : output.split('\n').length;
      // For a failure, the log keeps the first line that names an error (or the last line): what went wrong, at a glance.
      const shown = output
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '');
      const errorLine = shown.find((line) => /error|fail|not ok/i.test(line)) ?? shown.at(-1);
      const why = exitCode !== 0 && errorLine !== undefined ? `: ${JSON.stringify(errorLine.slice(0, 160))}` : '';
      return {
        ok: exitCode === 0,
        output: `${body === '' ? '(no output)' : body}${background}\n[exit code ${exitCode ?? 'unknown'}]`,
        summary: `exit ${exitCode ?? 'unknown'}, ${lines} line(s) of output, ${seconds} s${why}`,
      };
    };
    child.on('error', (error) => settle(error));
    child.on('exit', (code, exitSignal) => {
      exitCode = code ?? (exitSignal !== null ? 128 : null);
      graceTimer = setTimeout(() => settle(undefined, true), PIPE_GRACE_MS);
    });
    child.on('close', () => settle());
  });
}

/** Kills `child` and every process below it: freezes the tree (repeating while it grows), then kills it. */
function killTree(child: ChildProcess): void {
  if (child.pid === undefined) return;
  const frozen = new Set<number>();
  for (let round = 0; round < 5; round++) {
    const tree = [child.pid, ...descendantsOf(child.pid)];
    const fresh = tree.filter((pid) => !frozen.has(pid));
    if (fresh.length === 0) break;
    for (const pid of fresh) {
      signalProcess(pid, 'SIGSTOP');
      frozen.add(pid);
    }
  }
  for (const pid of frozen) signalProcess(pid, 'SIGKILL');
  child.kill('SIGKILL');
}

/** Process ids below `root`, from `/proc/<pid>/stat` (empty where there is no `/proc`). */
function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      // Fields after the command name (which may hold spaces and parentheses): state, ppid, …
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(parent) ?? [];
      list.push(Number(entry));
      children.set(parent, list);
    } catch {
      // The process ended meanwhile.
    }
  }
  const found: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function signalProcess(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
