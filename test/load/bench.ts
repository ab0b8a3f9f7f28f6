/**
 * Throughput of the load sources (not a test; prints figures):  npx tsx test/load/bench.ts [millions]
 *
 * Also compares the chosen contract (a fresh Arrival per next()) with a reused mutable object, to
 * back the choice documented in src/sim/load/types.ts.
 */
import seedrandom from 'seedrandom';
import { BurstSource, MergeSource, type PhaseOptions, PoissonSource, SineSource } from '../../src/sim/load/openLoop.js';
import { expVariate } from '../../src/sim/load/rng.js';
import { exponential, lognormalFromPercentiles } from '../../src/sim/load/serviceTime.js';
import { Azure2019Source } from '../../src/sim/load/traces/azure2019.js';
import { Azure2021Source } from '../../src/sim/load/traces/azure2021.js';
import type { Arrival, ArrivalSource } from '../../src/sim/load/types.js';

const M = Number(process.argv[2] ?? 10);
const N = M * 1_000_000;

function opts(seed: string): PhaseOptions {
  return {
    durationMs: Number.POSITIVE_INFINITY,
    random: seedrandom.alea(seed),
    serviceRandom: seedrandom.alea(`${seed}/s`),
    service: exponential(100),
  };
}

function run(name: string, make: () => ArrivalSource, n = N): void {
  const s = make();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  let sum = 0;
  let k = 0;
  for (let a = s.next(); a !== undefined && k < n; a = s.next()) {
    sum += a.serviceMs;
    k++;
  }
  const sec = (performance.now() - t0) / 1000;
  const heapMb = (process.memoryUsage().heapUsed - heap0) / 1e6;
  console.log(
    `${name.padEnd(44)} ${(k / 1e6).toFixed(1).padStart(6)} M arrivals  ${(k / sec / 1e6).toFixed(1).padStart(5)} M/s  heap Δ ${heapMb.toFixed(1)} MB  (checksum ${(sum / k).toFixed(1)})`,
  );
}

/** The alternative contract: one mutable object reused by every next(). */
class ReusedPoisson {
  private t = 0;
  private readonly out: Arrival = { atMs: 0, serviceMs: 0, target: undefined, clientId: undefined, kind: 'request' };
  private readonly r = seedrandom.alea('p');
  private readonly rs = seedrandom.alea('p/s');
  next(): Arrival | undefined {
    this.t += expVariate(this.r, 1000 / 100_000);
    this.out.atMs = this.t;
    this.out.serviceMs = expVariate(this.rs, 100);
    return this.out;
  }
}

run('poisson 100k rps, exponential service', () => new PoissonSource(opts('p'), 100_000));
run('same, reused mutable Arrival (alternative)', () => new ReusedPoisson());
run(
  'poisson, lognormal service',
  () => new PoissonSource({ ...opts('l'), service: lognormalFromPercentiles(120, 900) }, 100_000),
);
run(
  'sine (thinning, 50 % acceptance)',
  () => new SineSource(opts('s'), { meanRps: 50_000, amplitudeRps: 50_000, periodMs: 60_000 }),
);
run('bursts 1000 within 100 ms every 1 s', () => new BurstSource(opts('b'), 1000, 1000, 100));
run(
  'merge of 8 poisson sources',
  () => new MergeSource(Array.from({ length: 8 }, (_, i) => new PoissonSource(opts(`m${i}`), 12_500))),
);
run(
  'azure2019 uniform, 6000/min × 1440 (repeat)',
  () => {
    const counts = new Uint32Array(1440).fill(6000);
    return new Azure2019Source(opts('a'), counts, { spread: 'uniform' });
  },
  8_640_000,
);

// Azure 2021 parsing: a synthetic 1 M-line text.
const lines = ['app,func,end_timestamp,duration'];
for (let i = 0; i < 1_000_000; i++)
  lines.push(`a${i % 7},f${i % 13},${(i / 100 + 1).toFixed(3)},${((i % 50) / 100).toFixed(3)}`);
const text = lines.join('\n');
run('azure2021 parse 1 M lines (from a string)', () => new Azure2021Source({ text, file: 'synthetic' }));

const mem = process.memoryUsage();
console.log(`rss ${(mem.rss / 1e6).toFixed(0)} MB, heapUsed ${(mem.heapUsed / 1e6).toFixed(0)} MB`);
