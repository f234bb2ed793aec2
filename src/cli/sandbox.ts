/**
 * @module `clade sandbox build [--offline]` and `clade sandbox prune`: the Docker sandbox image
 * and the containers and work directories that crashed campaigns left behind.
 */
import type { Command } from 'commander';
import { CladeError } from '../core/errors.js';
import { connectDocker, probeEngine, pruneSandboxes, SANDBOX_IMAGE } from '../sandbox/docker-engine.js';
import { buildImageFromDockerfile, buildOfflineImage } from '../sandbox/docker-image.js';
import { pruneProcessWorkDirectories } from '../sandbox/prune-process.js';

interface BuildFlags {
  offline?: boolean;
  tag?: string;
  node?: string;
  /** `--python [path]`: true (the host's python3) or a path; `--no-python`: false. */
  python?: boolean | string;
  pythonPackages?: string;
  dockerfile?: string;
  json?: boolean;
}

interface PruneFlags {
  all?: boolean;
  json?: boolean;
}

async function reachableDocker() {
  const docker = connectDocker();
  const probe = await probeEngine(docker);
  if (!probe.reachable) {
    throw new CladeError(
      'SANDBOX_UNAVAILABLE',
      `No Docker engine answers at ${probe.reason}. Start it (\`dockerd &\` as root, or Docker Desktop) or set DOCKER_HOST; \`clade doctor\` shows what is missing.`,
    );
  }
  return docker;
}

/** `clade sandbox build`. */
export async function sandboxBuildCommand(flags: BuildFlags): Promise<void> {
  const docker = await reachableDocker();
  const log = (line: string): void => {
    if (!flags.json) process.stderr.write(`${line}\n`);
  };
  if (flags.dockerfile !== undefined && flags.offline) {
    throw new CladeError(
      'USAGE',
      '--dockerfile builds with a registry (docker build); --offline builds without one from this machine. Use one of them.',
    );
  }
  if (flags.dockerfile !== undefined && flags.tag === undefined) {
    throw new CladeError(
      'USAGE',
      `--dockerfile ${flags.dockerfile} needs --tag NAME (your image, not ${SANDBOX_IMAGE}); then set sandbox.image: NAME in the campaign file.`,
    );
  }
  if (!flags.offline && (flags.python !== undefined || flags.pythonPackages !== undefined)) {
    throw new CladeError(
      'USAGE',
      '--python, --no-python and --python-packages apply to --offline builds; a Dockerfile installs Python itself.',
    );
  }
  const options = {
    docker,
    name: flags.tag ?? SANDBOX_IMAGE,
    log,
    ...(flags.node ? { nodeBinary: flags.node } : {}),
    ...(flags.python === false ? { python: null } : typeof flags.python === 'string' ? { python: flags.python } : {}),
    ...(flags.python === true ? { python: 'python3' } : {}),
    ...(flags.pythonPackages !== undefined
      ? {
          pythonPackages: flags.pythonPackages
            .split(',')
            .map((name) => name.trim())
            .filter((name) => name !== ''),
        }
      : {}),
    ...(flags.dockerfile !== undefined ? { dockerfile: flags.dockerfile } : {}),
  };
  const started = performance.now();
  const image = flags.offline ? await buildOfflineImage(options) : await buildImageFromDockerfile(options);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...image, seconds: Number(seconds) })}\n`);
  } else {
    process.stderr.write(
      `Built ${image.name} in ${seconds} s: ${image.digest}, ${(image.sizeBytes / 1024 / 1024).toFixed(0)} MiB, harness ${image.harnessVersion ?? 'none'}, node ${image.nodeVersion ?? '?'}, python ${image.pythonVersion ?? 'none'}, shell ${image.shell ?? 'none (install busybox-static for one)'}.\n` +
        (flags.dockerfile !== undefined
          ? `Set \`sandbox.image: ${image.name}\` in a campaign file to run its evaluations in it; \`clade doctor\` lists what it holds.\n`
          : 'Campaigns with `sandbox.kind: auto` or `--sandbox docker` now run in it; `clade doctor` confirms.\n'),
    );
  }
}

/** `clade sandbox prune`. */
export async function sandboxPruneCommand(flags: PruneFlags): Promise<void> {
  // The process sandbox's leftovers need no Docker; Docker's are pruned when an engine answers.
  const processReport = await pruneProcessWorkDirectories({ all: flags.all === true });
  const docker = connectDocker();
  const probe = await probeEngine(docker);
  const dockerReport = probe.reachable
    ? await pruneSandboxes(docker, { all: flags.all === true })
    : { containers: [], directories: [] };
  const report = {
    containers: dockerReport.containers,
    directories: [...dockerReport.directories, ...processReport.directories],
    inUse: processReport.inUse,
    docker: probe.reachable,
  };
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  process.stderr.write(
    `Removed ${report.containers.length} container(s)${report.containers.length ? ` (${report.containers.join(', ')})` : ''} and ${report.directories.length} work directory(ies)${processReport.directories.length > 0 ? ` (${processReport.directories.length} of the process sandbox)` : ''}${report.inUse.length > 0 ? `; left ${report.inUse.length} in use` : ''}.${probe.reachable ? '' : ' No Docker engine answers, so no container was looked at.'}\n`,
  );
}

/** Registers `clade sandbox` and its subcommands. */
export function registerSandboxCommand(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description('Manage the Docker sandbox: build its image, remove leftover containers.');
  sandbox
    .command('build')
    .description(
      `Build the sandbox image ${SANDBOX_IMAGE}. Default: from sandbox/Dockerfile (pulls node:20-slim). --offline: from this machine's node binary and the libraries it links, busybox, and this machine's python3 with numpy and scipy when it has them, with no registry. --dockerfile PATH --tag NAME: your own image (then sandbox.image: NAME).`,
    )
    .option('--offline', 'make the image from the host node binary (docker import); no registry needed')
    .option('--tag <name>', `image tag (default ${SANDBOX_IMAGE}; required with --dockerfile)`)
    .option('--node <path>', 'node binary for --offline (default: the node running clade)')
    .option(
      '--python [path]',
      "--offline: put this python3 (default: the host's python3 on PATH) with --python-packages into the image; fail if it cannot import them",
    )
    .option('--no-python', '--offline: leave Python out of the image')
    .option('--python-packages <names>', '--offline: comma-separated packages copied with Python (default numpy,scipy)')
    .option(
      '--dockerfile <path>',
      'build your own image from this Dockerfile (its directory is the context; needs a registry)',
    )
    .option('--json', 'print the image (name, digest, labels) as JSON on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  clade sandbox build --offline                 # no network needed (Linux); adds python3+numpy+scipy when the host has them\n  clade sandbox build --offline --no-python     # node and busybox only\n  clade sandbox build                           # where Docker Hub can be reached\n  clade sandbox build --dockerfile my/Dockerfile --tag my-eval:1   # then sandbox.image: my-eval:1\n  clade doctor                                  # check the engine, the image and its runtimes',
    )
    .action(sandboxBuildCommand);
  sandbox
    .command('prune')
    .description(
      'Remove sandbox containers and work directories left by clade processes that are gone (a crash, kill -9). --all also removes those of running campaigns.',
    )
    .option('--all', 'remove every clade sandbox container, including those of running campaigns')
    .option('--json', 'print {"containers","directories"} on stdout')
    .action(sandboxPruneCommand);
}
