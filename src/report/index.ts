/** `knsim report`: one self-contained HTML page from an event log (see docs/report.md). */
import { readLog, scenarioFileOf } from '../compare/index.js';
import { readUserFile } from '../io/files.js';
import { type ReportData, reportData } from './data.js';
import { reportHtml } from './html.js';

export { type ReportData, reportData, reportHtml };

/** The largest scenario file the report quotes (a bigger one is a trace, not a scenario). */
const MAX_SCENARIO_BYTES = 256 * 1024;

/** The report of a log file: its data (the scenario read beside it when found) and the page. */
export function reportOfLogFile(logFile: string, warn?: (message: string) => void): { data: ReportData; html: string } {
  const log = readLog(logFile, warn);
  const file = scenarioFileOf(log, logFile);
  let scenario: { file: string; text: string } | null = null;
  if (file) {
    try {
      // Read with a bound (the header may name /dev/zero or a FIFO).
      scenario = { file, text: readUserFile(file, MAX_SCENARIO_BYTES) };
    } catch {
      // Not readable, or too big to be a scenario: the report says the scenario was not found.
    }
  }
  const data = reportData(log.header, log.events, scenario);
  return { data, html: reportHtml(data) };
}
