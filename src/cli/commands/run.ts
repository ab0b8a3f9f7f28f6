/** `knsim run <scenario>`: the scenario in the simulator at full speed, with its transcript. */
import { type Command, InvalidArgumentError } from 'commander';
import { BufferedFile } from '../../io/bufferedFile.js';
import { parseSeed } from '../args.js';
import { listenForStop } from '../interrupts.js';
import { addLimitFlags, type LimitFlags, limitsFrom } from '../limitFlags.js';
import type { CommandContext } from './context.js';

/** `all` → 1, `none` → 0, `1-in-N` → N: how many request events the log keeps (1 in N). */
export function parseLogRequests(value: string): number {
  const v = value.trim().toLowerCase();
  if (v === 'all') return 1;
  if (v === 'none') return 0;
  const m = /^1-in-(\d+)$/.exec(v);
  if (m && Number(m[1]) >= 1 && Number.isSafeInteger(Number(m[1]))) return Number(m[1]);
  throw new InvalidArgumentError(`expected all, none or 1-in-N (e.g. 1-in-100), got "${value}"`);
}

interface RunFlags extends LimitFlags {
  seed?: number;
  log?: string;
  logRequests?: number;
  json?: boolean;
  csv?: string;
}

export function registerRun(program: Command, ctx: CommandContext): void {
  const command = program
    .command('run')
    .description('run a scenario in the simulator at full speed and print its transcript')
    .argument('<scenario>', 'scenario YAML file')
    .option('-s, --seed <n>', 'random seed (default: the scenario seed, else 1)', parseSeed)
    .option('-l, --log <file>', 'write the event log (JSON Lines) to this file, as the run goes')
    .option(
      '--log-requests <which>',
      'request events in the log: all (default), none or 1-in-N; control events are always kept',
      parseLogRequests,
    )
    .option('--json', 'print the results as JSON instead of the transcript')
    .option('--csv <file>', 'write the per-second time series (one row per revision per second) to this file');
  addLimitFlags(command).action(async (file: string, opts: RunFlags) => {
    const { loadScenario, runScenario } = await import('../../runner/simulate.js');
    const { csvHeader, csvWriter, resultsToJSON } = await import('../../results/results.js');
    // The scenario is checked first (a bad scenario leaves no empty output files behind),
    // then the output files are opened, before the run starts.
    const scenario = loadScenario(file);
    const limits = await limitsFrom(opts);
    const { Progress, expectedRunMs } = await import('../progress.js');
    const expectedMs = expectedRunMs(scenario);
    const progress = process.stderr.isTTY
      ? new Progress({ ...(expectedMs !== undefined ? { expectedMs } : {}), write: (t) => process.stderr.write(t) })
      : undefined;
    const logFile = opts.log ? new BufferedFile(opts.log, '--log') : undefined;
    const openCsv = (path: string) => {
      try {
        return new BufferedFile(path, '--csv');
      } catch (e) {
        logFile?.close();
        throw e;
      }
    };
    const csvFile = opts.csv ? openCsv(opts.csv) : undefined;
    csvFile?.write(csvHeader());
    // Ctrl-C and SIGTERM stop the run at its next slice of simulated time: the log gets its
    // `end` line and the files are closed before the command exits with 130 or 143.
    const signals = listenForStop();
    try {
      const outcome = await runScenario(scenario, file, {
        limits,
        stop: signals.stop,
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        // The transcript and the progress line may share a terminal: the line is cleared
        // before each piece of transcript, and drawn again after.
        write: opts.json
          ? undefined
          : (s) => {
              progress?.done();
              process.stdout.write(s);
            },
        // Nothing is kept in memory: the log streams to its file, or is not written at all
        // (then request events are not even built).
        log: logFile
          ? { keep: false, sink: (text) => logFile.write(text), requestSampling: opts.logRequests ?? 1 }
          : { keep: false, requestSampling: 0 },
        ...(csvFile ? { observe: csvWriter((text) => csvFile.write(text)) } : {}),
        ...(progress ? { onTime: (simMs: number) => progress.at(simMs) } : {}),
      });
      if (outcome.stopped) {
        progress?.done();
        const { formatRunTime } = await import('../../runner/transcript.js');
        process.stderr.write(
          `knsim: ${outcome.stopped.message} at ${formatRunTime(outcome.stopped.atMs)} of simulated time${logFile ? `; ${opts.log} ends there with an "end" line` : ''}\n`,
        );
        ctx.setExitCode(outcome.stopped.exitCode);
        return;
      }
      if (opts.json) process.stdout.write(`${resultsToJSON(outcome.results)}\n`);
      ctx.setExitCode(outcome.ok ? 0 : 1);
    } finally {
      signals.dispose();
      progress?.done();
      try {
        logFile?.close();
      } finally {
        csvFile?.close();
      }
    }
  });
}
