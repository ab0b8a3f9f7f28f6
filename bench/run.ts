/**
 * knsim's benchmarks (not tests): `npm run bench [-- --runs N] [-- --quick] [-- --only name,...]`.
 * Prints one JSON object per line: { name, value, unit, settings, runs, ratio, ... }, the value
 * being the median of the runs. Each run is a fresh process (bench/cases.ts), so peak RSS and JIT
 * warm-up belong to that case alone, and each process also has the bare engine loop run just before
 * and after its case (in a child process of its own, so that it does not train the case's engine
 * code): `ratio` is the case against that bare engine, per run (median, min, max),
 * so the figures hold when the shared machine's speed drifts. Every case runs the full model: KPA
 * ticks every 2 s, metric windows, the activator and the queue-proxy, per-second samples; the
 * event log is not kept and request events are not built (as `knsim run` without --log).
 * Start-up cases time whole commands instead, the build against the TypeScript sources through
 * tsx, alternately.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const runs = Number(flag('--runs') ?? (quick ? 1 : 3));
const only = flag('--only')?.split(',');

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, node ${process.version}`;
// Wall times on a shared machine move with its load; each line also gives CPU time and the load.
const load = () => Math.round(loadavg()[0]! * 100) / 100;

type Run = Record<string, number>;

function runCase(name: string, options: Record<string, unknown> = {}): Run {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/cases.ts', name, JSON.stringify(options)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function repeat(name: string, options: Record<string, unknown>, n = runs): Run[] {
  return Array.from({ length: n }, () => runCase(name, options));
}

function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...line, machine, loadAverage: load() })}\n`);
}

const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;
const want = (name: string) => !only || only.includes(name);
/** Median, min and max of per-run figures. */
const spread = (values: number[], digits = 3) => ({
  median: round(median(values), digits),
  min: round(Math.min(...values), digits),
  max: round(Math.max(...values), digits),
});
/** CPU seconds of the bare engine for `events` events, at that run's own bare rate. */
const bareCpuS = (r: Run, events: number) => events / r.bareEventsPerCpuSecond!;

// The baseline: a bare engine loop, no model (one closure and one heap entry per event).
const bareEvents = quick ? 2_000_000 : 10_000_000;
const bare = repeat('bare-engine', { events: bareEvents });
emit({
  name: 'bare-engine',
  value: Math.round(median(bare.map((r) => r.perSecond!))),
  unit: 'events/s',
  settings: { events: bareEvents, chains: 100 },
  runs: bare.map((r) => Math.round(r.perSecond!)),
  perCpuSecond: Math.round(median(bare.map((r) => r.perCpuSecond!))),
});

if (want('startup')) {
  // Whole commands, the build (dist/, made first) and the sources through tsx in turn.
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  // Wall time, and CPU time (user + system) from GNU time where it is installed: on a busy
  // shared machine the CPU time is the steadier figure.
  const gnuTime = existsSync('/usr/bin/time');
  const time = (cmd: string[], env: Record<string, string>) => {
    const t0 = performance.now();
    const r = gnuTime
      ? spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', process.execPath, ...cmd], {
          env: { ...process.env, ...env },
          stdio: ['ignore', 'ignore', 'pipe'],
          encoding: 'utf8',
        })
      : spawnSync(process.execPath, cmd, { env: { ...process.env, ...env }, stdio: 'ignore' });
    const wall = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`${cmd.join(' ')} exited ${r.status}`);
    const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(String(r.stderr ?? ''));
    return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : Number.NaN };
  };
  for (const [name, cmd] of [
    ['startup-help', ['bin/knsim.js', '--help']],
    ['startup-run', ['bin/knsim.js', 'run', 'bench/one-minute.yaml']],
  ] as const) {
    const built: { wall: number; cpu: number }[] = [];
    const source: { wall: number; cpu: number }[] = [];
    time([...cmd], {}); // warm the file cache
    for (let i = 0; i < (quick ? 3 : 7); i++) {
      built.push(time([...cmd], { KNSIM_SOURCE: '' }));
      source.push(time([...cmd], { KNSIM_SOURCE: '1' }));
    }
    emit({
      name,
      value: round(median(built.map((b) => b.wall))),
      unit: 'wall s',
      settings: { command: `knsim ${cmd.slice(1).join(' ')}`, from: 'the build in dist/' },
      runs: built.map((b) => round(b.wall)),
      cpuS: spread(built.map((b) => b.cpu)),
      tsx: { wallS: spread(source.map((b) => b.wall)), cpuS: spread(source.map((b) => b.cpu)) },
      // Each pair ran back to back: the build's time over the sources' through tsx.
      ratioToTsx: {
        wall: spread(built.map((b, i) => b.wall / source[i]!.wall)),
        cpu: spread(built.map((b, i) => b.cpu / source[i]!.cpu)),
      },
      goal: '≤ 0.3 s',
    });
  }
}

