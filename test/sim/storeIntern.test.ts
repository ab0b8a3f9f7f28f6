/**
 * Equal parts of stored objects held once (src/sim/intern.ts, used by src/sim/store.ts): the
 * store must keep the very values it kept before (every read deep-equal, field order, undefined
 * fields, -0 and NaN included), share equal parts between objects, freeze the parts it holds
 * (never the top-level fields, which the store itself still sets) and leave its callers' inputs
 * as they were; a table that starts afresh (a small limit) must change no value either.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../../src/model/api/frozen.js';
import type { KubeObject } from '../../src/model/api/types.js';
import { Interner, sameFields } from '../../src/sim/intern.js';
import { cloneData, ObjectStore } from '../../src/sim/store.js';

const leaf = fc.oneof(
  fc.constantFrom('a', 'b', '', 'x:1', '1:x', 's1:a'),
  fc.constantFrom(0, -0, 1, 2.5, Number.NaN),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const { part } = fc.letrec((tie) => ({
  part: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('part'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'ab', '1'), tie('part'), { maxKeys: 3, noNullPrototype: true }),
  ),
}));

/** A part within the parts compared (the same object on both sides, or not). */
const SHARED = Object.freeze({ x: 1 });

const store = (interning: boolean) => {
  let uid = 0;
  const s = new ObjectStore({ timestamp: () => '2026-01-01T00:00:00Z', uid: () => `uid-${++uid}` });
  if (!interning) (s as unknown as { interner: { internParts(): void } }).interner = { internParts() {} };
  return s;
};

const cm = (name: string, spec: unknown, labels: unknown): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels }, spec }) as never;

/** Every object and array below the top-level fields is frozen. */
function frozenBelow(obj: KubeObject): boolean {
  const deep = (v: unknown): boolean =>
    typeof v !== 'object' || v === null || (Object.isFrozen(v) && Object.values(v).every(deep));
  return Object.values(obj).every((top) => typeof top !== 'object' || top === null || Object.values(top).every(deep));
}

