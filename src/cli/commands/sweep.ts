/**
 * `knsim sweep <scenario> --set key=v1,v2 ...`: the grid of settings across the cores, compared;
 * `--shard I/N` runs one slice of the grid into a shard file, and `knsim sweep merge` joins the
 * shard files into what the whole sweep prints (src/runner/sweep/shard.ts, merge.ts).
 */
import { closeSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { flagFileError, UserError } from '../../io/errors.js';
import { openOutputFile } from '../../io/files.js';
import { SIGNAL_EXIT_CODES } from '../../io/runLimits.js';
import type { SweepAxis } from '../../runner/sweep/grid.js';
import type { SweepRecord } from '../../runner/sweep/shard.js';
import { parseShardSpec, type ShardSpec, shardPoints } from '../../runner/sweep/shardSpec.js';
import { parseSeed } from '../args.js';
import { listenForStop } from '../interrupts.js';
import { addLimitFlags, type LimitFlags, limitsFrom } from '../limitFlags.js';
import type { CommandContext } from './context.js';
import { addClusterFlags, type ClusterFlags, checkClusterFlags, runClusterSweep } from './sweepCluster.js';

function parseJobs(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 256) {
    throw new InvalidArgumentError(`expected a whole number of worker threads from 1 to 256, got "${value}"`);
  }
  return n;
}

function parseShard(value: string): ShardSpec {
  try {
    return parseShardSpec(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

interface OutputFlags {
  json?: boolean;
  csv?: boolean;
  out?: string;
}

interface SweepFlags extends LimitFlags, OutputFlags, ClusterFlags {
  set?: string[];
  seed?: number;
  jobs?: number;
  shard?: ShardSpec;
}

/** Writes the command's output to stdout, or to the file of `--out`. */
function emit(text: string, out: string | undefined): void {
  if (out === undefined) {
    process.stdout.write(text);
    return;
  }
  const fd = openOutputFile(out, '--out');
  try {
    writeSync(fd, text);
  } catch (e) {
    throw flagFileError(e, '--out', out);
  } finally {
    closeSync(fd);
  }
}

const jsonOption = () =>
  new Option('--json', 'print the rows as JSON (settings and results) instead of the table').conflicts('csv');
const csvOption = () => new Option('--csv', 'print the rows as CSV (settings and figures) instead of the table');

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
    .addOption(jsonOption().conflicts('shard'))
    .addOption(csvOption().conflicts('shard'))
    .option(
      '--shard <I/N>',
      'run only shard I of N of the grid (the points whose grid index mod N is I-1) and write a shard file for knsim sweep merge',
      parseShard,
    )
    .option('-o, --out <file>', 'write the table, JSON, CSV or shard file here instead of to stdout');
  addClusterFlags(addLimitFlags(command)).action(async (file: string, opts: SweepFlags) => {
    const shard = opts.shard;
    checkClusterFlags(opts, command);
    const { grid, parseAxes, SweepError } = await import('../../runner/sweep/grid.js');
    const { runSweep } = await import('../../runner/sweep/run.js');
    const shardModule = await import('../../runner/sweep/shard.js');
    const { loadScenario, runSeed } = await import('../../runner/simulate.js');
    if (!opts.set || opts.set.length === 0) throw new UserError('knsim sweep needs at least one --set key=v1,v2');
    let axes: SweepAxis[];
    try {
      axes = parseAxes(opts.set);
    } catch (e) {
      throw new UserError((e as Error).message);
    }
    if (opts.cluster) {
      const code = await runClusterSweep({
        file,
        axes,
        opts,
        note: (line) => process.stderr.write(`${line}\n`),
        print: async (merged, records) => emit(await formatRows(merged, records, opts), opts.out),
        printText: (text) => emit(text, opts.out),
      });
      ctx.setExitCode(code);
      return;
    }
    const scenario = loadScenario(file);
    const only = shard ? shardPoints(grid(axes).length, shard) : undefined;
    const inShard = only ? new Set(only) : undefined;
    const progress = !opts.json && !opts.csv && process.stderr.isTTY;
    let rows: Awaited<ReturnType<typeof runSweep>>;
    let finished = 0;
    // The runs write nothing until the table (or the shard file): Ctrl-C or SIGTERM ends the
    // sweep (and its worker threads) at once, with 130 or 143, and leaves no file half written.
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
        ...(inShard ? { select: (i: number) => inShard.has(i) } : {}),
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
    const indices = only ?? rows.map((_r, i) => i);
    const records = rows.map((row, i) => shardModule.toRecord(indices[i]!, row));
    if (shard) {
      const { KNSIM_VERSION } = await import('../../backends/sim.js');
      const identity = shardModule.gridIdentity(scenario, file, axes, runSeed(scenario, opts.seed), KNSIM_VERSION);
      const header = shardModule.shardHeader(identity, shard, file);
      emit(shardModule.shardFileText(header, records), opts.out);
    } else {
      emit(await formatRows(axes, records, opts), opts.out);
    }
    ctx.setExitCode(0);
  });

  command
    .command('merge')
    .description('join the shard files of a sweep (knsim sweep --shard I/N) into the output the whole sweep prints')
    .argument('<files...>', 'the shard files, one per shard, in any order')
    .addOption(jsonOption())
    .addOption(csvOption())
    .option('-o, --out <file>', 'write the table, JSON or CSV here instead of to stdout')
    .action(async (files: string[], _opts: OutputFlags, merge: Command) => {
      const opts = mergeFlags(merge);
      const { mergeShards, readShardFile } = await import('../../runner/sweep/merge.js');
      const merged = mergeShards(files.map(readShardFile));
      emit(await formatRows(merged.axes, merged.records, opts), opts.out);
      ctx.setExitCode(0);
    });
}

/**
 * Merge's flags. Commander hands the flags after `merge` that the sweep also has (`--json`,
 * `--csv`, `-o`) to the sweep (the program parses options wherever they stand): they are read
 * from both, and a flag only the sweep has is refused rather than ignored.
 */
function mergeFlags(merge: Command): OutputFlags {
  const sweep = (merge.parent?.opts() ?? {}) as SweepFlags;
  const stray = Object.keys(sweep).filter((k) => !['json', 'csv', 'out'].includes(k));
  if (stray.length > 0) {
    const flag = merge.parent?.options.find((o) => o.attributeName() === stray[0]);
    throw new UserError(`${flag?.long ?? stray[0]} is a flag of knsim sweep, not of knsim sweep merge`);
  }
  const own = merge.opts() as OutputFlags;
  const out = own.out ?? sweep.out;
  return {
    ...(own.json || sweep.json ? { json: true } : {}),
    ...(own.csv || sweep.csv ? { csv: true } : {}),
    ...(out !== undefined ? { out } : {}),
  };
}

async function formatRows(
  axes: readonly SweepAxis[],
  records: readonly SweepRecord[],
  opts: OutputFlags,
): Promise<string> {
  const { formatSweepCSV, formatSweepJSON, formatSweepTable } = await import('../../runner/sweep/table.js');
  if (opts.json) return formatSweepJSON(records);
  if (opts.csv) return formatSweepCSV(axes, records);
  return formatSweepTable(axes, records);
}
