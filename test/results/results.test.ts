import { describe, expect, it } from 'vitest';
import { parseEventLog } from '../../src/io/logReader.js';
import type { LogEvent, LogLine, SampleEvent } from '../../src/model/events.js';
import {
  CSV_COLUMNS,
  csvHeader,
  csvRow,
  csvWriter,
  type Figures,
  formatResults,
  LatencyHistogram,
  ResultsCollector,
  type RevisionResults,
  type RunResults,
  resultsOfLog,
  resultsToJSON,
} from '../../src/results/results.js';
import { loadScenario, runScenario } from '../../src/runner/simulate.js';
import { scratch } from '../cli/helpers.js';

const WARM = 'test/results/fixtures/warm-pod.yaml';
const COLD = 'test/results/fixtures/cold-burst.yaml';
const TWO = 'test/results/fixtures/two-services.yaml';
const E = LatencyHistogram.RELATIVE_ERROR;

async function warmRun() {
  const scenario = loadScenario(WARM);
  (scenario.settings as Record<string, unknown>).networking = 'none';
  const lines: LogLine[] = [];
  const outcome = await runScenario(scenario, WARM, { log: { keep: false }, observe: (l) => lines.push(l) });
  return { ...outcome, lines };
}

/** Every line of the summary fits an 80-column terminal once the runner indents it by 2. */
function expectNarrow(text: string) {
  for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(78);
}

describe('results of a hand-checked run: 20 requests on a warm pod', async () => {
  const run = await warmRun();
  const r = run.results;

  it('counts every request as answered', () => {
    expect(r.requests).toBe(20);
    expect(r.answered).toBe(20);
    expect(r.errors).toBe(0);
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
    expect(r.warmLatency).toEqual(r.latency); // no request was cold
  });

  it('counts one pod for every second of the run: pod-seconds, mean and max', () => {
    const samples = run.lines.filter((l): l is SampleEvent => l.type === 'sample');
    expect(samples.length).toBe(60); // one per second from 1 s to 60 s
    expect(r.maxPods).toBe(1);
    expect(r.meanPods).toBe(1);
    expect(r.podSeconds).toBe(60);
    expect(r.durationMs).toBe(60_000);
    expect(r.timeToZeroMs).toBeNull(); // min-scale 1: the pod stays
    expect(r.atEnd).toBe('up');
  });

  it('keeps the activator in the path (excess burst capacity 100 − 211 < 0) and never panics', () => {
    expect(r.activatorInPathSeconds).toBe(60);
    expect(r.panicSeconds).toBe(0);
  });

  it('gives the one service and its one revision the same figures as the run', () => {
    expect(r.services.map((s) => s.service)).toEqual(['warm']);
    const [s] = r.services;
    expect(s!.revisions.map((v) => v.revision)).toEqual(['warm-00001']);
    const rev = s!.revisions[0]!;
    for (const f of [s!, rev]) {
      expect(f.requests).toBe(20);
      expect(f.latency).toEqual(r.latency);
      expect(f.podSeconds).toBe(60);
    }
    expect(rev.minScale).toBe(1);
  });

  it('prints them in plain words, per service', () => {
    const text = formatResults(r);
    expect(text).toContain('service warm (revision warm-00001):\n');
    expect(text).toContain('requests 20: 20 answered, no errors');
    expect(text).toContain('p95 300 ms');
    expect(text).toContain('pods max 1, mean 1, 60 pod-seconds');
    expect(text).toContain('cold starts 0; cold requests 0');
    expect(text).toContain('1 pod up at the end (min-scale 1)\n');
    expect(text).not.toContain('whole run'); // one service: its figures are the run's
    expectNarrow(text);
  });
});

