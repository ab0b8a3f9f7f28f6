/** The scenario file format: parsing, validation and the small languages inside it. */

export { type CurlCommand, CurlParseError, parseCurl } from './curl.js';
export { DurationError, formatDuration, isDuration, parseDuration } from './duration.js';
export {
  type Clause,
  type ClusterView,
  type Evaluation,
  type Expectation,
  ExpectationError,
  evaluate,
  parseExpectation,
} from './expect.js';
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
