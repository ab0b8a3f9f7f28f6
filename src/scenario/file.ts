/**
 * The one way every command reads a scenario file: the parser with the simulator's load schema
 * plugged in, so `run`, `tui`, `sweep`, `live`, `serve` and `validate` accept and refuse the same
 * files with the same words.
 */
import { validateLoadPhase } from '../sim/load/spec.js';
import { unsimulatedAutoscaling } from '../sim/simulated.js';
import type { ParseOptions } from './options.js';
import { loadScenarioFile } from './parse.js';
import type { Scenario } from './types.js';

/** Reads, parses and validates a scenario file (load phases included); throws ScenarioError. */
export function parseScenarioFile(path: string, options: ParseOptions = {}): Scenario {
  return loadScenarioFile(path, {
    validateLoad: (value) => validateLoadPhase(value),
    validateManifest: (m) => unsimulatedAutoscaling(m),
    ...options,
  });
}
