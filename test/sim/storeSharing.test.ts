/**
 * An update shares with the stored object what the input took over from it (`cloneSharing`):
 * the stored result must be what a full copy gives, the old version must stay as it was, and
 * nothing of the input that was not the store's already may be shared (changing it afterwards
 * must not change the store).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/api/types.js';
import { cloneData, ObjectStore } from '../../src/sim/store.js';

function store() {
  let uid = 0;
  return new ObjectStore({ timestamp: () => '2026-01-01T00:00:00Z', uid: () => `uid-${++uid}` });
}

const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.string({ maxLength: 3 }),
    fc.boolean(),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** Every object and array reachable from `v`. */
function reachable(v: unknown, into = new Set<object>()): Set<object> {
  if (typeof v !== 'object' || v === null || into.has(v)) return into;
  into.add(v);
  for (const x of Object.values(v)) reachable(x, into);
  return into;
}

/**
 * A new value made from `fresh`, where each part may instead be the old value's part at the
 * same place (`pick` says which, in turn).
 */
function mix(old: unknown, fresh: unknown, pick: () => boolean): unknown {
  if (typeof old === 'object' && old !== null && pick()) return old;
  if (typeof fresh !== 'object' || fresh === null) return fresh;
  if (Array.isArray(fresh)) {
    return fresh.map((x, i) => mix(Array.isArray(old) ? old[i] : undefined, x, pick));
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(fresh)) {
    out[k] = mix(typeof old === 'object' && old !== null ? (old as Record<string, unknown>)[k] : undefined, x, pick);
  }
  return out;
}

describe('update shares what it took over from the stored object', () => {
  it('stores what a full copy would, keeps the old version, shares nothing of the input (fast-check)', () => {
    fc.assert(
      fc.property(json, json, json, fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }), (a, b, labels, picks) => {
        const s = store();
        const old = s.create({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'x', namespace: 'default', labels: { l: '1' } },
          spec: { a, keep: { k: [1, { z: 2 }] } },
        } as unknown as KubeObject);
        const oldCopy = cloneData(old);
        let turn = 0;
        const pick = () => picks[turn++ % picks.length]!;
        const input = {
          ...old,
          metadata: { ...old.metadata, annotations: { n: JSON.stringify(labels) } },
          spec: mix(
            (old as unknown as { spec: unknown }).spec,
            { a: b, keep: { k: [1, { z: 2 }] }, more: labels },
            pick,
          ),
        } as KubeObject;
        const expected = cloneData(input);
        const stored = s.update(input);
        // What a full copy gives (but the generation and resourceVersion the store sets).
        const { generation: _g, resourceVersion: _r, ...meta } = stored.metadata;
        const { generation: _g2, resourceVersion: _r2, ...expectedMeta } = expected.metadata;
        expect({ ...stored, metadata: meta }).toEqual({ ...expected, metadata: expectedMeta });
        // The old version as it was.
        expect(old).toEqual(oldCopy);
        // Nothing of the input but what was the store's already.
        const ours = reachable(old);
        const snapshot = cloneData(stored);
        for (const o of reachable(input)) {
          if (ours.has(o) || Object.isFrozen(o)) continue;
          if (Array.isArray(o)) o.push('changed');
          else (o as Record<string, unknown>).changed = true;
        }
        expect(s.get('configmaps', 'default', 'x')).toEqual(snapshot);
      }),
      { numRuns: 500 },
    );
  });

  it('shares an unchanged part with the stored object and copies a new one', () => {
    const s = store();
    const old = s.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: 'default' },
      spec: { same: { a: [1] }, moved: { b: 1 } },
    } as unknown as KubeObject);
    const spec = (old as unknown as { spec: { same: object; moved: object } }).spec;
    const moved = { b: 2 };
    const stored = s.update({ ...old, spec: { ...spec, moved } } as unknown as KubeObject) as unknown as {
      spec: { same: object; moved: object };
    };
    expect(stored.spec.same).toBe(spec.same);
    expect(stored.spec.moved).toEqual(moved);
    expect(stored.spec.moved).not.toBe(moved);
    expect(old.metadata.resourceVersion).not.toBe((stored as unknown as KubeObject).metadata.resourceVersion);
  });
});
