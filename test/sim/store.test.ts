import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/api/types.js';
import { cloneData, dataEqual, ObjectStore, StoreError, type StoreEvent } from '../../src/sim/store.js';

function store() {
  let uid = 0;
  return new ObjectStore({ timestamp: () => '2026-01-01T00:00:00Z', uid: () => `uid-${++uid}` });
}

const ksvc = (image: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'hello', namespace: 'default', labels },
  spec: { template: { spec: { containers: [{ image }] } } },
});

describe('object store', () => {
  it('fills in what the API server does on create', () => {
    const s = store();
    const created = s.create(ksvc('a'));
    expect(created.metadata).toMatchObject({ uid: 'uid-1', generation: 1, resourceVersion: '1' });
    expect(() => s.create(ksvc('a'))).toThrow(StoreError);
  });

  it('moves the generation only when the spec changes', () => {
    const s = store();
    s.create(ksvc('a'));
    const relabelled = s.update(ksvc('a', { team: 'x' }));
    expect(relabelled.metadata.generation).toBe(1);
    expect(relabelled.metadata.resourceVersion).toBe('2');
    const changed = s.update(ksvc('b', { team: 'x' }));
    expect(changed.metadata.generation).toBe(2);
    const same = s.update(ksvc('b', { team: 'x' }));
    expect(same).toBe(changed);
  });

  it('refuses an update from a stale resourceVersion', () => {
    const s = store();
    s.create(ksvc('a'));
    s.update(ksvc('b'));
    const stale = { ...ksvc('c'), metadata: { ...ksvc('c').metadata, resourceVersion: '1' } };
    expect(() => s.update(stale)).toThrow(/has been modified/);
  });

  it('writes status without touching the generation, and tells watchers in order', () => {
    const s = store();
    const seen: StoreEvent[] = [];
    s.watch((e) => seen.push(e));
    s.create(ksvc('a'));
    s.updateStatus('services.serving.knative.dev', 'default', 'hello', { observedGeneration: 1 });
    s.updateStatus('services.serving.knative.dev', 'default', 'hello', { observedGeneration: 1 });
    s.markDeleting('services.serving.knative.dev', 'default', 'hello');
    s.remove('services.serving.knative.dev', 'default', 'hello');
    expect(seen.map((e) => `${e.op}@${e.resourceVersion}`)).toEqual([
      'added@1',
      'modified@2',
      'modified@3',
      'deleted@4',
    ]);
    expect(seen[1]!.object.metadata.generation).toBe(1);
    expect(seen[2]!.object.metadata.deletionTimestamp).toBe('2026-01-01T00:00:00Z');
  });

  it('files the core and the Knative Service apart', () => {
    const s = store();
    s.create(ksvc('a'));
    s.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'hello', namespace: 'default' } });
    expect(s.list('services.serving.knative.dev')).toHaveLength(1);
    expect(s.list('services')).toHaveLength(1);
  });
});

