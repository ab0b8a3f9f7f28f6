/**
 * Cases from Knative Serving's pkg/reconciler/labeler/labelerv2_test.go (TestV2Reconcile),
 * transcribed as data: a Route's spec and status traffic, the Configurations and Revisions, and
 * which revisions the labeler marks with the route and `routingState: active` (the others it
 * labelled lose it: `reserve`). Run against knsim's `referencedRevisions` and `nextRoutingState`
 * (src/model/rules/routing.ts). Upstream's fixtures: a Configuration `X` has latest created and
 * latest ready revision `X-dbnfd`, owned by it; `simpleRunLatest` routes spec traffic to the
 * Configuration (latestRevision) and status traffic to `X-dbnfd`.
 * The annotation `serving.knative.dev/routes` and the Route's finalizer are not modelled.
 */
import { describe, expect, it } from 'vitest';
import type { Configuration, Revision, TrafficTarget } from '../../src/model/api/types.js';
import { nextRoutingState, referencedRevisions } from '../../src/model/rules/routing.js';

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
      expect([...referencedRevisions(c.spec, c.status, refs)].sort()).toEqual([...c.want].sort());
    });
  }

  it('change configurations: the old revision goes active → reserve, the new pending → active', () => {
    expect(nextRoutingState('active', false)).toBe('reserve');
    expect(nextRoutingState('pending', true)).toBe('active');
    // a revision never referenced stays pending (upstream never labels it)
    expect(nextRoutingState('pending', false)).toBe('pending');
  });
});
