import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildLoad, LoadSpecError, parseLoadSpec, validateLoadPhase } from '../../src/sim/load/spec.js';
import { TraceError } from '../../src/sim/load/traces/lines.js';
import { drain } from '../../src/sim/load/types.js';
import { rng } from './helpers.js';

const SCENARIOS = join(import.meta.dirname, '../../scenarios');

function issues(raw: unknown): string[] {
  try {
    parseLoadSpec(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(LoadSpecError);
    return (e as LoadSpecError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected the spec to be rejected');
}

describe('load spec', () => {
  it('parses the documented example', () => {
    const spec = parseLoadSpec(
      parse(`
- at: 2m
  for: 30s
  target: http://knservice.default.example.com
  poisson: { rps: 50 }
  service: { exponential: { mean: 200ms } }
- at: 0
  for: 1h30m
  sine: { mean: 100, amplitude: 60, period: 24h, phase: 6h }
  service: { lognormal: { median: 120ms, p99: 900ms } }
- for: 10s
  bursts: { every: 2s, count: 20, within: 100ms }
  service: 50ms
- steps: [{ for: 30s, rps: 5 }, { for: 30s, rps: 50 }]
  process: constant
  service: { empirical: { p50: 100ms, p99: 1s } }
- for: 1m
  hey: { concurrency: 8, think: 1s, qps: 5 }
- for: 10m
  ping: { schedule: "*/1 * * * *" }
  target: http://sink.default.example.com
- for: 1m
  cloudevents: { rps: 3 }
- trace: { format: azure2019, invocations: traces/azure2019-sample-invocations.csv, durations: traces/azure2019-sample-durations.csv, function: 0, spread: poisson, fromMinute: 600, minutes: 2 }
- at: 0
  trace: { format: azure2021, file: traces/azure2021-sample.csv, timeScale: 0.5 }
`),
    );
    expect(spec).toHaveLength(9);
    expect(spec[0]).toMatchObject({
      at: 120_000,
      for: 30_000,
      poisson: { rps: 50 },
      service: { exponential: { mean: 200 } },
    });
    expect(spec[1]?.sine).toEqual({ mean: 100, amplitude: 60, period: 86_400_000, phase: 21_600_000 });
    expect(spec[2]?.service).toEqual({ constant: 50 });
    expect(spec[2]?.bursts).toEqual({ every: 2000, count: 20, within: 100 });
    expect(spec[3]?.service).toEqual({ empirical: { p50: 100, p99: 1000 } });
    expect(spec[4]?.hey).toEqual({ concurrency: 8, think: { constant: 1000 }, qps: 5 });
    expect(spec[6]?.cloudevents).toEqual({ rps: 3, process: 'poisson' });
    expect(spec[7]?.trace).toMatchObject({ format: 'azure2019', function: 0, spread: 'poisson' });
  });

  it.each([
    [
      [{ for: '10s' }],
      'load[0]: a load phase needs one of: poisson, constant, ramp, steps, bursts, sine, hey, trace, ping, cloudevents',
    ],
    [
      [{ for: '10s', poisson: { rps: 1 }, constant: { rps: 1 } }],
      'load[0]: a load phase takes one generator, got poisson and constant',
    ],
    [[{ poisson: { rps: 1 } }], 'load[0].for: a poisson phase needs `for` (how long it lasts)'],
    [
      [{ for: '10s', poisson: { rps: 'lots' } }],
      'load[0].poisson.rps: Invalid input: expected number, received string',
    ],
    [[{ for: '10s', poisson: { rps: 1, burst: 2 } }], 'load[0].poisson: Unrecognized key: "burst"'],
    [[{ for: 'soon', poisson: { rps: 1 } }], 'load[0].for: invalid duration "soon": expected a number at "soon"'],
    [[{ for: '-1s', poisson: { rps: 1 } }], 'load[0].for: duration must not be negative, got "-1s"'],
    [
      [
        { for: '1s', poisson: { rps: 1 } },
        { for: '1s', ramp: { from: 1 } },
      ],
      'load[1].ramp.to: Invalid input: expected number, received undefined',
    ],
    [
      [{ for: '1s', poisson: { rps: 1 }, service: { exponential: {} } }],
      'load[0].service.exponential.mean: expected a duration such as 500ms, 30s, 2m, 1h30m',
    ],
    [
      [{ for: '1s', poisson: { rps: 1 }, service: { constant: '1ms', uniform: { min: 0, max: '1ms' } } }],
      'load[0].service: service takes only one of constant, exponential, lognormal, uniform, empirical, got constant and uniform',
    ],
    [
      [{ for: '1s', poisson: { rps: 1 }, service: { empirical: { median: '1ms' } } }],
      'load[0].service.empirical.median: expected a key p0 … p100',
    ],
    [
      [{ for: '1s', bursts: { every: '1s', count: 2, within: '2s' } }],
      'load[0].bursts.within: within must not be longer than every',
    ],
    [
      [{ for: '1s', ping: { schedule: '* * *' } }],
      'load[0].ping.schedule: invalid cron schedule "* * *": expected 5 fields, got 3',
    ],
    [[{ hey: { concurrency: 2 } }], 'load[0].for: a hey phase needs `for` (-z) or `hey.requests` (-n)'],
    [[{ for: '1s', hey: { concurrency: 0 } }], 'load[0].hey.concurrency: Too small: expected number to be >0'],
    [
      [{ trace: { format: 'azure2020', file: 'x' } }],
      "load[0].trace.format: Invalid discriminator value. Expected 'azure2019' | 'azure2021'",
    ],
    [
      [{ trace: { format: 'azure2019', invocations: 'x.csv' } }],
      'load[0].trace.function: expected a HashFunction (string) or a 0-based row index',
    ],
    [[{ for: '1s', poisson: { rps: 1 }, process: 'constant' }], 'load[0].process: `process` applies to steps only'],
    [{ poisson: { rps: 1 } }, 'load: Invalid input: expected array, received object'],
    [[{ for: 30, poisson: { rps: 1 } }], 'load[0].for: invalid duration "30": missing unit (e.g. "30s"'],
  ])('rejects %j with its path', (raw, message) => {
    const got = issues(raw);
    expect(
      got.some((m) => m.startsWith(message)),
      got.join('\n'),
    ).toBe(true);
  });
});

describe('validateLoadPhase (the scenario parser hook)', () => {
  it('returns zod issues relative to the phase', () => {
    expect(validateLoadPhase({ for: '1s', poisson: { rps: 1 } })).toEqual([]);
    const got = validateLoadPhase({ for: '1s', poisson: { rps: -1 } });
    expect(got.map((i) => [i.path, i.message])).toEqual([[['poisson', 'rps'], 'Too small: expected number to be >=0']]);
  });
});

describe('buildLoad', () => {
  const yaml = `
- at: 0
  for: 60s
  poisson: { rps: 20 }
  service: { exponential: { mean: 200ms } }
- at: 30s
  for: 30s
  target: http://other.default.example.com
  constant: { rps: 2 }
- for: 2m
  ping: { schedule: "*/1 * * * *" }
  target: http://sink.default.example.com
- for: 1m
  hey: { concurrency: 3 }
`;
  const build = (seed: string, text = yaml) =>
    buildLoad(parse(text), { random: rng(seed), baseDir: SCENARIOS, defaultTarget: 'http://svc.default.example.com' });

  it('merges phases in time order, sequences phases without `at`, applies targets and kinds', () => {
    const b = build('a');
    expect(b.phases.map((p) => [p.kind, p.startMs, p.endMs])).toEqual([
      ['poisson', 0, 60_000],
      ['constant', 30_000, 60_000],
      ['ping', 60_000, 180_000], // starts where the previous phase ended
      ['hey', 180_000, 240_000],
    ]);
    const out = drain(b.source);
    expect(out.every((a, i) => i === 0 || a.atMs >= out[i - 1]!.atMs)).toBe(true);
    expect(out.filter((a) => a.target === 'http://other.default.example.com').length).toBe(60);
    expect(out.filter((a) => a.kind === 'event').map((a) => a.atMs)).toEqual([60_000, 120_000]);
    expect(out.filter((a) => a.target === 'http://svc.default.example.com').length).toBeGreaterThan(1000);
    expect(b.closedLoop).toHaveLength(1);
    expect(b.closedLoop[0]!.start().map((a) => a.atMs)).toEqual([180_000, 180_000, 180_000]);
  });

  it('is deterministic per seed; appending a phase leaves earlier phases unchanged', () => {
    const a = drain(build('s').source);
    expect(drain(build('s').source)).toEqual(a);
    expect(drain(build('t').source)).not.toEqual(a);
    const more = drain(
      build('s', `${yaml}\n- at: 0\n  for: 60s\n  poisson: { rps: 5 }\n  target: http://extra\n`).source,
    );
    expect(more.filter((x) => x.target !== 'http://extra')).toEqual(a);
  });

  it('changing the service time does not move arrival times', () => {
    const one = drain(build('x', '- for: 10s\n  poisson: { rps: 50 }\n  service: 10ms').source);
    const two = drain(
      build('x', '- for: 10s\n  poisson: { rps: 50 }\n  service: { exponential: { mean: 1s } }').source,
    );
    expect(two.map((a) => a.atMs)).toEqual(one.map((a) => a.atMs));
  });

  it('replays the sample traces relative to the scenario directory', () => {
    const b = build(
      'tr',
      `
- at: 1m
  trace: { format: azure2019, invocations: traces/azure2019-sample-invocations.csv, durations: traces/azure2019-sample-durations.csv, function: 2, fromMinute: 0, minutes: 1440 }
- at: 0
  for: 10m
  trace: { format: azure2021, file: traces/azure2021-sample.csv }
`,
    );
    expect(b.phases[0]).toMatchObject({ startMs: 60_000, endMs: 60_000 + 1440 * 60_000 });
    const out = drain(b.source);
    expect(out.every((a, i) => i === 0 || a.atMs >= out[i - 1]!.atMs)).toBe(true);
    const bursty = out.filter((a) => a.atMs >= 60_000 && a.serviceMs <= 1278);
    expect(bursty.length).toBeGreaterThan(10_000);
    expect(out.some((a) => a.atMs < 600_000 && a.serviceMs > 5000)).toBe(true); // 2021 trace's long function
  });

  it('trace errors name the file as written in the scenario', () => {
    const run = () => build('e', '- trace: { format: azure2019, invocations: traces/missing.csv, function: 0 }');
    expect(run).toThrow(TraceError);
    expect(run).toThrow(/^traces\/missing.csv: cannot open/);
  });

  it('rejects an `at`-less phase after a phase of unknown length', () => {
    expect(() =>
      build('u', '- trace: { format: azure2021, file: traces/azure2021-sample.csv }\n- for: 1s\n  poisson: { rps: 1 }'),
    ).toThrow(/load\[1\].at: the previous phase has no known end/);
  });
});

describe('buildParsedLoad and close()', () => {
  it('builds from an already parsed spec; close() stops a merged trace early', async () => {
    const { buildParsedLoad } = await import('../../src/sim/load/spec.js');
    const spec = parseLoadSpec([
      { at: '0s', trace: { format: 'azure2021', file: 'traces/azure2021-sample.csv' } },
      { at: '0s', for: '1m', poisson: { rps: 10 } },
    ]);
    const b = buildParsedLoad(spec, { random: rng('c'), baseDir: SCENARIOS });
    expect(b.source.next()).toBeDefined();
    b.source.close?.();
    expect(b.source.next()).toBeUndefined();
  });
});

describe('originMs', () => {
  it('shifts every phase; cron still runs on the absolute simulated clock', () => {
    const raw = [
      { at: '0s', for: '10s', constant: { rps: 1 } },
      { for: '3m', ping: { schedule: '*/1 * * * *' } },
    ];
    const b = buildLoad(raw, { random: rng('o'), baseDir: SCENARIOS, originMs: 95_000 });
    expect(b.phases.map((p) => [p.startMs, p.endMs])).toEqual([
      [95_000, 105_000],
      [105_000, 285_000],
    ]);
    const out = drain(b.source);
    expect(out[0]!.atMs).toBe(95_000);
    expect(out.filter((a) => a.kind === 'event').map((a) => a.atMs)).toEqual([120_000, 180_000, 240_000]);
  });
});
