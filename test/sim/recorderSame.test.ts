/**
 * The event recorder (src/sim/recorder.ts) against the recorder as it was before it was made
 * cheaper (test/sim/recorderOld.ts): the same records at the same instants must leave the very
 * same Events in the store (names, every field and its order, counts, timestamps), with the same
 * watch events and resourceVersions, written and expired at the same instants.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/api/types.js';
import { isoAt } from '../../src/model/rules/time.js';
import { Engine } from '../../src/sim/engine.js';
import { EventRecorder, LIST_MAX, type RecordOptions } from '../../src/sim/recorder.js';
import { ObjectStore } from '../../src/sim/store.js';
import { OldEventRecorder } from './recorderOld.js';

interface Rec {
  gapMs: number;
  object: number;
  type: 'Normal' | 'Warning';
  reason: 'Pulled' | 'Killing' | 'Scheduled';
  message: string;
  host: 'n1' | 'n2' | undefined;
  fieldPath: string | undefined;
  v1: boolean;
}

const rec = fc.record<Rec>({
  // Same instant, fractions of a millisecond (names a nanosecond apart), within and past the ten
  // minutes a repeat counts up in, past the hour an Event is kept.
  gapMs: fc.oneof(
    fc.constant(0),
    fc.constantFrom(0.0004, 0.0011, 0.25, 1.5),
    fc.integer({ min: 1, max: 15 * 60_000 }),
    fc.integer({ min: 0, max: 2 * 3_600_000 }),
  ),
  object: fc.integer({ min: 0, max: 4 }),
  type: fc.constantFrom('Normal', 'Warning'),
  reason: fc.constantFrom('Pulled', 'Killing', 'Scheduled'),
  message: fc.constantFrom('one', 'two'),
  host: fc.constantFrom('n1', 'n2', undefined),
  fieldPath: fc.constantFrom(undefined, 'spec.containers{user-container}'),
  v1: fc.boolean(),
});

/**
 * Pods in two namespaces, a Node (no namespace: `default`), and the first pod again once written
 * since (its next resourceVersion: its events must not share the earlier `involvedObject`).
 */
const objects: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'ns', uid: 'uid-a', resourceVersion: '7' } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'other', uid: 'uid-a2' } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'b', namespace: 'ns', uid: 'uid-b', resourceVersion: '3' },
  },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'ns', uid: 'uid-a', resourceVersion: '8' } },
] as KubeObject[];

interface Run {
  engine: Engine;
  store: ObjectStore;
  record: (obj: KubeObject, r: Rec, options: RecordOptions | undefined) => void;
  seen: string[];
}

function run(recorder: 'new' | 'old'): Run {
  const engine = new Engine();
  const store = new ObjectStore({ timestamp: () => isoAt(engine.now()), uid: (o) => `e-${o.metadata.name}` });
  const seen: string[] = [];
  store.watch((e) => seen.push(`${engine.now()} ${e.op} ${e.resourceVersion} ${JSON.stringify(e.object)}`));
  const r = recorder === 'new' ? new EventRecorder(engine, store) : new OldEventRecorder(engine, store);
  return {
    engine,
    store,
    seen,
    record: (obj, x, options) =>
      options === undefined
        ? r.record(obj, x.type, x.reason, x.message, { component: 'kubelet', ...(x.host ? { host: x.host } : {}) })
        : r.record(
            obj,
            x.type,
            x.reason,
            x.message,
            { component: 'kubelet', ...(x.host ? { host: x.host } : {}) },
            options,
          ),
  };
}

const options = (r: Rec): RecordOptions | undefined =>
  r.v1
    ? { eventsV1: { action: 'Binding', reportingInstance: 'sched' } }
    : r.fieldPath
      ? { fieldPath: r.fieldPath }
      : r.host === 'n2'
        ? {}
        : undefined;

/**
 * Records of two objects with more messages each than an object's list holds ({@link LIST_MAX}):
 * their events are filed by message from then on, and leave as they expire.
 */
