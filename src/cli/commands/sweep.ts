/** `knsim sweep <scenario> --set key=v1,v2 ...`: the grid of settings across the cores, compared. */
import { availableParallelism } from 'node:os';
import { type Command, InvalidArgumentError } from 'commander';
import { UserError } from '../../io/errors.js';
import { SIGNAL_EXIT_CODES } from '../../io/runLimits.js';
import type { SweepAxis } from '../../runner/sweep/grid.js';
import { parseSeed } from '../args.js';
import { listenForStop } from '../interrupts.js';
import { addLimitFlags, type LimitFlags, limitsFrom } from '../limitFlags.js';
import type { CommandContext } from './context.js';

function parseJobs(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 256) {
    throw new InvalidArgumentError(`expected a whole number of worker threads from 1 to 256, got "${value}"`);
  }
  return n;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

interface SweepFlags extends LimitFlags {
  set?: string[];
  seed?: number;
  jobs?: number;
  json?: boolean;
}

export function registerSweep(program: Command, ctx: CommandContext): void {
  const command = program
    .command('sweep')
    .description('run a scenario for every combination of settings, in parallel, and compare the results')
    .argument('<scenario>', 'scenario YAML file')
    .option(
      '--set <key=v1,v2>',
      'a config-autoscaler key, an autoscaling.knative.dev/ annotation, containerConcurrency, podStartup, drain, activatorProbePeriod or networking, with its values (repeat for a grid)',
      collect,
    )
    .option('-s, --seed <n>', 'random seed for every run (default: the scenario seed, else 1)', parseSeed)
    .option(
      '-j, --jobs <n>',
      `worker threads (default: the number of cores, ${availableParallelism()} here)`,
      parseJobs,
    )
    .option('--json', 'print the rows as JSON (settings and results) instead of the table');
  addLimitFlags(command).action(async (file: string, opts: SweepFlags) => {
    const { parseAxes, SweepError } = await import('../../runner/sweep/grid.js');
    const { runSweep } = await import('../../runner/sweep/run.js');
    const { formatSweepJSON, formatSweepTable } = await import('../../runner/sweep/table.js');
    const { loadScenario } = await import('../../runner/simulate.js');
    if (!opts.set || opts.set.length === 0) throw new UserError('knsim sweep needs at least one --set key=v1,v2');
    let axes: SweepAxis[];
    try {
      axes = parseAxes(opts.set);
    } catch (e) {
      throw new UserError((e as Error).message);
    }
    const scenario = loadScenario(file);
    const progress = !opts.json && process.stderr.isTTY;
    let rows: Awaited<ReturnType<typeof runSweep>>;
    let finished = 0;
    // The runs write nothing until the table: Ctrl-C or SIGTERM ends the sweep (and its worker
    // threads) at once, with 130 or 143.
    const signals = listenForStop({
      onFirst: (signal) => {
        process.stderr.write(`${progress ? '\r\x1b[K' : ''}knsim sweep: ${signal}: stopped after ${finished} runs\n`);
        process.exit(SIGNAL_EXIT_CODES[signal]);
      },
    });
    try {
      rows = await runSweep(file, scenario, axes, {
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
        limits: await limitsFrom(opts),
        onRow: (_row, done, total) => {
          finished = done;
          if (progress) process.stderr.write(`\r${done}/${total} runs done`);
        },
      });
    } catch (e) {
      if (e instanceof SweepError || (e as Error).name === 'UserError') throw new UserError((e as Error).message);
      throw e;
    } finally {
      signals.dispose();
      if (progress) process.stderr.write('\r\x1b[K');
    }
    process.stdout.write(opts.json ? formatSweepJSON(rows) : formatSweepTable(axes, rows));
    ctx.setExitCode(0);
  });
}
