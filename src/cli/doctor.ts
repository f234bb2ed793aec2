/**
 * @module `clade doctor`: what this machine can run. The Docker engine (reachable? version),
 * whether GPUs can be passed to containers, the sandbox image (digest, harness label), the node
 * version, which sandboxes are usable, each with what to do when it is not, and which language
 * runtimes (node, python3 with numpy/scipy, cc/gcc, rustc) each sandbox has.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Command } from 'commander';
import { describeError } from '../core/errors.js';
import { HARNESS_VERSION } from '../harness/types.js';
import { type Cec2022DataStatus, describeCec2022Data } from '../numeric/cec2022/data-directory.js';
import { describeTensorBackends, type TensorBackendInfo } from '../numeric/tensor/index.js';
import {
  connectDocker,
  engineAddress,
  inspectSandboxImage,
  probeEngine,
  SANDBOX_IMAGE,
} from '../sandbox/docker-engine.js';
import { describeIsolation, probeIsolation } from '../sandbox/isolation.js';
import { dockerRuntimes, formatRuntime, processRuntimes, type RuntimeInfo } from '../sandbox/runtimes.js';

/** The report `clade doctor --json` prints. */
export interface DoctorReport {
  node: { version: string; path: string };
  docker: {
    address: string;
    reachable: boolean;
    version: string | null;
    apiVersion: string | null;
    reason: string | null;
    runtimes: string[];
  };
  gpus: { devicesPresent: boolean; nvidiaRuntime: boolean; passThrough: boolean; note: string };
  image: {
    name: string;
    present: boolean;
    digest: string | null;
    harnessVersion: string | null;
    nodeVersion: string | null;
    /** The shell agents get at `/bin/sh` (label `clade.shell`), or null: coding agents then cannot run commands. */
    shell: string | null;
    /** The image's python3 (label `clade.python-version`), or null. */
    pythonVersion: string | null;
    /** Image size in bytes, or null when missing. */
    sizeBytes: number | null;
    matchesHarness: boolean;
  };
  sandboxes: {
    /**
     * `isolated`: whether bubblewrap isolates process-sandbox runs here (`isolation` names it and its
     * namespaces, or says why not); without it model-written code needs Docker or `--unsafe-process-sandbox`.
     */
    process: { usable: true; isolated: boolean; isolation: string; note: string };
    docker: { usable: boolean; note: string };
  };
  /**
   * Language runtimes each sandbox has: process from the host's PATH, docker from running them in
   * the image (null when the Docker sandbox is not usable; `dockerError` says why a probe failed).
   */
  runtimes: { process: RuntimeInfo[]; docker: RuntimeInfo[] | null; dockerError: string | null };
  /** Backends for batched function evaluation (src/numeric/tensor). */
  tensorBackends: TensorBackendInfo[];
  /** Benchmark data sets (CEC2022: where its files are looked for, which are there). */
  data: { cec2022: Cec2022DataStatus };
}

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((directory) => directory !== '' && existsSync(join(directory, binary)));
}

/** Collects the report (never throws for a missing engine or image). */
export async function collectDoctorReport(): Promise<DoctorReport> {
  const docker = connectDocker();
  const probe = await probeEngine(docker);
  const image = probe.reachable ? await inspectSandboxImage(docker).catch(() => null) : null;
  const devicesPresent = existsSync('/dev/nvidiactl') || existsSync('/dev/nvidia0');
  const nvidiaRuntime =
    (probe.reachable && probe.runtimes.includes('nvidia')) ||
    onPath('nvidia-container-runtime-hook') ||
    onPath('nvidia-container-runtime');
  const passThrough = probe.reachable && devicesPresent && nvidiaRuntime;
  const matchesHarness = image?.harnessVersion === HARNESS_VERSION;
  const dockerUsable = probe.reachable && image !== null && matchesHarness;
  const tensorBackends = await describeTensorBackends();
  const isolation = await probeIsolation();
  let dockerError: string | null = null;
  const [processList, dockerList] = await Promise.all([
    processRuntimes(),
    dockerUsable
      ? dockerRuntimes(docker).catch((error: unknown) => {
          dockerError = describeError(error);
          return null;
        })
      : Promise.resolve(null),
  ]);
  const runtimes = { process: processList, docker: dockerList, dockerError };
  return {
    tensorBackends,
    data: { cec2022: describeCec2022Data() },
    node: { version: process.version, path: process.execPath },
    docker: {
      address: engineAddress(),
      reachable: probe.reachable,
      version: probe.reachable ? probe.version : null,
      apiVersion: probe.reachable ? probe.apiVersion : null,
      reason: probe.reachable ? null : probe.reason,
      runtimes: probe.reachable ? probe.runtimes : [],
    },
    gpus: {
      devicesPresent,
      nvidiaRuntime,
      passThrough,
      note: passThrough
        ? 'sandbox.gpus can pass NVIDIA GPUs to containers'
        : !devicesPresent
          ? 'no NVIDIA device on this machine: sandbox.gpus must stay 0'
          : 'NVIDIA devices present but no NVIDIA Container Toolkit: install it and restart dockerd to use sandbox.gpus',
    },
    image: {
      name: SANDBOX_IMAGE,
      present: image !== null,
      digest: image?.digest ?? null,
      harnessVersion: image?.harnessVersion ?? null,
      nodeVersion: image?.nodeVersion ?? null,
      shell: image?.shell ?? null,
      pythonVersion: image?.pythonVersion ?? null,
      sizeBytes: image?.sizeBytes ?? null,
      matchesHarness,
    },
    runtimes,
    sandboxes: {
      process: {
        usable: true,
        isolated: isolation.available,
        isolation: describeIsolation(isolation),
        note: isolation.available
          ? `isolated by ${isolation.version} (own user, mount, pid, ipc, uts and network namespaces): model-written code may run in it`
          : `NOT isolated (${isolation.reason}): only the parametric mutator's code runs in it, model-written code needs Docker or --unsafe-process-sandbox`,
      },
      docker: {
        usable: dockerUsable,
        note: dockerUsable
          ? 'ready: `sandbox.kind: auto` uses it'
          : !probe.reachable
            ? 'start a Docker engine (`dockerd &` as root, or Docker Desktop) or set DOCKER_HOST'
            : image === null
              ? 'build the image: `clade sandbox build --offline`'
              : `the image is for harness ${image.harnessVersion ?? '(none)'}, this clade needs ${HARNESS_VERSION}: \`clade sandbox build --offline\``,
      },
    },
  };
}

