/**
 * The latest ready revision only moves forward (Knative Serving PR 13239, "Fix LatestReadyRevision
 * semantics - it only advances forward"): pkg/reconciler/configuration's getSortedCreatedRevisions
 * searches the generations from that of the latest ready revision it has up to the current one
 * (plus the BYO revision's), the BYO name first, then by generation; the first ready one wins,
 * and with none the Configuration keeps the one it had. So when the latest ready revision fails,
 * an older ready one does not take its place (the Route's traffic stays on it too); a rollback to
 * an explicitly named revision is the exception. Cases from configuration_test.go (TestReconcile)
 * and the PR's release note, run on the model's rule (latestReadyRevision, conditions.ts), a
 * property against the plain search, and the reconciler in a simulated cluster.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { Configuration, KubeObject, Revision } from '../../src/model/api/types.js';
import { latestReadyRevision } from '../../src/model/rules/conditions.js';
import type { ConfigurationController } from '../../src/sim/controllers/configuration.js';
import { T } from '../../src/sim/types.js';

type State = 'ready' | 'failed' | 'unknown';
const GEN = 'serving.knative.dev/configurationGeneration';

function revision(name: string, generation: number | string, state: State): Revision {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Revision',
    metadata: { name, labels: { [GEN]: String(generation) } },
    spec: { containers: [] },
    status: {
      conditions: [{ type: 'Ready', status: state === 'ready' ? 'True' : state === 'failed' ? 'False' : 'Unknown' }],
    },
  } as Revision;
}

interface Case {
  readonly name: string;
  readonly generation: number;
  readonly byo?: string;
  /** The Configuration's latestReadyRevisionName before this reconcile. */
  readonly previous?: string;
  readonly revisions: readonly [string, number | string, State][];
  /** The new latest ready revision; undefined: the Configuration keeps `previous`. */
  readonly want: string | undefined;
}

const CASES: readonly Case[] = [
  {
    name: 'three revisions with the latest revision failed, the latest ready should be updated to the last ready revision',
    generation: 3,
    byo: 'threerevs-00003',
    previous: 'threerevs-00001',
    revisions: [
      ['threerevs-00001', 1, 'ready'],
      ['threerevs-00002', 2, 'ready'],
      ['threerevs-00003', 3, 'unknown'],
    ],
    want: 'threerevs-00002',
  },
  {
    name: 'revision not ready, the latest ready should be updated, but the configuration should still be ready==Unknown',
    generation: 3,
    byo: 'revnotready-00003',
    previous: 'revnotready-00001',
    revisions: [
      ['revnotready-00001', 1, 'ready'],
      ['revnotready-00002', 2, 'ready'],
      ['revnotready-00003', 3, 'unknown'],
    ],
    want: 'revnotready-00002',
  },
  {
    name: "current LRR doesn't exist, LCR is ready",
    generation: 2,
    byo: 'lrrnotexist-00002',
    previous: 'lrrnotexist-00001',
    revisions: [
      ['lrrnotexist-00000', 1, 'ready'],
      ['lrrnotexist-00002', 2, 'ready'],
    ],
    want: 'lrrnotexist-00002',
  },
  {
    name: 'failed revision recovers',
    generation: 1337,
    previous: 'revision-recovers-00001',
    revisions: [['revision-recovers-00001', 1337, 'ready']],
    want: 'revision-recovers-00001',
  },
  {
    name: 'reconcile revision matching generation (ready: false)',
    generation: 5555,
    revisions: [['matching-revision', 5555, 'failed']],
    want: undefined,
  },
  {
    // PR 13239's release note: "When a Revision fails the Configuration & Route will no longer
    // fall back to older revision" (issue 7077's timeline: 01 ready, 02 ready then not ready).
    name: 'the latest ready revision fails: no fall back to an older ready one',
    generation: 3,
    previous: 'rev-00002',
    revisions: [
      ['rev-00001', 1, 'ready'],
      ['rev-00002', 2, 'failed'],
      ['rev-00003', 3, 'unknown'],
    ],
    want: undefined,
  },
  {
    name: '"The exception is when you rollback to a Revision that is explicitly named"',
    generation: 3,
    byo: 'a-foo',
    previous: 'a-bar',
    revisions: [
      ['a-foo', 1, 'ready'],
      ['a-bar', 2, 'ready'],
    ],
    want: 'a-foo',
  },
  {
    name: "the latest ready revision's generation label does not parse: only the current generation",
    generation: 3,
    previous: 'odd',
    revisions: [
      ['odd', 'x', 'failed'],
      ['rev-00002', 2, 'ready'],
    ],
    want: undefined,
  },
];

