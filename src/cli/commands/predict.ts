/**
 * `knsim predict <live.jsonl>`: what the simulator says about the run a live log recorded. It
 * runs the same scenario file (named in the log header) with the same seed, so the scenario's
 * load has the same arrival times, and prints the comparison.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { renderComparison } from '../../compare/index.js';
import { UserError } from '../../io/errors.js';
import type { runScenarioFile } from '../../runner/simulate.js';
import type { CommandContext } from './context.js';

export interface PredictResult {
  simLog: string;
  report: string;
  rows: ReturnType<typeof renderComparison>['rows'];
  scenarioFile: string;
}

export interface PredictOptions {
  /** The scenario file (default: the one the log names). */
  scenario?: string;
  /** Replay the requests the live run actually sent instead of the scenario's `load:`. */
  arrivals?: boolean;
}

export async function predict(liveFile: string, options: PredictOptions | string = {}): Promise<PredictResult> {
  const { arrivalsTrace, readLog, recordedArrivals, renderComparison, replayPhase, scenarioFileOf, summarize } =
    await import('../../compare/index.js');
  const { parseEventLog } = await import('../../io/logReader.js');
  const { loadScenario, runScenario, runScenarioFile } = await import('../../runner/simulate.js');
  const o: PredictOptions = typeof options === 'string' ? { scenario: options } : options;
  const scenario = o.scenario;
  const live = readLog(liveFile, (m) => process.stderr.write(`knsim predict: ${m}\n`));
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
    outcome = await runScenario({ ...parsed, load }, file, { seed: live.header.seed });
  } else {
    outcome = await runScenarioFile(file, { seed: live.header.seed });
  }
  const sim = parseEventLog(outcome.log, `${file} (simulated)`);
  const report = renderComparison(summarize(sim), summarize(live));
  return { simLog: outcome.log, report: report.text, rows: report.rows, scenarioFile: file };
}

export function registerPredict(program: Command, ctx: CommandContext): void {
  program
    .command('predict')
    .description("re-run a live log's scenario in the simulator (same file, same seed, same load) and compare the two")
    .argument('<live.jsonl>', 'event log written by knsim live --log')
    .option('--scenario <file>', 'the scenario file (default: the one named in the log header)')
    .option('--arrivals', "replay the requests the live run sent (their arrival times) instead of the scenario's load")
    .option('-o, --out <file>', 'also write the simulated event log here')
    .option('--json', 'print the comparison rows as JSON')
    .action(async (liveFile: string, opts: { scenario?: string; arrivals?: boolean; out?: string; json?: boolean }) => {
      const r = await predict(liveFile, {
        ...(opts.scenario ? { scenario: opts.scenario } : {}),
        ...(opts.arrivals ? { arrivals: true } : {}),
      });
      if (opts.out) writeFileSync(opts.out, r.simLog);
      if (opts.json)
        process.stdout.write(`${JSON.stringify({ scenarioFile: r.scenarioFile, rows: r.rows }, null, 2)}\n`);
      else process.stdout.write(r.report);
      ctx.setExitCode(0);
    });
}
