/** The scenario file format: parsing, validation and the small languages inside it. */

export { type CurlCommand, CurlParseError, parseCurl } from './curl.js';
export { DurationError, formatDuration, parseDuration } from './duration.js';
export { type ClusterView, type Evaluation, evaluate } from './evaluate.js';
export { type Clause, type Expectation, ExpectationError, parseExpectation } from './expect.js';
export { parseScenarioFile } from './file.js';
export { type KubectlCommand, KubectlParseError, parseKubectl } from './kubectl.js';
export {
  type ExternalIssue,
  formatIssue,
  loadScenarioFile,
  type ParseOptions,
  parseScenario,
  ScenarioError,
  type ScenarioIssue,
} from './parse.js';
export type * from './types.js';
