/**
 * The store's DELETE and the writes to an object being deleted, as the API server's generic
 * registry does them. The tables are Kubernetes' own unit tests (apiserver
 * pkg/registry/generic/registry/store_test.go): TestStoreDeleteWithOrphanDependents and
 * TestStoreDeletionPropagation, the rows with the default delete strategy (background: the
 * strategy of Knative's and the built-in kinds here), and TestGracefulStoreHandleFinalizers (the
 * update that takes the last finalizer off is the deletion). A property then drives any sequence
 * of deletes and finalizer writes and checks the API server's invariants.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/api/types.js';
import { deletionFinalizers, type Propagation } from '../../src/model/rules/finalizers.js';
import { ObjectStore, StoreError, type StoreEvent } from '../../src/sim/store.js';

const PODS = 'pods';

function store() {
  let uid = 0;
  let t = 0;
  return new ObjectStore({
    timestamp: () => `2026-01-01T00:00:${String(t++).padStart(2, '0')}Z`,
    uid: () => `uid-${++uid}`,
  });
}

const pod = (name: string, finalizers?: string[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'test', ...(finalizers ? { finalizers } : {}) },
  spec: { nodeName: 'machine' },
});

const ORPHAN = 'orphan';
const FG = 'foregroundDeletion';
const withOrphan = ['foo.com/x', ORPHAN, 'bar.com/y'];
const others = ['foo.com/x', 'bar.com/y'];

/** DeleteOptions as the rows give them: orphanDependents true/false/unset, or a propagation policy. */
type Options = { orphanDependents?: boolean; policy?: Propagation } | undefined;

function propagationOf(o: Options): Propagation | undefined {
  if (o?.policy) return o.policy;
  if (o?.orphanDependents === undefined) return undefined;
  return o.orphanDependents ? 'Orphan' : 'Background';
}

// TestStoreDeleteWithOrphanDependents, default strategy: [row, finalizers, options, not found, finalizers after]
const orphanRows: [string, string[] | undefined, Options, boolean, string[]][] = [
  ['pod1', withOrphan, { orphanDependents: true }, false, withOrphan],
  ['pod2', others, { orphanDependents: true }, false, [...others, ORPHAN]],
  ['pod3', undefined, { orphanDependents: true }, false, [ORPHAN]],
  ['pod4', [ORPHAN], { orphanDependents: true }, false, [ORPHAN]],
  // pod5-pod8 run with the orphan strategy, which orphanDependents: false overrides
  ['pod5', withOrphan, { orphanDependents: false }, false, others],
  ['pod6', others, { orphanDependents: false }, false, others],
  ['pod7', undefined, { orphanDependents: false }, true, []],
  ['pod8', [ORPHAN], { orphanDependents: false }, true, []],
  ['pod9', withOrphan, {}, false, withOrphan],
  ['pod11', others, {}, false, others],
  ['pod13', undefined, {}, true, []],
  ['pod15', [ORPHAN], {}, false, [ORPHAN]],
  ['pod17', withOrphan, undefined, false, withOrphan],
  ['pod19', others, undefined, false, others],
  ['pod21', undefined, undefined, true, []],
  ['pod23', [ORPHAN], undefined, false, [ORPHAN]],
];

// TestStoreDeletionPropagation, default strategy: [case, existing, policy, not found, finalizers after]
const propagationRows: [string, string[] | undefined, Propagation | undefined, boolean, string[]][] = [
  ['no existing finalizers, Foreground', undefined, 'Foreground', false, [FG]],
  ['no existing finalizers, Background', undefined, 'Background', true, []],
  ['no existing finalizers, OrphanDependents', undefined, 'Orphan', false, [ORPHAN]],
  ['no existing finalizers, Default', undefined, undefined, true, []],
  ['existing orphan finalizer, Foreground', [ORPHAN], 'Foreground', false, [FG]],
  ['existing orphan finalizer, Background', [ORPHAN], 'Background', true, []],
  ['existing orphan finalizer, OrphanDependents', [ORPHAN], 'Orphan', false, [ORPHAN]],
  ['existing orphan finalizer, Default', [ORPHAN], undefined, false, [ORPHAN]],
  ['existing deleteDependents finalizer, Foreground', [FG], 'Foreground', false, [FG]],
  ['existing deleteDependents finalizer, Background', [FG], 'Background', true, []],
  ['existing deleteDependents finalizer, OrphanDependents', [FG], 'Orphan', false, [ORPHAN]],
  ['existing deleteDependents finalizer, Default', [FG], undefined, false, [FG]],
];

