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
  shard?: string;
}

export function registerSweep(program: Command, ctx: CommandContext): void {
  const sweep = program.command('sweep');
  sweep
    .command('merge')
    .description("join the outputs of 'knsim sweep --shard I/N' (all N of them) into the whole sweep's table")
    .argument('<shard...>', "files holding the shards (each a shard run's output, e.g. a pod's log)")
    .option('--json', 'print the rows as JSON, as knsim sweep --json does')
    // (--json is also the sweep command's own option: commander may hand it to either.)
    .action(async (files: string[], _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<{ json?: boolean }>();
      const { readFileSync } = await import('node:fs');
      const { mergeShards } = await import('../../runner/sweep/shard.js');
      const { parseAxes } = await import('../../runner/sweep/grid.js');
      const { formatSweepJSON, formatSweepTable } = await import('../../runner/sweep/table.js');
      const inputs = files.map((name) => {
        try {
          return { name, text: readFileSync(name, 'utf8') };
        } catch (e) {
          throw new UserError(
            `${name}: cannot read the shard file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
          );
        }
      });
      let merged: ReturnType<typeof mergeShards>;
      try {
        merged = mergeShards(inputs);
      } catch (e) {
        if ((e as Error).name === 'ShardError') throw new UserError((e as Error).message);
        throw e;
      }
      const axes = parseAxes(merged.identity.sets);
      process.stdout.write(opts.json ? formatSweepJSON(merged.rows) : formatSweepTable(axes, merged.rows));
      ctx.setExitCode(0);
    });
  const command = sweep
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
    .option('--json', 'print the rows as JSON (settings and results) instead of the table')
    .option(
      '--shard <I/N>',
      "run only the grid points I, I+N, I+2N, … (I from 0 to N-1) and print them for 'knsim sweep merge'",
    );
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
    const shardModule = opts.shard !== undefined ? await import('../../runner/sweep/shard.js') : undefined;
    let shard: import('../../runner/sweep/shard.js').Shard | undefined;
    if (shardModule && opts.shard !== undefined) {
      try {
        shard = shardModule.parseShard(opts.shard);
      } catch (e) {
        throw new UserError((e as Error).message);
      }
    }
    const scenario = loadScenario(file);
    const progress = !opts.json && !shard && process.stderr.isTTY;
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
        ...(shard ? { select: (i: number) => shardModule!.inShard(shard, i) } : {}),
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
    if (shard && shardModule) {
      const { readFileSync } = await import('node:fs');
      const { grid } = await import('../../runner/sweep/grid.js');
      const points = grid(axes).length;
      const indices = Array.from({ length: points }, (_, i) => i).filter((i) => shardModule.inShard(shard, i));
      const identity = {
        scenario: file,
        scenarioSha256: shardModule.scenarioDigest(readFileSync(file)),
        sets: opts.set,
        seed: opts.seed ?? null,
        points,
      };
      process.stdout.write(
        shardModule.shardText(
          identity,
          shard,
          rows.map((row, i) => ({ index: indices[i]!, row })),
        ),
      );
    } else {
      process.stdout.write(opts.json ? formatSweepJSON(rows) : formatSweepTable(axes, rows));
    }
    ctx.setExitCode(0);
  });
}
