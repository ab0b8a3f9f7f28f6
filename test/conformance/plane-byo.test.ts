/**
 * Cases from Knative Serving's pkg/reconciler/configuration/configuration_test.go (TestReconcile)
 * about a Configuration whose template brings its own revision name
 * (`spec.template.metadata.name`) when a Revision of that name already exists. Knative's
 * CheckNameAvailability adopts it only when this Configuration controls it and it is either of
 * the current generation or of the same spec (a `git revert`); anything else marks Ready False
 * `RevisionFailed` with the API server's AlreadyExists message, creates nothing and records no
 * Event. Each case runs the rule (src/model/rules/naming.ts) on the upstream data and then
 * reaches the same state in a small simulated cluster.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { Configuration, KubeObject, Revision } from '../../src/model/api/types.js';
import { latestReadyRevision } from '../../src/model/rules/conditions.js';
import { byoRevisionNameTaken } from '../../src/model/rules/naming.js';

const NS = 'foo';
const CONFIGS = 'configurations.serving.knative.dev';
const REVISIONS = 'revisions.serving.knative.dev';

/** The upstream fixtures: `cfg(name, "foo", generation)` and `rev(name, "foo", generation)`, busybox, timeout 60. */
function cfg(name: string, generation: number, byo: string): Configuration {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Configuration',
    metadata: { name, namespace: NS, uid: `uid-${name}`, generation },
    spec: { template: { metadata: { name: byo }, spec: { containers: [{ image: 'busybox' }], timeoutSeconds: 60 } } },
  } as Configuration;
}
function rev(config: Configuration, generation: number, change: (r: Revision) => void = () => {}): Revision {
  const r = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Revision',
    metadata: {
      name: config.spec.template.metadata?.name ?? '',
      namespace: NS,
      labels: { 'serving.knative.dev/configurationGeneration': String(generation) },
      ownerReferences: [
        {
          apiVersion: 'serving.knative.dev/v1',
          kind: 'Configuration',
          name: config.metadata.name,
          uid: config.metadata.uid ?? '',
          controller: true,
        },
      ],
    },
    spec: { containers: [{ image: 'busybox' }], timeoutSeconds: 60 },
  } as Revision;
  change(r);
  return r;
}
const specOf = (c: Configuration) => () => c.spec.template.spec;

describe('configuration_test.go TestReconcile: a BYO revision name that already exists (the rule)', () => {
  it('create revision byo name (exists): same generation, adopted', () => {
    const c = cfg('byo-name-exists', 1234, 'byo-name-exists-foo');
    expect(byoRevisionNameTaken(c, rev(c, 1234), specOf(c))).toBeUndefined();
  });
  it('create revision byo name (exists, wrong generation, right spec): a git revert, adopted', () => {
    const c = cfg('byo-name-git-revert', 1234, 'byo-name-git-revert-foo');
    expect(byoRevisionNameTaken(c, rev(c, 1200), specOf(c))).toBeUndefined();
  });
  it('create revision byo name (exists @ wrong generation w/ wrong spec)', () => {
    const c = cfg('byo-name-wrong-gen-wrong-spec', 1234, 'byo-name-wrong-gen-wrong-spec-foo');
    const r = rev(c, 1200, (r) => {
      r.spec.containers = [{ image: 'busybox', env: [{ name: 'FOO', value: 'bar' }] }];
    });
    expect(byoRevisionNameTaken(c, r, specOf(c))).toBe(
      'revisions.serving.knative.dev "byo-name-wrong-gen-wrong-spec-foo" already exists',
    );
  });
  it('create revision byo name (exists not owned)', () => {
    const c = cfg('byo-rev-not-owned', 1234, 'byo-rev-not-owned-foo');
    const r = rev(c, 1200, (r) => {
      delete r.metadata.ownerReferences;
    });
    expect(byoRevisionNameTaken(c, r, specOf(c))).toBe(
      'revisions.serving.knative.dev "byo-rev-not-owned-foo" already exists',
    );
  });
  it('create revision byo name: nothing to check without a BYO name', () => {
    const c = cfg('no-byo', 1234, '');
    expect(
      byoRevisionNameTaken(
        c,
        rev(c, 1200, (r) => delete r.metadata.ownerReferences),
        specOf(c),
      ),
    ).toBeUndefined();
  });
});

// ---- the same cases in a simulated cluster ----

function config(name: string, byo: string, env?: Record<string, string>): KubeObject {
  const container = {
    image: 'busybox',
    ...(env ? { env: Object.entries(env).map(([n, value]) => ({ name: n, value })) } : {}),
  };
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Configuration',
    metadata: { name, namespace: NS },
    spec: { template: { metadata: { name: byo }, spec: { containers: [container], timeoutSeconds: 60 } } },
  };
}

async function cluster() {
  const backend = new SimBackend({ seed: 3, namespace: NS });
  await backend.start({ scenario: 'test', seed: 3, namespace: NS });
  return backend;
}

const configNamed = (b: SimBackend, name: string) =>
  b.snapshot(CONFIGS, NS).find((o) => o.metadata.name === name) as Configuration;
const ready = (c: Configuration) => c.status?.conditions?.find((x) => x.type === 'Ready');
const revisionNames = (b: SimBackend) => b.snapshot(REVISIONS, NS).map((o) => o.metadata.name);
const eventReasons = (b: SimBackend, name: string) =>
  b
    .snapshot('events', NS)
    .filter((e) => (e as unknown as { involvedObject?: { name?: string } }).involvedObject?.name === name)
    .map((e) => (e as unknown as { reason?: string }).reason);