function deleteRow(name: string, finalizers: string[] | undefined, policy: Propagation | undefined) {
  const s = store();
  s.create(pod(name, finalizers));
  const result = s.delete(PODS, 'test', name, policy);
  return { result, stored: s.get(PODS, 'test', name) };
}

describe('DELETE with finalizers and a propagation policy (Kubernetes store_test.go)', () => {
  for (const [name, finalizers, options, notFound, after] of orphanRows) {
    it(`TestStoreDeleteWithOrphanDependents ${name}`, () => {
      const { result, stored } = deleteRow(name, finalizers, propagationOf(options));
      expect(result.removed).toBe(notFound);
      if (notFound) {
        expect(stored).toBeUndefined();
        return;
      }
      expect(stored?.metadata.finalizers).toEqual(after);
      expect(stored?.metadata.deletionTimestamp).toBeDefined();
      expect(stored?.metadata.deletionGracePeriodSeconds).toBe(0);
      expect(stored?.metadata.generation).toBeGreaterThan(1);
    });
  }
  for (const [title, existing, policy, notFound, after] of propagationRows) {
    it(`TestStoreDeletionPropagation "${title}"`, () => {
      const { result, stored } = deleteRow('pod', existing, policy);
      expect(result.removed).toBe(notFound);
      if (notFound) expect(stored).toBeUndefined();
      else {
        expect(stored?.metadata.finalizers).toEqual(after);
        expect(stored?.metadata.deletionGracePeriodSeconds).toBe(0);
        expect(stored?.metadata.generation).toBe(2);
      }
      // The model's rule gives the same list.
      if (!notFound) expect(deletionFinalizers(existing, policy)).toEqual(after);
    });
  }
});