describe('results of a run from zero', async () => {
  const lines: LogLine[] = [];
  const run = await runScenario(loadScenario(COLD), COLD, { observe: (l) => lines.push(l) });
  const r = run.results;
  const events = lines.filter((l): l is LogEvent => l.type !== 'header');

  it('counts a scale from zero as a cold start, apart from the cold requests it answers', () => {
    const fromZero = events.filter((l) => l.type === 'scale' && l.from === 0 && l.to > 0);
    expect(fromZero).toHaveLength(1);
    expect(r.coldStarts).toBe(1);
    const coldDone = events.filter((l) => l.type === 'request' && l.phase === 'done' && l.cold);
    expect(r.coldRequests).toBe(coldDone.length);
    expect(r.coldRequests).toBeGreaterThan(1);
    expect(r.warmLatency.count + r.coldLatency.count).toBe(r.latency.count);
  });

  it('times the phases of the cold start from the pod that was Ready first', () => {
    const [c] = r.services[0]!.revisions[0]!.coldStartList;
    expect(c).toBeDefined();
    const podEvents = events.filter((l) => l.type === 'pod' && l.pod === c!.pod);
    const at = (phase: string) => podEvents.find((p) => p.type === 'pod' && p.phase === phase)!.t;
    expect(c!.at).toBe(at('Pending'));
    expect(c!.phases.schedule).toBe(at('ContainerCreating') - at('Pending'));
    expect(c!.phases.create).toBe(at('Running') - at('ContainerCreating'));
    expect(c!.phases.readiness).toBe(at('Ready') - at('Running'));
    // The first held request: it arrived before the pod existed and was answered after Ready.
    const firstCold = events.find((l) => l.type === 'request' && l.phase === 'held')!;
    const answered = events.find((l) => l.type === 'request' && l.phase === 'done' && l.cold)!;
    expect(c!.triggeredAt).toBeLessThanOrEqual(c!.at);
    expect(Math.abs(c!.triggeredAt! - firstCold.t)).toBeLessThan(5); // the network hop
    expect(c!.answeredAt).toBe(answered.t);
    // Ready → the activator's probe let the first held request through: its dispatch to the pod.
    const answeredId = answered.type === 'request' ? answered.id : -1;
    const dispatched = events.find((l) => l.type === 'request' && l.phase === 'dispatched' && l.id === answeredId)!;
    expect(c!.phases.activator).toBe(dispatched.t - at('Ready'));
    expect(c!.phases.toAnswer!).toBeGreaterThanOrEqual(c!.phases.activator!);
    const sum =
      c!.phases.scaleUp! + c!.phases.schedule! + c!.phases.create! + c!.phases.readiness! + c!.phases.toAnswer!;
    expect(Math.abs(sum - c!.firstLatencyMs!)).toBeLessThan(5);
    expect(r.coldStartPhases.schedule).toBe(c!.phases.schedule);
  });

  it('measures time to zero from the last answer to the last pod gone', () => {
    const lastDone = Math.max(...events.filter((l) => l.type === 'request' && l.phase === 'done').map((l) => l.t));
    const lastGone = Math.max(...events.filter((l) => l.type === 'pod' && l.phase === 'Gone').map((l) => l.t));
    expect(r.timeToZeroMs).toBe(lastGone - lastDone);
    expect(r.timeToZeroMs).toBeGreaterThan(60_000); // a stable window, then the 30 s drain
    expect(r.atEnd).toBe('zero');
    const rev = r.services[0]!.revisions[0]!;
    expect(rev.timeToZeroMs).toBe(r.timeToZeroMs);
    expect(rev.scaleToZero.at(-1)).toMatchObject({ idleFrom: 'last request', zeroAt: lastGone });
  });

  it('sums pods per second into pod-seconds', () => {
    const samples = events.filter((l): l is SampleEvent => l.type === 'sample');
    const sum = samples.reduce((a, s) => a + s.ready + s.pending + s.terminating, 0);
    expect(r.podSeconds).toBe(sum);
    expect(r.meanPods).toBeCloseTo(sum / samples.length, 9);
  });

  it('reads the same results back from the event log (one definition for runs and logs)', () => {
    const fromLog = resultsOfLog(parseEventLog(run.log, 'run').events);
    const strip = (x: RunResults) => JSON.parse(resultsToJSON(x), (k, v) => (k === 'activator' ? null : v));
    expect(strip(fromLog)).toEqual(strip(r));
  });

  it('lists the phases in the summary', () => {
    const text = formatResults(r);
    expect(text).toMatch(/cold starts 1; cold requests \d+: p50/);
    expect(text).toMatch(/cold-start phases \(p50\): request to new pod [\d.]+ ms, scheduling/);
    expect(text).toContain('time to zero after the last request 1m3');
    expectNarrow(text);
  });
});

