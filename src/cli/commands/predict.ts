/**
 * `knsim predict <live.jsonl>`: what the simulator says about the run a live log recorded. It
 * runs the same scenario file (named in the log header) with the same seed, so the scenario's
 * load has the same arrival times, and prints the comparison.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readLog, renderComparison, scenarioFileOf, summarize } from '../../compare/index.js';
import { parseLog } from '../../sim/log.js';
import { UserError } from '../errors.js';
import { runScenarioFile } from '../run.js';
import type { CommandContext } from './context.js';

export interface PredictResult {
  simLog: string;
  report: string;
  rows: ReturnType<typeof renderComparison>['rows'];
  scenarioFile: string;
}

export async function predict(liveFile: string, scenario?: string): Promise<PredictResult> {
  let live: ReturnType<typeof readLog>;
  try {
    live = readLog(liveFile);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  const file = scenario ?? scenarioFileOf(live, liveFile);
  if (!file) {
    throw new UserError(
      live.header.scenarioFile
        ? `${liveFile} was recorded from ${live.header.scenarioFile}, which is not here; give the scenario with --scenario FILE`
        : `${liveFile} does not name its scenario file; give it with --scenario FILE`,
    );
  }
  const outcome = await runScenarioFile(file, { seed: live.header.seed });
  const sim = parseLog(outcome.log, `${file} (simulated)`);
  const report = renderComparison(summarize(sim), summarize(live));
  return { simLog: outcome.log, report: report.text, rows: report.rows, scenarioFile: file };
}

export function registerPredict(program: Command, ctx: CommandContext): void {
  program
    .command('predict')
    .description("re-run a live log's scenario in the simulator (same file, same seed, same load) and compare the two")
    .argument('<live.jsonl>', 'event log written by knsim live --log')
    .option('--scenario <file>', 'the scenario file (default: the one named in the log header)')
    .option('-o, --out <file>', 'also write the simulated event log here')
    .option('--json', 'print the comparison rows as JSON')
    .action(async (liveFile: string, opts: { scenario?: string; out?: string; json?: boolean }) => {
      const r = await predict(liveFile, opts.scenario);
      if (opts.out) writeFileSync(opts.out, r.simLog);
      if (opts.json)
        process.stdout.write(`${JSON.stringify({ scenarioFile: r.scenarioFile, rows: r.rows }, null, 2)}\n`);
      else process.stdout.write(r.report);
      ctx.setExitCode(0);
    });
}
