/**
 * The store's shortcuts against a from-scratch account: `createHandedOver` (no copy of an input
 * the caller gives up), `sameSpec` (the generation's spec compare without building the specs)
 * and the status writes sharing what they took over from the stored status. On random write
 * sequences, every stored object, watch event and resourceVersion is what copying everything
 * and comparing from scratch gives, and no object handed out changes afterwards. `setFields`
 * (the recorder's count-up of an Event) stores what `update` of the spread stored object does.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/api/types.js';
import { cloneData, ObjectStore, type StoreEvent, sameSpec } from '../../src/sim/store.js';

const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: 0, max: 3 }),
    fc.constantFrom('a', 'b'),
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('value'), { maxKeys: 3, noNullPrototype: true }),
  ),
})).value;

/** The spec as the API server sees it: every field but apiVersion, kind, metadata and status. */
function specFromScratch(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (!['apiVersion', 'kind', 'metadata', 'status'].includes(k)) out[k] = v;
  return out;
}

/** A new value made from `fresh`, where each part may instead be `old`'s part at the same place. */
function mix(old: unknown, fresh: unknown, pick: () => boolean): unknown {
  if (typeof old === 'object' && old !== null && pick()) return old;
  if (typeof fresh !== 'object' || fresh === null) return fresh;
  if (Array.isArray(fresh)) return fresh.map((x, i) => mix(Array.isArray(old) ? old[i] : undefined, x, pick));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(fresh)) {
    out[k] = mix(typeof old === 'object' && old !== null ? (old as Record<string, unknown>)[k] : undefined, x, pick);
  }
  return out;
}

/** Every object and array reachable from `v`. */
function reachable(v: unknown, into = new Set<object>()): Set<object> {
  if (typeof v !== 'object' || v === null || into.has(v)) return into;
  into.add(v);
  for (const x of Object.values(v)) reachable(x, into);
  return into;
}

const names = fc.constantFrom('x', 'y');
const picks = fc.array(fc.boolean(), { minLength: 1, maxLength: 8 });
const ops = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('create' as const), name: names, handedOver: fc.boolean(), body: json, extra: json }),
    fc.record({ op: fc.constant('update' as const), name: names, body: json, extra: json, picks }),
    fc.record({ op: fc.constant('status' as const), name: names, status: json, picks, handedOver: fc.boolean() }),
    fc.record({ op: fc.constant('bind' as const), name: names, status: json, picks, handedOver: fc.boolean() }),
  ),
  { maxLength: 12 },
);

interface Kept {
  obj: Record<string, unknown>;
  generation: number;
  rv: number;
}

