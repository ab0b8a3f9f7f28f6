/**
 * The event recorder (src/sim/recorder.ts) against a from-scratch account of the same records:
 * a repeat of an event (same object, type, reason, message and source) within ten minutes of
 * its last sighting counts up on it, anything else is a new event, and every event is gone an
 * hour after it was last seen (within the minute the recorder sweeps at), none kept longer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/api/types.js';
import { isoAt } from '../../src/model/rules/time.js';
import { Engine } from '../../src/sim/engine.js';
import { EVENT_TTL_MS, EventRecorder } from '../../src/sim/recorder.js';
import { ObjectStore } from '../../src/sim/store.js';

const AGGREGATE_MS = 10 * 60 * 1000;
const SWEEP_MS = 60 * 1000;

interface Rec {
  gapMs: number;
  object: 'a' | 'b';
  reason: 'Pulled' | 'Killing' | 'Scheduled';
  message: 'one' | 'two';
  host: 'n1' | 'n2';
}

const rec = fc.record<Rec>({
  // Gaps from an instant to two hours: repeats within and past the ten minutes, and past the hour.
  gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 15 * 60_000 }), fc.integer({ min: 0, max: 2 * 3_600_000 })),
  object: fc.constantFrom('a', 'b'),
  reason: fc.constantFrom('Pulled', 'Killing', 'Scheduled'),
  message: fc.constantFrom('one', 'two'),
  host: fc.constantFrom('n1', 'n2'),
});

const pod = (name: string): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '1' },
  }) as KubeObject;

interface Expected {
  key: string;
  count: number;
  first: number;
  last: number;
}

describe('EventRecorder', () => {
  it('counts repeats up within ten minutes and keeps every event exactly until an hour after it was last seen (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(rec, { minLength: 1, maxLength: 40 }), (records) => {
        const engine = new Engine();
        const store = new ObjectStore({ timestamp: () => isoAt(engine.now()), uid: (o) => `e-${o.metadata.name}` });
        const recorder = new EventRecorder(engine, store);
        // From scratch: every event ever made, in order; `open` the one a repeat may count up on.
        const made: Expected[] = [];
        const open = new Map<string, Expected>();
        let t = 0;
        const check = () => {
          const now = engine.now();
          const stored = store.list('events') as unknown as {
            count?: number;
            firstTimestamp: string | null;
            lastTimestamp: string | null;
            eventTime: string | null;
            reason: string;
            involvedObject: { name: string };
          }[];
          const summary = (e: { reason: string; involvedObject: { name: string } }) =>
            `${e.involvedObject.name} ${e.reason}`;
          // Alive: last seen less than an hour ago. Gone: last seen an hour and a sweep ago.
          const alive = made.filter((e) => now - e.last < EVENT_TTL_MS);
          const gone = made.filter((e) => now - e.last >= EVENT_TTL_MS + SWEEP_MS);
          expect(stored.length).toBeGreaterThanOrEqual(alive.length);
          expect(stored.length).toBeLessThanOrEqual(made.length - gone.length);
          const have = stored.map((e) =>
            e.eventTime !== null
              ? `${summary(e)} 1 ${e.eventTime.slice(0, 19)}`
              : `${summary(e)} ${e.count} ${e.firstTimestamp} ${e.lastTimestamp}`,
          );
          for (const e of alive) {
            const [object, reason] = e.key.split(' ');
            const line =
              reason === 'Scheduled'
                ? `${object} ${reason} 1 ${isoAt(e.first).slice(0, 19)}`
                : `${object} ${reason} ${e.count} ${isoAt(e.first)} ${isoAt(e.last)}`;
            expect(have).toContain(line);
          }
        };
        for (const r of records) {
          t += r.gapMs;
          engine.runUntil(t);
          check();
          const v1 = r.reason === 'Scheduled';
          recorder.record(
            pod(r.object),
            'Normal',
            r.reason,
            r.message,
            { component: 'kubelet', host: r.host },
            v1 ? { eventsV1: { action: 'Binding', reportingInstance: 'sched' } } : {},
          );
          const key = `${r.object} ${r.reason} ${r.message} ${r.host}`;
          const prior = open.get(key);
          if (!v1 && prior && t - prior.last <= AGGREGATE_MS) {
            prior.count++;
            prior.last = t;
          } else {
            const e = { key, count: 1, first: t, last: t };
            made.push(e);
            if (!v1) open.set(key, e);
          }
        }
        // Let every event run out: none is kept past its hour (and a sweep).
        engine.runUntil(t + EVENT_TTL_MS + 2 * SWEEP_MS);
        check();
        expect(store.list('events')).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
