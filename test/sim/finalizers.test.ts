/**
 * Deletion in the simulated cluster as on a real one: Knative's labeler puts its finalizer
 * `routes.serving.knative.dev` on every Route (with a FinalizerUpdate Event) and holds a deleted
 * Route, marked with a deletionTimestamp, until its FinalizeKind (ClearRoutingMeta) has run; the
 * garbage collector then takes what the Route owned. Services, Configurations and Revisions
 * carry no finalizer. A Foreground delete of a Service takes its whole tree before the Service
 * goes; an Orphan delete leaves the dependents, without the owner reference; a Background delete
 * takes the Service at once and the dependents after it.
 */
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject } from '../../src/model/api/types.js';
import type { Propagation } from '../../src/model/rules/finalizers.js';
import { typeOf } from '../../src/sim/store.js';

const SERVICE = 'services.serving.knative.dev';
const ROUTE = 'routes.serving.knative.dev';
const CONFIGURATION = 'configurations.serving.knative.dev';
const REVISION = 'revisions.serving.knative.dev';
const INGRESS = 'ingresses.networking.internal.knative.dev';

const ksvc: KubeObject = {
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default' },
  spec: { template: { spec: { containers: [{ image: 'docker.io/knsim/demo' }] } } },
};

// A Route of its own (a Service's Route would be made again by the Service).
const configuration: KubeObject = {
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Configuration',
  metadata: { name: 'web', namespace: 'default' },
  spec: { template: { spec: { containers: [{ image: 'docker.io/knsim/demo' }] } } },
};
const route: KubeObject = {
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Route',
  metadata: { name: 'web', namespace: 'default' },
  spec: { traffic: [{ configurationName: 'web', percent: 100 }] },
};

async function started(objects: KubeObject[] = [ksvc]): Promise<SimBackend> {
  const b = new SimBackend({ seed: 3, namespace: 'default' });
  await b.start({ scenario: 'test', seed: 3, namespace: 'default' });
  await b.apply(objects, 'web.yaml');
  await b.sleepUntil(15_000);
  return b;
}

const get = (b: SimBackend, type: string, name: string) => b.cluster.store.get(type, 'default', name);

/** Which objects went, in order (kind/name), from now on. */
function goneOrder(b: SimBackend): string[] {
  const gone: string[] = [];
  b.cluster.store.watch((e) => {
    if (e.op === 'deleted' && e.object.kind !== 'Event') gone.push(`${e.object.kind}/${e.object.metadata.name}`);
  });
  return gone;
}

describe('the Route finalizer (Knative labeler)', () => {
  it('is put on the Route with a FinalizerUpdate Event', async () => {
    const b = await started();
    expect(get(b, ROUTE, 'web')!.metadata.finalizers).toEqual(['routes.serving.knative.dev']);
    expect(get(b, SERVICE, 'web')!.metadata.finalizers).toBeUndefined();
    expect(get(b, CONFIGURATION, 'web')!.metadata.finalizers).toBeUndefined();
    expect(get(b, REVISION, 'web-00001')!.metadata.finalizers).toBeUndefined();
    const events = b.cluster.store.list('events', 'default').filter((e) => e.reason === 'FinalizerUpdate');
    expect(events.map((e) => [e.involvedObject, e.message, e.source])).toEqual([
      [
        expect.objectContaining({ kind: 'Route', name: 'web' }),
        'Updated "web" finalizers',
        { component: 'route-controller' },
      ],
    ]);
  });

  it('holds a deleted Route until the labeler has cleared its routing metadata, then its KIngress goes', async () => {
    const b = await started([configuration, route]);
    const store = b.cluster.store;
    const { removed } = store.delete(ROUTE, 'default', 'web');
    expect(removed).toBe(false);
    const marked = get(b, ROUTE, 'web')!;
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(marked.metadata.finalizers).toEqual(['routes.serving.knative.dev']);
    // Still routed meanwhile: its revision is still named by it.
    expect(get(b, REVISION, 'web-00001')!.metadata.annotations?.['serving.knative.dev/routes']).toBe('web');
    await b.sleepUntil(16_000);
    expect(get(b, ROUTE, 'web')).toBeUndefined();
    expect(get(b, REVISION, 'web-00001')!.metadata.annotations?.['serving.knative.dev/routes']).toBeUndefined();
    expect(get(b, REVISION, 'web-00001')!.metadata.labels?.['serving.knative.dev/routingState']).toBe('reserve');
    expect(get(b, INGRESS, 'web')).toBeUndefined();
    // The patch that took it off says the same words about the same Route: one Event, counted twice.
    const reasons = store.list('events', 'default').filter((e) => e.reason === 'FinalizerUpdate');
    expect(reasons.map((e) => e.count)).toEqual([2]);
  });
});

describe('the garbage collector, by propagation policy', () => {
  const run = async (policy: Propagation) => {
    const b = await started();
    const gone = goneOrder(b);
    const { removed } = b.cluster.store.delete(SERVICE, 'default', 'web', policy);
    await b.sleepUntil(20_000);
    return { b, gone, removed };
  };

  it('Background: the Service goes at once, then its Configuration and Route (the Route after its finalizer)', async () => {
    const { b, gone, removed } = await run('Background');
    expect(removed).toBe(true);
    expect(gone[0]).toBe('Service/web');
    expect(gone).toContain('Configuration/web');
    expect(gone).toContain('Revision/web-00001');
    expect(gone.indexOf('Route/web')).toBeLessThan(gone.indexOf('Ingress/web'));
    for (const t of [ROUTE, CONFIGURATION, REVISION])
      expect(get(b, t, 'web') ?? get(b, t, 'web-00001')).toBeUndefined();
  });

  it('Foreground: the tree goes from its leaves up and the Service last', async () => {
    const { b, gone, removed } = await run('Foreground');
    expect(removed).toBe(false);
    // Endpoints have no owner reference (the endpoints controller removes them): not waited for.
    const owned = gone.filter((g) => !g.startsWith('Endpoints/'));
    expect(owned.at(-1)).toBe('Service/web');
    for (const o of ['Configuration/web', 'Route/web', 'Revision/web-00001', 'Deployment/web-00001-deployment']) {
      expect(owned).toContain(o);
    }
    expect(gone.indexOf('Revision/web-00001')).toBeLessThan(gone.indexOf('Configuration/web'));
    expect(gone.indexOf('Ingress/web')).toBeLessThan(gone.indexOf('Route/web'));
    expect(get(b, SERVICE, 'web')).toBeUndefined();
  });

  it('Orphan: the Service goes, its Configuration and Route stay without its reference', async () => {
    const b = await started();
    const uid = get(b, SERVICE, 'web')!.metadata.uid;
    const { removed, object } = b.cluster.store.delete(SERVICE, 'default', 'web', 'Orphan');
    expect(removed).toBe(false);
    expect(object.metadata.finalizers).toEqual(['orphan']);
    await b.sleepUntil(20_000);
    expect(get(b, SERVICE, 'web')).toBeUndefined();
    for (const t of [ROUTE, CONFIGURATION]) {
      const o = get(b, t, 'web')!;
      expect(o).toBeDefined();
      expect((o.metadata.ownerReferences ?? []).some((r) => r.uid === uid)).toBe(false);
    }
    expect(get(b, REVISION, 'web-00001')).toBeDefined();
    expect(typeOf(get(b, ROUTE, 'web')!)).toBe(ROUTE);
  });
});
