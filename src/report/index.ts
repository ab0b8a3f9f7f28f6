/** `knsim report`: one self-contained HTML page from an event log (see docs/report.md). */
import { readFileSync } from 'node:fs';
import { readLog, scenarioFileOf } from '../compare/index.js';
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
      const text = readFileSync(file, 'utf8');
      if (text.length <= MAX_SCENARIO_BYTES) scenario = { file, text };
    } catch {
      // Not readable: the report says the scenario was not found.
    }
  }
  const data = reportData(log.header, log.events, scenario);
  return { data, html: reportHtml(data) };
}
