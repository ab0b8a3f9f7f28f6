/**
 * Generates the small sample traces under `scenarios/traces/` in the real Azure formats, from a
 * fixed seed (the committed files are this script's output; a test checks they are in sync):
 *
 *   npx tsx src/sim/load/traces/makeSamples.ts [outDir]     # default scenarios/traces
 *
 * - `azure2019-sample-invocations.csv` (+ `-durations.csv`): four functions × 1,440 minutes:
 *   0 `diurnal` HTTP, ~100 RPS mean (~6,000/min) peaking at 14:00; 1 `sparse` timer, once every
 *   15 min plus rare calls; 2 `bursty` queue, near idle with a few bursts of thousands; 3 `steady`
 *   HTTP, ~10/min.
 * - `azure2021-sample.csv`: ~3,000 invocations of three functions over one hour, sorted by end
 *   (app and function hashes shortened to 16 hex digits to keep the file small).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import seedrandom from 'seedrandom';
import type { Random } from '../../../model/random.js';
import { normalVariate } from '../rng.js';

export const SAMPLE_SEED = 'knsim-traces-v1';

export const SAMPLE_FILES = {
  invocations2019: 'azure2019-sample-invocations.csv',
  durations2019: 'azure2019-sample-durations.csv',
  trace2021: 'azure2021-sample.csv',
} as const;

function hash(random: Random, length = 64): string {
  let s = '';
  for (let i = 0; i < length; i++) s += '0123456789abcdef'[Math.floor(random() * 16)];
  return s;
}

function poisson(random: Random, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normalVariate(random)));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  for (;;) {
    p *= random();
    if (p <= l) return k;
    k++;
  }
}

interface SampleFunction {
  name: string;
  trigger: string;
  rate: (minute: number, random: Random) => number;
  /** median and p99 of the duration (ms) */
  median: number;
  p99: number;
}

export function makeSamples(seed = SAMPLE_SEED): Record<string, string> {
  const random = seedrandom.alea(seed);
  const burstMinutes = new Set<number>();
  while (burstMinutes.size < 6) burstMinutes.add(60 + Math.floor(random() * 1320));
  const functions: SampleFunction[] = [
    {
      name: 'diurnal',
      trigger: 'http',
      // mean 6000/min, ±60 %, peak at minute 840 (14:00)
      rate: (m) => 6000 * (1 + 0.6 * Math.cos((2 * Math.PI * (m - 840)) / 1440)),
      median: 120,
      p99: 900,
    },
    {
      name: 'sparse',
      trigger: 'timer',
      rate: (m) => (m % 15 === 0 ? 1 : 0) + 0.01,
      median: 2500,
      p99: 9000,
    },
    {
      name: 'bursty',
      trigger: 'queue',
      rate: (m) => (burstMinutes.has(m) ? 3000 : burstMinutes.has(m - 1) ? 800 : 0.3),
      median: 40,
      p99: 400,
    },
    { name: 'steady', trigger: 'http', rate: () => 10, median: 15, p99: 60 },
  ];
  const owner = hash(random);
  const app = hash(random);
  const rows2019: string[] = [['HashOwner', 'HashApp', 'HashFunction', 'Trigger'].concat(minuteHeader()).join(',')];
  const durations: string[] = [
    'HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100',
  ];
  for (const f of functions) {
    const func = hash(random);
    const counts: number[] = [];
    for (let m = 0; m < 1440; m++) counts.push(poisson(random, f.rate(m, random)));
    rows2019.push([owner, app, func, f.trigger, ...counts].join(','));
    // Lognormal percentiles: sigma from median and p99.
    const sigma = Math.log(f.p99 / f.median) / 2.3263478740408408;
    const q = (z: number) => Math.round(f.median * Math.exp(sigma * z));
    const p = [q(-3.2), q(-2.3263), q(-0.6745), f.median, q(0.6745), f.p99, q(3.5)];
    const total = counts.reduce((a, b) => a + b, 0);
    const avg = Math.round(f.median * Math.exp((sigma * sigma) / 2));
    durations.push([owner, app, func, avg, total, p[0], p[6], ...p].join(','));
  }

  // Azure 2021: three functions over one hour, Poisson arrivals, lognormal durations (s).
  const inv: { app: string; func: string; end: number; dur: number }[] = [];
  const specs = [
    { rate: 0.6, median: 0.08, sigma: 1.0 },
    { rate: 0.2, median: 1.5, sigma: 0.8 },
    { rate: 0.03, median: 20, sigma: 0.5 },
  ];
  for (const s of specs) {
    // 16 hex digits instead of the real 64 keeps ~3,000 rows under 200 KB; the columns are the same.
    const a = hash(random, 16);
    const fn = hash(random, 16);
    for (let t = -Math.log(1 - random()) / s.rate; t < 3600; t += -Math.log(1 - random()) / s.rate) {
      const dur = s.median * Math.exp(s.sigma * normalVariate(random));
      inv.push({ app: a, func: fn, end: t + dur, dur });
    }
  }
  inv.sort((x, y) => x.end - y.end);
  const rows2021 = ['app,func,end_timestamp,duration'];
  for (const r of inv) rows2021.push(`${r.app},${r.func},${r.end.toFixed(3)},${r.dur.toFixed(3)}`);

  return {
    [SAMPLE_FILES.invocations2019]: `${rows2019.join('\n')}\n`,
    [SAMPLE_FILES.durations2019]: `${durations.join('\n')}\n`,
    [SAMPLE_FILES.trace2021]: `${rows2021.join('\n')}\n`,
  };
}

function minuteHeader(): string[] {
  return Array.from({ length: 1440 }, (_, i) => String(i + 1));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = process.argv[2] ?? 'scenarios/traces';
  mkdirSync(out, { recursive: true });
  for (const [name, text] of Object.entries(makeSamples())) {
    writeFileSync(join(out, name), text);
    console.log(`${join(out, name)}: ${text.length} bytes`);
  }
}
