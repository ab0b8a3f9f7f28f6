/**
 * Cases from Knative Serving's pkg/reconciler/service/service_test.go (TestReconcile) about a
 * Service whose template brings its own revision name. Knative's Service reconciler programs
 * the Route only once the Configuration has observed its generation, and never while the name
 * is taken by a conflicting Revision (CheckNameAvailability): then RoutesReady is False
 * `RevisionNameTaken` and the Route is left as it was. Each case runs the model's rule
 * (serviceRouteStep, src/model/rules/naming.ts) on the upstream data; the last ones reach the
 * same states in a simulated cluster.
 */
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { Configuration, KubeObject, Revision, Route, Service } from '../../src/model/api/types.js';
import { serviceRevisionNameTaken } from '../../src/model/rules/conditions.js';
import { serviceRouteStep } from '../../src/model/rules/naming.js';

const NS = 'foo';

// ---- the rule, on the upstream data ----

/** Upstream `config(name, "foo", WithNamedRevision, …)`: template name `<name>-byo`. */
interface CaseConfig {
  readonly name: string;
  readonly byo?: string;
  readonly generation: number;
  readonly observedGeneration: number;
}
/** The Revision already there, if any: its controller, its configurationGeneration label, whether its spec is the template's. */
interface CaseRevision {
  readonly ownedBy?: string;
  readonly generationLabel?: string;
  readonly sameSpec: boolean;
}
interface Case {
  readonly name: string;
  readonly config: CaseConfig;
  readonly revision?: CaseRevision;
  /** What the Service does with its Route. */
  readonly want: 'reconcile' | 'waitForConfiguration' | 'revisionNameTaken';
}

const SPEC = { containers: [{ image: 'busybox' }], timeoutSeconds: 60 };

// Knative's fake client leaves metadata.generation at 0 unless a case sets it, so a Configuration
// the reconciler has just created counts as observed there (0 = 0).
const CASES: readonly Case[] = [
  {
    name: 'inline - byo rev name used in traffic serialize, with retry',
    config: { name: 'byo-rev', byo: 'byo-rev-byo', generation: 2, observedGeneration: 0 },
    want: 'waitForConfiguration',
  },
  {
    name: 'inline - byo rev name - existing revision - same spec',
    config: { name: 'byo-rev', byo: 'byo-rev-byo', generation: 2, observedGeneration: 2 },
    // Upstream's Revision here has no spec but the current generation label: adopted on the label.
    revision: { ownedBy: 'byo-rev', generationLabel: '2', sameSpec: false },
    want: 'reconcile',
  },
  {
    name: 'inline - byo rev name - existing older revision with same spec',
    config: { name: 'byo-rev', byo: 'byo-rev-byo', generation: 2, observedGeneration: 2 },
    revision: { ownedBy: 'byo-rev', generationLabel: '1', sameSpec: true },
    want: 'reconcile',
  },
  {
    name: 'inline - byo rev name - existing older revision with different spec',
    config: { name: 'byo-rev', byo: 'byo-rev-byo', generation: 2, observedGeneration: 2 },
    revision: { ownedBy: 'byo-rev', generationLabel: '1', sameSpec: false },
    want: 'revisionNameTaken',
  },
  {
    name: 'inline - byo rev name used in traffic',
    config: { name: 'byo-rev', byo: 'byo-rev-byo', generation: 0, observedGeneration: 0 },
    want: 'reconcile',
  },
  {
    name: 'update route and configuration (bad existing revision)',
    config: {
      name: 'update-route-and-config',
      byo: 'update-route-and-config-blah',
      generation: 1,
      observedGeneration: 1,
    },
    // "Not labeled with the configuration or the right generation", no owner.
    revision: { sameSpec: false },
    want: 'revisionNameTaken',
  },
  {
    name: 'create route and configuration (no BYO name: the Route never waits)',
    config: { name: 'run-latest', generation: 1, observedGeneration: 0 },
    want: 'reconcile',
  },
];

function configOf(c: CaseConfig): Configuration {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Configuration',
    metadata: { name: c.name, namespace: NS, uid: `uid-${c.name}`, generation: c.generation },
    spec: { template: { ...(c.byo ? { metadata: { name: c.byo } } : {}), spec: structuredClone(SPEC) } },
    status: { observedGeneration: c.observedGeneration },
  } as Configuration;
}

function revisionOf(config: Configuration, r: CaseRevision): Revision {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Revision',
    metadata: {
      name: config.spec.template.metadata?.name ?? '',
      namespace: NS,
      ...(r.generationLabel ? { labels: { 'serving.knative.dev/configurationGeneration': r.generationLabel } } : {}),
      ...(r.ownedBy
        ? {
            ownerReferences: [
              {
                apiVersion: 'serving.knative.dev/v1',
                kind: 'Configuration',
                name: r.ownedBy,
                uid: `uid-${r.ownedBy}`,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: r.sameSpec ? structuredClone(SPEC) : { containers: [] },
  } as Revision;
}

describe('service_test.go TestReconcile: the Route of a Service with a BYO revision name (the rule)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const config = configOf(c.config);
      const revision = c.revision ? revisionOf(config, c.revision) : undefined;
      const step = serviceRouteStep(config, revision, () => config.spec.template.spec);
      expect(step.step).toBe(c.want);
      if (step.step === 'revisionNameTaken') expect(step.name).toBe(c.config.byo);
    });
  }

  it('MarkRevisionNameTaken: RoutesReady False with the name quoted', () => {
    expect(serviceRevisionNameTaken('update-route-and-config-blah')).toEqual({
      type: 'RoutesReady',
      status: 'False',
      reason: 'RevisionNameTaken',
      message:
        'The revision name "update-route-and-config-blah" is taken by a conflicting Revision, so traffic will not be migrated',
    });
  });
});

