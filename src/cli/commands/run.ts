/** `knsim run <scenario>`: the scenario in the simulator at full speed, with its transcript. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { csvHeader, csvRow, resultsToJSON } from '../../sim/results.js';
import { parseSeed } from '../args.js';
import { runScenarioFile } from '../run.js';
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

/** A file written through a 1 MB buffer: memory stays flat however long the run. */
export class BufferedFile {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

interface RunFlags {
  seed?: number;
  log?: string;
  logRequests?: number;
  json?: boolean;
  csv?: string;
}

export function registerRun(program: Command, ctx: CommandContext): void {
  program
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
    .option('--csv <file>', 'write the per-second time series (one row per revision per second) to this file')
    .action(async (file: string, opts: RunFlags) => {
      const logFile = opts.log ? new BufferedFile(opts.log) : undefined;
      const csvFile = opts.csv ? new BufferedFile(opts.csv) : undefined;
      csvFile?.write(csvHeader());
      try {
        const outcome = await runScenarioFile(file, {
          ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
          write: opts.json ? undefined : (s) => process.stdout.write(s),
          // Nothing is kept in memory: the log streams to its file, or is not written at all
          // (then request events are not even built).
          log: logFile
            ? { keep: false, sink: (text) => logFile.write(text), requestSampling: opts.logRequests ?? 1 }
            : { keep: false, requestSampling: 0 },
          ...(csvFile
            ? {
                observe: (line) => {
                  if (line.type === 'sample') csvFile.write(csvRow(line));
                },
              }
            : {}),
        });
        if (opts.json) process.stdout.write(`${resultsToJSON(outcome.results)}\n`);
        ctx.setExitCode(outcome.ok ? 0 : 1);
      } finally {
        logFile?.close();
        csvFile?.close();
      }
    });
}
