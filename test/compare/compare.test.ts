import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  arrivalsTrace,
  bucket,
  compareSummaries,
  type ParsedLog,
  recordedArrivals,
  renderChart,
  renderComparison,
  renderTable,
  scenarioFileOf,
  summarize,
} from '../../src/compare/index.js';
import { predict } from '../../src/compare/predict.js';
import type { LogEvent, LogHeader } from '../../src/model/events.js';

function header(backend: 'sim' | 'live', extra: Partial<LogHeader> = {}): LogHeader {
  return {
    type: 'header',
    format: 1,
    knsim: '0.1.0',
    backend,
    scenario: 'tiny',
    seed: 1,
    namespace: 'default',
    epoch: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}

const pod = (t: number, name: string, phase: 'Pending' | 'Ready' | 'Terminating' | 'Gone'): LogEvent => ({
  t,
  type: 'pod',
  pod: name,
  revision: 'r-00001',
  phase,
});

const done = (t: number, id: number, status: number, latencyMs: number, cold = false): LogEvent => ({
  t,
  type: 'request',
  phase: 'done',
  id,
  revision: 'r-00001',
  status,
  latencyMs,
  cold,
  outcome: status === 503 ? '503' : status === 504 ? '504' : 'ok',
});

/** A pod from 0 to 1 s Pending, Ready at 1 s; a request at 2 s; idle, draining at 62 s, gone at 92 s; a cold request at 100 s. */
function simLog(): ParsedLog {
  return {
    header: header('sim'),
    events: [
      pod(0, 'p1', 'Pending'),
      pod(1000, 'p1', 'Ready'),
      done(2000, 1, 200, 5),
      pod(62_000, 'p1', 'Terminating'),
      pod(92_000, 'p1', 'Gone'),
      pod(98_000, 'p2', 'Pending'),
      pod(99_500, 'p2', 'Ready'),
      done(100_000, 2, 200, 2000, true),
      { t: 100_000, type: 'end', ok: true },
    ],
  };
}

/** The same story on a "cluster": slower start, two pods at a moment, a 503, panic for 4 s. */
function liveLog(): ParsedLog {
  return {
    header: header('live'),
    events: [
      pod(0, 'q1', 'Pending'),
      pod(3000, 'q1', 'Ready'),
      done(4000, 1, 200, 9),
      done(4500, 2, 503, 1),
      { t: 5000, type: 'panic', revision: 'r-00001', panicking: true },
      pod(5000, 'q2', 'Pending'),
      pod(6000, 'q2', 'Ready'),
      { t: 9000, type: 'panic', revision: 'r-00001', panicking: false },
      pod(60_000, 'q2', 'Terminating'),
      pod(61_000, 'q2', 'Gone'),
      pod(70_000, 'q1', 'Terminating'),
      pod(100_000, 'q1', 'Gone'),
      pod(110_000, 'q3', 'Pending'),
      pod(113_000, 'q3', 'Ready'),
      done(113_200, 3, 200, 3200, true),
      done(113_300, 4, 504, 300_000),
      { t: 113_300, type: 'end', ok: true },
    ],
  };
}

describe('summarize', () => {
  it('reads pods over time, scale to zero after the last request, cold starts and errors', () => {
    const s = summarize(simLog());
    expect(s.backend).toBe('sim');
    expect(s.durationMs).toBe(100_000);
    expect(s.podsPerSecond.slice(0, 3)).toEqual([1, 1, 1]);
    expect(s.podsPerSecond[92]).toBe(0);
    expect(s.podsPerSecond[99]).toBe(1);
    expect(s.readyPerSecond[0]).toBe(0);
    expect(s.readyPerSecond[1]).toBe(1);
    expect(s.maxPods).toBe(1);
    const [r] = s.revisions;
    expect(r!.scaleToZero).toEqual([
      { zeroAt: 92_000, drainingAt: 62_000, idleSince: 2000, idleFrom: 'last request', afterMs: 90_000 },
    ]);
    // p2 brought the revision back from zero: the one cold start, as the run's own summary counts it.
    expect(s.results.coldStarts).toBe(1);
    expect(s.coldLatencies).toEqual([2000]);
    expect(s.warmLatencies).toEqual([5]);
    expect(s.results.requests).toBe(2);
    expect(s.results.status503).toBe(0);
    expect(s.firstReadyAt).toBe(1000);
  });

  it('counts 503/504, panic intervals and the most pods at once', () => {
    const s = summarize(liveLog());
    expect(s.maxPods).toBe(2);
    expect(s.results.status503).toBe(1);
    expect(s.results.status504).toBe(1);
    expect(s.results.answered).toBe(2);
    expect(s.panicSeconds).toBe(4);
    // q2 went first: the count fell to 1, not 0; zero only when q1 was gone.
    const [r] = s.revisions;
    expect(r!.scaleToZero).toHaveLength(1);
    expect(r!.scaleToZero[0]).toMatchObject({ zeroAt: 100_000, drainingAt: 70_000, idleSince: 4500, afterMs: 95_500 });
    expect(s.coldLatencies).toEqual([3200]);
    expect(s.results.coldStarts).toBe(1);
  });

  it('measures idleness from the first Ready pod when no request came before', () => {
    const s = summarize({
      header: header('sim'),
      events: [
        pod(0, 'a', 'Pending'),
        pod(4000, 'a', 'Ready'),
        pod(64_000, 'a', 'Terminating'),
        pod(94_000, 'a', 'Gone'),
      ],
    });
    expect(s.revisions[0]!.scaleToZero[0]).toMatchObject({
      idleFrom: 'first ready pod',
      idleSince: 4000,
      afterMs: 90_000,
    });
  });

  it('says a run that ended while its last pod drained was draining, not that it never went to zero', () => {
    const log: ParsedLog = {
      header: header('live'),
      events: [
        pod(0, 'a', 'Pending'),
        pod(4000, 'a', 'Ready'),
        pod(64_000, 'a', 'Terminating'),
        { t: 70_000, type: 'end', ok: true },
      ],
    };
    const s = summarize(log);
    expect(s.revisions[0]).toMatchObject({ atEnd: 'draining', drainingAt: 64_000 });
    const { text } = renderComparison(summarize(simLog()), s);
    expect(text).toContain(
      'live: r-00001: draining at the end from 64.0 s (the run ended before the last pod was gone)',
    );
    expect(text).not.toContain('never');
  });

  it('takes panic time from samples when there are no panic events', () => {
    const sample = (t: number, panic: boolean): LogEvent => ({
      t,
      type: 'sample',
      revision: 'r',
      rps: 0,
      concurrency: 0,
      desired: 1,
      ready: 1,
      pending: 0,
      terminating: 0,
      activatorQueue: 0,
      queueProxyQueue: 0,
      inFlight: 0,
      panic,
      activatorInPath: false,
    });
    const s = summarize({
      header: header('sim'),
      events: [sample(1000, true), sample(2000, true), sample(3000, false)],
    });
    expect(s.panicSeconds).toBe(2);
  });
});

describe('the comparison', () => {
  it('lines the numbers up with their differences', () => {
    const rows = compareSummaries(summarize(simLog()), summarize(liveLog()));
    const run = Object.fromEntries(rows.filter((r) => r.revision === undefined).map((r) => [r.metric, r]));
    const rev = Object.fromEntries(rows.filter((r) => r.revision === 'r-00001').map((r) => [r.metric, r]));
    expect(run['maximum pods']).toMatchObject({ a: 1, b: 2, diff: 1 });
    expect(rev['scale to zero: idle to no pods']).toMatchObject({ a: 90_000, b: 95_500, diff: 5500 });
    expect(rev['scale to zero: idle to draining']).toMatchObject({ a: 60_000, b: 65_500 });
    expect(run['cold-start latency p50']).toMatchObject({ a: 2000, b: 3200, diff: 1200 });
    expect(run['cold starts']).toMatchObject({ a: 1, b: 1, diff: 0 });
    expect(run['503 responses']).toMatchObject({ a: 0, b: 1 });
    expect(run['time in panic']).toMatchObject({ a: 0, b: 4 });
    expect(run['warm latency p50']).toMatchObject({ a: 5, b: 9 });
    const table = renderTable(rows, ['sim', 'live']);
    expect(table).toMatch(/\n {2}scale to zero: idle to no pods\s+90\.0 s\s+95\.5 s\s+\+5\.5 s \(\+6%\)\n/);
    expect(table).toMatch(/\nrevision r-00001\n/);
    expect(table).toMatch(/\nmaximum pods\s+1\s+2\s+\+1\n/);
    expect(table).toMatch(/cold-start latency p50\s+2\.0 s\s+3\.2 s\s+\+1\.2 s \(\+60%\)/);
  });

  it('draws pods over time for both runs', () => {
    const chart = renderChart([1, 1, 2, 2, 0, 0], [1, 1, 1, 0, 0, 0, 1], ['sim', 'live'], 72);
    expect(chart).toBe(
      [
        'pods over time (one column = 1 s)',
        '2 ┤  ss',
        '1 ┤**l   l',
        '0 ┼───l──·',
        '   0 s 6 s',
        '   s sim   l live   * both   (on the 0 line: the run with no pods; · one run had ended)',
        '',
      ].join('\n'),
    );
  });

  it('buckets long series by their maximum', () => {
    expect(bucket([0, 1, 0, 0, 3, 0], 3)).toEqual([1, 0, 3]);
    expect(renderChart(Array(300).fill(1), [], ['a', 'b'], 60).split('\n')[0]).toBe(
      'pods over time (one column = 5 s)',
    );
  });

  it('writes the whole report', () => {
    const { text } = renderComparison(summarize(simLog()), summarize(liveLog()));
    expect(text.split('\n')[0]).toBe('# tiny: sim vs live');
    expect(text).toContain('sim: r-00001: no pods at 92.0 s, 90.0 s after the last request (draining from 62.0 s)');
    expect(text).toContain('live: 3.2 s');
  });
});

describe('predict', () => {
  it('finds the scenario beside the log and compares the simulation with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'knsim-predict-'));
    const scenario = join(dir, 'tiny.yaml');
    writeFileSync(
      scenario,
      `name: tiny
namespace: default
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: knservice, namespace: default }
    spec:
      template:
        spec:
          containers: [{ image: docker.io/knsim/demo }]
steps:
  - apply: svc.yaml
  - wait: ksvc knservice Ready
  - wait: { until: "pods == 0", timeout: 5m }
`,
    );
    const live = liveLog();
    live.header.scenarioFile = 'tiny.yaml';
    const logFile = join(dir, 'live.jsonl');
    writeFileSync(logFile, [live.header, ...live.events].map((l) => `${JSON.stringify(l)}\n`).join(''));
    expect(scenarioFileOf(live, logFile)).toBe(scenario);
    const r = await predict(logFile);
    expect(r.report.split('\n')[0]).toBe('# tiny: sim vs live');
    expect(r.sim?.header.backend).toBe('sim');
    const zero = (revision: string) =>
      r.rows.find((x) => x.metric === 'scale to zero: last pod gone at' && x.revision === revision)!;
    expect(zero('knservice-00001').a).toBeGreaterThan(60_000);
    expect(zero('r-00001').b).toBe(100_000);
  });

  it('says when the scenario file is not there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'knsim-predict-'));
    const logFile = join(dir, 'live.jsonl');
    const live = liveLog();
    live.header.scenarioFile = 'gone.yaml';
    writeFileSync(logFile, [live.header, ...live.events].map((l) => `${JSON.stringify(l)}\n`).join(''));
    await expect(predict(logFile)).rejects.toThrow(
      'was recorded from gone.yaml, which is not here; give the scenario with --scenario FILE',
    );
  });
});