describe('results of two services', async () => {
  const run = await runScenario(loadScenario(TWO), TWO, {});
  const r = run.results;
  const [busy, idle] = r.services;

  it('keeps each service apart and adds them up second by second for the run', () => {
    expect(r.services.map((s) => s.service)).toEqual(['busy', 'idle']);
    expect(busy!.requests).toBe(10);
    expect(idle!.requests).toBe(0);
    expect(r.requests).toBe(10);
    expect(busy!.maxPods).toBe(1);
    expect(idle!.maxPods).toBe(1);
    expect(r.maxPods).toBe(2); // both at once during the first minute and a half
    expect(r.podSeconds).toBe(busy!.podSeconds + idle!.podSeconds);
  });

  it('says how each one ended: one kept up by min-scale, one at zero after its first Ready pod', () => {
    expect(busy!.atEnd).toBe('up');
    expect(busy!.revisions[0]!.minScale).toBe(1);
    expect(idle!.atEnd).toBe('zero');
    const z = idle!.revisions[0]!.scaleToZero[0]!;
    expect(z.idleFrom).toBe('first ready pod');
    expect(idle!.revisions[0]!.timeToZeroMs).toBe(z.afterMs);
    const text = formatResults(r);
    expect(text).toContain('service busy (revision busy-00001):\n');
    expect(text).toContain('service idle (revision idle-00001):\n');
    expect(text).toMatch(/time to zero after its first Ready pod 1m\d+s\n/);
    expect(text).toContain('the whole run (2 services):\n');
    expect(text).toContain('pods max 2 (all services together)');
    expectNarrow(text);
  });
});

describe('requests that got no answer', () => {
  it('count as errors once the run is over, and an expectation on errors fails', async () => {
    const dir = scratch({
      'slow.yaml': [
        'name: slow-answers',
        'files:',
        '  svc.yaml: |',
        '    apiVersion: serving.knative.dev/v1',
        '    kind: Service',
        '    metadata: { name: slow }',
        '    spec:',
        '      template:',
        '        spec:',
        '          containers: [{ image: docker.io/knsim/demo }]',
        'load:',
        '  - { at: 20s, for: 1s, constant: { rps: 5 }, service: 5m }',
        'steps:',
        '  - apply: svc.yaml',
        '  - sleep: 40s',
        'expect:',
        '  - errors == 0',
      ].join('\n'),
    });
    const file = `${dir}/slow.yaml`;
    const run = await runScenario(loadScenario(file), file, {});
    expect(run.results.requests).toBe(5);
    expect(run.results.answered).toBe(0);
    expect(run.results.noAnswer).toBe(5);
    expect(run.results.errors).toBe(5);
    expect(run.results.services[0]!.noAnswer).toBe(5);
    expect(run.ok).toBe(false);
    expect(run.transcript).toContain('5 errors (5 without an answer)');
  });

  it('counts a request no route matched as a 404 of the run, not of a service', () => {
    const c = new ResultsCollector();
    c.arrived(undefined);
    c.request(404, 1, false, 1000);
    c.finish();
    const r = c.results();
    expect(r).toMatchObject({ requests: 1, errors: 1, status4xx: 1, unrouted: 1, services: [] });
    expect(formatResults(r)).toContain('1 request matched no route (404 from the ingress)');
  });
});

