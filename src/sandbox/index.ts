/**
 * @module The sandbox area: the `Sandbox` plug-in point, its drivers (`process`, `docker`,
 * `queue`), their registry and the sandbox policy, the shared driver helpers, the Docker image.
 */

export type { ChooseSandboxOptions, SandboxSection } from './choose-sandbox.js';
export { chooseSandbox, queueExecutorSandbox, sandboxKindOfEnvironment } from './choose-sandbox.js';
export type { CollectedFiles, CollectRequest } from './collect-files.js';
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
export type { ProgramEnding } from './driver-kit.js';
export {
  abortedBeforeStart,
  looksLikeHeapOutOfMemory,
  makeWorkDirectory,
  OutputCapture,
  readResultFile,
  removeTree,
  validateRequest,
  withNodeHeapLimit,
  writeRequestFiles,
} from './driver-kit.js';
export type { FindHostProgramOptions, HostProgram } from './host-programs.js';
export { describeHostProgram, findHostProgram, formatHostProgram, hostProgramVersion } from './host-programs.js';
export type { ImagePython } from './image-python.js';
export { DEFAULT_IMAGE_PYTHON_PACKAGES } from './image-python.js';
export type { ProcessSandboxOptions } from './process-sandbox.js';
export { createProcessSandbox } from './process-sandbox.js';
export type { EvaluationJobData, EvaluationJobResult } from './queue-protocol.js';
export { DEFAULT_QUEUE_NAME } from './queue-protocol.js';
export type { QueueSandboxOptions } from './queue-sandbox.js';
export { createQueueSandbox } from './queue-sandbox.js';
export type { QueueWorkerHandle, QueueWorkerOptions } from './queue-worker.js';
export { startQueueWorker } from './queue-worker.js';
export type { QueueSettings, SandboxKind, SandboxRuntime, SandboxSettings } from './registry.js';
export {
  dockerSandboxKind,
  processSandboxKind,
  queueSandboxKind,
  sandboxKinds,
  selectableSandboxKinds,
} from './registry.js';
export type { RuntimeInfo } from './runtimes.js';
export { dockerRuntimes, formatRuntime, PROBED_RUNTIMES, processRuntimes } from './runtimes.js';
export type { Sandbox, SandboxExit, SandboxLimits, SandboxRequest, SandboxResult } from './types.js';
export { TRUNCATION_MARKER } from './types.js';
