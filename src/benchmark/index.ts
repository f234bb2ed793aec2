/**
 * @module The benchmark area (above `tasks/`): benchmark protocols (CEC2022's, the built-in
 * functions') run in sandboxes through the node harness, with statistics and tables that compare
 * with published results. Used by `clade bench`.
 */

export { createCec2022ProtocolSuite } from './cec2022-suite.js';
export type { BoxedBenchmarkFunction } from './protocol-functions.js';
export { buildProtocolFunction } from './protocol-functions.js';
export type { ProtocolFunctionSpec, ProtocolJob, ProtocolJobOutput } from './protocol-job.js';
export { PROTOCOL_JOB_KIND, parseProtocolJob, parseProtocolJobOutput } from './protocol-job.js';
export type { ProtocolCaseSummary, ProtocolReportContext } from './protocol-report.js';
export {
  compareWith,
  formatError,
  renderProtocolCsv,
  renderProtocolMarkdown,
  summariseProtocol,
} from './protocol-report.js';
export type { ProtocolSuite } from './protocol-suite.js';
export {
  CEC2022_TARGET_ERROR,
  cec2022Budget,
  cec2022Checkpoints,
  cec2022Published,
  createBuiltinSuite,
} from './protocol-suite.js';
export type { PublishedResults } from './published-cec2022.js';
export { PUBLISHED_CEC2022, publishedMean } from './published-cec2022.js';
export type { ProtocolRun, RunProtocolOptions } from './run-protocol.js';
export { runProtocol } from './run-protocol.js';
