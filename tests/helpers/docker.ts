/**
 * @module Whether the Docker tests can run here: an engine answers and the sandbox image exists.
 * Suites skip with the reason otherwise, except under `CLADE_REQUIRE_DOCKER=1` (set by `.ci/run`
 * after it started an engine and built the image), where skipping is a failure.
 */
import type Docker from 'dockerode';
import {
  connectDocker,
  type EngineProbe,
  inspectSandboxImage,
  probeEngine,
  type SandboxImageInfo,
} from '../../src/sandbox/docker-engine.js';

/** What a Docker suite needs to know before it defines its tests. */
export interface DockerForTests {
  docker: Docker;
  /** What the engine answered (runtimes, version), or why it did not. */
  probe: EngineProbe;
  /** The sandbox image, or null when it is missing. */
  image: SandboxImageInfo | null;
  /** Why the suite must skip, or null when Docker is ready. */
  skipReason: string | null;
}

/**
 * Probes the engine and the image once. `suite` names the suite in the skip message on stderr.
 *
 * @throws Error when Docker is not ready and `CLADE_REQUIRE_DOCKER` is `1`.
 */
export async function dockerForTests(suite: string): Promise<DockerForTests> {
  const docker = connectDocker();
  const probe = await probeEngine(docker);
  const image = probe.reachable ? await inspectSandboxImage(docker) : null;
  const skipReason = !probe.reachable
    ? `no Docker engine: ${probe.reason}`
    : image === null
      ? 'the sandbox image is missing (run `clade sandbox build --offline`)'
      : null;
  if (skipReason !== null) {
    process.stderr.write(`${suite} skipped: ${skipReason}\n`);
    if (process.env.CLADE_REQUIRE_DOCKER === '1') throw new Error(`The Docker tests must run here, but ${skipReason}`);
  }
  return { docker, probe, image, skipReason };
}