describe('a run that ends while the last pod drains', () => {
  const pod = (t: number, phase: 'Pending' | 'Ready' | 'Terminating' | 'Gone'): LogEvent => ({
    t,
    type: 'pod',
    pod: 'p',
    revision: 'svc-00001',
    phase,
  });

  it('says draining, not "still up", and gives no time to zero yet', () => {
    const c = new ResultsCollector();
    for (const e of [pod(0, 'Pending'), pod(1000, 'Ready')]) c.observe(e);
    c.request(200, 10, false, 2000, 'svc-00001');
    c.observe(pod(62_000, 'Terminating'));
    c.finish();
    const r = c.results();
    expect(r.atEnd).toBe('draining');
    expect(r.timeToZeroMs).toBeNull();
    expect(r.services[0]!.revisions[0]!.atEnd).toBe('draining');
    const text = formatResults(r);
    expect(text).toContain('draining at the end: 1 pod terminating\n');
    expect(text).not.toContain('up at the end');
  });

  it('counts no cold start for the first pods of a revision, and one when it comes back from zero', () => {
    const c = new ResultsCollector();
    for (const e of [pod(0, 'Pending'), pod(1000, 'Ready'), pod(62_000, 'Terminating'), pod(92_000, 'Gone')])
      c.observe(e);
    expect(c.metric('cold-starts')).toBe(0);
    c.observe({ t: 100_000, type: 'pod', pod: 'q', revision: 'svc-00001', phase: 'Pending' });
    expect(c.metric('cold-starts')).toBe(1);
  });
});

describe('JSON and CSV', () => {
  it('prints the results as JSON with null for figures without data', () => {
    const c = new ResultsCollector();
    c.request(503, 1, false, 1000);
    const json = JSON.parse(resultsToJSON(c.results()));
    for (const key of ['durationMs', 'requests', 'answered', 'errors', 'status503', 'latency', 'warmLatency']) {
      expect(Object.keys(json)).toContain(key);
    }
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['coldStarts', 'coldStartPhases', 'atEnd', 'services']));
    expect(json.requests).toBe(1);
    expect(json.status503).toBe(1);
    expect(json.latency).toEqual({ count: 0, mean: null, p50: null, p95: null, p99: null, max: null });
    expect(json.timeToZeroMs).toBe(0); // no pod ever existed
  });

  it('writes one CSV row per sample with the documented columns, the service named', async () => {
    const rows: string[] = [];
    const scenario = loadScenario(WARM);
    await runScenario(scenario, WARM, {
      log: { keep: false, requestSampling: 0 },
      observe: csvWriter((row) => rows.push(row)),
    });
    expect(csvHeader()).toBe(
      't,service,revision,desired,ready,pending,terminating,rps,concurrency,activator_queue,queue_proxy_queue,in_flight,panic,activator_in_path\n',
    );
    expect(rows).toHaveLength(60);
    const cells = rows.map((r) => r.trimEnd().split(','));
    for (const c of cells) expect(c).toHaveLength(CSV_COLUMNS.length);
    // the 10 requests at 100 ms arrive from 30 s to 30.9 s (the one at exactly 30 s may be
    // counted in the sample taken at that instant)
    const at = (t: number) => cells.find((c) => c[0] === String(t))!;
    const at31 = at(31);
    expect(at31[1]).toBe('warm');
    expect(at31[2]).toBe('warm-00001');
    expect(Number(at(30)[7]) + Number(at31[7])).toBe(10); // rps
    expect(at31[4]).toBe('1'); // ready
    expect(at31[13]).toBe('1'); // activator in path
    expect(cells.reduce((a, c) => a + Number(c[7]), 0)).toBe(20);
  });

  it('quotes names with commas', () => {
    const s = { revision: 'a,b-00001' } as SampleEvent;
    expect(csvRow({ ...s, t: 1000 } as SampleEvent, 'x"y').startsWith('1,"x""y","a,b-00001",')).toBe(true);
  });
});