// ---- the same in a simulated cluster ----

function service(
  name: string,
  byo: string,
  opts: { env?: Record<string, string>; traffic?: unknown[] } = {},
): KubeObject {
  const container = {
    image: 'busybox',
    ...(opts.env ? { env: Object.entries(opts.env).map(([n, value]) => ({ name: n, value })) } : {}),
  };
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: NS },
    spec: {
      template: { metadata: { name: byo }, spec: { containers: [container] } },
      ...(opts.traffic ? { traffic: opts.traffic } : {}),
    },
  } as KubeObject;
}

async function cluster() {
  const backend = new SimBackend({ seed: 5, namespace: NS });
  await backend.start({ scenario: 'test', seed: 5, namespace: NS });
  return backend;
}

const named = <T extends KubeObject>(b: SimBackend, resource: string, name: string) =>
  b.snapshot(resource, NS).find((o) => o.metadata.name === name) as T | undefined;
const condition = (o: KubeObject | undefined, type: string) =>
  (o as { status?: { conditions?: { type: string; status?: string }[] } } | undefined)?.status?.conditions?.find(
    (c) => c.type === type,
  );

describe('service_test.go TestReconcile: a Service with a BYO revision name (in the simulator)', () => {
  it('existing older revision with different spec: RoutesReady RevisionNameTaken, the Route left as it was', async () => {
    const b = await cluster();
    const name = 'byo-rev';
    await b.apply([service(name, `${name}-foo`)], 's.yaml');
    await b.sleepUntil(15_000);
    await b.apply([service(name, `${name}-bar`, { env: { FOO: 'bar' } })], 's.yaml');
    await b.sleepUntil(30_000);
    const routeBefore = named<Route>(b, 'routes.serving.knative.dev', name)!;
    expect(routeBefore.status?.traffic?.[0]?.revisionName).toBe(`${name}-bar`);
    // Back to the first name with the second spec: the webhook lets it through (the name changed),
    // but `byo-rev-foo` is of generation 1 with another spec.
    await b.apply(
      [service(name, `${name}-foo`, { env: { FOO: 'bar' }, traffic: [{ revisionName: `${name}-foo`, percent: 100 }] })],
      's.yaml',
    );
    await b.sleepUntil(45_000);
    const svc = named<Service>(b, 'services.serving.knative.dev', name)!;
    expect(condition(svc, 'RoutesReady')).toMatchObject({
      status: 'False',
      reason: 'RevisionNameTaken',
      message: `The revision name "${name}-foo" is taken by a conflicting Revision, so traffic will not be migrated`,
    });
    // The Configuration's own Ready says so too; the Service's Ready shows the last dependent marked.
    expect(condition(svc, 'ConfigurationsReady')).toMatchObject({ status: 'False', reason: 'RevisionFailed' });
    expect(condition(svc, 'Ready')).toMatchObject({ status: 'False', reason: 'RevisionNameTaken' });
    expect(svc.status?.observedGeneration).toBe(3);
    // The Route was not reprogrammed: same spec, same generation, traffic still on the last good revision.
    const route = named<Route>(b, 'routes.serving.knative.dev', name)!;
    expect(route.metadata.generation).toBe(routeBefore.metadata.generation);
    expect(route.spec).toEqual(routeBefore.spec);
    expect(route.status?.traffic?.[0]?.revisionName).toBe(`${name}-bar`);
    expect(svc.status?.traffic?.[0]?.revisionName).toBe(`${name}-bar`);
  });

  it('byo rev name used in traffic: the Route is made only once the Configuration observed its generation', async () => {
    const b = await cluster();
    const name = 'byo-rev';
    await b.apply(
      [service(name, `${name}-byo`, { traffic: [{ revisionName: `${name}-byo`, percent: 100 }] })],
      's.yaml',
    );
    let routeSeen = false;
    for (let t = 5; t <= 15_000; t += 5) {
      await b.sleepUntil(t);
      const route = named<Route>(b, 'routes.serving.knative.dev', name);
      if (!route) continue;
      if (!routeSeen) {
        routeSeen = true;
        const config = named<Configuration>(b, 'configurations.serving.knative.dev', name)!;
        expect(config.status?.observedGeneration).toBe(config.metadata.generation);
        expect(named(b, 'revisions.serving.knative.dev', `${name}-byo`)).toBeDefined();
      }
      // The Route never looked for a revision that was not made yet.
      expect(condition(route, 'AllTrafficAssigned')).not.toMatchObject({ reason: 'RevisionMissing', status: 'False' });
    }
    expect(routeSeen).toBe(true);
    const svc = named<Service>(b, 'services.serving.knative.dev', name)!;
    expect(condition(svc, 'Ready')?.status).toBe('True');
  });
});
