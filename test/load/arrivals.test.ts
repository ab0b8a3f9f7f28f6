/**
 * The arrivals the load driver sends through the simulator's engine (`engineLoadClock`: its lane
 * and `tryAdvance`), compared field by field with a from-scratch reference: the same seeded
 * streams (`<seed>/load`, two forks a phase), the generators' rules written out plainly here, and
 * every answer at `serviceMs` after its send (so arrivals and answers interleave in the engine).
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import type { Random } from '../../src/model/random.js';
import { Engine } from '../../src/sim/engine.js';
import { engineLoadClock, startLoad } from '../../src/sim/load/driver.js';
import { readAzure2019Durations, readAzure2019Invocations } from '../../src/sim/load/traces/azure2019.js';

const TRACES = new URL('../../scenarios/', import.meta.url).pathname;

interface Sent {
  sentAt: number;
  atMs: number;
  serviceMs: number;
  target: string | undefined;
  clientId: number | undefined;
  kind: string | undefined;
  timeoutMs: number | undefined;
}

/** What the driver sends, through the simulator's clock, with each answer `serviceMs` later. */
function driven(phases: unknown[], seed: number, untilMs: number): Sent[] {
  const engine = new Engine();
  const sent: Sent[] = [];
  const answer = (done: (() => void) | undefined) => done?.();
  startLoad(phases, { seed, baseDir: TRACES, originMs: 0 }, engineLoadClock(engine), {
    send(a, answered) {
      const { atMs, serviceMs, target, clientId, kind, timeoutMs } = a;
      sent.push({ sentAt: engine.now(), atMs, serviceMs, target, clientId, kind, timeoutMs });
      engine.call(engine.now() + a.serviceMs, answer, answered);
    },
  });
  // In slices, as the backend runs it (tryAdvance never passes the slice's end).
  while (engine.now() < untilMs) engine.runUntil(Math.min(untilMs, engine.now() + 100));
  return sent;
}

/** A phase's two streams, as the spec builds them: forks of the load stream, in phase order. */
function streams(seed: number, phases: number): { random: Random; service: Random }[] {
  const fork = (parent: Random) => seedrandom.alea(Math.floor(parent() * 2 ** 32).toString(36));
  const load = fork(seedrandom(`${seed}/load`));
  return Array.from({ length: phases }, () => ({ random: fork(load), service: fork(load) }));
}

const exp = (u: number, mean: number) => -mean * Math.log1p(-u);
const open = (atMs: number, serviceMs: number, target?: string): Sent => ({
  sentAt: atMs,
  atMs,
  serviceMs,
  target,
  clientId: undefined,
  kind: 'request',
  timeoutMs: 0,
});

/** Poisson at `rps` from `start` for `dur` ms, a constant 100 ms service (the default). */
function poisson(s: { random: Random; service: Random }, start: number, dur: number, rps: number, target?: string) {
  const out: Sent[] = [];
  for (let t = start + exp(s.random(), 1000 / rps); t < start + dur; t += exp(s.random(), 1000 / rps)) {
    out.push(open(t, 100, target));
  }
  return out;
}

