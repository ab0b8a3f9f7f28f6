import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { constant } from '../../src/sim/load/serviceTime.js';
import {
  Azure2019Source,
  durationSampler,
  readAllAzure2019Invocations,
  readAzure2019Durations,
  readAzure2019Invocations,
} from '../../src/sim/load/traces/azure2019.js';
import { Azure2021Source } from '../../src/sim/load/traces/azure2021.js';
import { FileLineReader, StringLineReader, TraceError } from '../../src/sim/load/traces/lines.js';
import { makeSamples, SAMPLE_FILES } from '../../src/sim/load/traces/makeSamples.js';
import { drain } from '../../src/sim/load/types.js';
import { binCounts, quantile, rng, sample } from './helpers.js';

const DIR = join(import.meta.dirname, '../../scenarios/traces');
const INV = { path: join(DIR, SAMPLE_FILES.invocations2019), file: 'traces/azure2019-sample-invocations.csv' };
const DUR = { path: join(DIR, SAMPLE_FILES.durations2019), file: 'traces/azure2019-sample-durations.csv' };
const T21 = { path: join(DIR, SAMPLE_FILES.trace2021), file: 'traces/azure2021-sample.csv' };

const header2019 = ['HashOwner,HashApp,HashFunction,Trigger', ...Array.from({ length: 1440 }, (_, i) => i + 1)].join(
  ',',
);
const row2019 = (func: string, counts: (m: number) => number | string) =>
  ['o', 'a', func, 'http', ...Array.from({ length: 1440 }, (_, m) => counts(m))].join(',');