describe('recorded arrivals', () => {
  const arrived = (t: number, id: number): LogEvent => ({ t, type: 'request', phase: 'arrived', id });
  it("are the load's requests, without the one each curl step sent", () => {
    const events: LogEvent[] = [
      arrived(100, 1),
      arrived(201, 2),
      arrived(201, 3),
      arrived(450, 4),
      {
        t: 900,
        startedAt: 201,
        type: 'step',
        index: 3,
        command: 'curl http://x.default.example.com',
        output: '',
        ok: true,
      },
      { t: 950, startedAt: 0, type: 'step', index: 1, command: 'kubectl get pods', output: '', ok: true },
      arrived(1000, 5),
    ];
    expect(recordedArrivals(events)).toEqual([100, 201, 450, 1000]);
  });

  it('become an Azure 2021 trace with zero durations', () => {
    expect(arrivalsTrace([100, 1234.5])).toBe(
      'app,func,end_timestamp,duration\nknsim,recorded,0.100,0\nknsim,recorded,1.234,0\n',
    );
  });

  it('replace the scenario load in predict --arrivals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'knsim-predict-'));
    writeFileSync(
      join(dir, 'tiny.yaml'),
      `name: tiny
namespace: default
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: knservice, namespace: default }
    spec:
      template:
        spec:
          containers: [{ image: docker.io/knsim/demo }]
load:
  - { at: 10s, for: 10s, constant: { rps: 50 } }
steps:
  - apply: svc.yaml
  - wait: ksvc knservice Ready
  - sleep: 30s
`,
    );
    const live = liveLog();
    live.header.scenarioFile = 'tiny.yaml';
    // The live run sent 7 requests between 10 s and 11 s.
    live.events.unshift(...[10_000, 10_100, 10_200, 10_300, 10_400, 10_500, 10_600].map((t, i) => arrived(t, 100 + i)));
    live.events.sort((a, b) => a.t - b.t);
    const logFile = join(dir, 'live.jsonl');
    writeFileSync(logFile, [live.header, ...live.events].map((l) => `${JSON.stringify(l)}\n`).join(''));
    const replayed = await predict(logFile, { arrivals: true });
    expect(replayed.rows.find((r) => r.metric === 'requests answered')!.a).toBe(7);
    const planned = await predict(logFile);
    expect(planned.rows.find((r) => r.metric === 'requests answered')!.a).toBe(500);
  });
});
