/**
 * Cases from Knative Serving's pkg/reconciler/labeler/labelerv2_test.go (TestV2Reconcile),
 * transcribed as data: a Route's spec and status traffic, the Configurations and Revisions, and
 * which revisions the labeler marks with the route and `routingState: active` (the others it
 * labelled lose it: `reserve`), and the `serving.knative.dev/routes` annotation it writes on
 * them and on the Configurations (accessors.go: updateRouteAnnotation, markRoutingState). Run
 * against knsim's `routeReferenced`, `routesAnnotation` and `routingStateOf`
 * (src/model/rules/routing.ts), and once through the simulator. Upstream's fixtures: a Configuration `X` has latest created and
 * latest ready revision `X-dbnfd`, owned by it; `simpleRunLatest` routes spec traffic to the
 * Configuration (latestRevision) and status traffic to `X-dbnfd`.
 * Upstream's older test file spells the annotation `serving.knative.dev/route`; Knative now
 * writes `serving.knative.dev/routes` (serving.RoutesAnnotationKey), as knsim does. The Route's
 * finalizer (clearing the annotation when a Route is deleted) is not modelled.
 */
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { Configuration, KubeObject, Revision, TrafficTarget } from '../../src/model/api/types.js';
import { revisionChildAnnotations } from '../../src/model/rules/labels.js';
import { routeReferenced, routesAnnotation, routesIn, routingStateOf } from '../../src/model/rules/routing.js';

function config(name: string, status: { latestCreated?: string; latestReady?: string } = {}): Configuration {
  const latestCreated = status.latestCreated ?? `${name}-dbnfd`;
  const latestReady = status.latestReady ?? `${name}-dbnfd`;
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Configuration',
    metadata: { name, namespace: 'default' },
    spec: { template: { spec: {} } },
    status: {
      latestCreatedRevisionName: latestCreated,
      ...(latestReady ? { latestReadyRevisionName: latestReady } : {}),
    },
  };
}

function rev(configName: string, name = `${configName}-dbnfd`): Revision {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Revision',
    metadata: {
      name,
      namespace: 'default',
      ownerReferences: [
        { apiVersion: 'serving.knative.dev/v1', kind: 'Configuration', name: configName, uid: '', controller: true },
      ],
    },
    spec: {},
  };
}

const configTraffic = (name: string): TrafficTarget => ({
  configurationName: name,
  percent: 100,
  latestRevision: true,
});
const revTraffic = (name: string, latest: boolean): TrafficTarget => ({
  revisionName: name,
  percent: 100,
  latestRevision: latest,
});

interface Case {
  readonly name: string;
  readonly spec: TrafficTarget[];
  readonly status: TrafficTarget[];
  readonly configs: Configuration[];
  readonly revisions: Revision[];
  readonly want: string[];
}

const cases: Case[] = [
  {
    name: 'label runLatest configuration',
    spec: [configTraffic('the-config')],
    status: [revTraffic('the-config-dbnfd', true)],
    configs: [config('the-config')],
    revisions: [rev('the-config')],
    want: ['the-config-dbnfd'],
  },
  {
    name: 'label pinned revision',
    spec: [revTraffic('the-revision', false)],
    status: [revTraffic('the-revision', false)],
    configs: [config('the-config')],
    revisions: [rev('the-config'), rev('the-config', 'the-revision')],
    want: ['the-revision'],
  },
  {
    name: 'no ready revision',
    spec: [configTraffic('the-config')],
    status: [],
    configs: [config('the-config', { latestReady: '' })],
    revisions: [rev('the-config')],
    want: ['the-config-dbnfd'],
  },
  {
    name: 'transitioning route',
    spec: [configTraffic('new')],
    status: [revTraffic('old-dbnfd', true)],
    configs: [config('old'), config('new')],
    revisions: [rev('old'), rev('new')],
    want: ['old-dbnfd', 'new-dbnfd'],
  },
  {
    name: 'change configurations',
    spec: [configTraffic('new-config')],
    status: [revTraffic('new-config-dbnfd', true)],
    configs: [config('old-config'), config('new-config')],
    revisions: [rev('old-config'), rev('new-config')],
    want: ['new-config-dbnfd'],
  },
  {
    name: 'update configuration',
    spec: [configTraffic('the-config')],
    status: [revTraffic('the-config-dbnfd', true)],
    configs: [config('the-config', { latestCreated: 'the-config-ecoge' })],
    revisions: [rev('the-config'), rev('the-config', 'the-config-ecoge')],
    want: ['the-config-dbnfd', 'the-config-ecoge'],
  },
];

describe('labelerv2_test.go TestV2Reconcile: the revisions a Route labels active', () => {
  for (const c of cases) {
    it(c.name, () => {
      const refs = {
        revision: (n: string) => c.revisions.find((r) => r.metadata.name === n),
        configuration: (n: string) => c.configs.find((x) => x.metadata.name === n),
      };
      expect([...routeReferenced(c.spec, c.status, refs).revisions].sort()).toEqual([...c.want].sort());
    });
  }
});

