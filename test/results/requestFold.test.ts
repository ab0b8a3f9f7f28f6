import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SampleEvent } from '../../src/model/events.js';
import { LatencyHistogram, ResultsCollector, RevisionSlot, resultsToJSON } from '../../src/results/results.js';

/**
 * `ResultsCollector.ended` folds a routed request into its revision's figures and the run's in
 * one pass (`addWithRun`): the run's and each revision's figures must be what counting the
 * requests from scratch gives.
 */
describe('request figures, run and revisions', () => {
  const STATUSES = [200, 200, 200, 302, 404, 429, 500, 502, 503, 504, 0];
  // A request no route matched gets the ingress's 404 (never an answer), as in the simulator.
  const request = fc
    .record({
      status: fc.constantFrom(...STATUSES),
      latencyMs: fc.oneof(fc.double({ min: 0, max: 60_000, noNaN: true }), fc.constant(Number.NaN), fc.constant(-1)),
      cold: fc.boolean(),
      revision: fc.constantFrom<string | undefined>('web-00001', 'web-00002', 'api-00001', undefined),
    })
    .map((r) => (r.revision === undefined ? { ...r, status: 404, cold: false } : r));

  /** The figures a list of requests gives, counted directly. */
  function scratch(list: { status: number; latencyMs: number; cold: boolean }[]) {
    const answered = list.filter((r) => r.status >= 200 && r.status < 400);
    const latency = new LatencyHistogram();
    let sum = 0;
    for (const r of answered) {
      latency.add(r.latencyMs);
      // biome-ignore lint/complexity/useMathMinMax: a NaN latency counts as 0 (Math.max would give NaN)
      sum += r.latencyMs > 0 ? r.latencyMs : 0;
    }
    const count = (p: (s: number) => boolean) => list.filter((r) => p(r.status)).length;
    return {
      requests: list.length,
      answered: answered.length,
      errors: list.length - answered.length,
      status503: count((s) => s === 503),
      status504: count((s) => s === 504),
      status5xx: count((s) => s >= 500 && s !== 503 && s !== 504),
      status4xx: count((s) => s >= 400 && s < 500),
      noAnswer: count((s) => s < 200),
      coldRequests: answered.filter((r) => r.cold).length,
      latencyCount: latency.count,
      latencySum: sum,
      p50: latency.quantile(0.5),
      max: latency.count === 0 ? Number.NaN : latency.max,
    };
  }

  it('the run counts every request once, each revision its own (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(request, { maxLength: 300 }), (list) => {
        const c = new ResultsCollector();
        list.forEach((r, i) => {
          c.arrived(r.revision);
          c.request(r.status, r.latencyMs, r.cold, i + 1, r.revision, 0);
        });
        const results = c.results();
        const want = scratch(list);
        const got = results;
        expect({
          requests: got.requests,
          answered: got.answered,
          errors: got.errors,
          status503: got.status503,
          status504: got.status504,
          status5xx: got.status5xx,
          status4xx: got.status4xx,
          noAnswer: got.noAnswer,
          coldRequests: got.coldRequests,
        }).toEqual({
          requests: want.requests,
          answered: want.answered,
          errors: want.errors,
          status503: want.status503,
          status504: want.status504,
          status5xx: want.status5xx,
          status4xx: want.status4xx,
          noAnswer: want.noAnswer,
          coldRequests: want.coldRequests,
        });
        expect(got.latency.count).toBe(want.latencyCount);
        if (want.latencyCount > 0) {
          expect(Object.is(got.latency.mean, want.latencySum / want.latencyCount)).toBe(true);
          expect(got.latency.p50).toBe(want.p50);
          expect(got.latency.max).toBe(want.max);
        }
        expect(c.metric('requests')).toBe(want.requests);
        expect(c.metric('answered')).toBe(want.answered);
        expect(c.metric('503')).toBe(want.status503);
        expect(c.metric('504')).toBe(want.status504);
        const revisions = results.services.flatMap((s) => s.revisions);
        for (const name of ['web-00001', 'web-00002', 'api-00001']) {
          const mine = list.filter((r) => r.revision === name);
          const rev = revisions.find((r) => r.revision === name);
          if (mine.length === 0) continue;
          const w = scratch(mine);
          expect(rev, name).toBeDefined();
          expect([
            rev!.requests,
            rev!.answered,
            rev!.status503,
            rev!.status504,
            rev!.status5xx,
            rev!.status4xx,
          ]).toEqual([w.requests, w.answered, w.status503, w.status504, w.status5xx, w.status4xx]);
          expect([rev!.noAnswer, rev!.coldRequests, rev!.latency.count]).toEqual([
            w.noAnswer,
            w.coldRequests,
            w.latencyCount,
          ]);
          if (w.latencyCount > 0) expect(Object.is(rev!.latency.mean, w.latencySum / w.latencyCount)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a revision reached through its slot gets the figures a lookup by name gives (fast-check)', () => {
    const NAMES = ['web-00001', 'web-00002', 'api-00001'];
    // Each event: a request that arrives (and ends, unless it is still waiting when the run ends),
    // carrying one of its revision's slots (a revision runtime made again gets a new one) or none.
    const event = fc.record({
      request,
      slot: fc.integer({ min: -1, max: 1 }),
      ends: fc.boolean(),
      // A sample names the revision first sometimes (its state exists before any slot is taken).
      sampleFirst: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 200 }), fc.boolean(), (events, finished) => {
        const slots = new Map(NAMES.map((n) => [n, [new RevisionSlot(), new RevisionSlot()]]));
        const byName = new ResultsCollector();
        const bySlot = new ResultsCollector();
        // Another collector fed the same slots: they are the first one's, it looks revisions up.
        const second = new ResultsCollector();
        let t = 0;
        for (const { request: r, slot: k, ends, sampleFirst } of events) {
          t += 10;
          const slot = r.revision !== undefined && k >= 0 ? slots.get(r.revision)![k] : undefined;
          if (sampleFirst && r.revision !== undefined) {
            const sample = { t, type: 'sample', revision: `${r.revision}`, ready: 1, pending: 0, terminating: 0 };
            for (const c of [byName, bySlot, second])
              c.sample({ ...sample, panic: false, activatorInPath: false } as SampleEvent);
          }
          byName.arrived(r.revision);
          bySlot.arrived(r.revision, slot);
          second.arrived(r.revision, slot);
          if (!ends) continue;
          const e = { status: r.status, latencyMs: r.latencyMs, cold: r.cold, endedAt: t, startedAt: 0 };
          byName.ended({ ...e, revision: r.revision, slot: undefined });
          bySlot.ended({ ...e, revision: r.revision, slot });
          second.ended({ ...e, revision: r.revision, slot });
        }
        if (finished) for (const c of [byName, bySlot, second]) c.finish();
        const want = resultsToJSON(byName.results());
        expect(resultsToJSON(bySlot.results())).toBe(want);
        expect(resultsToJSON(second.results())).toBe(want);
        expect([bySlot.sent, bySlot.waiting]).toEqual([byName.sent, byName.waiting]);
      }),
      { numRuns: 300 },
    );
  });
});
