/**
 * What the simulator says about the run a live log recorded (`knsim predict`): the same scenario
 * file (named in the log header) with the same seed, so the scenario's load has the same arrival
 * times (or, with `arrivals`, the requests the live run sent), then the comparison of the two.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunStopped } from '../backends/limits.js';
import { BufferedFile } from '../io/bufferedFile.js';
import { UserError } from '../io/errors.js';
import { loadScenario, type RunOptions, runScenario, runScenarioFile } from '../runner/simulate.js';
import { arrivalsTrace, recordedArrivals, replayPhase } from './arrivals.js';
import { readLog, scenarioFileOf } from './index.js';
import { renderComparison } from './report.js';
import { summarize } from './summary.js';

export interface PredictResult {
  /** The simulated run's log as read back (absent when the run was stopped). */
  sim?: ReturnType<typeof readLog>;
  /** The simulated run was stopped (a signal, a limit): the log ends there, and there is no comparison. */
  stopped?: RunStopped;
  report: string;
  rows: ReturnType<typeof renderComparison>['rows'];
  scenarioFile: string;
}

export interface PredictOptions {
  /** The scenario file (default: the one the log names). */
  scenario?: string;
  /** Replay the requests the live run actually sent instead of the scenario's `load:`. */
  arrivals?: boolean;
  /** Hears what was skipped reading the log (a last line cut short). */
  warn?: (message: string) => void;
  /** Bounds on the simulated run's work, and the signal that stops it (as for `knsim run`). */
  run?: Pick<RunOptions, 'limits' | 'stop'>;
  /**
   * Where the simulated run's log is written (`-o`), as it runs: a long run's log never sits in
   * memory as one string (default: a temporary file, removed afterwards).
   */
  logFile?: string;
}

export async function predict(liveFile: string, options: PredictOptions | string = {}): Promise<PredictResult> {
  const o: PredictOptions = typeof options === 'string' ? { scenario: options } : options;
  const scenario = o.scenario;
  const live = readLog(liveFile, o.warn);
  const file = scenario ?? scenarioFileOf(live, liveFile);
  if (!file) {
    throw new UserError(
      live.header.scenarioFile
        ? `${liveFile} was recorded from ${live.header.scenarioFile}, which is not here; give the scenario with --scenario FILE`
        : `${liveFile} does not name its scenario file; give it with --scenario FILE`,
    );
  }
  const temp = o.logFile ? undefined : mkdtempSync(join(tmpdir(), 'knsim-predict-'));
  const logFile = o.logFile ?? join(temp as string, 'simulated.jsonl');
  try {
    const out = new BufferedFile(logFile, '-o');
    const log = { keep: false, sink: (text: string) => out.write(text) };
    let outcome: Awaited<ReturnType<typeof runScenarioFile>>;
    try {
      if (o.arrivals) {
        const parsed = loadScenario(file);
        const dir = mkdtempSync(join(tmpdir(), 'knsim-predict-'));
        const trace = join(dir, 'recorded-arrivals.csv');
        const times = recordedArrivals(live.events);
        writeFileSync(trace, arrivalsTrace(times));
        const load =
          times.length === 0 ? [] : [{ index: 0, spec: replayPhase(trace), location: { file, line: 0, column: 0 } }];
        outcome = await runScenario({ ...parsed, load }, file, { seed: live.header.seed, ...o.run, log });
      } else {
        outcome = await runScenarioFile(file, { seed: live.header.seed, ...o.run, log });
      }
    } finally {
      out.close();
    }
    if (outcome.stopped) return { stopped: outcome.stopped, report: '', rows: [], scenarioFile: file };
    const sim = readLog(logFile, o.warn);
    const report = renderComparison(summarize(sim), summarize(live));
    return { sim, report: report.text, rows: report.rows, scenarioFile: file };
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}
