import type { z } from 'zod';
import type { KubeObject } from '../model/api/types.js';
import type { ExternalIssue } from './issues.js';

export interface ParseOptions {
  /**
   * Validates one load phase (`value` = the phase as plain data, `path` = e.g. ['load', 2]).
   * Returned issue paths are relative to `value`. Zod issues can be returned as they are.
   * `parseScenarioFile` plugs in the simulator's load schema.
   */
  validateLoad?: (value: unknown, path: (string | number)[]) => readonly ExternalIssue[];
  /**
   * Reads a manifest file referenced by path from a step (absolute path given). Without it only
   * keys of `files:` can be referenced. `loadScenarioFile` passes a reader.
   */
  readFile?: (path: string) => string;
  /**
   * Checks a manifest the envelope check passed (paths relative to it): what the backend cannot
   * run as written. `parseScenarioFile` plugs in the simulator's (src/sim/simulated.ts).
   */
  validateManifest?: (manifest: KubeObject) => readonly ExternalIssue[];
  /** Extra `settings:` keys, validated by the given schemas (their output is kept as is). */
  settingsExtensions?: Record<string, z.ZodType>;
}
