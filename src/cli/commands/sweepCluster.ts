/**
 * `knsim sweep … --cluster`: the flags of a sweep run as a Kubernetes Indexed Job, and the run
 * (src/runner/sweep/job.ts builds the objects, cluster.ts runs them); `--dry-run` prints them.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { UserError } from '../../io/errors.js';
import type { SweepAxis } from '../../runner/sweep/grid.js';
import type { SweepRecord } from '../../runner/sweep/shard.js';
import { MAX_SHARDS } from '../../runner/sweep/shardSpec.js';
import { parseNamespace } from '../args.js';
import { listenForStop } from '../interrupts.js';
import type { LimitFlags } from '../limitFlags.js';

export interface ClusterFlags {
  cluster?: boolean;
  dryRun?: boolean;
  shards?: number;
  parallelism?: number;
  image?: string;
  cpu?: string;
  memory?: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  keep?: boolean;
}

const CLUSTER_ONLY = [
  'dryRun',
  'shards',
  'parallelism',
  'image',
  'cpu',
  'memory',
  'kubeconfig',
  'context',
  'namespace',
  'keep',
] as const;

function parseShardCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > MAX_SHARDS) {
    throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_SHARDS}, got "${value}"`);
  }
  return n;
}

function parseImage(value: string): string {
  if (value.trim() === '' || /\s/.test(value))
    throw new InvalidArgumentError(`expected an image reference, got "${value}"`);
  return value;
}

export function addClusterFlags(command: Command): Command {
  return command
    .option(
      '--cluster',
      'run the shards as a Kubernetes Indexed Job on the kubeconfig’s cluster and print the merged table',
    )
    .option('--dry-run', 'with --cluster: print the Job and ConfigMap (YAML) instead of creating them')
    .option('--shards <n>', 'with --cluster: shards, one pod each (default: one per grid point)', parseShardCount)
    .option('--parallelism <n>', 'with --cluster: pods at once (default: all shards)', parseShardCount)
    .option('--image <ref>', 'with --cluster: the knsim image (built from examples/sweep/Dockerfile)', parseImage)
    .option('--cpu <quantity>', 'with --cluster: CPU of each pod, one worker thread per whole CPU (default: 1)')
    .option('--memory <quantity>', 'with --cluster: memory of each pod (default: 1Gi)')
    .option('--kubeconfig <file>', 'with --cluster: kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'with --cluster: kubeconfig context (default: the current context)')
    .option('-n, --namespace <ns>', 'with --cluster: namespace (default: the context’s, else default)', parseNamespace)
    .option('--keep', 'with --cluster: leave the Job and its ConfigMap in place at the end');
}

/** A cluster flag given without --cluster (or --cluster with --shard) is refused, not ignored. */
export function checkClusterFlags(opts: ClusterFlags & { shard?: unknown }, command: Command): void {
  const flag = (key: string) => command.options.find((o) => o.attributeName() === key)?.long ?? key;
  if (!opts.cluster) {
    const stray = CLUSTER_ONLY.find((k) => opts[k] !== undefined);
    if (stray) throw new UserError(`${flag(stray)} goes with --cluster`);
    return;
  }
  if (opts.shard !== undefined) {
    throw new UserError('--shard runs one shard here; --cluster runs them all on the cluster: give one of them');
  }
  if (opts.parallelism !== undefined && opts.shards !== undefined && opts.parallelism > opts.shards) {
    throw new UserError(`--parallelism ${opts.parallelism} is more than the ${opts.shards} shards`);
  }
}

export interface ClusterRun {
  file: string;
  axes: SweepAxis[];
  opts: ClusterFlags & LimitFlags & { seed?: number };
  note: (line: string) => void;
  /** Prints the merged rows as the sweep prints them (table, JSON, CSV, -o). */
  print: (axes: readonly SweepAxis[], records: readonly SweepRecord[]) => Promise<void>;
  /** Prints the manifest (--dry-run) where the output goes. */
  printText: (text: string) => void;
}