if (want('steady')) {
  const hours = quick ? 0.25 : 1;
  const rs = repeat('steady', { rps: 1000, hours });
  emit({
    name: 'steady',
    value: Math.round(median(rs.map((r) => r.perSecond!))),
    unit: 'simulated requests/s',
    settings: { revisions: 1, load: 'poisson 1000 rps', service: '100 ms constant', simulated: `${hours} h` },
    runs: rs.map((r) => Math.round(r.perSecond!)),
    perCpuSecond: Math.round(median(rs.map((r) => r.perCpuSecond!))),
    requests: rs[0]!.requests,
    // Simulated requests per CPU second over bare engine events per CPU second, per run.
    ratio: spread(rs.map((r) => r.perCpuSecond! / r.bareEventsPerCpuSecond!)),
    goal: 'ratio ≥ 0.5',
  });
}

if (want('services')) {
  // Cost linear in services: N Services sharing 1,000 RPS; 1,000 must cost ≤ 12× 100.
  const minutes = quick ? 2 : 10;
  const by = new Map<number, Run[]>();
  for (let i = 0; i < runs; i++) {
    for (const services of [100, 1000])
      by.set(services, [...(by.get(services) ?? []), runCase('services', { services, minutes })]);
  }
  for (const [services, rs] of by) {
    emit({
      name: `services-${services}`,
      value: round(median(rs.map((r) => r.cpuMs! / 1000))),
      unit: 'CPU s',
      settings: { services, load: 'poisson, 1000 rps shared', service: '100 ms', simulated: `${minutes} min` },
      runs: rs.map((r) => round(r.cpuMs! / 1000)),
      wallS: round(median(rs.map((r) => r.wallMs! / 1000))),
      requests: rs[0]!.requests,
      peakRssMb: round(median(rs.map((r) => r.peakRssMb!)), 1),
      // CPU time over the bare engine's for 10 M events, per run.
      ratio: spread(rs.map((r) => r.cpuMs! / 1000 / bareCpuS(r, 10_000_000))),
    });
  }
  const small = by.get(100)!;
  const big = by.get(1000)!;
  emit({
    name: 'services-1000-over-100',
    value: round(median(big.map((r, i) => r.cpuMs! / small[i]!.cpuMs!))),
    unit: 'ratio of CPU s',
    settings: { minutes },
    // Each 1,000-Service run over the 100-Service run just before it, both as engine ratios.
    ratio: spread(big.map((r, i) => r.cpuMs! / bareCpuS(r, 1) / (small[i]!.cpuMs! / bareCpuS(small[i]!, 1)))),
    goal: '≤ 12',
  });
}

if (want('diurnal-24h')) {
  // The 24 h trace scenario through the whole runner (its waits, kubectl steps and expectations
  // checked every 100 ms), when it exists; and the same day as a sine load through the harness.
  const scenario = ['scenarios/diurnal-24h.yaml', 'scenarios/traces/diurnal-24h.yaml'].find((f) => existsSync(f));
  const variants: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['diurnal-24h-sine', {}, { load: 'sine mean 100 rps, amplitude 90, period 24 h', simulated: '24 h' }],
  ];
  if (scenario) {
    variants.unshift([
      'diurnal-24h',
      { scenario },
      { scenario, load: 'Azure 2019 sample trace, function 0, ~100 rps mean, 24 h', containerConcurrency: 10 },
    ]);
  }
  for (const [name, options, settings] of variants) {
    const rs = repeat('diurnal-24h', options);
    emit({
      name,
      value: round(median(rs.map((r) => r.wallMs! / 1000))),
      unit: 'wall s',
      settings,
      runs: rs.map((r) => round(r.wallMs! / 1000)),
      cpuS: round(median(rs.map((r) => r.cpuMs! / 1000))),
      requests: rs[0]!.requests,
      // CPU time over the bare engine's for as many events as the run had requests, per run.
      ratio: spread(rs.map((r) => r.cpuMs! / 1000 / bareCpuS(r, r.requests!))),
      goal: '< 3 s; ratio ≤ 2',
    });
  }
}

if (want('diurnal-24h-process') && existsSync('scenarios/diurnal-24h.yaml')) {
  // The same day as users run it: `knsim run scenarios/diurnal-24h.yaml` as a whole process from
  // the build (made first), its CPU from start to exit on every thread. `diurnal-24h` above times
  // only `runScenario` in a process started through tsx; this adds Node's start, loading the
  // build and the summary, and runs the code as built (one file, its code cache, bin/knsim.js's
  // V8 settings).
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const rs = repeat('diurnal-24h-process', { scenario: 'scenarios/diurnal-24h.yaml' });
  emit({
    name: 'diurnal-24h-process',
    value: round(median(rs.map((r) => r.cpuMs! / 1000))),
    unit: 'CPU s',
    settings: { command: 'knsim run scenarios/diurnal-24h.yaml', from: 'the build in dist/' },
    runs: rs.map((r) => round(r.cpuMs! / 1000)),
    wallS: round(median(rs.map((r) => r.wallMs! / 1000))),
    // The main thread's CPU and the other threads' (V8's compiles and concurrent GC).
    mainThreadCpuS: spread(rs.map((r) => r.mainThreadCpuMs! / 1000)),
    otherThreadsCpuS: spread(rs.map((r) => r.otherThreadsCpuMs! / 1000)),
    requests: rs[0]!.requests,
    peakRssMb: round(median(rs.map((r) => r.processPeakRssMb!)), 1),
    // The whole process's CPU over the bare engine's for as many events as requests, per run.
    ratio: spread(rs.map((r) => r.cpuMs! / 1000 / bareCpuS(r, r.requests!))),
    goal: 'ratio ≤ 2',
  });
}