const ROUTES = 'serving.knative.dev/routes';
const STATE = 'serving.knative.dev/routingState';

/** An object as the labeler finds it: its routes annotation and, for a revision, routing state. */
function meta<O extends KubeObject>(o: O, routes?: string, state?: string): O {
  return {
    ...o,
    metadata: {
      ...o.metadata,
      ...(routes ? { annotations: { [ROUTES]: routes } } : {}),
      ...(state ? { labels: { [STATE]: state } } : {}),
    },
  };
}

/** A metadata patch: the routes annotation (null: removed) and, for a revision, its routingState. */
type Patch = { routes: string | null; state?: string };

/**
 * One labeler pass with knsim's rules: the Route goes into the annotation of what it references
 * and out of what lists it but is no longer referenced; a revision's routingState follows its
 * annotation. Returns the patches by object name (none when nothing changes).
 */
function labeler(route: string, c: AnnotationCase): Record<string, Patch> {
  const refs = {
    revision: (n: string) => c.revisions.find((r) => r.metadata.name === n),
    configuration: (n: string) => c.configs.find((x) => x.metadata.name === n),
  };
  const referenced = routeReferenced(c.spec, c.status, refs);
  const patches: Record<string, Patch> = {};
  const pass = (objs: KubeObject[], names: Set<string>, withState: boolean) => {
    for (const o of objs) {
      const before = o.metadata.annotations?.[ROUTES];
      if (!names.has(o.metadata.name) && !routesIn(before).includes(route)) continue;
      const routes = routesAnnotation(before, route, names.has(o.metadata.name));
      const state = routingStateOf(routes);
      const stateChanges = withState && o.metadata.labels?.[STATE] !== state;
      if (routes === before && !stateChanges) continue;
      patches[o.metadata.name] = { routes: routes ?? null, ...(stateChanges ? { state } : {}) };
    }
  };
  pass(c.revisions, referenced.revisions, true);
  pass(c.configs, referenced.configurations, false);
  return patches;
}

interface AnnotationCase extends Omit<Case, 'want'> {
  readonly route: string;
  readonly want: Record<string, Patch>;
}

const annotationCases: AnnotationCase[] = [
  {
    name: 'label runLatest configuration',
    route: 'first-reconcile',
    spec: [configTraffic('the-config')],
    status: [revTraffic('the-config-dbnfd', true)],
    configs: [config('the-config')],
    revisions: [rev('the-config')],
    want: {
      'the-config-dbnfd': { routes: 'first-reconcile', state: 'active' },
      'the-config': { routes: 'first-reconcile' },
    },
  },
  {
    name: 'label pinned revision',
    route: 'pinned-revision',
    spec: [revTraffic('the-revision', false)],
    status: [revTraffic('the-revision', false)],
    configs: [config('the-config')],
    revisions: [rev('the-config'), rev('the-config', 'the-revision')],
    want: {
      'the-revision': { routes: 'pinned-revision', state: 'active' },
      'the-config': { routes: 'pinned-revision' },
    },
  },
  {
    name: 'steady state',
    route: 'steady-state',
    spec: [configTraffic('the-config')],
    status: [revTraffic('the-config-dbnfd', true)],
    configs: [meta(config('the-config'), 'steady-state')],
    revisions: [meta(rev('the-config'), 'steady-state', 'active')],
    want: {},
  },
  {
    name: 'no ready revision',
    route: 'no-ready-revision',
    spec: [configTraffic('the-config')],
    status: [],
    configs: [config('the-config', { latestReady: '' })],
    revisions: [rev('the-config')],
    want: {
      'the-config-dbnfd': { routes: 'no-ready-revision', state: 'active' },
      'the-config': { routes: 'no-ready-revision' },
    },
  },
  {
    name: 'transitioning route',
    route: 'transitioning-route',
    spec: [configTraffic('new')],
    status: [revTraffic('old-dbnfd', true)],
    configs: [meta(config('old'), 'transitioning-route'), config('new')],
    revisions: [meta(rev('old'), 'transitioning-route', 'active'), rev('new')],
    want: {
      'new-dbnfd': { routes: 'transitioning-route', state: 'active' },
      new: { routes: 'transitioning-route' },
    },
  },
  {
    // Upstream's older file expects only the annotation on the revision; accessors.go's
    // markRoutingState also sets routingState whenever the label differs, as knsim does.
    name: 'label config with incorrect annotation',
    route: 'the-route',
    spec: [configTraffic('the-config')],
    status: [revTraffic('the-config-dbnfd', true)],
    configs: [meta(config('the-config'), 'another-route')],
    revisions: [meta(rev('the-config'), 'another-route', 'active')],
    want: {
      'the-config-dbnfd': { routes: 'another-route,the-route' },
      'the-config': { routes: 'another-route,the-route' },
    },
  },
  {
    name: 'change configurations',
    route: 'config-change',
    spec: [configTraffic('new-config')],
    status: [revTraffic('new-config-dbnfd', true)],
    configs: [meta(config('old-config'), 'config-change'), config('new-config')],
    revisions: [meta(rev('old-config'), 'config-change', 'active'), rev('new-config')],
    want: {
      'old-config-dbnfd': { routes: null, state: 'reserve' },
      'new-config-dbnfd': { routes: 'config-change', state: 'active' },
      'old-config': { routes: null },
      'new-config': { routes: 'config-change' },
    },
  },
  {
    name: 'update configuration',
    route: 'config-update',
    spec: [configTraffic('the-config')],
    status: [revTraffic('the-config-dbnfd', true)],
    configs: [meta(config('the-config', { latestCreated: 'the-config-ecoge' }), 'config-update')],
    revisions: [meta(rev('the-config'), 'config-update', 'active'), rev('the-config', 'the-config-ecoge')],
    want: { 'the-config-ecoge': { routes: 'config-update', state: 'active' } },
  },
];

