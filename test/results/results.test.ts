import { describe, expect, it } from 'vitest';
import type { LogLine, SampleEvent } from '../../src/model/events.js';
import { loadScenario, runScenario } from '../../src/runner/simulate.js';
import {
  CSV_COLUMNS,
  csvHeader,
  csvRow,
  formatResults,
  LatencyHistogram,
  ResultsCollector,
  resultsToJSON,
} from '../../src/sim/results.js';

const WARM = 'test/results/fixtures/warm-pod.yaml';
const COLD = 'test/results/fixtures/cold-burst.yaml';
const E = LatencyHistogram.RELATIVE_ERROR;

async function warmRun() {
  const scenario = loadScenario(WARM);
  (scenario.settings as Record<string, unknown>).networking = 'none';
  const lines: LogLine[] = [];
  const outcome = await runScenario(scenario, WARM, { log: { keep: false }, observe: (l) => lines.push(l) });
  return { ...outcome, lines };
}

describe('results of a hand-checked run: 20 requests on a warm pod', async () => {
  const run = await warmRun();
  const r = run.results;

  it('counts every request as answered', () => {
    expect(r.requests).toBe(20);
    expect(r.answered).toBe(20);
    expect(r.status503 + r.status504 + r.otherErrors).toBe(0);
    expect(r.coldRequests).toBe(0);
    expect(r.coldStarts).toBe(0);
  });

  it('gives the latency percentiles of 10 × 100 ms and 10 × 300 ms', () => {
    // ranks: p50 = 10th value (100 ms), p95 = 19th and p99 = 20th (300 ms)
    expect(r.latency.count).toBe(20);
    expect(r.latency.mean).toBeCloseTo(200, 6);
    expect(r.latency.p50).toBeGreaterThanOrEqual(100);
    expect(r.latency.p50).toBeLessThanOrEqual(100 * (1 + E));
    expect(r.latency.p95).toBe(300); // the bucket edge is clamped to the maximum seen
    expect(r.latency.p99).toBe(300);
    expect(r.latency.max).toBe(300);
  });

  it('counts one pod for every second of the run: pod-seconds, mean and max', () => {
    const samples = run.lines.filter((l): l is SampleEvent => l.type === 'sample');
    expect(samples.length).toBe(60); // one per second from 1 s to 60 s
    expect(r.maxPods).toBe(1);
    expect(r.meanPods).toBe(1);
    expect(r.podSeconds).toBe(60);
    expect(r.durationMs).toBe(60_000);
    expect(r.timeToZeroMs).toBeNull(); // min-scale 1: the pod stays
  });

  it('keeps the activator in the path (excess burst capacity 100 − 211 < 0) and never panics', () => {
    expect(r.activatorInPathSeconds).toBe(60);
    expect(r.panicSeconds).toBe(0);
  });

  it('prints them in plain words', () => {
    const text = formatResults(r);
    expect(text).toContain('requests 20: 20 answered, 0 × 503, 0 × 504');
    expect(text).toContain('p95 300 ms');
    expect(text).toContain('pods max 1, mean 1, 60 pod-seconds');
    expect(text).toContain('cold starts (scale from zero) 0');
  });
});

describe('results of a run from zero', async () => {
  const lines: LogLine[] = [];
  const run = await runScenario(loadScenario(COLD), COLD, { observe: (l) => lines.push(l) });
  const r = run.results;

  it('counts scale-from-zero events apart from cold requests', () => {
    const fromZero = lines.filter((l) => l.type === 'scale' && l.from === 0 && l.to > 0);
    expect(r.coldStarts).toBe(fromZero.length);
    expect(r.coldStarts).toBe(1);
    const coldDone = lines.filter((l) => l.type === 'request' && l.phase === 'done' && l.cold);
    expect(r.coldRequests).toBe(coldDone.length);
    expect(r.coldRequests).toBeGreaterThan(1);
  });

  it('measures time to zero from the last answer to the last pod gone', () => {
    const events = lines.filter((l) => l.type !== 'header');
    const lastDone = Math.max(...events.filter((l) => l.type === 'request' && l.phase === 'done').map((l) => l.t));
    const lastGone = Math.max(...events.filter((l) => l.type === 'pod' && l.phase === 'Gone').map((l) => l.t));
    expect(r.timeToZeroMs).toBe(lastGone - lastDone);
    expect(r.timeToZeroMs).toBeGreaterThan(60_000); // a stable window, then the 30 s drain
  });

  it('sums pods per second into pod-seconds', () => {
    const samples = lines.filter((l): l is SampleEvent => l.type === 'sample');
    const sum = samples.reduce((a, s) => a + s.ready + s.pending + s.terminating, 0);
    expect(r.podSeconds).toBe(sum);
    expect(r.meanPods).toBeCloseTo(sum / samples.length, 9);
  });
});

