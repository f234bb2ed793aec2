/**
 * Issue 17, finding 1: the process sandbox handed the host's keys, files, network and process table
 * to agent code. With bubblewrap (`isolation: 'bubblewrap'`) a hostile program, in node and in
 * Python, must not read the campaign process's environment through /proc, /etc/shadow, the home
 * directory or a campaign directory; must not write outside its work directory; must not reach a TCP
 * listener on the host's 127.0.0.1; and must leave no process behind (setsid, double fork). The same
 * program in the unisolated sandbox does reach them (the cases can fail). The policy refuses
 * model-written code where bubblewrap is missing, unless allowed explicitly.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectDoctorReport, formatReport } from '../../../src/cli/doctor.js';
import { chooseSandbox } from '../../../src/sandbox/choose-sandbox.js';
import { findHostProgram } from '../../../src/sandbox/host-programs.js';
import { probeIsolation } from '../../../src/sandbox/isolation.js';
import { createProcessSandbox } from '../../../src/sandbox/process-sandbox.js';
import type { Sandbox, SandboxResult } from '../../../src/sandbox/types.js';
import { CONTRACT_LIMITS } from '../../contracts/sandbox.contract.js';

const isolation = await probeIsolation();
const requireIsolation = process.env.CLADE_REQUIRE_BWRAP === '1';
if (!isolation.available && !requireIsolation) {
  process.stderr.write(
    `sandbox isolation: bubblewrap unusable here (${isolation.reason}); the isolated cases are skipped\n`,
  );
}
const hostPython = await findHostProgram('python3');

const PLANTED_KEY = 'sk-isolation-planted-4c1d9e';
const LIMITS = { ...CONTRACT_LIMITS, timeoutMs: 20_000, memoryMb: 512 };

/** Processes on the host whose command line holds `token`. */
function hostProcessesWith(token: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
      const state = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (commandLine.includes(token) && !state.slice(state.lastIndexOf(')') + 2).startsWith('Z'))
        found.push(Number(entry));
    } catch {
      // Exited since the listing.
    }
  }
  return found;
}

/** The hostile node program: every probe's outcome as JSON in result.json. */
function hostileNode(targets: { campaignFile: string; hostFile: string; port: number; token: string }): string {
  return `
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
const attempt = (action) => { try { return { ok: true, value: String(action()).slice(0, 200) }; } catch (error) { return { ok: false, value: String(error.code ?? error.message) }; } };
const out = {};
out.parentEnviron = attempt(() => readFileSync('/proc/${process.pid}/environ', 'latin1'));
out.ownParentEnviron = attempt(() => readFileSync('/proc/' + process.ppid + '/environ', 'latin1'));
out.shadow = attempt(() => readFileSync('/etc/shadow', 'utf8'));
out.rootHome = attempt(() => readdirSync('/root').join(','));
out.campaign = attempt(() => readFileSync(${JSON.stringify(targets.campaignFile)}, 'utf8'));
out.writeHost = attempt(() => { writeFileSync(${JSON.stringify(targets.hostFile)}, 'written by the sandbox'); return 'written'; });
out.processes = readdirSync('/proc').filter((name) => /^\\d+$/.test(name)).length;
out.tcp = await new Promise((resolve) => {
  const socket = connect({ host: '127.0.0.1', port: ${targets.port} });
  socket.on('data', (data) => { resolve({ ok: true, value: String(data) }); socket.destroy(); });
  socket.on('error', (error) => resolve({ ok: false, value: error.code }));
  setTimeout(() => { resolve({ ok: false, value: 'no answer' }); socket.destroy(); }, 2000);
});
// A process that leaves the group and the session, and a double-forked one: both must be gone after the run.
spawn('setsid', ['sleep', '${targets.token}'], { detached: true, stdio: 'ignore' }).unref();
spawn('sh', ['-c', '(sleep ${targets.token}1 &) &'], { detached: true, stdio: 'ignore' }).unref();
await new Promise((resolve) => setTimeout(resolve, 300));
writeFileSync('result.json', JSON.stringify(out));
`;
}

interface Probes {
  parentEnviron: { ok: boolean; value: string };
  ownParentEnviron: { ok: boolean; value: string };
  shadow: { ok: boolean; value: string };
  rootHome: { ok: boolean; value: string };
  campaign: { ok: boolean; value: string };
  writeHost: { ok: boolean; value: string };
  processes: number;
  tcp: { ok: boolean; value: string };
}

