/**
 * What the simulator says about the run a live log recorded (`knsim predict`): the same scenario
 * file (named in the log header) with the same seed, so the scenario's load has the same arrival
 * times (or, with `arrivals`, the requests the live run sent), then the comparison of the two.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunStopped } from '../backends/limits.js';
import { UserError } from '../io/errors.js';
import { parseEventLog } from '../io/logReader.js';
import { loadScenario, type RunOptions, runScenario, runScenarioFile } from '../runner/simulate.js';
import { arrivalsTrace, recordedArrivals, replayPhase } from './arrivals.js';
import { readLog, scenarioFileOf } from './index.js';
import { renderComparison } from './report.js';
import { summarize } from './summary.js';

export interface PredictResult {
  simLog: string;
  /** The simulated run was stopped (a signal, a limit): `simLog` ends there, and there is no comparison. */
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
  let outcome: Awaited<ReturnType<typeof runScenarioFile>>;
  if (o.arrivals) {
    const parsed = loadScenario(file);
    const dir = mkdtempSync(join(tmpdir(), 'knsim-predict-'));
    const trace = join(dir, 'recorded-arrivals.csv');
    const times = recordedArrivals(live.events);
    writeFileSync(trace, arrivalsTrace(times));
    const load =
      times.length === 0 ? [] : [{ index: 0, spec: replayPhase(trace), location: { file, line: 0, column: 0 } }];
    outcome = await runScenario({ ...parsed, load }, file, { seed: live.header.seed, ...o.run });
  } else {
    outcome = await runScenarioFile(file, { seed: live.header.seed, ...o.run });
  }
  if (outcome.stopped)
    return { simLog: outcome.log, stopped: outcome.stopped, report: '', rows: [], scenarioFile: file };
  const sim = parseEventLog(outcome.log, `${file} (simulated)`);
  const report = renderComparison(summarize(sim), summarize(live));
  return { simLog: outcome.log, report: report.text, rows: report.rows, scenarioFile: file };
}