describe('writes to an object being deleted', () => {
  it('TestGracefulStoreHandleFinalizers: the update that takes the last finalizer off removes it', () => {
    const s = store();
    const events: StoreEvent[] = [];
    s.watch((e) => events.push(e));
    s.create(pod('foo', ['foo.com/x']));
    expect(s.delete(PODS, 'test', 'foo').removed).toBe(false);
    const marked = s.get(PODS, 'test', 'foo')!;
    // A spec change is allowed while it is being deleted; the deletion stamp stays.
    const moved = s.update({ ...marked, spec: { nodeName: 'anothermachine' } });
    expect(moved.metadata.deletionTimestamp).toBe(marked.metadata.deletionTimestamp);
    expect(s.get(PODS, 'test', 'foo')).toBeDefined();
    const { finalizers: _f, ...metadata } = moved.metadata;
    s.update({ ...moved, metadata });
    expect(s.get(PODS, 'test', 'foo')).toBeUndefined();
    // The write is the deletion: no modified event for it, one deleted event with the last state.
    expect(events.map((e) => e.op)).toEqual(['added', 'modified', 'modified', 'deleted']);
    expect(events.at(-1)!.object.metadata.finalizers).toBeUndefined();
  });

  it('no new finalizer on an object being deleted (ValidateNoNewFinalizers)', () => {
    const s = store();
    s.create(pod('foo', ['foo.com/x']));
    s.delete(PODS, 'test', 'foo');
    const marked = s.get(PODS, 'test', 'foo')!;
    let caught: unknown;
    try {
      s.update({ ...marked, metadata: { ...marked.metadata, finalizers: ['foo.com/x', 'bar.com/y'] } });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(StoreError);
    expect((caught as StoreError).reason).toBe('Invalid');
    expect((caught as StoreError).field).toBe('metadata.finalizers');
    expect((caught as StoreError).detail).toBe(
      'Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"bar.com/y"}',
    );
    expect(s.get(PODS, 'test', 'foo')!.metadata.finalizers).toEqual(['foo.com/x']);
  });

  it('a second DELETE changes only the garbage collector finalizers', () => {
    const s = store();
    s.create(pod('foo', ['foo.com/x']));
    s.delete(PODS, 'test', 'foo', 'Foreground');
    const first = s.get(PODS, 'test', 'foo')!;
    expect(first.metadata.finalizers).toEqual(['foo.com/x', FG]);
    expect(s.delete(PODS, 'test', 'foo', 'Foreground').object).toBe(first);
    const after = s.delete(PODS, 'test', 'foo', 'Background').object;
    expect(after.metadata.finalizers).toEqual(['foo.com/x']);
    expect(after.metadata.deletionTimestamp).toBe(first.metadata.deletionTimestamp);
    expect(after.metadata.generation).toBe(first.metadata.generation);
  });
});

type Op =
  | { kind: 'delete'; policy: Propagation | undefined }
  | { kind: 'takeOff'; which: number }
  | { kind: 'add'; name: string }
  | { kind: 'spec'; node: string };

describe('deletion invariants (any sequence of deletes and finalizer writes)', () => {
  it('an object goes exactly when it is being deleted and has no finalizer left; its stamp never moves', () => {
    const names = ['a.io/x', 'b.io/y', ORPHAN, FG];
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        kind: fc.constant('delete' as const),
        policy: fc.constantFrom<Propagation | undefined>(undefined, 'Background', 'Foreground', 'Orphan'),
      }),
      fc.record({ kind: fc.constant('takeOff' as const), which: fc.nat(3) }),
      fc.record({ kind: fc.constant('add' as const), name: fc.constantFrom(...names) }),
      fc.record({ kind: fc.constant('spec' as const), node: fc.constantFrom('m1', 'm2') }),
    );
    fc.assert(
      fc.property(fc.subarray(names), fc.array(op, { maxLength: 12 }), (initial, ops) => {
        const s = store();
        let deleted = 0;
        s.watch((e) => {
          if (e.op === 'deleted') deleted++;
        });
        s.create(pod('p', initial.length > 0 ? initial : undefined));
        let stamp: string | undefined;
        for (const o of ops) {
          const cur = s.get(PODS, 'test', 'p');
          if (!cur) break;
          const fin = (cur.metadata.finalizers ?? []) as string[];
          try {
            if (o.kind === 'delete') s.delete(PODS, 'test', 'p', o.policy);
            else if (o.kind === 'spec') s.update({ ...cur, spec: { nodeName: o.node } });
            else {
              const next =
                o.kind === 'add' ? [...new Set([...fin, o.name])] : fin.filter((_, i) => i !== o.which % fin.length);
              const { finalizers: _x, ...rest } = cur.metadata;
              s.update({ ...cur, metadata: next.length > 0 ? { ...rest, finalizers: next } : rest });
            }
          } catch (e) {
            // Only adding a finalizer to an object being deleted is refused.
            expect(e).toBeInstanceOf(StoreError);
            expect(o.kind).toBe('add');
            expect(cur.metadata.deletionTimestamp).toBeDefined();
          }
          const now = s.get(PODS, 'test', 'p');
          if (now === undefined) {
            expect(deleted).toBe(1);
            break;
          }
          expect(deleted).toBe(0);
          if (stamp !== undefined) expect(now.metadata.deletionTimestamp).toBe(stamp);
          stamp = now.metadata.deletionTimestamp;
          // Marked objects always wait for some finalizer; unmarked ones were never deleted.
          if (stamp !== undefined) expect((now.metadata.finalizers ?? []).length).toBeGreaterThan(0);
        }
      }),
      { seed: 1, numRuns: 500 },
    );
  });
});
