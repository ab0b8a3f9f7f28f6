/**
 * knsim's benchmarks (not tests): `npm run bench [-- --runs N] [-- --quick] [-- --only name,...]`.
 * Prints one JSON object per line: { name, value, unit, settings, runs, ... }, the value being
 * the median of the runs. Each run is a fresh process (bench/cases.ts), so peak RSS and JIT
 * warm-up belong to that case alone. Every case runs the full model: KPA ticks every 2 s, metric
 * windows, the activator and the queue-proxy, per-second samples; the event log is not kept and
 * request events are not built (as `knsim run` without --log).
 */
import { execFileSync } from 'node:child_process';
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

function runCase(name: string, options: Record<string, unknown> = {}): Record<string, number> {
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

function repeat(name: string, options: Record<string, unknown>, n = runs): Record<string, number>[] {
  return Array.from({ length: n }, () => runCase(name, options));
}

function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...line, machine, loadAverage: load() })}\n`);
}

const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;
const want = (name: string) => !only || only.includes(name);

// The baseline: a bare engine loop, no model (one closure and one heap entry per event).
const bareEvents = quick ? 2_000_000 : 10_000_000;
const bare = repeat('bare-engine', { events: bareEvents });
const bareRate = median(bare.map((r) => r.perSecond!));
emit({
  name: 'bare-engine',
  value: Math.round(bareRate),
  unit: 'events/s',
  settings: { events: bareEvents, chains: 100 },
  runs: bare.map((r) => Math.round(r.perSecond!)),
  perCpuSecond: Math.round(median(bare.map((r) => r.perCpuSecond!))),
});

if (want('steady')) {
  const hours = quick ? 0.25 : 1;
  const rs = repeat('steady', { rps: 1000, hours });
  const rate = median(rs.map((r) => r.perSecond!));
  emit({
    name: 'steady',
    value: Math.round(rate),
    unit: 'simulated requests/s',
    settings: { revisions: 1, load: 'poisson 1000 rps', service: '100 ms constant', simulated: `${hours} h` },
    runs: rs.map((r) => Math.round(r.perSecond!)),
    perCpuSecond: Math.round(median(rs.map((r) => r.perCpuSecond!))),
    requests: rs[0]!.requests,
    goal: 2_000_000,
    // Each request is two engine events (arrival, completion) plus its share of the model. CPU
    // rates: steadier than wall rates on a shared machine.
    ratioToBareEngineEvents: round(median(rs.map((r) => r.perCpuSecond!)) / median(bare.map((r) => r.perCpuSecond!))),
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
      goal: '< 3 s',
    });
  }
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
    goal: '< 300 MB',
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
  });
  emit({
    name: 'burst-rss',
    value: round(median(rs.map((r) => r.peakRssMb!)), 1),
    unit: 'MB peak RSS',
    settings,
    runs: rs.map((r) => round(r.peakRssMb!, 1)),
  });
}
