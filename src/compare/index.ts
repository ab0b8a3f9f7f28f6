/** Comparing two runs (simulated and live): summaries, the side-by-side table and chart. */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { readEventLog } from '../io/logReader.js';
import { type ParsedLog, summarize } from './summary.js';

export * from './arrivals.js';
export * from './decisions.js';
export * from './noise.js';
export * from './report.js';
export * from './summary.js';

/** Reads and checks an event log file; a LogError names the file (and line). `warn` hears of a cut last line. */
export function readLog(file: string, warn?: (message: string) => void): ParsedLog {
  const { header, events } = readEventLog(file, warn ? { warn } : {});
  return { header, events };
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
