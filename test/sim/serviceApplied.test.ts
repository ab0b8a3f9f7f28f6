/**
 * The Service reconciler leaves out the update of a child (its Configuration, its Route) when the
 * Service differs from the one its last reconcile applied only in its status, and the child from
 * what that reconcile left only in its status (`sameButStatus`, src/sim/store.ts). The store's
 * side: a fast-check property over random writes says that two versions `sameButStatus` calls
 * the same hold equal data but for status and resourceVersion. The run's side: each update left
 * out is made anyway and must write nothing, and the same scenarios with every update made write
 * the same log line for line.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../src/model/api/types.js';
import type { LogLine } from '../../src/model/events.js';
import { loadScenario, runScenario } from '../../src/runner/simulate.js';
import { ServiceController } from '../../src/sim/controllers/service.js';
import { dataEqual, ObjectStore, sameButStatus } from '../../src/sim/store.js';

async function logOf(file: string): Promise<string[]> {
  const lines: string[] = [];
  await runScenario(loadScenario(file), file, {
    log: { keep: false },
    observe: (line: LogLine) => lines.push(JSON.stringify(line)),
  });
  return lines;
}

/** The object without its status and resourceVersion. */
function butStatus(obj: KubeObject): unknown {
  const { status: _, ...rest } = obj as KubeObject & { status?: unknown };
  const { resourceVersion: __, ...metadata } = obj.metadata;
  return { ...rest, metadata };
}

describe('sameButStatus', () => {
  const value = fc.oneof(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 2 }), fc.constant(undefined));
  const part = fc.dictionary(fc.constantFrom('x', 'y'), value, { maxKeys: 2, noNullPrototype: true });
  const write = fc.oneof(
    fc.record({ op: fc.constant('status' as const), status: part }),
    fc.record({ op: fc.constant('spec' as const), spec: part }),
    fc.record({ op: fc.constant('labels' as const), labels: part }),
    fc.record({ op: fc.constant('same' as const) }),
    fc.record({ op: fc.constant('delete' as const) }),
  );

  it('holds only of versions equal but for status and resourceVersion, after any writes (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(write, { maxLength: 12 }), (writes) => {
        let uid = 0;
        const store = new ObjectStore({ timestamp: () => '2026-01-01T00:00:00Z', uid: () => `uid-${++uid}` });
        const cm = (spec: unknown) =>
          ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, spec }) as never;
        const versions: KubeObject[] = [store.create(cm({ x: 'a' }))];
        for (const w of writes) {
          const now = store.get('configmaps', 'default', 'c');
          if (!now) {
            versions.push(store.create(cm({ x: 'a' })));
            continue;
          }
          const at = now as KubeObject & { spec: unknown };
          if (w.op === 'status') versions.push(store.updateStatus('configmaps', 'default', 'c', w.status));
          else if (w.op === 'spec') versions.push(store.update({ ...at, spec: w.spec }));
          else if (w.op === 'labels')
            versions.push(store.update({ ...at, metadata: { ...at.metadata, labels: w.labels as never } }));
          else if (w.op === 'same') versions.push(store.update({ ...at, spec: structuredClone(at.spec) }));
          else store.remove('configmaps', 'default', 'c');
        }
        for (const a of versions) {
          for (const b of versions) {
            if (sameButStatus(a, b)) expect(dataEqual(butStatus(a), butStatus(b))).toBe(true);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('holds across status writes', () => {
    const store = new ObjectStore({ timestamp: () => '2026-01-01T00:00:00Z', uid: () => 'u' });
    const first = store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'default', labels: { a: 'b' } },
      spec: { x: 1 },
    } as never);
    store.updateStatus('configmaps', 'default', 'c', { n: 1 });
    const last = store.updateStatus('configmaps', 'default', 'c', { n: 2 });
    expect(last).not.toBe(first);
    expect(sameButStatus(last, first)).toBe(true);
    const relabelled = store.update({ ...last, metadata: { ...last.metadata, labels: { a: 'c' } } });
    expect(sameButStatus(relabelled, first)).toBe(false);
  });
});

describe("a Service's updates of its children left out", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    ServiceController.verify = undefined;
  });

  it.each([
    'scenarios/new-revision-idle.yaml',
    'scenarios/idle-to-zero.yaml',
    'scenarios/two-namespaces.yaml',
    'test/results/fixtures/two-services.yaml',
  ])('%s: each update left out writes nothing, and the log is that of a run making every one', async (file) => {
    let left = 0;
    const wrote: unknown[] = [];
    ServiceController.verify = (stored, update) => {
      left++;
      const after = update();
      if (after !== stored) wrote.push({ stored, after });
    };
    const leaving = await logOf(file);
    expect(wrote.slice(0, 2)).toEqual([]);
    expect(left).toBeGreaterThan(0);
    ServiceController.verify = undefined;
    vi.spyOn(ServiceController.prototype as unknown as { asLeft(): boolean }, 'asLeft').mockReturnValue(false);
    const updatingAll = await logOf(file);
    expect(leaving.length).toBe(updatingAll.length);
    expect(leaving).toEqual(updatingAll);
  });
});