function catchError(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('sample files', () => {
  it('are the seeded generator output and stay small', () => {
    for (const [name, text] of Object.entries(makeSamples())) {
      const committed = readFileSync(join(DIR, name), 'utf8');
      expect(committed === text, `${name} differs from makeSamples(); rerun src/sim/load/traces/makeSamples.ts`).toBe(
        true,
      );
      expect(committed.length).toBeLessThan(200 * 1024);
    }
  });
});

describe('line readers', () => {
  it('file reader with tiny chunks equals the string reader (CRLF, UTF-8 across chunks, no final newline)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'knsim-lines-'));
    try {
      const text = 'a,b\r\nµs,é€\n\nlast line ✓';
      const path = join(dir, 'x.csv');
      writeFileSync(path, text);
      for (const chunk of [1, 2, 3, 7, 64]) {
        const f = new FileLineReader(path, 'x.csv', chunk);
        const s = new StringLineReader(text, 'x.csv');
        for (;;) {
          const a = f.nextLine();
          expect(a).toBe(s.nextLine());
          expect(f.lineNo).toBe(s.lineNo);
          if (a === undefined) break;
        }
      }
      expect(new StringLineReader(text).nextLine()).toBe('a,b');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('Azure Functions 2019', () => {
  it('reads the sample: four functions, diurnal one at ~6000/minute', () => {
    const all = readAllAzure2019Invocations(INV);
    expect(all.map((f) => f.trigger)).toEqual(['http', 'timer', 'queue', 'http']);
    const diurnal = all[0]!;
    expect(diurnal.counts.length).toBe(1440);
    const total = diurnal.counts.reduce((a, b) => a + b, 0);
    expect(total / 1440).toBeGreaterThan(5800);
    expect(total / 1440).toBeLessThan(6200);
    // peak near 14:00, trough near 02:00
    expect(diurnal.counts[840]!).toBeGreaterThan(3 * diurnal.counts[120]!);
    const byHash = readAzure2019Invocations(INV, all[2]!.func);
    expect(byHash.index).toBe(2);
    expect(byHash.line).toBe(4);
    expect([...byHash.counts]).toEqual([...all[2]!.counts]);
    expect(readAzure2019Invocations(INV, 3).func).toBe(all[3]!.func);
  });

  it('reads durations by function and samples its percentiles', () => {
    const f = readAzure2019Invocations(INV, 0);
    const d = readAzure2019Durations(DUR, { func: f.func, app: f.app, owner: f.owner });
    expect(d.percentiles.p50).toBe(120);
    expect(d.percentiles.p99).toBe(900);
    const xs = sample(durationSampler(d), 50_000);
    expect(quantile(xs, 0.5)).toBeCloseTo(120, -1);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(d.percentiles.p0!);
    expect(Math.max(...xs)).toBeLessThanOrEqual(d.percentiles.p100!);
    const ln = sample(durationSampler(d, 'lognormal'), 50_000);
    expect(quantile(ln, 0.5) / 120).toBeCloseTo(1, 1);
    expect(quantile(ln, 0.99) / 900).toBeCloseTo(1, 1);
  });

  it('uniform and equidistant spreads keep every minute count exactly; poisson keeps the mean', () => {
    const f = readAzure2019Invocations(INV, 0);
    const minutes = 30;
    const from = 600;
    const expected = [...f.counts.slice(from, from + minutes)];
    for (const spread of ['uniform', 'equidistant'] as const) {
      const src = new Azure2019Source(
        { startMs: 5000, durationMs: Number.POSITIVE_INFINITY, random: rng(spread), service: constant(1) },
        f.counts,
        { spread, fromMinute: from, minutes },
      );
      const ts = drain(src).map((a) => a.atMs);
      expect(ts.every((t, i) => i === 0 || t >= ts[i - 1]!)).toBe(true);
      expect(binCounts(ts, 5000, 5000 + minutes * 60_000, 60_000)).toEqual(expected);
      if (spread === 'equidistant') expect(ts[1]! - ts[0]!).toBeCloseTo(60_000 / expected[0]!, 6);
    }
    const poisson = drain(
      new Azure2019Source({ durationMs: Number.POSITIVE_INFINITY, random: rng('p'), service: constant(1) }, f.counts, {
        spread: 'poisson',
        fromMinute: from,
        minutes,
      }),
    );
    const want = expected.reduce((a, b) => a + b, 0);
    expect(Math.abs(poisson.length - want)).toBeLessThan(4 * Math.sqrt(want));
    expect(poisson.map((a) => a.atMs)).toEqual([...poisson.map((a) => a.atMs)].sort((a, b) => a - b));
  });

  it('rateScale scales counts; the phase duration cuts the replay', () => {
    const counts = new Uint32Array(10).fill(100);
    const base = { durationMs: Number.POSITIVE_INFINITY, random: rng('s'), service: constant(1) };
    expect(drain(new Azure2019Source(base, counts, { rateScale: 0.5 })).length).toBe(500);
    expect(drain(new Azure2019Source({ ...base, durationMs: 90_000 }, counts, { spread: 'equidistant' })).length).toBe(
      150,
    );
  });

  it('malformed files: errors name the file and line', () => {
    const bad = (text: string, select: string | number = 0) =>
      catchError(() => readAzure2019Invocations({ text, file: 'traces/x.csv' }, select));
    const short = `${header2019}\n${row2019('f0', () => 1)}\no,a,f1,http,1,2,3,4,5,6,7,8\n`;
    const e = bad(short, 'f1');
    expect(e).toBeInstanceOf(TraceError);
    expect(e.message).toBe('traces/x.csv:3: expected 1444 columns, got 12');
    expect((e as TraceError).file).toBe('traces/x.csv');
    expect((e as TraceError).line).toBe(3);
    expect(bad(`${header2019}\n${row2019('f0', (m) => (m === 9 ? 'x' : 1))}\n`).message).toBe(
      'traces/x.csv:2: minute 10 (column 14): expected a count >= 0, got "x"',
    );
    expect(bad(`${header2019}\n${row2019('f0', (m) => (m === 0 ? -1 : 1))}\n`).message).toMatch(
      /^traces\/x.csv:2: minute 1 /,
    );
    expect(bad('Owner,App,Function,Trigger,1\n').message).toMatch(/^traces\/x.csv:1: expected header HashOwner/);
    expect(bad('').message).toBe('traces/x.csv:1: empty file, expected a header line');
    expect(bad(`${header2019}\n${row2019('f0', () => 1)}\n`, 'nope').message).toBe(
      'traces/x.csv: function "nope" not found in column HashFunction',
    );
    expect(bad(`${header2019}\n${row2019('f0', () => 1)}\n`, 5).message).toMatch(
      /index 5 not found \(the file has 1 functions\)/,
    );
    expect(
      catchError(() => readAzure2019Invocations({ path: '/nonexistent/x.csv', file: 'x.csv' }, 0)).message,
    ).toMatch(/^x.csv: cannot open/);
    // In words, with the path it was looked for at (the scenario names it relative to itself).
    expect(catchError(() => readAzure2019Invocations({ path: '/nonexistent/x.csv', file: 'x.csv' }, 0)).message).toBe(
      'x.csv: cannot open /nonexistent/x.csv: no such file or directory',
    );
    const dir = mkdtempSync(join(tmpdir(), 'knsim-trace-dir-'));
    expect(catchError(() => readAzure2019Invocations({ path: dir, file: 'traces' }, 0)).message).toBe(
      'traces: cannot read: it is a directory',
    );
  });

  it('malformed durations file', () => {
    const head =
      'HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100';
    const read = (text: string) =>
      catchError(() => readAzure2019Durations({ text, file: 'd.csv' }, { func: 'f' })).message;
    expect(read('HashOwner,HashApp,HashFunction,Average\n')).toBe('d.csv:1: header has no column Count');
    expect(read(`${head}\no,a,f,1,2,3\n`)).toBe('d.csv:2: expected 14 columns, got 6');
    expect(read(`${head}\no,a,f,1,2,3,4,5,6,7,8,9,10,abc\n`)).toBe(
      'd.csv:2: column percentile_Average_100: expected a number >= 0, got "abc"',
    );
    expect(read(`${head}\no,a,f,1,2,3,4,5,6,7,3,9,10,11\n`)).toMatch(/^d.csv:2: percentile_Average_50 \(3\) is below/);
  });
});

describe('Azure Functions 2021', () => {
  const rows = readFileSync(T21.path, 'utf8').trim().split('\n').slice(1);

  it('replays every invocation, sorted by start, with the trace durations', () => {
    const out = drain(new Azure2021Source(T21));
    expect(out.length).toBe(rows.length);
    expect(out.length).toBeGreaterThan(2000);
    for (let i = 1; i < out.length; i++) expect(out[i]!.atMs).toBeGreaterThanOrEqual(out[i - 1]!.atMs);
    expect(out[0]!.atMs).toBe(0); // rebased on the first start
    const starts = rows.map((r) => {
      const [, , end, dur] = r.split(',');
      return Number(end) - Number(dur);
    });
    const t0 = Math.min(...starts);
    expect(out.at(-1)!.atMs).toBeCloseTo((Math.max(...starts) - t0) * 1000, 3);
    const durations = rows.map((r) => Number(r.split(',')[3]) * 1000).sort((a, b) => a - b);
    expect(out.map((a) => a.serviceMs).sort((a, b) => a - b)).toEqual(durations.map((d) => expect.closeTo(d, 6)));
  });

  it('filters by function, scales time, starts at the phase start, stops at its end', () => {
    const func = rows[0]!.split(',')[1]!;
    const all = drain(new Azure2021Source(T21, { func }));
    expect(all.length).toBe(rows.filter((r) => r.split(',')[1] === func).length);
    const fast = drain(new Azure2021Source(T21, { func, timeScale: 0.5, startMs: 1000, target: 'http://f' }));
    expect(fast.length).toBe(all.length);
    expect(fast[0]!.atMs).toBe(1000);
    expect(fast.at(-1)!.atMs - 1000).toBeCloseTo(all.at(-1)!.atMs / 2, 6);
    expect(fast[0]!.target).toBe('http://f');
    const cut = drain(new Azure2021Source(T21, { func, durationMs: 60_000 }));
    expect(cut.length).toBe(all.filter((a) => a.atMs < 60_000).length);
    const svc = drain(new Azure2021Source(T21, { func, service: constant(7) }));
    expect(svc.every((a) => a.serviceMs === 7)).toBe(true);
  });

  it('malformed: errors name the line', () => {
    const read = (text: string, o = {}) =>
      catchError(() => drain(new Azure2021Source({ text, file: 't.csv' }, o))).message;
    expect(read('app,func,end\n')).toBe(
      't.csv:1: header has no column end_timestamp (expected app,func,end_timestamp,duration)',
    );
    expect(read('app,func,end_timestamp,duration\na,f,1.5,0.5\na,f,2\n')).toBe('t.csv:3: expected 4 columns, got 3');
    expect(read('app,func,end_timestamp,duration\na,f,x,0.5\n')).toBe(
      't.csv:2: end_timestamp: expected seconds, got "x"',
    );
    expect(read('app,func,end_timestamp,duration\na,f,3,-1\n')).toBe(
      't.csv:2: duration: expected seconds >= 0, got "-1"',
    );
    // rows out of order by more than the reorder window
    expect(read('app,func,end_timestamp,duration\na,f,100,0\na,f,200,0\na,f,50,0\n', { reorderWindowS: 10 })).toMatch(
      /^t.csv:4: invocation starts at 50 s, before one already replayed at 100 s/,
    );
  });

  it('re-sorts rows by start within the reorder window', () => {
    // sorted by end, but a long invocation started before the two short ones
    const text = 'app,func,end_timestamp,duration\na,f,10,1\na,f,11,1\na,f,12,5\n';
    expect(drain(new Azure2021Source({ text, file: 't' })).map((a) => a.atMs)).toEqual([0, 2000, 3000]);
  });
});
