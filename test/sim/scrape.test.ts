/**
 * The scraper samples pods and only the sampled ones close their reporting period at a scrape;
 * the others close theirs lazily (when they next change or their /metrics is read). That must give
 * the doubles of a scraper that closes every pod's period at every scrape.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { revisionTimeouts } from '../../src/model/timeouts.js';
import { blankRequest } from '../../src/sim/cluster.js';
import type { SimRequest } from '../../src/sim/dataplane/request.js';
import { RevisionDataplane } from '../../src/sim/dataplane/revision.js';
import { Engine } from '../../src/sim/engine.js';

const hooks = { firstRequest() {}, completed() {}, held() {}, dispatched() {} };

function request(id: number, now: number, serviceMs: number): SimRequest {
  return { ...blankRequest(), id, arrivedAt: now, serviceMs, revision: 'r' };
}

/** A data plane with its own engine and a seeded random stream (Park–Miller). */
function dataplane(cc: number, seed: number) {
  const engine = new Engine();
  let x = seed;
  const random = () => {
    x = (x * 16807) % 2147483647;
    return x / 2147483647;
  };
  const dp = new RevisionDataplane('r', cc, revisionTimeouts({ timeoutSeconds: 300 }, 300), engine, random, hooks);
  return { engine, dp };
}

type Step =
  | { op: 'ready' | 'probe' | 'terminate' | 'gone'; pod: number }
  | { op: 'send'; count: number; serviceMs: number }
  | { op: 'wait'; ms: number }
  | { op: 'scrape' }
  | { op: 'read'; pod: number }
  | { op: 'direct'; on: boolean };

// Weighted so that runs have several ready pods (from 5 up, the scraper samples some of them) and
// scrapes that pass while a pod is neither sampled nor read.
const pod = fc.integer({ min: 0, max: 11 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('ready'), pod }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('probe'), pod }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('terminate', 'gone'), pod }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('send'),
      count: fc.integer({ min: 1, max: 20 }),
      serviceMs: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.double({ min: 0, max: 5000, noNaN: true })),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('wait'),
      ms: fc.oneof(fc.integer({ min: 0, max: 4000 }), fc.constant(1000)),
    }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('scrape') }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('read'), pod }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('direct'), on: fc.boolean() }) },
) as fc.Arbitrary<Step>;

/**
 * Runs the steps on a data plane; `eager` reads every pod's report after each scrape (so every
 * pod closes every period at its scrape, as the scraper once did). Returns what was observed.
 */
function run(steps: Step[], cc: number, seed: number, eager: boolean): unknown[] {
  const { engine, dp } = dataplane(cc, seed);
  const seen: unknown[] = [];
  const pods = new Set<string>();
  let id = 0;
  for (const s of steps) {
    switch (s.op) {
      case 'ready':
        dp.podReady(`p${s.pod}`);
        pods.add(`p${s.pod}`);
        break;
      case 'probe':
        dp.podProbed(`p${s.pod}`);
        break;
      case 'terminate':
        dp.podTerminating(`p${s.pod}`);
        break;
      case 'gone':
        dp.podGone(`p${s.pod}`);
        pods.delete(`p${s.pod}`);
        break;
      case 'send':
        for (let i = 0; i < s.count; i++) dp.receive(request(id++, engine.now(), s.serviceMs));
        break;
      case 'wait':
        engine.runUntil(engine.now() + s.ms);
        break;
      case 'scrape': {
        seen.push(['scrape', engine.now(), dp.scrape()]);
        if (eager) for (const p of pods) dp.queueProxyReport(p);
        break;
      }
      case 'read':
        // Both read it at the same moment: the lazy one closes its periods now.
        seen.push(['read', `p${s.pod}`, dp.queueProxyReport(`p${s.pod}`)]);
        break;
      case 'direct':
        dp.activatorInPath = !s.on;
        break;
    }
  }
  for (const p of [...pods].sort()) seen.push(['end', p, dp.queueProxyReport(p)]);
  return seen;
}

describe('the scraper closes pods’ periods lazily', () => {
  it('gives the same scrapes and queue-proxy reports as closing every pod at every scrape', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 10, maxLength: 150, size: 'max' }),
        fc.constantFrom(0, 1, 2, 10),
        fc.integer({ min: 1, max: 2 ** 30 }),
        (steps, cc, seed) => {
          const lazy = run(steps, cc, seed, false);
          const eager = run(steps, cc, seed, true);
          // Object.is on every number: the same doubles, not merely close ones.
          expect(lazy).toStrictEqual(eager);
        },
      ),
      { numRuns: 400, seed: 13 },
    );
  });

  it('a pod left alone for several periods reports the last one, at its constant concurrency', () => {
    const { engine, dp } = dataplane(1, 1);
    dp.activatorInPath = false;
    dp.podReady('p');
    dp.receive(request(1, 0, 10_000));
    engine.runUntil(500);
    // Terminating: no longer scraped, its queue-proxy still counts (and serves /metrics).
    dp.podTerminating('p');
    for (let t = 1000; t <= 4000; t += 1000) {
      engine.runUntil(t);
      expect(dp.scrape()).toBeUndefined();
    }
    engine.runUntil(4500);
    expect(dp.queueProxyReport('p')).toEqual({
      averageConcurrency: 1,
      averageProxiedConcurrency: 0,
      requestCount: 0,
      proxiedRequestCount: 0,
    });
  });

  it('a pod’s first period counts its requests', () => {
    const { engine, dp } = dataplane(1, 1);
    dp.activatorInPath = false;
    dp.podReady('p');
    expect(dp.queueProxyReport('p')).toBeUndefined();
    engine.runUntil(250);
    dp.receive(request(1, 250, 500));
    engine.runUntil(1000);
    expect(dp.scrape()).toEqual({
      averageConcurrency: 0.5,
      averageProxiedConcurrency: 0,
      requestCount: 1,
      proxiedRequestCount: 0,
    });
    expect(dp.queueProxyReport('p')?.requestCount).toBe(1);
  });
});