describe('dataEqual and cloneData', () => {
  // API data: JSON-like values, plus undefined-valued keys, as controllers build them.
  const data = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom(null, undefined, 0, -0, Number.NaN, true, false, '', 'a'),
      fc.integer(),
      fc.string({ maxLength: 4 }),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('value'), { maxKeys: 3, noNullPrototype: true }),
    ),
  })).value;
  // Arrays with holes (not API data: dataEqual hands them to isDeepStrictEqual) among the rest.
  const holey = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom(undefined, 0, 'a'),
      fc.sparseArray(tie('value'), { maxLength: 3 }),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('a', 'b'), tie('value'), { maxKeys: 2, noNullPrototype: true }),
    ),
  })).value;

  it('answers as isDeepStrictEqual on objects with symbol keys too', () => {
    const tag = Symbol('tag');
    // An object of API data, perhaps with a symbol key (holding another value) at some level.
    const withSymbols = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(undefined, 0, 'a'),
        fc.array(tie('value'), { maxLength: 2 }),
        fc
          .tuple(
            fc.dictionary(fc.constantFrom('a', 'b'), tie('value'), { maxKeys: 2, noNullPrototype: true }),
            fc.option(fc.constantFrom(0, 1, 'a')),
          )
          .map(([o, symbolValue]) => (symbolValue === null ? o : Object.assign(o, { [tag]: symbolValue }))),
      ),
    })).value;
    fc.assert(
      fc.property(withSymbols, withSymbols, (a, b) => {
        expect(dataEqual(a, b)).toBe(isDeepStrictEqual(a, b));
        expect(dataEqual(a, a)).toBe(true);
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('answers as isDeepStrictEqual on arrays with holes too', () => {
    fc.assert(
      fc.property(holey, holey, (a, b) => {
        expect(dataEqual(a, b)).toBe(isDeepStrictEqual(a, b));
        expect(dataEqual(a, structuredClone(a))).toBe(isDeepStrictEqual(a, structuredClone(a)));
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('answers as isDeepStrictEqual on API data (1,000 pairs, plus each value against its copy)', () => {
    fc.assert(
      fc.property(data, data, (a, b) => {
        expect(dataEqual(a, b)).toBe(isDeepStrictEqual(a, b));
        expect(dataEqual(a, cloneData(a))).toBe(true);
      }),
      { numRuns: 1000, seed: 7 },
    );
  });

  it('copies like structuredClone: equal, not shared', () => {
    fc.assert(
      fc.property(data, (a) => {
        const copy = cloneData(a);
        expect(isDeepStrictEqual(copy, structuredClone(a))).toBe(true);
        if (typeof a === 'object' && a !== null) expect(copy).not.toBe(a);
      }),
      { numRuns: 1000, seed: 7 },
    );
  });
});

describe('cloneData and frozen data', () => {
  it('shares frozen parts (they cannot change) and copies the rest', () => {
    const entry = Object.freeze({ ip: '10.0.0.1', targetRef: Object.freeze({ name: 'p' }) });
    const body = { subsets: [{ addresses: [entry], ports: [{ port: 80 }] }] };
    const copy = cloneData(body);
    expect(copy).toEqual(body);
    expect(copy.subsets[0]!.addresses[0]).toBe(entry);
    expect(copy.subsets).not.toBe(body.subsets);
    expect(copy.subsets[0]!.ports[0]).not.toBe(body.subsets[0]!.ports[0]);
  });
});

describe('object store lists and indexes', () => {
  const names = fc.constantFrom('a', 'b', 'c', 'aa', 'B', 'z-1', 'z-10', 'z-2');
  const namespaces = fc.constantFrom('default', 'prod', 'a', 'Z');
  const teams = fc.constantFrom('', 'red', 'blue');
  const ops = fc.array(
    fc.oneof(
      fc.record({ op: fc.constant('put' as const), ns: namespaces, name: names, team: teams }),
      fc.record({ op: fc.constant('remove' as const), ns: namespaces, name: names }),
      fc.record({ op: fc.constant('deleting' as const), ns: namespaces, name: names }),
      fc.record({ op: fc.constant('status' as const), ns: namespaces, name: names, team: teams }),
    ),
    { maxLength: 60 },
  );
  const cm = (ns: string, name: string, team: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns, ...(team ? { labels: { team } } : {}) },
  });
  const order = (a: KubeObject, b: KubeObject) => {
    const ka = [a.metadata.namespace ?? '', a.metadata.name];
    const kb = [b.metadata.namespace ?? '', b.metadata.name];
    return ka[0]! < kb[0]! ? -1 : ka[0]! > kb[0]! ? 1 : ka[1]! < kb[1]! ? -1 : ka[1]! > kb[1]! ? 1 : 0;
  };

  it('list, count and byIndex answer as a scan of every object would, after any writes (seed printed on failure)', () => {
    fc.assert(
      fc.property(ops, fc.boolean(), (steps, indexFirst) => {
        const s = store();
        // Two keys an object: its team in its namespace, and its team across namespaces (a key
        // alone or shared, an object under one key or two).
        const byTeam = (o: KubeObject) =>
          o.metadata.labels?.team
            ? [`${o.metadata.namespace}/${o.metadata.labels.team}`, `*/${o.metadata.labels.team}`]
            : [];
        if (indexFirst) s.addIndex('configmaps', 'team', byTeam);
        for (const step of steps) {
          const existing = s.get('configmaps', step.ns, step.name);
          if (step.op === 'put') {
            if (existing)
              s.update({
                ...cm(step.ns, step.name, step.team),
                metadata: { ...existing.metadata, labels: step.team ? { team: step.team } : {} },
              });
            else s.create(cm(step.ns, step.name, step.team));
          } else if (step.op === 'status') {
            // A status write keeps the object's index keys; the index must answer the new object.
            if (existing) s.updateStatus('configmaps', step.ns, step.name, { seen: step.team ?? 'none' });
          } else if (step.op === 'remove') s.remove('configmaps', step.ns, step.name);
          else s.markDeleting('configmaps', step.ns, step.name);
          // Lookups between writes (an index may keep what it found in order until it changes).
          if (indexFirst) {
            for (const team of ['red', 'blue']) {
              s.byIndex('configmaps', 'team', `${step.ns}/${team}`);
              s.byIndex('configmaps', 'team', `*/${team}`);
            }
          }
        }
        if (!indexFirst) s.addIndex('configmaps', 'team', byTeam);
        // The reference: every object, found by get() over all names ever used.
        const all: KubeObject[] = [];
        for (const ns of ['default', 'prod', 'a', 'Z'])
          for (const name of ['a', 'b', 'c', 'aa', 'B', 'z-1', 'z-10', 'z-2']) {
            const o = s.get('configmaps', ns, name);
            if (o) all.push(o);
          }
        all.sort(order);
        // The very objects get() answers (the stored versions), not copies or older versions.
        const same = (found: KubeObject[], want: KubeObject[]) => {
          expect(found.length).toBe(want.length);
          for (let i = 0; i < want.length; i++) expect(found[i]).toBe(want[i]);
        };
        for (const team of ['red', 'blue']) {
          same(
            s.byIndex('configmaps', 'team', `*/${team}`),
            all.filter((o) => o.metadata.labels?.team === team),
          );
        }
        expect(s.list('configmaps')).toEqual(all);
        expect(s.count('configmaps')).toBe(all.length);
        for (const ns of ['default', 'prod', 'a', 'Z', 'none']) {
          const inNs = all.filter((o) => o.metadata.namespace === ns);
          expect(s.list('configmaps', ns)).toEqual(inNs);
          expect(s.count('configmaps', ns)).toBe(inNs.length);
          for (const team of ['red', 'blue']) {
            same(
              s.byIndex('configmaps', 'team', `${ns}/${team}`),
              inNs.filter((o) => o.metadata.labels?.team === team),
            );
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