describe('JSON and CSV', () => {
  it('prints the results as JSON with null for figures without data', () => {
    const c = new ResultsCollector();
    c.request(503, 1, false, 1000);
    const json = JSON.parse(resultsToJSON(c.results()));
    expect(Object.keys(json)).toEqual([
      'durationMs',
      'requests',
      'answered',
      'status503',
      'status504',
      'otherErrors',
      'latency',
      'coldRequests',
      'coldLatency',
      'coldStarts',
      'timeToZeroMs',
      'maxPods',
      'meanPods',
      'podSeconds',
      'panicSeconds',
      'activatorInPathSeconds',
    ]);
    expect(json.requests).toBe(1);
    expect(json.status503).toBe(1);
    expect(json.latency).toEqual({ count: 0, mean: null, p50: null, p95: null, p99: null, max: null });
    expect(json.timeToZeroMs).toBe(0); // no pod ever existed
  });

  it('writes one CSV row per sample with the documented columns', async () => {
    const rows: string[] = [];
    const scenario = loadScenario(WARM);
    await runScenario(scenario, WARM, {
      log: { keep: false, requestSampling: 0 },
      observe: (l) => {
        if (l.type === 'sample') rows.push(csvRow(l));
      },
    });
    expect(csvHeader()).toBe(
      't,revision,desired,ready,pending,terminating,rps,concurrency,activator_queue,queue_proxy_queue,in_flight,panic,activator_in_path\n',
    );
    expect(rows).toHaveLength(60);
    const cells = rows.map((r) => r.trimEnd().split(','));
    for (const c of cells) expect(c).toHaveLength(CSV_COLUMNS.length);
    // the 10 requests at 100 ms arrive from 30 s to 30.9 s (the one at exactly 30 s may be
    // counted in the sample taken at that instant)
    const at = (t: number) => cells.find((c) => c[0] === String(t))!;
    const at31 = at(31);
    expect(at31[1]).toBe('warm-00001');
    expect(Number(at(30)[6]) + Number(at31[6])).toBe(10); // rps
    expect(at31[3]).toBe('1'); // ready
    expect(at31[12]).toBe('1'); // activator in path
    expect(cells.reduce((a, c) => a + Number(c[6]), 0)).toBe(20);
  });
});

describe('formatResults durations', () => {
  const none = { count: 0, mean: Number.NaN, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const base = {
    durationMs: 0,
    requests: 0,
    answered: 0,
    status503: 0,
    status504: 0,
    otherErrors: 0,
    latency: none,
    coldRequests: 0,
    coldLatency: none,
    coldStarts: 0,
    timeToZeroMs: null,
    maxPods: 0,
    meanPods: 0,
    podSeconds: 0,
    panicSeconds: 0,
    activatorInPathSeconds: 0,
  };

  it('prints the run time and the time to zero in the style of the other durations', () => {
    expect(formatResults(base)).toContain('activator in the path 0 s of 0 s\n');
    expect(formatResults(base)).toContain('time to zero after the last request n/a (no requests)\n');
    const text = formatResults({ ...base, durationMs: 250, requests: 1, timeToZeroMs: 59_970 });
    expect(text).toContain('of 0.25 s\n');
    expect(text).toContain('request 1m0s\n');
    expect(formatResults({ ...base, requests: 3 })).toContain('n/a (pods still up at the end)');
    expect(formatResults({ ...base, durationMs: 3_725_000 })).toContain('of 1h2m\n');
  });

  it('never prints 60 seconds inside a minute, or 1000 ms', () => {
    const lat = { count: 1, mean: 1, p50: 999.7, p95: 59_960, p99: 119_600, max: 119_600 };
    const text = formatResults({ ...base, requests: 1, answered: 1, latency: lat });
    expect(text).toContain('p50 1.00 s, p95 1m0s, p99 2m0s, max 2m0s');
  });
});