describe('interned stored objects', () => {
  it('read as the store without interning keeps them, after any writes (fast-check)', () => {
    const write = fc.record({
      op: fc.constantFrom('create', 'update', 'status'),
      name: fc.constantFrom('a', 'b', 'c'),
      spec: part,
      labels: part,
    });
    fc.assert(
      fc.property(fc.array(write, { maxLength: 30 }), (writes) => {
        const a = store(true);
        const b = store(false);
        for (const w of writes) {
          for (const s of [a, b]) {
            const input = cm(w.name, w.spec, w.labels);
            const before = structuredClone(input);
            const existing = s.get('configmaps', 'default', w.name);
            if (w.op === 'create' && !existing) s.create(input);
            else if (w.op === 'update' && existing)
              s.update({ ...input, metadata: { ...existing.metadata, labels: w.labels } } as never);
            else if (w.op === 'status' && existing) s.updateStatus('configmaps', 'default', w.name, { seen: w.spec });
            // The caller's input is as it gave it (nothing of it frozen or swapped).
            expect(input).toStrictEqual(before);
          }
          for (const name of ['a', 'b', 'c']) {
            const x = a.get('configmaps', 'default', name);
            expect(x).toStrictEqual(b.get('configmaps', 'default', name));
            if (x) expect(frozenBelow(x)).toBe(true);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('shares equal parts between objects and keeps the top-level fields their own', () => {
    const s = store(true);
    const spec = { template: { containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] }, replicas: 1 };
    const x = s.create(cm('x', cloneData(spec), { app: 'a' }));
    const y = s.create(cm('y', cloneData(spec), { app: 'a' }));
    const xs = x as unknown as { spec: typeof spec };
    const ys = y as unknown as { spec: typeof spec };
    expect(ys.spec.template).toBe(xs.spec.template);
    expect(y.metadata.labels).toBe(x.metadata.labels);
    expect(ys.spec).not.toBe(xs.spec);
    expect(Object.isFrozen(xs.spec)).toBe(false);
    expect(Object.isFrozen(x.metadata)).toBe(false);
  });

  it('copies a frozen part to hold the kept equals within it, never changing it', () => {
    const s = store(true);
    const env = (rev: string) => [
      { name: 'SERVING_NAMESPACE', value: 'default' },
      { name: 'SERVING_REVISION', value: rev },
    ];
    const template = (rev: string) => deepFreeze({ spec: { containers: [{ name: 'queue-proxy', env: env(rev) }] } });
    const t1 = template('r1');
    const t2 = template('r2');
    const x = s.create(cm('x', { template: t1 }, {})) as unknown as { spec: { template: typeof t1 } };
    const y = s.create(cm('y', { template: t2 }, {})) as unknown as { spec: { template: typeof t2 } };
    // The callers' frozen templates are as they were, and the stored ones equal them.
    expect(t2).toStrictEqual(template('r2'));
    expect(x.spec.template).toStrictEqual(t1);
    expect(y.spec.template).toStrictEqual(t2);
    // The variable both revisions have is one object in the store.
    const first = (t: typeof t1) => t.spec.containers[0]!.env[0];
    expect(first(y.spec.template)).toBe(first(x.spec.template));
    expect(y.spec.template.spec.containers[0]!.env[1]).not.toBe(x.spec.template.spec.containers[0]!.env[1]);
  });

  it('keeps apart parts that only look alike', () => {
    const alike: unknown[] = [
      { n: 0 },
      { n: -0 },
      { n: '0' },
      { n: Number.NaN },
      { n: undefined },
      {},
      { n: null },
      { n: false },
      { a: 1, b: 2 },
      { b: 2, a: 1 },
      ['a'],
      { 0: 'a' },
      { k: ['a'] },
      { k: { 0: 'a' } },
      { 'a:1': 'b' },
      { a: '1:b' },
      [[]],
      [{}],
    ];
    const s = store(true);
    alike.forEach((part, i) => {
      s.create(cm(`p${i}`, { part: cloneData(part) }, {}));
    });
    alike.forEach((part, i) => {
      const got = (s.get('configmaps', 'default', `p${i}`) as unknown as { spec: { part: unknown } }).spec.part;
      expect(got).toStrictEqual(part);
      expect(Object.keys(got as object)).toEqual(Object.keys(part as object));
    });
  });

  it("compares a kept part's fields as a field-by-field compare of both key lists does (fast-check)", () => {
    const value = fc.constantFrom<unknown>(0, -0, 1, 'a', Number.NaN, undefined, null, SHARED);
    const shallow = fc.oneof(
      fc.array(value, { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('a', 'b', '0', '1'), value, { maxKeys: 3, noNullPrototype: true }),
    );
    /** The compare as it was: both key lists made, then compared in order. */
    const plainCompare = (a: object, b: object): boolean => {
      if (Array.isArray(a) !== Array.isArray(b)) return false;
      const ka = Object.keys(a);
      const kb = Object.keys(b);
      return (
        ka.length === kb.length &&
        ka.every(
          (k, i) => k === kb[i] && Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
        )
      );
    };
    fc.assert(
      fc.property(shallow, shallow, fc.boolean(), (a, b, same) => {
        const other = same ? cloneData(a) : b;
        const kept = Object.freeze(a);
        expect(sameFields(kept, other as never, Object.keys(other), Array.isArray(other))).toBe(
          plainCompare(kept, other),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('change no value when the table starts afresh (a table of 3 parts, fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.constantFrom('a', 'b', 'c'), part, { noNullPrototype: true }), { maxLength: 12 }),
        (values) => {
          const interner = new Interner(3);
          for (const v of values) {
            const copy = cloneData(v);
            interner.internParts(copy);
            expect(copy).toStrictEqual(v);
            expect(interner.size).toBeLessThanOrEqual(3);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