describe('the store shortcuts', () => {
  it('sameSpec is dataEqual of the specs built from scratch (fast-check)', () => {
    const obj = fc.dictionary(fc.constantFrom('apiVersion', 'kind', 'metadata', 'status', 'spec', 'data', 'x'), json, {
      maxKeys: 5,
      noNullPrototype: true,
    });
    fc.assert(
      fc.property(obj, obj, (a, b) => {
        const x = a as unknown as KubeObject;
        const y = b as unknown as KubeObject;
        expect(sameSpec(x, y)).toBe(isDeepStrictEqual(specFromScratch(a), specFromScratch(b)));
        expect(sameSpec(x, x)).toBe(true);
        expect(sameSpec(x, cloneData(x))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('random writes store what copying everything gives; nothing handed out changes (fast-check)', () => {
    fc.assert(
      fc.property(ops, (sequence) => {
        let uid = 0;
        const s = new ObjectStore({ timestamp: () => '2026-01-01T00:00:00Z', uid: () => `uid-${++uid}` });
        const events: StoreEvent[] = [];
        s.watch((e) => events.push(e));
        // The account from scratch: each object as a full copy, its generation and resourceVersion.
        const kept = new Map<string, Kept>();
        const expectedEvents: { op: string; rv: number; object: unknown }[] = [];
        let rv = 0;
        // Every object the store handed out, with a copy of it as it was then.
        const handedOut: [KubeObject, unknown][] = [];
        let turn = 0;
        for (const step of sequence) {
          const pick = () => ('picks' in step ? step.picks[turn++ % step.picks.length]! : false);
          const stored = s.get('configmaps', 'default', step.name);
          const mine = kept.get(step.name);
          if (step.op === 'create') {
            const input = {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: step.name, namespace: 'default' },
              spec: cloneData(step.body),
              more: cloneData(step.extra),
            } as unknown as KubeObject;
            const copy = cloneData(input);
            if (mine) {
              expect(() => (step.handedOver ? s.createHandedOver(input) : s.create(input))).toThrow(/already exists/);
              continue;
            }
            const out = step.handedOver ? s.createHandedOver(input) : s.create(input);
            handedOut.push([out, cloneData(out)]);
            // An input not handed over is still the caller's: changing it leaves the store as it was.
            if (!step.handedOver) {
              for (const o of reachable(input)) {
                if (Object.isFrozen(o)) continue;
                if (Array.isArray(o)) o.push('changed');
                else (o as Record<string, unknown>).changedAfter = true;
              }
            }
            const obj = { ...cloneData(copy), metadata: { ...copy.metadata } } as unknown as Record<string, unknown>;
            kept.set(step.name, { obj, generation: 1, rv: ++rv });
            expectedEvents.push({ op: 'added', rv, object: obj });
            continue;
          }
          if (!stored || !mine) continue;
          if (step.op === 'update') {
            const input = {
              ...stored,
              spec: mix((stored as unknown as { spec: unknown }).spec, step.body, pick),
              more: mix((stored as unknown as { more: unknown }).more, step.extra, pick),
            } as unknown as KubeObject;
            const want = { ...cloneData(input), status: mine.obj.status } as unknown as Record<string, unknown>;
            if (mine.obj.status === undefined) delete want.status;
            const out = s.update(input);
            handedOut.push([out, cloneData(out)]);
            if (isDeepStrictEqual({ ...want, metadata: null }, { ...mine.obj, metadata: null })) {
              expect(out).toBe(stored);
              continue;
            }
            const generation = isDeepStrictEqual(specFromScratch(want), specFromScratch(mine.obj))
              ? mine.generation
              : mine.generation + 1;
            kept.set(step.name, { obj: want, generation, rv: ++rv });
            expectedEvents.push({ op: 'modified', rv, object: want });
            continue;
          }
          const status = mix(stored.status, cloneData(step.status), pick);
          const want = { ...mine.obj, status: cloneData(status) } as Record<string, unknown>;
          if (step.op === 'bind') want.spec = { ...(want.spec as object), nodeName: 'n1' };
          const out =
            step.op === 'status'
              ? s.updateStatus('configmaps', 'default', step.name, status, step.handedOver)
              : s.bind('configmaps', 'default', step.name, 'n1', status, step.handedOver);
          handedOut.push([out, cloneData(out)]);
          if (step.op === 'status' && isDeepStrictEqual(stored.status, status)) {
            expect(out).toBe(stored);
            continue;
          }
          kept.set(step.name, { obj: want, generation: mine.generation, rv: ++rv });
          expectedEvents.push({ op: 'modified', rv, object: want });
          // A status handed over is kept as it is (the caller gave it up: nothing changes it).
          if (step.handedOver) {
            expect(out.status).toBe(status);
            continue;
          }
          // What the caller passed and was not the store's may change afterwards without
          // changing the store.
          const ours = reachable(stored);
          for (const o of reachable(status)) {
            if (ours.has(o)) continue;
            if (Array.isArray(o)) o.push('changed');
            else (o as Record<string, unknown>).changedAfter = true;
          }
        }
        const strip = (o: unknown) => {
          const { metadata, ...rest } = o as Record<string, unknown>;
          return rest;
        };
        for (const [name, k] of kept) {
          const got = s.get('configmaps', 'default', name)!;
          expect(strip(got)).toEqual(strip(k.obj));
          expect(got.metadata.generation).toBe(k.generation);
          expect(got.metadata.resourceVersion).toBe(String(k.rv));
        }
        expect(events.map((e) => ({ op: e.op, rv: e.resourceVersion, object: strip(e.object) }))).toEqual(
          expectedEvents.map((e) => ({ op: e.op, rv: e.rv, object: strip(e.object) })),
        );
        for (const [out, copy] of handedOut) expect(out).toEqual(copy);
      }),
      { numRuns: 1000 },
    );
  });

  it('get finds what is there from scratch and what a scan of the list finds, as objects come and go (fast-check)', () => {
    const kinds = [
      { apiVersion: 'v1', kind: 'ConfigMap', type: 'configmaps' },
      { apiVersion: 'v1', kind: 'Pod', type: 'pods' },
    ];
    const spaces = [undefined, '', 'a', 'b'];
    const objNames = ['x', 'y', 'x-y'];
    const step = fc.record({
      op: fc.constantFrom('create', 'remove', 'markDeleting', 'status'),
      kind: fc.integer({ min: 0, max: 1 }),
      ns: fc.integer({ min: 0, max: 3 }),
      name: fc.integer({ min: 0, max: 2 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
        const s = new ObjectStore({ timestamp: () => 't', uid: () => 'u' });
        // From scratch: what is there, by type, namespace ('' for none) and name.
        const there = new Set<string>();
        const id = (type: string, namespace: string | undefined, name: string) => `${type} ${namespace ?? ''} ${name}`;
        for (const { op, kind, ns, name } of steps) {
          const k = kinds[kind]!;
          const namespace = spaces[ns];
          const n = objNames[name]!;
          const key = id(k.type, namespace, n);
          if (op === 'create') {
            const obj = { apiVersion: k.apiVersion, kind: k.kind, metadata: { name: n, namespace } } as KubeObject;
            if (there.has(key)) expect(() => s.create(obj)).toThrow(/already exists/);
            else s.create(obj);
            there.add(key);
          } else if (op === 'remove') {
            expect(s.remove(k.type, namespace, n) !== undefined).toBe(there.delete(key));
          } else if (op === 'markDeleting') {
            expect(s.markDeleting(k.type, namespace, n) !== undefined).toBe(there.has(key));
          } else if (there.has(key)) s.updateStatus(k.type, namespace, n, { at: steps.length }, true);
          else expect(() => s.updateStatus(k.type, namespace, n, {})).toThrow(/not found/);
          for (const { type } of kinds) {
            const all = s.list(type);
            expect(all.length).toBe([...there].filter((t) => t.startsWith(`${type} `)).length);
            for (const space of spaces) {
              for (const other of objNames) {
                const scanned = all.find(
                  (o) => (o.metadata.namespace ?? '') === (space ?? '') && o.metadata.name === other,
                );
                expect(s.get(type, space, other)).toBe(scanned);
                expect(scanned !== undefined).toBe(there.has(id(type, space, other)));
              }
            }
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a status handed over is kept as it is; one not handed over is copied', () => {
    const s = new ObjectStore({ timestamp: () => 't', uid: () => 'u' });
    s.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' } } as unknown as KubeObject);
    const given = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] };
    expect(s.bind('pods', 'default', 'p', 'n1', given, true).status).toBe(given);
    const next = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    expect(s.updateStatus('pods', 'default', 'p', next, true).status).toBe(next);
    const copied = { phase: 'Succeeded' };
    const out = s.updateStatus('pods', 'default', 'p', copied);
    expect(out.status).not.toBe(copied);
    expect(out.status).toEqual(copied);
    const bound = { phase: 'Failed' };
    expect(s.bind('pods', 'default', 'p', 'n2', bound).status).not.toBe(bound);
  });

  it('createHandedOver keeps the very input; create keeps a copy', () => {
    const s = new ObjectStore({ timestamp: () => 't', uid: () => 'u' });
    const a = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'a', namespace: 'default' }, count: 1 };
    const b = { ...a, metadata: { name: 'b', namespace: 'default' } };
    expect(s.createHandedOver(a as unknown as KubeObject)).toBe(a);
    expect(s.create(b as unknown as KubeObject)).not.toBe(b);
    expect(s.get('events', 'default', 'a')).toEqual({
      ...s.get('events', 'default', 'b'),
      metadata: expect.anything(),
    });
  });

  it('setFields stores what update of the spread stored object stores (fast-check)', () => {
    const primitive = fc.oneof(fc.integer({ min: 0, max: 2 }), fc.constantFrom('a', 'b', true, null));
    const fieldsOf = fc.dictionary(fc.constantFrom('count', 'lastTimestamp', 'spec', 'x'), primitive, {
      maxKeys: 3,
      noNullPrototype: true,
    });
    const steps = fc.array(
      fc.oneof(
        fc.record({ op: fc.constant('set' as const), fields: fieldsOf }),
        fc.record({ op: fc.constant('status' as const), status: json }),
        fc.record({ op: fc.constant('markDeleting' as const) }),
      ),
      { minLength: 1, maxLength: 8 },
    );
    // A body of any fields, a status key (also one holding undefined) or none, labels or none.
    const body = fc.dictionary(fc.constantFrom('count', 'lastTimestamp', 'spec', 'x', 'status'), json, {
      maxKeys: 4,
      noNullPrototype: true,
    });
    fc.assert(
      fc.property(body, fc.option(json), steps, (fields, labels, sequence) => {
        const stores = [0, 1].map(() => {
          let uid = 0;
          const s = new ObjectStore({ timestamp: () => '2026-01-01T00:00:00Z', uid: () => `uid-${++uid}` });
          const seen: string[] = [];
          s.watch((e) => seen.push(`${e.op} ${e.resourceVersion} ${JSON.stringify(e.object)}`));
          const metadata =
            labels === null ? { name: 'e', namespace: 'default' } : { name: 'e', namespace: 'default', labels };
          s.create({ apiVersion: 'v1', kind: 'Event', metadata, ...fields } as unknown as KubeObject);
          return { s, seen };
        });
        const [mine, scratch] = stores as [(typeof stores)[0], (typeof stores)[0]];
        for (const step of sequence) {
          const before = mine.s.get('events', 'default', 'e')!;
          const copy = cloneData(before);
          if (step.op === 'set') {
            const a = mine.s.setFields('events', 'default', 'e', step.fields);
            const old = scratch.s.get('events', 'default', 'e')!;
            const b = scratch.s.update({
              ...old,
              metadata: { ...old.metadata, resourceVersion: undefined },
              ...step.fields,
            });
            expect(a === before).toBe(b === old);
          } else {
            for (const { s } of stores) {
              if (step.op === 'status') s.updateStatus('events', 'default', 'e', step.status);
              else s.markDeleting('events', 'default', 'e');
            }
          }
          // The very same stored object (fields in the same order), events and resourceVersions.
          expect(JSON.stringify(mine.s.get('events', 'default', 'e'))).toBe(
            JSON.stringify(scratch.s.get('events', 'default', 'e')),
          );
          expect(isDeepStrictEqual(mine.s.get('events', 'default', 'e'), scratch.s.get('events', 'default', 'e'))).toBe(
            true,
          );
          expect(mine.seen).toEqual(scratch.seen);
          expect(mine.s.resourceVersion()).toBe(scratch.s.resourceVersion());
          // The version before stays as it was.
          expect(isDeepStrictEqual(before, copy)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
    const s = new ObjectStore({ timestamp: () => 't', uid: () => 'u' });
    s.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e', namespace: 'default' },
    } as unknown as KubeObject);
    expect(() => s.setFields('events', 'default', 'e', { metadata: null })).toThrow(/cannot set metadata/);
    expect(() => s.setFields('events', 'default', 'f', { count: 1 })).toThrow(/not found/);
  });
});