describe('formatResults durations', () => {
  const none = { count: 0, mean: Number.NaN, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const phases = {
    scaleUp: null,
    schedule: null,
    pull: null,
    create: null,
    readiness: null,
    activator: null,
    toAnswer: null,
  };
  const figures: Figures = {
    requests: 0,
    answered: 0,
    errors: 0,
    status4xx: 0,
    status503: 0,
    status504: 0,
    status5xx: 0,
    noAnswer: 0,
    otherErrors: 0,
    latency: none,
    warmLatency: none,
    coldRequests: 0,
    coldLatency: none,
    coldStarts: 0,
    coldStartPhases: phases,
    timeToZeroMs: null,
    atEnd: 'zero',
    podsAtEnd: 0,
    terminatingAtEnd: 0,
    maxPods: 1,
    meanPods: 1,
    podSeconds: 1,
    panicSeconds: 0,
    activatorInPathSeconds: 0,
  };
  const revision: RevisionResults = {
    ...figures,
    revision: 's-00001',
    service: 's',
    minScale: null,
    coldStartList: [],
    scaleToZero: [],
  };
  const base: RunResults = {
    ...figures,
    durationMs: 0,
    unrouted: 0,
    services: [{ ...figures, service: 's', revisions: [revision] }],
  };
  const with1 = (f: Partial<Figures>, run: Partial<RunResults> = {}): RunResults => ({
    ...base,
    ...f,
    ...run,
    services: [{ ...base.services[0]!, revisions: [{ ...revision, ...f }] }],
  });

  it('prints the run time and the time to zero in the style of the other durations', () => {
    expect(formatResults(base)).toContain('activator in the path 0 s of 0 s\n');
    expect(formatResults(base)).toContain('at zero at the end (no requests)\n');
    const text = formatResults(with1({ requests: 1, timeToZeroMs: 59_970 }, { durationMs: 250 }));
    expect(text).toContain('of 0.25 s\n');
    expect(text).toContain('request 1m0s\n');
    expect(formatResults(with1({ requests: 3, atEnd: 'up', podsAtEnd: 2 }))).toContain('2 pods up at the end\n');
    expect(formatResults(with1({}, { durationMs: 3_725_000 }))).toContain('of 1h2m\n');
  });

  it('never prints 60 seconds inside a minute, or 1000 ms', () => {
    const lat = { count: 1, mean: 1, p50: 999.7, p95: 59_960, p99: 119_600, max: 119_600 };
    const text = formatResults(with1({ requests: 1, answered: 1, latency: lat }));
    expect(text).toContain('p50 1.00 s, p95 1m0s, p99 2m0s, max 2m0s');
  });

  it('says in one line that nothing happened in a run without services', () => {
    const empty: RunResults = { ...base, services: [], maxPods: 0, podSeconds: 0 };
    expect(formatResults(empty)).toBe('no service, no requests, no pods in 0 s\n');
  });
});

describe('a metric of one revision', () => {
  it('counts that revision’s requests, answers, errors and latencies only, and 0 for one that had none', () => {
    const c = new ResultsCollector();
    const draws = [
      [200, 10, 'a-00001'],
      [200, 30, 'a-00001'],
      [503, 5, 'a-00001'],
      [200, 500, 'a-00002'],
      [504, 300_000, 'a-00002'],
      [200, 20, 'a-00001'],
    ] as const;
    draws.forEach(([status, latency, rev], i) => {
      c.request(status, latency, false, 1000 * (i + 1), rev);
    });
    expect(c.metric('requests')).toBe(6);
    expect(c.metric('requests', 'a-00001')).toBe(4);
    expect(c.metric('requests', 'a-00002')).toBe(2);
    expect(c.metric('answered', 'a-00001')).toBe(3);
    expect(c.metric('503', 'a-00001')).toBe(1);
    expect(c.metric('503', 'a-00002')).toBe(0);
    expect(c.metric('504', 'a-00002')).toBe(1);
    expect(c.metric('errors', 'a-00002')).toBe(1);
    expect(c.metric('p99', 'a-00002')).toBeCloseTo(500, -1);
    expect(c.metric('p50', 'a-00001')).toBeLessThan(40);
    expect(c.metric('requests', 'b-00001')).toBe(0);
    expect(c.metric('p50', 'b-00001')).toBeNaN();
    expect(c.metric('nonsense', 'a-00001')).toBeUndefined();
  });
});

describe('a revision whose pods never became Ready', () => {
  it('has no time to zero when its pods go (it was never idle)', () => {
    const c = new ResultsCollector();
    const pod = (t: number, phase: 'Pending' | 'Terminating' | 'Gone'): LogEvent => ({
      t,
      type: 'pod',
      pod: 'p',
      revision: 'bad-00002',
      phase,
    });
    for (const e of [pod(0, 'Pending'), pod(600_000, 'Terminating'), pod(630_000, 'Gone')]) c.observe(e);
    c.finish();
    const r = c.results().services[0]!.revisions[0]!;
    expect(r.timeToZeroMs).toBeNull();
    expect(r.scaleToZero).toEqual([]);
    expect(formatResults(c.results())).not.toContain('time to zero');
  });
});