export function formatReport(report: DoctorReport): string {
  const mark = (ok: boolean): string => (ok ? 'ok  ' : 'no  ');
  const { docker, image, gpus, sandboxes } = report;
  const lines = [
    `${mark(true)}node          ${report.node.version} (${report.node.path})`,
    docker.reachable
      ? `${mark(true)}docker engine ${docker.version} (API ${docker.apiVersion}) at ${docker.address}; runtimes: ${docker.runtimes.join(', ') || 'none'}`
      : `${mark(false)}docker engine not reachable: ${docker.reason}`,
    image.present
      ? `${mark(image.matchesHarness)}image         ${image.name} ${image.digest} (harness ${image.harnessVersion ?? '?'}, node ${image.nodeVersion ?? '?'}, python ${image.pythonVersion ?? 'none'}, ${image.sizeBytes !== null ? `${(image.sizeBytes / 1024 / 1024).toFixed(0)} MiB` : 'size ?'})`
      : `${mark(false)}image         ${image.name} missing${docker.reachable ? '' : ' (no engine to ask)'}`,
    ...(image.present
      ? [
          image.shell
            ? `${mark(true)}shell         ${image.shell} at /bin/sh in the image (coding agents' shell commands)`
            : `${mark(false)}shell         none in the image: coding agents cannot run shell commands; install busybox-static and \`clade sandbox build --offline\``,
        ]
      : []),
    `${mark(gpus.passThrough)}gpus          ${gpus.note}`,
    '',
    'Sandboxes:',
    `  process  ${sandboxes.process.isolated ? 'isolated    ' : 'UNISOLATED  '} ${sandboxes.process.note}`,
    `  docker   ${sandboxes.docker.usable ? 'usable      ' : 'not usable  '} ${sandboxes.docker.note}`,
    '',
    'Runtimes (what a sandboxed command can run):',
    ...report.runtimes.process.map(
      (runtime, index) =>
        `  ${index === 0 ? 'process' : '       '}  ${mark(runtime.present)}${runtime.name.padEnd(8)} ${formatRuntime(runtime)}`,
    ),
    ...(report.runtimes.docker === null
      ? [
          `  docker   ${report.runtimes.dockerError !== null ? `could not probe the image: ${report.runtimes.dockerError}` : 'not usable (see above)'}`,
        ]
      : report.runtimes.docker.map(
          (runtime, index) =>
            `  ${index === 0 ? 'docker ' : '       '}  ${mark(runtime.present)}${runtime.name.padEnd(8)} ${formatRuntime(runtime)}`,
        )),
    '',
    'Tensor backends (batched evaluation: built-in functions, CEC2022 F1–F12):',
    ...report.tensorBackends.map(
      (backend) =>
        `  ${backend.name.padEnd(14)} ${backend.available ? 'usable    ' : 'not usable'} ${backend.precision}  ${backend.detail.split('\n')[0]}`,
    ),
    '',
    'Data sets:',
    `  ${mark(report.data.cec2022.present === 42 && report.data.cec2022.modified.length === 0)}cec2022  ${report.data.cec2022.note}`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/** `clade doctor`. */
export async function doctorCommand(flags: { json?: boolean }): Promise<void> {
  const report = await collectDoctorReport();
  if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(formatReport(report));
}

/** Registers `clade doctor`. */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      'Check what this machine can run: the Docker engine and its version, GPU pass-through, the sandbox image and its harness label, node, which sandboxes are usable, and which runtimes (node, python3 with numpy/scipy, cc, gcc, rustc) each sandbox has.',
    )
    .option('--json', 'print the report as JSON')
    .action(doctorCommand);
}