describe('configuration_test.go TestReconcile and PR 13239: the latest ready revision (the rule)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const revs = c.revisions.map(([n, g, s]) => revision(n, g, s));
      expect(latestReadyRevision(revs, c.generation, c.byo, c.previous)?.metadata.name).toBe(c.want);
    });
  }

  /** The plain search: generations from the previous latest ready one's (all when it is gone) up to the current one. */
  const plain = (revs: Revision[], generation: number, byo: string | undefined, previous: string | undefined) => {
    const gen = (r: Revision) => Number(r.metadata.labels?.[GEN]);
    const ready = (r: Revision) => r.status?.conditions?.[0]?.status === 'True';
    const named = revs.find((r) => r.metadata.name === byo);
    if (named && ready(named)) return named;
    const prev = revs.find((r) => r.metadata.name === previous);
    const floor = prev ? gen(prev) : Number.NEGATIVE_INFINITY;
    return revs.filter((r) => gen(r) >= floor && gen(r) <= generation && ready(r)).sort((a, b) => gen(b) - gen(a))[0];
  };

  it('as the plain search, for any revisions, previous latest ready and BYO name', () => {
    const rows = fc.array(
      fc.tuple(fc.integer({ min: 1, max: 8 }), fc.constantFrom<State>('ready', 'failed', 'unknown')),
      {
        maxLength: 8,
      },
    );
    fc.assert(
      fc.property(rows, fc.integer({ min: 1, max: 9 }), fc.nat(), fc.nat(), (rs, generation, p, b) => {
        const revs = rs.map(([g, s], i) => revision(`c-${i}`, g, s));
        const pick = (k: number) =>
          revs.length > 0 && k % (revs.length + 1) < revs.length
            ? revs[k % (revs.length + 1)]!.metadata.name
            : undefined;
        const previous = pick(p);
        const byo = pick(b);
        expect(latestReadyRevision(revs, generation, byo, previous)).toBe(plain(revs, generation, byo, previous));
      }),
    );
  });
});

// ---- the reconciler, in a simulated cluster ----

const NS = 'default';

function service(image: string): KubeObject {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: NS },
    spec: { template: { spec: { containers: [{ image }] } } },
  } as KubeObject;
}

describe('the Configuration reconciler: a failed latest ready revision keeps its place', () => {
  it('web-00002 fails after it was ready: latestReadyRevisionName stays web-00002, not web-00001', async () => {
    const b = new SimBackend({ seed: 2, namespace: NS });
    await b.start({ scenario: 'test', seed: 2, namespace: NS });
    await b.apply([service('app:1')], 's.yaml');
    await b.sleepUntil(60_000);
    await b.apply([service('app:2')], 's.yaml');
    await b.sleepUntil(120_000);
    const config = () => b.snapshot('configurations.serving.knative.dev', NS)[0] as Configuration;
    expect(config().status?.latestReadyRevisionName).toBe('web-00002');
    // The revision fails (as its reconciler would report it), and the Configuration reconciles
    // before anything else runs (the revision's own reconciler would soon mark it Ready again).
    const { store } = b.cluster;
    const rev = store.get<Revision>(T.revision, NS, 'web-00002')!;
    store.updateStatus(T.revision, NS, 'web-00002', {
      ...rev.status,
      conditions: (rev.status?.conditions ?? []).map((c) =>
        c.type === 'Ready' ? { ...c, status: 'False', reason: 'Failed', message: 'gone wrong' } : c,
      ),
    });
    (b.cluster as unknown as { configurations: ConfigurationController }).configurations.reconcile(NS, 'web');
    expect(config().status?.latestReadyRevisionName).toBe('web-00002');
    expect(config().status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'RevisionFailed',
    });
  });
});