describe('labelerv2_test.go TestV2Reconcile: the routes annotation and routingState it patches', () => {
  for (const c of annotationCases) {
    it(c.name, () => {
      expect(labeler(c.route, c)).toEqual(c.want);
    });
  }
});

describe('the simulator writes the labeler annotation', () => {
  const svc = (image: string): KubeObject => ({
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'hello', namespace: 'default' },
    spec: { template: { spec: { containers: [{ image }] } } },
  });

  it('on the Configuration and the routed Revision, and takes it off the revision left behind', async () => {
    const b = new SimBackend({ seed: 3, namespace: 'default' });
    await b.start({ scenario: 'test', seed: 3, namespace: 'default' });
    await b.apply([svc('docker.io/x/a')], 'svc.yaml');
    await b.sleepUntil(10_000);
    const annotationOf = (type: string) =>
      b.snapshot(type, 'default').map((o) => [o.metadata.name, o.metadata.annotations?.[ROUTES]]);
    expect(annotationOf('configurations.serving.knative.dev')).toEqual([['hello', 'hello']]);
    expect(annotationOf('revisions.serving.knative.dev')).toEqual([['hello-00001', 'hello']]);
    await b.apply([svc('docker.io/x/b')], 'svc.yaml');
    await b.sleepUntil(30_000);
    expect(annotationOf('revisions.serving.knative.dev')).toEqual([
      ['hello-00001', undefined],
      ['hello-00002', 'hello'],
    ]);
    const states = b.snapshot('revisions.serving.knative.dev', 'default').map((o) => o.metadata.labels?.[STATE]);
    expect(states).toEqual(['reserve', 'active']);
  });

  it('service/resources MakeConfigurationFromExisting: the Service writes its Route into the annotation too', async () => {
    // A Service with annotations of its own (kubectl's server-side users, the webhook's creator):
    // its writes of the Configuration keep the Route listed, so the labeler has nothing to undo.
    const b = new SimBackend({ seed: 3, namespace: 'default' });
    await b.start({ scenario: 'test', seed: 3, namespace: 'default' });
    const annotated = svc('docker.io/x/a');
    await b.apply([{ ...annotated, metadata: { ...annotated.metadata, annotations: { team: 'blue' } } }], 'svc.yaml');
    await b.sleepUntil(20_000);
    const [config] = b.snapshot('configurations.serving.knative.dev', 'default');
    expect(config?.metadata.annotations).toEqual({ team: 'blue', [ROUTES]: 'hello' });
    await b.sleepUntil(40_000);
    const [later] = b.snapshot('configurations.serving.knative.dev', 'default');
    expect(later?.metadata.resourceVersion).toBe(config?.metadata.resourceVersion);
  });

  it("keeps the labeler's annotations off the PodAutoscaler (revision resources' excludeAnnotations)", async () => {
    const b = new SimBackend({ seed: 3, namespace: 'default' });
    await b.start({ scenario: 'test', seed: 3, namespace: 'default' });
    await b.apply([svc('docker.io/x/a')], 'svc.yaml');
    await b.sleepUntil(10_000);
    const [pa] = b.snapshot('podautoscalers.autoscaling.internal.knative.dev', 'default');
    expect(pa?.metadata.annotations).not.toHaveProperty([ROUTES]);
    expect(pa?.metadata.annotations).not.toHaveProperty(['serving.knative.dev/routingStateModified']);
    expect(revisionChildAnnotations({ [ROUTES]: 'a', 'serving.knative.dev/no-gc': 'true', x: 'y' })).toEqual({
      x: 'y',
    });
  });
});