const manyMessages = rec.chain((r) =>
  fc.record({ object: fc.constantFrom(0, 2), message: fc.integer({ min: 0, max: LIST_MAX + 3 }) }).map((x) => ({
    ...r,
    object: x.object,
    message: `m${x.message}`,
    // Mostly within two minutes (an object's events pile up), now and then past ten minutes or
    // the hour (they stop counting up, then expire).
    gapMs: x.message % 6 === 0 ? r.gapMs : r.gapMs % 120_000,
  })),
);

describe('EventRecorder against the old recorder', () => {
  for (const [what, records, fewest] of [
    ['', rec, 1],
    [', with more messages an object than its list holds', manyMessages, 40],
  ] as const)
    it(`stores the same Events, with the same watch events and resourceVersions${what} (fast-check)`, () => {
      fc.assert(
        fc.property(fc.array(records, { minLength: fewest, maxLength: Math.max(60, 2 * fewest) }), (records) => {
          const runs = [run('new'), run('old')];
          let t = 0;
          for (const r of records) {
            t += r.gapMs;
            for (const x of runs) {
              x.engine.runUntil(t);
              x.record(objects[r.object]!, r, options(r));
            }
            expect(JSON.stringify(runs[0]!.store.list('events'))).toBe(JSON.stringify(runs[1]!.store.list('events')));
          }
          for (const x of runs) x.engine.runUntil(t + 2 * 3_600_000);
          expect(runs[0]!.seen).toEqual(runs[1]!.seen);
          expect(runs[0]!.store.resourceVersion()).toBe(runs[1]!.store.resourceVersion());
          expect(runs[0]!.engine.pending()).toBe(runs[1]!.engine.pending());
        }),
        { numRuns: 300 },
      );
    });

  it('names a thousand and more events of one object at one instant as the old recorder does', () => {
    const runs = [run('new'), run('old')];
    for (const x of runs) {
      x.engine.runUntil(1.0015);
      for (let i = 0; i < 2100; i++) {
        // Distinct messages: each a new event, its name a nanosecond past the last (past 999 too).
        const r: Rec = {
          gapMs: 0,
          object: 0,
          type: 'Normal',
          reason: 'Pulled',
          message: 'one',
          host: 'n1',
          fieldPath: undefined,
          v1: false,
        };
        x.record(objects[0]!, { ...r, message: `m${i}` as Rec['message'] }, undefined);
      }
      x.engine.runUntil(3_600_000 * 3);
    }
    expect(runs[0]!.seen.length).toBe(2 * 2100);
    expect(runs[0]!.seen).toEqual(runs[1]!.seen);
  });

  it("writes an events.k8s.io Event's eventTime as the old recorder's Date did, at any instant (fast-check)", () => {
    // Whole and fractional milliseconds, next to a second's end and start.
    const instant = fc.oneof(
      fc.double({ min: 0, max: 3e9, noNaN: true }),
      fc.integer({ min: 0, max: 3_000_000 }).map((s) => s * 1000),
      fc
        .tuple(fc.integer({ min: 1, max: 3_000_000 }), fc.constantFrom(-1e-6, -0.001, -0.5, -1, 1e-6, 0.999, 9, 99))
        .map(([s, d]) => s * 1000 + d),
    );
    fc.assert(
      fc.property(instant, (at) => {
        const [mine, old] = [run('new'), run('old')];
        for (const x of [mine, old]) {
          x.engine.runUntil(at);
          x.record(
            objects[0]!,
            {
              gapMs: 0,
              object: 0,
              type: 'Normal',
              reason: 'Scheduled',
              message: 'one',
              host: undefined,
              fieldPath: undefined,
              v1: true,
            },
            { eventsV1: { action: 'Binding', reportingInstance: 'sched' } },
          );
          x.engine.runUntil(at);
        }
        const times = [mine, old].map((x) => (x.store.list('events')[0] as unknown as { eventTime: string }).eventTime);
        expect(times[0]).toBe(times[1]);
        expect(times[0]).toBe(`${new Date(Date.UTC(2026, 0, 1) + at).toISOString().slice(0, -1)}000Z`);
      }),
      { numRuns: 2000 },
    );
  });
});