describe('configuration_test.go TestReconcile: a BYO revision name that already exists (in the simulator)', () => {
  it('create revision byo name (exists not owned): another Configuration made it', async () => {
    const b = await cluster();
    // `byo` may name its revision `byo-rev-not-owned-foo` (it starts with `byo-`), and so may `byo-rev-not-owned`.
    await b.apply([config('byo', 'byo-rev-not-owned-foo')], 'a.yaml');
    await b.sleepUntil(10_000);
    await b.apply([config('byo-rev-not-owned', 'byo-rev-not-owned-foo')], 'b.yaml');
    await b.sleepUntil(20_000);
    const c = configNamed(b, 'byo-rev-not-owned');
    expect(ready(c)).toMatchObject({
      status: 'False',
      reason: 'RevisionFailed',
      message:
        'Revision creation failed with message: revisions.serving.knative.dev "byo-rev-not-owned-foo" already exists.',
    });
    expect(c.status?.observedGeneration).toBe(1);
    expect(c.status?.latestCreatedRevisionName).toBeUndefined();
    expect(c.status?.latestReadyRevisionName).toBeUndefined();
    expect(revisionNames(b)).toEqual(['byo-rev-not-owned-foo']);
    expect(eventReasons(b, 'byo-rev-not-owned')).toEqual([]);
  });

  it('create revision byo name (exists @ wrong generation w/ wrong spec)', async () => {
    const b = await cluster();
    const name = 'byo-name-wrong-gen-wrong-spec';
    await b.apply([config(name, `${name}-foo`)], 'c.yaml');
    await b.sleepUntil(10_000);
    await b.apply([config(name, `${name}-bar`)], 'c.yaml');
    await b.sleepUntil(20_000);
    // Back to the first name with another spec: the webhook lets it through (the name changed).
    await b.apply([config(name, `${name}-foo`, { FOO: 'bar' })], 'c.yaml');
    await b.sleepUntil(30_000);
    const c = configNamed(b, name);
    expect(ready(c)).toMatchObject({
      status: 'False',
      reason: 'RevisionFailed',
      message: `Revision creation failed with message: revisions.serving.knative.dev "${name}-foo" already exists.`,
    });
    expect(c.status?.observedGeneration).toBe(3);
    expect(c.status?.latestCreatedRevisionName).toBe(`${name}-bar`);
    expect(revisionNames(b)).toEqual([`${name}-bar`, `${name}-foo`]);
  });

  it('create revision byo name (exists, wrong generation, right spec): a git revert adopts it', async () => {
    const b = await cluster();
    const name = 'byo-name-git-revert';
    await b.apply([config(name, `${name}-foo`)], 'c.yaml');
    await b.sleepUntil(10_000);
    await b.apply([config(name, `${name}-bar`, { FOO: 'bar' })], 'c.yaml');
    await b.sleepUntil(20_000);
    await b.apply([config(name, `${name}-foo`)], 'c.yaml');
    await b.sleepUntil(30_000);
    const c = configNamed(b, name);
    expect(c.status?.observedGeneration).toBe(3);
    expect(c.status?.latestCreatedRevisionName).toBe(`${name}-foo`);
    // The named older revision is ready, so it is the latest ready again (serving PR 5319's e2e).
    expect(c.status?.latestReadyRevisionName).toBe(`${name}-foo`);
    expect(ready(c)?.status).toBe('True');
    expect(revisionNames(b)).toEqual([`${name}-bar`, `${name}-foo`]);
  });
});

describe('the latest ready revision (getSortedCreatedRevisions: a BYO name first, then by generation)', () => {
  const revision = (name: string, generation: number, isReady: boolean): Revision =>
    ({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Revision',
      metadata: { name, labels: { 'serving.knative.dev/configurationGeneration': String(generation) } },
      spec: { containers: [] },
      status: { conditions: [{ type: 'Ready', status: isReady ? 'True' : 'Unknown' }] },
    }) as Revision;
  /** The plain version: the ready revisions up to the generation, highest generation first. */
  const plain = (revs: Revision[], generation: number) =>
    revs
      .filter((r) => Number(r.metadata.labels?.['serving.knative.dev/configurationGeneration']) <= generation)
      .filter((r) => r.status?.conditions?.[0]?.status === 'True')
      .sort(
        (a, b) =>
          Number(b.metadata.labels?.['serving.knative.dev/configurationGeneration']) -
          Number(a.metadata.labels?.['serving.knative.dev/configurationGeneration']),
      )[0];
  const arbitraryRevisions = fc
    .array(fc.tuple(fc.integer({ min: 1, max: 8 }), fc.boolean()), { maxLength: 8 })
    .map((rows) => rows.map(([g, r], i) => revision(`c-${i}`, g, r)));

  it('without a BYO name: the ready one of the highest generation up to the current one', () => {
    fc.assert(
      fc.property(arbitraryRevisions, fc.integer({ min: 0, max: 9 }), (revs, generation) => {
        expect(latestReadyRevision(revs, generation, undefined)).toBe(plain(revs, generation));
      }),
    );
  });
  it('with a BYO name: that revision when it is ready, else as without', () => {
    fc.assert(
      fc.property(arbitraryRevisions, fc.nat(), (revs, pick) => {
        const generation = 9;
        const byo = revs.length > 0 ? revs[pick % revs.length]! : undefined;
        const want = byo?.status?.conditions?.[0]?.status === 'True' ? byo : plain(revs, generation);
        expect(latestReadyRevision(revs, generation, byo?.metadata.name)).toBe(want);
      }),
    );
  });
});
