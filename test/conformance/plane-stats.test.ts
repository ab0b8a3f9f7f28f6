/**
 * Cases from Knative Serving's pkg/queue/stats_test.go (the stored version): the queue-proxy's
 * report for a reporting period, its time-weighted average concurrency and the requests that
 * arrived in it. Transcribed as data (request starts and ends, report times, expected figures) and
 * run on knsim's data plane: one ready pod taking requests straight (activator out of the path),
 * each request's service time its upstream start-to-end, read with the revision's scrape (one pod:
 * the scrape is that pod's report).
 */
import { describe, expect, it } from 'vitest';
import { revisionTimeouts } from '../../src/model/timeouts.js';
import { blankRequest } from '../../src/sim/cluster.js';
import { RevisionDataplane } from '../../src/sim/dataplane/revision.js';
import { Engine } from '../../src/sim/engine.js';

interface Case {
  readonly name: string;
  /** Requests: when each arrives and how long it stays (ms). */
  readonly requests: readonly { at: number; forMs: number }[];
  /** Reports: when, and what upstream wants. */
  readonly reports: readonly { at: number; averageConcurrency: number; requestCount: number }[];
}

const cases: Case[] = [
  { name: 'TestNoData', requests: [], reports: [{ at: 1000, averageConcurrency: 0, requestCount: 0 }] },
  {
    name: 'TestSingleRequestWholeTime',
    requests: [{ at: 0, forMs: 1000 }],
    reports: [{ at: 1000, averageConcurrency: 1, requestCount: 1 }],
  },
  {
    name: 'TestSingleRequestHalfTime',
    requests: [{ at: 0, forMs: 1000 }],
    reports: [{ at: 2000, averageConcurrency: 0.5, requestCount: 1 }],
  },
  {
    name: 'TestVeryShortLivedRequest',
    requests: [{ at: 0, forMs: 10 }],
    reports: [{ at: 1000, averageConcurrency: 10 / 1000, requestCount: 1 }],
  },
  {
    name: 'TestMultipleRequestsWholeTime',
    requests: [
      { at: 0, forMs: 300 },
      { at: 300, forMs: 300 },
      { at: 600, forMs: 400 },
    ],
    reports: [{ at: 1000, averageConcurrency: 1, requestCount: 3 }],
  },
  {
    name: 'TestMultipleRequestsInterleaved',
    requests: [
      { at: 0, forMs: 600 },
      { at: 100, forMs: 900 },
    ],
    reports: [{ at: 1000, averageConcurrency: 1.5, requestCount: 2 }],
  },
  {
    name: 'TestOneRequestAcrossReportings',
    requests: [{ at: 0, forMs: 1500 }],
    reports: [
      { at: 1000, averageConcurrency: 1, requestCount: 1 },
      { at: 2000, averageConcurrency: 0.5, requestCount: 0 },
    ],
  },
];

describe('stats_test.go: the queue-proxy’s report per period', () => {
  for (const c of cases) {
    it(c.name, () => {
      const engine = new Engine();
      const hooks = { firstRequest() {}, completed() {}, held() {}, dispatched() {} };
      const dp = new RevisionDataplane(
        'r',
        0,
        revisionTimeouts({ timeoutSeconds: 300 }, 300),
        engine,
        () => 0.5,
        hooks,
      );
      dp.podReady('p0');
      dp.setActivatorInPath(false);
      const events = [
        ...c.requests.map((r, i) => ({ at: r.at, kind: 'request' as const, i })),
        ...c.reports.map((r, i) => ({ at: r.at, kind: 'report' as const, i })),
      ].sort((a, b) => a.at - b.at || (a.kind === 'report' ? 1 : -1));
      let id = 0;
      for (const e of events) {
        engine.runUntil(e.at);
        if (e.kind === 'request') {
          const req = blankRequest();
          req.id = ++id;
          req.serviceMs = c.requests[e.i]!.forMs;
          req.arrivedAt = engine.now();
          dp.receive(req);
          expect(req.pod).toBe('p0');
        } else {
          const want = c.reports[e.i]!;
          const got = dp.scrape();
          expect(got?.averageConcurrency).toBeCloseTo(want.averageConcurrency, 9);
          expect(got?.requestCount).toBe(want.requestCount);
        }
      }
    });
  }
});
