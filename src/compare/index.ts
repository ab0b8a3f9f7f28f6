/** Comparing two runs (simulated and live): summaries, the side-by-side table and chart. */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { readUserFile } from '../cli/errors.js';
import { parseLog } from '../sim/log.js';
import { type ParsedLog, summarize } from './summary.js';

export * from './arrivals.js';
export * from './report.js';
export * from './summary.js';

/** Reads and parses an event log file; the error names the file (and line). */
export function readLog(file: string): ParsedLog {
  return parseLog(readUserFile(file), file);
}

/**
 * The scenario file a log was recorded from: as written in its header (relative to the current
 * directory), else relative to the log's own directory. Undefined when neither exists.
 */
export function scenarioFileOf(log: ParsedLog, logFile: string): string | undefined {
  const named = log.header.scenarioFile;
  if (!named) return undefined;
  if (existsSync(named)) return named;
  if (!isAbsolute(named)) {
    const beside = resolve(dirname(logFile), named);
    if (existsSync(beside)) return beside;
  }
  return undefined;
}

export { summarize };
