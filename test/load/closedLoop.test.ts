import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClosedLoopClients } from '../../src/sim/load/closedLoop.js';
import { constant, exponential } from '../../src/sim/load/serviceTime.js';
import type { Arrival, Sampler } from '../../src/sim/load/types.js';
import { rng } from './helpers.js';

/**
 * A toy server for driving the clients: every request is answered `serviceMs + extraMs` after it
 * arrives (infinite servers), in time order. Returns every arrival and the peak of outstanding requests.
 */
function drive(c: ClosedLoopClients, extraMs = 0, limit = 1_000_000) {
  const pending: { at: number; a: Arrival }[] = [];
  const all: Arrival[] = [];
  let peak = 0;
  const send = (a: Arrival) => {
    all.push(a);
    pending.push({ at: a.atMs + a.serviceMs + extraMs, a });
    peak = Math.max(peak, c.outstanding);
  };
  for (const a of c.start()) send(a);
  while (pending.length > 0 && all.length < limit) {
    let k = 0;
    for (let i = 1; i < pending.length; i++) if (pending[i]!.at < pending[k]!.at) k = i;
    const { at, a } = pending.splice(k, 1)[0]!;
    const next = c.onResponse(a.clientId!, at);
    if (next !== undefined) {
      expect(next.atMs).toBeGreaterThanOrEqual(at);
      send(next);
    }
  }
  return { all, peak };
}

describe('closed-loop clients (hey)', () => {
  it('hey -c 10 -z 10s with 100 ms requests: 10 outstanding, ~1000 requests', () => {
    const c = new ClosedLoopClients({ concurrency: 10, durationMs: 10_000, random: rng(), service: constant(100) });
    const { all, peak } = drive(c);
    expect(peak).toBe(10);
    expect(all.length).toBe(1000);
    expect(c.finished).toBe(true);
    expect(c.outstanding).toBe(0);
    expect(new Set(all.map((a) => a.clientId))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(all.every((a) => a.atMs < 10_000)).toBe(true);
  });

  it('think time and -q slow clients down; -n caps the total', () => {
    const think = new ClosedLoopClients({
      concurrency: 2,
      durationMs: 10_000,
      think: constant(400),
      random: rng(),
      service: constant(100),
    });
    expect(drive(think).all.length).toBe(40); // 500 ms per cycle per client
    const q = new ClosedLoopClients({
      concurrency: 3,
      durationMs: 10_000,
      qpsPerClient: 2,
      random: rng(),
      service: constant(1),
    });
    const { all } = drive(q);
    expect(all.length).toBe(60);
    for (let id = 0; id < 3; id++) {
      const mine = all.filter((a) => a.clientId === id).map((a) => a.atMs);
      for (let i = 1; i < mine.length; i++) expect(mine[i]! - mine[i - 1]!).toBeGreaterThanOrEqual(500);
    }
    const n = new ClosedLoopClients({ concurrency: 4, maxRequests: 10, random: rng(), service: constant(5) });
    expect(drive(n).all.length).toBe(10);
    expect(n.requestsSent).toBe(10);
  });

  it('start() at a later time and a phase start', () => {
    const c = new ClosedLoopClients({
      concurrency: 2,
      startMs: 1000,
      durationMs: 500,
      random: rng(),
      service: constant(100),
      target: 'http://t',
    });
    const first = c.start(200);
    expect(first.map((a) => [a.atMs, a.clientId, a.target])).toEqual([
      [1000, 0, 'http://t'],
      [1000, 1, 'http://t'],
    ]);
    expect(() => c.start()).toThrow(/twice/);
  });

  it('rejects a response for a client with nothing outstanding', () => {
    const c = new ClosedLoopClients({ concurrency: 1, random: rng(), service: constant(1) });
    const [a] = c.start();
    c.onResponse(a!.clientId!, 1);
    expect(() => c.onResponse(5, 2)).toThrow(/no request outstanding/);
    expect(() => new ClosedLoopClients({ concurrency: 0, random: rng(), service: constant(1) })).toThrow();
  });

  it('property: never more than N outstanding, one per client, deterministic', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 100, max: 5000 }),
        fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
        fc.option(fc.double({ min: 0.5, max: 50, noNaN: true }), { nil: undefined }),
        fc.integer({ min: 0, max: 50 }),
        (n, dur, thinkMean, qps, extra) => {
          const make = () =>
            new ClosedLoopClients({
              concurrency: n,
              durationMs: dur,
              ...(thinkMean !== undefined ? { think: exponential(thinkMean) as Sampler } : {}),
              ...(qps !== undefined ? { qpsPerClient: qps } : {}),
              random: rng(`${n}/${dur}`),
              service: exponential(40),
            });
          const c = make();
          const { all, peak } = drive(c, extra, 20_000);
          expect(peak).toBeLessThanOrEqual(n);
          expect(all.every((a) => a.atMs < dur && a.clientId! >= 0 && a.clientId! < n)).toBe(true);
          expect(drive(make(), extra, 20_000).all).toEqual(all);
        },
      ),
      { numRuns: 60, seed: 3 },
    );
  });
});