// Hours of CPU at full size, so only on request: --only fleet-day [--fleet-services N] [--fleet-hours H].
if (only?.includes('fleet-day')) {
  // 10,000 Services with an Azure-2019-shaped day (goal: under a minute, < 300 MB).
  const services = Number(flag('--fleet-services') ?? (quick ? 1000 : 10_000));
  const hours = Number(flag('--fleet-hours') ?? (quick ? 1 : 24));
  const rs = repeat('fleet-day', { services, hours });
  emit({
    name: 'fleet-day',
    value: round(median(rs.map((r) => r.cpuMs! / 1000))),
    unit: 'CPU s',
    settings: { services, trace: 'azure2019 sample mix (1 % hot, 9 % steady, 20 % bursty, 70 % sparse)', hours },
    runs: rs.map((r) => round(r.cpuMs! / 1000)),
    wallS: spread(rs.map((r) => r.wallMs! / 1000)),
    requests: rs[0]!.requests,
    peakRssMb: spread(
      rs.map((r) => r.peakRssMb!),
      1,
    ),
    // CPU time over the bare engine's for as many events as the case delivered, per run.
    ratio: spread(rs.map((r) => r.cpuMs! / 1000 / bareCpuS(r, r.events!))),
    goal: '< 60 s wall, < 300 MB (10,000 Services, 24 h)',
  });
}

if (want('memory')) {
  const seconds = quick ? 1_000 : 10_000;
  const rs = repeat('memory', { rps: 10_000, seconds }, 1);
  emit({
    name: 'memory',
    value: round(median(rs.map((r) => r.peakRssMb!)), 1),
    unit: 'MB peak RSS',
    settings: { load: 'poisson 10000 rps', simulated: `${seconds} s`, requests: rs[0]!.requests },
    runs: rs.map((r) => round(r.peakRssMb!, 1)),
    wallS: round(rs[0]!.wallMs! / 1000),
    cpuS: round(rs[0]!.cpuMs! / 1000),
    ratio: spread(rs.map((r) => r.cpuMs! / 1000 / bareCpuS(r, r.requests!))),
    goal: '< 300 MB',
  });
}

if (want('pods')) {
  // Cost bounded by requests and sampled pods, not by pods: containerConcurrency 1 at 1,000 RPS
  // with SimFaaS's example service time (exponential, mean 1.991 s), thousands of pods
  // (docs/performance.md, "Many pods").
  const seconds = quick ? 60 : 600;
  const rs = repeat('pods', { seconds });
  emit({
    name: 'pods',
    value: Math.round(median(rs.map((r) => r.perCpuSecond!))),
    unit: 'simulated requests per CPU s',
    settings: {
      load: 'poisson 1000 rps',
      service: 'exponential, mean 1.991 s',
      containerConcurrency: 1,
      nodes: '40 × (110 pods, 64 CPUs)',
      simulated: `${seconds} s`,
    },
    runs: rs.map((r) => Math.round(r.perCpuSecond!)),
    cpuS: spread(rs.map((r) => r.cpuMs! / 1000)),
    requests: rs[0]!.requests,
    maxPods: rs[0]!.maxPods,
    peakRssMb: round(median(rs.map((r) => r.peakRssMb!)), 1),
    // Simulated requests per CPU second over bare engine events per CPU second, per run (about
    // 10⁻³: six digits).
    ratio: spread(
      rs.map((r) => r.perCpuSecond! / r.bareEventsPerCpuSecond!),
      6,
    ),
    goal: '≥ 1.5 M requests/s',
  });
}

if (want('burst')) {
  const rs = repeat('burst', {});
  const settings = {
    load: '0 → 5000 rps in 1 s at 60 s, held 59 s; 100 ms requests',
    containerConcurrency: 1,
    maxScale: 500,
    simulated: '240 s',
  };
  emit({
    name: 'burst',
    value: round(median(rs.map((r) => r.wallMs! / 1000))),
    unit: 'wall s',
    settings,
    runs: rs.map((r) => round(r.wallMs! / 1000)),
    cpuS: round(median(rs.map((r) => r.cpuMs! / 1000))),
    maxPods: rs[0]!.maxPods,
    requests: rs[0]!.requests,
    ratio: spread(rs.map((r) => r.cpuMs! / 1000 / bareCpuS(r, r.requests!))),
  });
  emit({
    name: 'burst-rss',
    value: round(median(rs.map((r) => r.peakRssMb!)), 1),
    unit: 'MB peak RSS',
    settings,
    runs: rs.map((r) => round(r.peakRssMb!, 1)),
  });
}