describe('the arrivals through the simulator clock, against a from-scratch reference', () => {
  it('poisson, with an exponential service time', () => {
    const [s] = streams(3, 1);
    const want: Sent[] = [];
    for (let t = 1000 + exp(s!.random(), 1000 / 80); t < 21_000; t += exp(s!.random(), 1000 / 80)) {
      want.push(open(t, exp(s!.service(), 50), 'http://a.default.example.com'));
    }
    const phases = [
      {
        at: '1s',
        for: '20s',
        poisson: { rps: 80 },
        service: { exponential: { mean: '50ms' } },
        target: 'http://a.default.example.com',
      },
    ];
    expect(driven(phases, 3, 30_000)).toEqual(want);
  });

  it('a sine day (thinning), overlaid with poisson: merged by time, ties to the first listed', () => {
    const [a, b] = streams(5, 2);
    const sine: Sent[] = [];
    const max = 30 + 25;
    for (let t = exp(a!.random(), 1000 / max); t < 60_000; t += exp(a!.random(), 1000 / max)) {
      const rate = Math.max(30 + 25 * Math.sin(((2 * Math.PI) / 20_000) * (t + 5000)), 0);
      if (a!.random() * max < rate) sine.push(open(t, 100));
    }
    const want = [...sine, ...poisson(b!, 10_000, 20_000, 40)].sort((x, y) => x.atMs - y.atMs);
    const phases = [
      { at: '0s', for: '60s', sine: { mean: 30, amplitude: 25, period: '20s', phase: '5s' } },
      { at: '10s', for: '20s', poisson: { rps: 40 } },
    ];
    expect(driven(phases, 5, 70_000)).toEqual(want);
  });

  it('steps, then poisson in sequence with a client timeout', () => {
    const [a, b] = streams(9, 2);
    const want: Sent[] = [];
    let start = 2000;
    for (const [dur, rps] of [
      [5000, 10],
      [3000, 0],
      [4000, 200],
    ] as const) {
      if (rps > 0) {
        for (let t = start + exp(a!.random(), 1000 / rps); t < start + dur; t += exp(a!.random(), 1000 / rps)) {
          want.push(open(t, 100));
        }
      }
      start += dur;
    }
    // The second phase's client timeout rides on its arrivals only.
    want.push(...poisson(b!, 14_000, 5000, 30).map((a) => ({ ...a, timeoutMs: 3000 })));
    const phases = [
      {
        at: '2s',
        steps: [
          { for: '5s', rps: 10 },
          { for: '3s', rps: 0 },
          { for: '4s', rps: 200 },
        ],
      },
      { for: '5s', poisson: { rps: 30 }, timeout: '3s' },
    ];
    expect(driven(phases, 9, 30_000)).toEqual(want);
  });

  it('an Azure 2019 trace (poisson spread, empirical durations), 4 minutes from minute 600', () => {
    const fn = readAzure2019Invocations({ path: `${TRACES}traces/azure2019-sample-invocations.csv` }, 0);
    const d = readAzure2019Durations(
      { path: `${TRACES}traces/azure2019-sample-durations.csv` },
      { func: fn.func, app: fn.app, owner: fn.owner },
    );
    const ps = [0, 0.01, 0.25, 0.5, 0.75, 0.99, 1];
    const vs = ['p0', 'p1', 'p25', 'p50', 'p75', 'p99', 'p100'].map((k) => d.percentiles[k]!);
    const draw = (u: number) => {
      let i = 1;
      while (i < ps.length - 1 && ps[i]! < u) i++;
      return ps[i] === ps[i - 1]
        ? vs[i]!
        : vs[i - 1]! + ((vs[i]! - vs[i - 1]!) * (u - ps[i - 1]!)) / (ps[i]! - ps[i - 1]!);
    };
    const [s] = streams(1, 1);
    const want: Sent[] = [];
    for (let m = 0; m < 4; m++) {
      const minuteStart = 30_000 + m * 60_000;
      const count = fn.counts[600 + m]!;
      if (count === 0) continue;
      for (let t = minuteStart; ; ) {
        t += (-60_000 / count) * Math.log(1 - s!.random());
        if (!(t < minuteStart + 60_000)) break;
        want.push(open(t, draw(s!.service()), 'http://fn.default.example.com'));
      }
    }
    expect(want.length).toBeGreaterThan(10_000);
    const phases = [
      {
        at: '30s',
        target: 'http://fn.default.example.com',
        trace: {
          format: 'azure2019',
          invocations: 'traces/azure2019-sample-invocations.csv',
          durations: 'traces/azure2019-sample-durations.csv',
          function: 0,
          spread: 'poisson',
          fromMinute: 600,
          minutes: 4,
        },
      },
    ];
    expect(driven(phases, 1, 300_000)).toEqual(want);
  });

  it('hey (closed loop): each client sends again when its answer comes, with the 20 s timeout', () => {
    const [, s] = streams(4, 2);
    // Phase 0 (poisson at 5 rps for 3 s) takes the first two forks; the clients draw from the second pair.
    const [p0] = streams(4, 1);
    const want: Sent[] = poisson(p0!, 0, 3000, 5);
    // Clients 0..2 from 1 s for 3 s; service uniform 50..150 ms; a send at t is answered at t + service.
    const due: { at: number; client: number; seq: number }[] = [];
    let seq = 0;
    for (let c = 0; c < 3; c++) due.push({ at: 1000, client: c, seq: seq++ });
    const closed: Sent[] = [];
    while (due.length > 0) {
      due.sort((x, y) => x.at - y.at || x.seq - y.seq);
      const { at, client } = due.shift()!;
      if (!(at < 4000)) continue;
      const serviceMs = 50 + 100 * s!.service();
      closed.push({
        sentAt: at,
        atMs: at,
        serviceMs,
        target: undefined,
        clientId: client,
        kind: 'request',
        timeoutMs: 20_000,
      });
      due.push({ at: at + serviceMs, client, seq: seq++ });
    }
    expect(closed.length).toBeGreaterThan(50);
    const phases = [
      { at: '0s', for: '3s', poisson: { rps: 5 } },
      { at: '1s', for: '3s', hey: { concurrency: 3 }, service: { uniform: { min: '50ms', max: '150ms' } } },
    ];
    const got = driven(phases, 4, 10_000);
    // Open-loop and closed-loop sends interleave in time; each keeps its own order.
    expect(got.filter((a) => a.clientId === undefined)).toEqual(want);
    expect(got.filter((a) => a.clientId !== undefined)).toEqual(closed);
  });
});