/** Runs (or prints) the sweep's Job; returns the exit code. */
export async function runClusterSweep(r: ClusterRun): Promise<number> {
  const { opts } = r;
  const [{ loadScenario, runSeed }, { grid }, shardModule, { sweepJobObjects }, { cpuMillis, memoryBytes }] =
    await Promise.all([
      import('../../runner/simulate.js'),
      import('../../runner/sweep/grid.js'),
      import('../../runner/sweep/shard.js'),
      import('../../runner/sweep/job.js'),
      import('../../model/cluster/quantity.js'),
    ]);
  const { KNSIM_VERSION } = await import('../../backends/sim.js');
  const scenario = loadScenario(r.file);
  // Every combination is checked here, before anything is sent (as a sweep on one machine does).
  const { applyPoint } = await import('../../runner/sweep/grid.js');
  const points = grid(r.axes);
  for (const p of points) applyPoint(scenario, p);
  const cpu = opts.cpu ?? '1';
  const millis = cpuMillis(cpu);
  if (millis === undefined || millis <= 0)
    throw new UserError(`--cpu ${cpu}: expected a CPU quantity such as 1, 2 or 500m`);
  const memory = opts.memory ?? '1Gi';
  const bytes = memoryBytes(memory);
  if (bytes === undefined || bytes <= 0)
    throw new UserError(`--memory ${memory}: expected a memory quantity such as 1Gi or 512Mi`);
  const shards = opts.shards ?? Math.max(1, Math.min(points.length, MAX_SHARDS));
  const identity = shardModule.gridIdentity(scenario, r.file, r.axes, runSeed(scenario, opts.seed), KNSIM_VERSION);
  const limitArgs = [
    ...(opts.maxTime !== undefined ? ['--max-time', opts.maxTime] : []),
    ...(opts.maxEvents !== undefined ? ['--max-events', String(opts.maxEvents)] : []),
    ...(opts.maxRequests !== undefined ? ['--max-requests', String(opts.maxRequests)] : []),
    ...(opts.maxInFlight !== undefined ? ['--max-in-flight', String(opts.maxInFlight)] : []),
  ];
  const { job, configMap } = sweepJobObjects({
    scenario,
    file: r.file,
    axes: r.axes,
    identity,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    limitArgs,
    shards,
    parallelism: opts.parallelism ?? shards,
    image: opts.image ?? `knsim:${KNSIM_VERSION}`,
    cpu,
    memory,
    threads: Math.max(1, Math.floor(millis / 1000)),
    ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
  });
  if (opts.dryRun) {
    const { stringify } = await import('yaml');
    // No anchors (kubectl reads them, people less so), texts as literal blocks, no folding.
    const yaml = (o: object) => stringify(o, { aliasDuplicateObjects: false, lineWidth: 0, blockQuote: 'literal' });
    r.printText(`${yaml(configMap)}---\n${yaml(job)}`);
    return 0;
  }
  const { runSweepOnCluster } = await import('../../runner/sweep/cluster.js');
  const { mergeShards } = await import('../../runner/sweep/merge.js');
  const progress = process.stderr.isTTY;
  const signals = listenForStop({
    onFirst: (signal) => r.note(`${progress ? '\r\x1b[K' : ''}knsim sweep: ${signal}: deleting the Job`),
  });
  try {
    const outcome = await runSweepOnCluster({
      job,
      configMap,
      ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
      ...(opts.context ? { context: opts.context } : {}),
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      ...(opts.keep ? { keep: true } : {}),
      stop: signals.stop,
      note: r.note,
      ...(progress
        ? { progress: (done: number, total: number) => process.stderr.write(`\r${done}/${total} shards done`) }
        : {}),
    });
    if (progress) process.stderr.write('\r\x1b[K');
    if (outcome.interrupted) return signals.exitCode() ?? 130;
    const merged = mergeShards(outcome.shards);
    await r.print(merged.axes, merged.records);
    return 0;
  } finally {
    signals.dispose();
  }
}
