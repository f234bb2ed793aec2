/**
 * @module The sandbox area: the `Sandbox` plug-in point, the `process` driver, the in-sandbox
 * harness bundle and agent bundling.
 */

export type { BundleAgentOptions, BundleAgentResult } from './bundle-agent.js';
export { bundleAgent } from './bundle-agent.js';
export type { EngineProbe, PruneReport, SandboxImageInfo } from './docker-engine.js';
export {
  CONTAINER_LABEL,
  connectDocker,
  inspectSandboxImage,
  probeEngine,
  pruneSandboxes,
  SANDBOX_IMAGE,
} from './docker-engine.js';
export type { BuildImageOptions } from './docker-image.js';
export { buildImageFromDockerfile, buildOfflineImage } from './docker-image.js';
export type { DockerSandboxOptions } from './docker-sandbox.js';
export { createDockerSandbox } from './docker-sandbox.js';
export {
  buildHarnessFromSources,
  HARNESS_AGENT_FILE,
  HARNESS_ENTRY_FILE,
  HARNESS_INPUT_FILE,
  HARNESS_RESULT_FILE,
  HARNESS_VERSION,
  loadHarness,
} from './harness.js';
export type { ProcessSandboxOptions } from './process-sandbox.js';
export { createProcessSandbox } from './process-sandbox.js';
export type { EvaluationJobData, EvaluationJobResult } from './queue-protocol.js';
export { DEFAULT_QUEUE_NAME } from './queue-protocol.js';
export type { QueueSandboxOptions } from './queue-sandbox.js';
export { createQueueSandbox } from './queue-sandbox.js';
export type { QueueWorkerHandle, QueueWorkerOptions } from './queue-worker.js';
export { startQueueWorker } from './queue-worker.js';
export type { Sandbox, SandboxExit, SandboxLimits, SandboxRequest, SandboxResult } from './types.js';
export { TRUNCATION_MARKER } from './types.js';
