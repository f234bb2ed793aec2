/**
 * @module `clade sandbox build [--offline]` and `clade sandbox prune`: the Docker sandbox image
 * and the containers and work directories that crashed campaigns left behind.
 */
import type { Command } from 'commander';
import { CladeError } from '../core/errors.js';
import { connectDocker, probeEngine, pruneSandboxes, SANDBOX_IMAGE } from '../sandbox/docker-engine.js';
import { buildImageFromDockerfile, buildOfflineImage } from '../sandbox/docker-image.js';

interface BuildFlags {
  offline?: boolean;
  tag?: string;
  node?: string;
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
  const options = {
    docker,
    name: flags.tag ?? SANDBOX_IMAGE,
    log,
    ...(flags.node ? { nodeBinary: flags.node } : {}),
  };
  const started = performance.now();
  const image = flags.offline ? await buildOfflineImage(options) : await buildImageFromDockerfile(options);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...image, seconds: Number(seconds) })}\n`);
  } else {
    process.stderr.write(
      `Built ${image.name} in ${seconds} s: ${image.digest}, harness ${image.harnessVersion ?? '?'}, node ${image.nodeVersion ?? '?'}, shell ${image.shell ?? 'none (install busybox-static for one)'}.\n` +
        'Campaigns with `sandbox.kind: auto` or `--sandbox docker` now run in it; `clade doctor` confirms.\n',
    );
  }
}

/** `clade sandbox prune`. */
export async function sandboxPruneCommand(flags: PruneFlags): Promise<void> {
  const docker = await reachableDocker();
  const report = await pruneSandboxes(docker, { all: flags.all === true });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  process.stderr.write(
    `Removed ${report.containers.length} container(s)${report.containers.length ? ` (${report.containers.join(', ')})` : ''} and ${report.directories.length} work directory(ies).\n`,
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
      `Build the sandbox image ${SANDBOX_IMAGE}. Default: from sandbox/Dockerfile (pulls node:20-slim). --offline: from this machine's node binary and the libraries it links, with no registry.`,
    )
    .option('--offline', 'make the image from the host node binary (docker import); no registry needed')
    .option('--tag <name>', `image tag (default ${SANDBOX_IMAGE})`)
    .option('--node <path>', 'node binary for --offline (default: the node running clade)')
    .option('--json', 'print the image (name, digest, labels) as JSON on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  clade sandbox build --offline   # no network needed (Linux)\n  clade sandbox build             # where Docker Hub can be reached\n  clade doctor                    # check the engine and the image',
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
