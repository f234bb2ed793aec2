/**
 * @module The harness area: the node harness's protocol (file names, version, input and output),
 * loading its bundle, bundling agents, running it in a sandbox and reading the result back, and the
 * host's re-check of reported values.
 */

export type { AgentBundler, BundleAgentOptions, BundleAgentResult } from './bundle-agent.js';
export { bundleAgent } from './bundle-agent.js';
export { buildHarnessFromSources, loadHarness } from './load-harness.js';
export { REPORTED_VALUE_TOLERANCE, reportedValueMatches } from './recheck.js';
export type { HarnessRunOptions, HarnessRunResult, RunHarnessOptions } from './run-harness.js';
export {
  EvaluationAbortedError,
  harnessJobResult,
  harnessRequest,
  readHarnessOutput,
  readHarnessRun,
  runHarness,
} from './run-harness.js';
export type { AbnormalEnding } from './sandbox-exit.js';
export { abnormalEnding, exitDescription, OUTPUT_TAIL_CHARS, outputTail } from './sandbox-exit.js';
export type { HarnessInput, HarnessJobResult, HarnessOutput } from './types.js';
export {
  HARNESS_AGENT_FILE,
  HARNESS_ENTRY_FILE,
  HARNESS_INPUT_FILE,
  HARNESS_RESULT_FILE,
  HARNESS_VERSION,
} from './types.js';