describe('process sandbox isolation (bubblewrap)', () => {
  let server: Server;
  let port = 0;
  let campaignDirectory: string;
  let hostFile: string;

  beforeAll(async () => {
    process.env.CLADE_ISOLATION_PLANTED = PLANTED_KEY;
    server = createServer((socket) => socket.end('host-secret-service\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    campaignDirectory = await mkdtemp(join(tmpdir(), 'clade-isolation-campaign-'));
    await writeFile(join(campaignDirectory, 'archive.db'), 'campaign data');
    hostFile = join(campaignDirectory, 'written-from-sandbox');
  });

  afterAll(async () => {
    delete process.env.CLADE_ISOLATION_PLANTED;
    await new Promise((resolve) => server.close(resolve));
    await rm(campaignDirectory, { recursive: true, force: true });
  });

  async function runHostile(sandbox: Sandbox, token: string): Promise<{ result: SandboxResult; probes: Probes }> {
    const result = await sandbox.run({
      files: {
        'main.mjs': hostileNode({ campaignFile: join(campaignDirectory, 'archive.db'), hostFile, port, token }),
      },
      command: ['node', 'main.mjs'],
      resultFile: 'result.json',
      limits: LIMITS,
    });
    expect(result.resultError, result.stderr).toBeNull();
    return { result, probes: result.result as Probes };
  }

  it('reaches the host from the unisolated sandbox (what the isolated one must stop)', async () => {
    const sandbox = createProcessSandbox({ isolation: 'none' });
    const token = String(900_000 + Math.floor(Math.random() * 90_000));
    try {
      const { result, probes } = await runHostile(sandbox, token);
      expect(result.environment).toMatch(/\[unisolated\]$/);
      // /proc/<pid>/environ holds the environment the campaign process started with (its keys).
      expect(probes.parentEnviron).toEqual({
        ok: true,
        value: readFileSync(`/proc/${process.pid}/environ`, 'latin1').slice(0, 200),
      });
      expect(probes.campaign).toEqual({ ok: true, value: 'campaign data' });
      expect(probes.tcp).toEqual({ ok: true, value: 'host-secret-service\n' });
      expect(hostProcessesWith(token).length).toBeGreaterThan(0);
    } finally {
      for (const pid of [...hostProcessesWith(token)]) process.kill(pid, 'SIGKILL');
      await rm(hostFile, { force: true });
      await sandbox.close();
    }
  });

  it.runIf(isolation.available || requireIsolation)(
    'keeps a hostile node program from the host: keys, files, network and processes',
    async () => {
      const sandbox = createProcessSandbox({ isolation: 'bubblewrap' });
      const token = String(800_000 + Math.floor(Math.random() * 90_000));
      try {
        const { result, probes } = await runHostile(sandbox, token);
        expect(result.environment).toMatch(
          /^node → \S+ \(v\d+[^)]*\) \[bubblewrap [\d.]+: own user, mount, pid, ipc, uts, net namespaces\]$/,
        );
        expect(JSON.stringify(result)).not.toContain(PLANTED_KEY);
        expect(probes.parentEnviron.ok).toBe(false);
        expect(probes.ownParentEnviron.value).not.toContain(PLANTED_KEY);
        expect(probes.shadow.ok).toBe(false);
        expect(probes.rootHome.ok && probes.rootHome.value.includes('.ssh')).toBe(false);
        expect(probes.campaign.ok).toBe(false);
        expect(probes.writeHost.ok).toBe(false);
        expect(() => readFileSync(hostFile)).toThrow();
        // Its own /proc: bubblewrap's init, the program, and what it started.
        expect(probes.processes).toBeLessThan(10);
        expect(probes.tcp.ok).toBe(false);
        // Nothing survives the run: not the setsid process, not the double-forked one.
        expect(hostProcessesWith(token)).toEqual([]);
        expect(hostProcessesWith(`${token}1`)).toEqual([]);
      } finally {
        for (const pid of [...hostProcessesWith(token)]) process.kill(pid, 'SIGKILL');
        await sandbox.close();
      }
    },
  );

  it.runIf((isolation.available || requireIsolation) && hostPython !== null)(
    'runs a Python program with numpy from its interpreter prefix, and nothing of /root besides it',
    async () => {
      const sandbox = createProcessSandbox({ isolation: 'bubblewrap' });
      try {
        const result = await sandbox.run({
          files: {
            'main.py': `
import json, os, numpy
home = os.path.expanduser('~')
entries = {}
for path in ['/root', '/home', '/etc', '/']:
    try:
        entries[path] = sorted(os.listdir(path))
    except OSError as error:
        entries[path] = str(error)
json.dump({'sum': float(numpy.arange(4).sum()), 'entries': entries, 'uid': os.getuid()}, open('result.json', 'w'))
`,
          },
          command: ['python3', 'main.py'],
          resultFile: 'result.json',
          limits: LIMITS,
        });
        expect(result.resultError, result.stderr).toBeNull();
        const output = result.result as { sum: number; entries: Record<string, string[] | string>; uid: number };
        expect(output.sum).toBe(6);
        expect(output.uid).toBe(65534);
        expect(result.environment).toMatch(/^python3 → \S+ \(Python 3[^)]*\) \[bubblewrap /);
        // Only the interpreter's prefix is there: no .ssh, no shell history, no other version.
        if (Array.isArray(output.entries['/root'])) {
          expect(output.entries['/root'].filter((name) => name !== '.pyenv')).toEqual([]);
        }
        const etc = output.entries['/etc'];
        expect(Array.isArray(etc) ? etc.filter((name) => !/^(ld\.so\.|alternatives$)/.test(name)) : []).toEqual([]);
      } finally {
        await sandbox.close();
      }
    },
  );

  it.runIf(isolation.available || requireIsolation)(
    'still enforces the time limit and the memory cap inside bubblewrap',
    async () => {
      const sandbox = createProcessSandbox({ isolation: 'bubblewrap' });
      try {
        const slow = await sandbox.run({
          files: { 'main.mjs': 'setInterval(() => {}, 1000);' },
          command: ['node', 'main.mjs'],
          resultFile: 'result.json',
          limits: { ...LIMITS, timeoutMs: 1_500 },
        });
        expect(slow.exit).toBe('timeout');
        const hungry = await sandbox.run({
          files: {
            'main.mjs': `import { spawn } from 'node:child_process';
spawn(process.execPath, ['-e', 'const b = []; setInterval(() => b.push(Buffer.alloc(32 * 1024 * 1024, 1)), 20)'], { stdio: 'inherit' });
setInterval(() => {}, 1000);`,
          },
          command: ['node', 'main.mjs'],
          resultFile: 'result.json',
          limits: { ...LIMITS, memoryMb: 128, timeoutMs: 15_000 },
        });
        expect(hungry.exit).toBe('memory');
        const crashed = await sandbox.run({
          files: { 'main.mjs': "process.kill(process.pid, 'SIGSEGV');" },
          command: ['node', 'main.mjs'],
          resultFile: 'result.json',
          limits: LIMITS,
        });
        expect(crashed).toMatchObject({ exit: 'exited', exitCode: null, signal: 'SIGSEGV' });
      } finally {
        await sandbox.close();
      }
    },
  );

  it.runIf(isolation.available || requireIsolation)(
    'takes the whole sandbox down, setsid processes included, with a kill -9 of the campaign process',
    async () => {
      const bundleDirectory = await mkdtemp(join(tmpdir(), 'clade-isolation-bundle-'));
      const token = String(400_000_000 + Math.floor(Math.random() * 90_000_000));
      try {
        const esbuild = await import('esbuild');
        const driver = join(bundleDirectory, 'process-sandbox.mjs');
        await esbuild.build({
          entryPoints: [join(process.cwd(), 'src/sandbox/process-sandbox.ts')],
          bundle: true,
          platform: 'node',
          format: 'esm',
          target: 'node20',
          outfile: driver,
          logLevel: 'silent',
        });
        const program = `import { spawn } from 'node:child_process';
spawn('setsid', ['sleep', '${token}'], { stdio: 'ignore' }).unref();
setInterval(() => {}, ${token});`;
        const hostScript = `
          const { createProcessSandbox } = await import(${JSON.stringify(driver)});
          await createProcessSandbox({ isolation: 'bubblewrap' }).run({
            files: { 'main.mjs': ${JSON.stringify(program)} },
            command: ['node', 'main.mjs'],
            resultFile: 'result.json',
            limits: ${JSON.stringify({ ...LIMITS, timeoutMs: 600_000 })},
          });`;
        const { spawn } = await import('node:child_process');
        const host = spawn(process.execPath, ['--input-type=module', '-e', hostScript], { stdio: 'ignore' });
        const deadline = Date.now() + 15_000;
        while (hostProcessesWith(token).length < 2 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(hostProcessesWith(token).length).toBe(2);
        host.kill('SIGKILL');
        await new Promise((resolve) => host.on('close', resolve));
        const gone = Date.now() + 5_000;
        while (hostProcessesWith(token).length > 0 && Date.now() < gone) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(hostProcessesWith(token)).toEqual([]);
      } finally {
        for (const pid of hostProcessesWith(token)) process.kill(pid, 'SIGKILL');
        await rm(bundleDirectory, { recursive: true, force: true });
      }
    },
  );

  it.runIf(isolation.available || requireIsolation)(
    "binds a script's interpreter too (a #! script outside /usr)",
    async () => {
      const directory = await mkdtemp(join(tmpdir(), 'clade-isolation-interpreter-'));
      const sandbox = createProcessSandbox({
        isolation: 'bubblewrap',
        searchPath: `${join(directory, 'tools', 'bin')}:/usr/bin:/bin`,
      });
      try {
        const { mkdir, copyFile, chmod } = await import('node:fs/promises');
        await mkdir(join(directory, 'runtime', 'bin'), { recursive: true });
        await mkdir(join(directory, 'tools', 'bin'), { recursive: true });
        await copyFile('/bin/sh', join(directory, 'runtime', 'bin', 'mysh'));
        await chmod(join(directory, 'runtime', 'bin', 'mysh'), 0o755);
        await writeFile(
          join(directory, 'tools', 'bin', 'greet'),
          `#!${join(directory, 'runtime', 'bin', 'mysh')}\necho '"hello"' > result.json\n`,
          { mode: 0o755 },
        );
        const result = await sandbox.run({ files: {}, command: ['greet'], resultFile: 'result.json', limits: LIMITS });
        expect(result.resultError, result.stderr).toBeNull();
        expect(result.result).toBe('hello');
      } finally {
        await sandbox.close();
        await rm(directory, { recursive: true, force: true });
      }
    },
  );

  it('refuses model-written code in a process sandbox that cannot isolate, unless allowed', async () => {
    const missing = () => probeIsolation({ searchPath: '/nonexistent' });
    const llm = { runsModelCode: true, codeSource: 'mutation.operator llm-diff', probeIsolation: missing };
    await expect(chooseSandbox({ kind: 'process' }, llm)).rejects.toMatchObject({
      code: 'SANDBOX_UNAVAILABLE',
      message: expect.stringMatching(
        /mutation\.operator llm-diff runs model-written code.*bwrap is not on PATH.*--unsafe-process-sandbox/s,
      ),
    });
    // A worker does not know what wrote its jobs: the same refusal.
    await expect(
      chooseSandbox({ kind: 'process' }, { runsModelCode: true, codeSource: 'clade worker', probeIsolation: missing }),
    ).rejects.toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
    // Allowed explicitly: it runs, loudly, and says so on its first line and in every environment.
    const warnings: string[] = [];
    const infos: string[] = [];
    const unsafe = await chooseSandbox(
      { kind: 'process', allowUnisolated: true },
      { ...llm, warn: (line) => warnings.push(line), info: (line) => infos.push(line) },
    );
    await unsafe.close();
    expect(warnings.join('\n')).toContain('UNISOLATED process sandbox');
    expect(infos).toEqual([expect.stringMatching(/^sandbox: process \(NOT isolated: bwrap is not on PATH/)]);
    // The offline parametric mutator's code may run unisolated, with the warning.
    const offline: string[] = [];
    const parametric = await chooseSandbox(
      { kind: 'process' },
      {
        runsModelCode: false,
        codeSource: 'mutation.operator parametric',
        probeIsolation: missing,
        warn: (line) => offline.push(line),
      },
    );
    await parametric.close();
    expect(offline.join('\n')).toContain('UNISOLATED process sandbox');
    if (isolation.available) {
      // Where bubblewrap works, the process kind isolates and so takes model-written code.
      const lines: string[] = [];
      const sandbox = await chooseSandbox(
        { kind: 'process' },
        { runsModelCode: true, codeSource: 'mutation.operator llm-diff', info: (line) => lines.push(line) },
      );
      await sandbox.close();
      expect(lines).toEqual([
        expect.stringMatching(
          /^sandbox: process \(isolated by bubblewrap [\d.]+: own user, mount, pid, ipc, uts, net namespaces/,
        ),
      ]);
    }
  });
});

/** `clade doctor`'s view is the same probe: which isolation, from the machine's bwrap. */
describe('isolation probe', () => {
  it('is what clade doctor reports for the process sandbox', async () => {
    const report = await collectDoctorReport();
    expect(report.sandboxes.process.isolated).toBe(isolation.available);
    const line = formatReport(report)
      .split('\n')
      .find((text) => text.startsWith('  process  '));
    expect(line).toMatch(
      isolation.available
        ? /^ {2}process {2}isolated +isolated by bubblewrap [\d.]+ \(own user, mount, pid, ipc, uts and network namespaces\)/
        : /^ {2}process {2}UNISOLATED +NOT isolated/,
    );
  }, 60_000);

  it('names bwrap and its version when it works, and says why not when it is not on PATH', async () => {
    const missing = await probeIsolation({ searchPath: '/nonexistent' });
    expect(missing).toMatchObject({ available: false, reason: expect.stringContaining('bwrap is not on PATH') });
    if (isolation.available) {
      expect(isolation.version).toBe(execFileSync(isolation.path, ['--version'], { encoding: 'utf8' }).trim());
    }
  });
});
