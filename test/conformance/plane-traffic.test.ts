/**
 * Cases from Knative Serving's pkg/reconciler/route/traffic/traffic_test.go and errors_test.go,
 * transcribed as data (the spec traffic, the objects that exist, the expected status traffic,
 * the ingress split and the AllTrafficAssigned condition) and run against knsim's own
 * `resolveTraffic`, `trafficSplit` and `targetForTag`. Each case carries the upstream test name.
 *
 * Upstream's fixed layout (namespace `test`, route `test-route` labelled `route: test-route`,
 * config-domain `example.com` plus `another-example.com` for `app: prod`):
 * - good-config, nice-config: two Ready revisions each (`-revision-1`, `-revision-2`), the
 *   second the latest ready;
 * - inactive-config: its only revision is scaled to zero (Active False, Ready Unknown) yet is the
 *   latest ready;
 * - unready-config: a revision that never got conditions, no latest ready revision;
 * - failed-config: Ready False, its revision failed (Ready False);
 * - empty-config: initialised conditions (Ready Unknown), no revision.
 * Upstream's internal per-target `Protocol` and the rollout (`BuildRollout`) are not modelled.
 */
import { describe, expect, it } from 'vitest';
import type { Condition, Configuration, Revision, TrafficTarget } from '../../src/model/api/types.js';
import { parseDomainConfig } from '../../src/model/rules/domain.js';
import { resolveTraffic, targetForTag, trafficSplit } from '../../src/model/rules/traffic.js';

const NS = 'test';
const ready = (status: Condition['status']): Condition[] => [{ type: 'Ready', status }];

function configuration(name: string, latestReady: string | undefined, conditions: Condition[] = []): Configuration {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Configuration',
    metadata: { name, namespace: NS },
    spec: { template: { spec: { containers: [{ image: 'test-image' }] } } },
    status: { ...(latestReady ? { latestReadyRevisionName: latestReady } : {}), conditions },
  };
}

function rev(name: string, config: string, conditions: Condition[]): Revision {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Revision',
    metadata: { name, namespace: NS, labels: { 'serving.knative.dev/configuration': config } },
    spec: { containers: [{ image: 'test-image' }] },
    status: { conditions },
  };
}

const configurations: Configuration[] = [
  configuration('good-config', 'good-revision-2'),
  configuration('nice-config', 'nice-revision-2'),
  configuration('inactive-config', 'inactive-revision'),
  configuration('unready-config', undefined),
  configuration('failed-config', undefined, ready('False')),
  configuration('empty-config', undefined, ready('Unknown')),
];
const revisions: Revision[] = [
  rev('good-revision-1', 'good-config', ready('True')),
  rev('good-revision-2', 'good-config', ready('True')),
  rev('nice-revision-1', 'nice-config', ready('True')),
  rev('nice-revision-2', 'nice-config', ready('True')),
  rev('inactive-revision', 'inactive-config', [
    { type: 'Ready', status: 'Unknown' },
    { type: 'Active', status: 'False', reason: 'Reserve' },
  ]),
  rev('unready-revision', 'unready-config', []),
  rev('failed-revision', 'failed-config', ready('False')),
];

const ctx = {
  configurations,
  revisions,
  route: { name: 'test-route', namespace: NS, labels: { route: 'test-route' } },
  domainConfig: parseDomainConfig({ 'example.com': '', 'another-example.com': 'selector:\n  app: prod' }),
};

/** A status traffic entry as upstream's revisionTargets give it, ConfigurationName cleared. */
interface Want {
  readonly tag?: string;
  readonly revisionName: string;
  readonly percent: number;
  readonly latestRevision: boolean;
}

interface Case {
  readonly name: string;
  readonly spec: TrafficTarget[];
  /** status.traffic (upstream's revisionTargets). */
  readonly status: Want[];
  /** The main host's split, per revision (upstream's Targets[DefaultTarget], consolidated). */
  readonly split: Record<string, number>;
  /** Each tag's revision (upstream's Targets[tag], 100% to one revision). */
  readonly tags?: Record<string, string>;
}

const cases: Case[] = [
  {
    name: 'TestBuildTrafficConfigurationVanilla',
    spec: [{ configurationName: 'good-config', percent: 100 }],
    status: [{ revisionName: 'good-revision-2', percent: 100, latestRevision: true }],
    split: { 'good-revision-2': 100 },
  },
  {
    name: 'TestBuildTrafficConfigurationNoNameRevision',
    spec: [{ revisionName: 'good-revision-2', percent: 100 }],
    status: [{ revisionName: 'good-revision-2', percent: 100, latestRevision: false }],
    split: { 'good-revision-2': 100 },
  },
  {
    name: 'TestBuildTrafficConfigurationVanillaScaledToZero',
    spec: [{ configurationName: 'inactive-config', percent: 100 }],
    status: [{ revisionName: 'inactive-revision', percent: 100, latestRevision: true }],
    split: { 'inactive-revision': 100 },
  },
  {
    name: 'TestBuildTrafficConfigurationTwoConfigs',
    spec: [
      { configurationName: 'nice-config', percent: 90 },
      { configurationName: 'good-config', percent: 10 },
    ],
    status: [
      { revisionName: 'nice-revision-2', percent: 90, latestRevision: true },
      { revisionName: 'good-revision-2', percent: 10, latestRevision: true },
    ],
    split: { 'nice-revision-2': 90, 'good-revision-2': 10 },
  },
  {
    name: 'TestBuildTrafficConfigurationTwoEntriesSameConfig (42%/16%/42%)',
    spec: [
      { configurationName: 'nice-config', percent: 42 },
      { configurationName: 'nice-config', percent: 16 },
      { configurationName: 'nice-config', percent: 42 },
    ],
    status: [{ revisionName: 'nice-revision-2', percent: 100, latestRevision: true }],
    split: { 'nice-revision-2': 100 },
  },
  {
    name: 'TestBuildTrafficConfigurationTwoEntriesSameConfig (100%/nil/nil)',
    spec: [
      { configurationName: 'nice-config', percent: 100 },
      { configurationName: 'nice-config' },
      { configurationName: 'nice-config' },
    ],
    status: [{ revisionName: 'nice-revision-2', percent: 100, latestRevision: true }],
    split: { 'nice-revision-2': 100 },
  },
  {
    name: 'TestBuildTrafficConfigThreeConfigs',
    spec: [
      { configurationName: 'nice-config', percent: 30 },
      { configurationName: 'good-config', percent: 35, tag: 'robert' },
      { configurationName: 'inactive-config', percent: 35, tag: 'jackson' },
    ],
    status: [
      { revisionName: 'nice-revision-2', percent: 30, latestRevision: true },
      { tag: 'robert', revisionName: 'good-revision-2', percent: 35, latestRevision: true },
      { tag: 'jackson', revisionName: 'inactive-revision', percent: 35, latestRevision: true },
    ],
    split: { 'nice-revision-2': 30, 'good-revision-2': 35, 'inactive-revision': 35 },
    tags: { robert: 'good-revision-2', jackson: 'inactive-revision' },
  },
  {
    name: 'TestBuildTrafficConfigurationTwoEntriesSameConfigDifferentTags',
    spec: [
      { configurationName: 'nice-config', percent: 90 },
      { configurationName: 'nice-config', percent: 10, tag: 'robert' },
    ],
    status: [
      { revisionName: 'nice-revision-2', percent: 90, latestRevision: true },
      { tag: 'robert', revisionName: 'nice-revision-2', percent: 10, latestRevision: true },
    ],
    split: { 'nice-revision-2': 100 },
    tags: { robert: 'nice-revision-2' },
  },
  {
    name: 'TestBuildTrafficConfigurationCanary',
    spec: [
      { revisionName: 'good-revision-1', percent: 90 },
      { configurationName: 'good-config', percent: 10 },
    ],
    status: [
      { revisionName: 'good-revision-1', percent: 90, latestRevision: false },
      { revisionName: 'good-revision-2', percent: 10, latestRevision: true },
    ],
    split: { 'good-revision-1': 90, 'good-revision-2': 10 },
  },
  {
    name: 'TestBuildTrafficConfigurationConsolidated',
    spec: [
      { tag: 'one', revisionName: 'good-revision-1', percent: 49 },
      { tag: 'two', revisionName: 'good-revision-2', percent: 50 },
      { tag: 'also-two', configurationName: 'good-config', percent: 1 },
    ],
    status: [
      { tag: 'one', revisionName: 'good-revision-1', percent: 49, latestRevision: false },
      { tag: 'two', revisionName: 'good-revision-2', percent: 50, latestRevision: false },
      { tag: 'also-two', revisionName: 'good-revision-2', percent: 1, latestRevision: true },
    ],
    split: { 'good-revision-1': 49, 'good-revision-2': 51 },
    tags: { one: 'good-revision-1', two: 'good-revision-2', 'also-two': 'good-revision-2' },
  },
  {
    name: 'TestBuildTrafficConfigurationTwoFixedRevisions',
    spec: [
      { revisionName: 'good-revision-1', percent: 90 },
      { revisionName: 'good-revision-2', percent: 10 },
    ],
    status: [
      { revisionName: 'good-revision-1', percent: 90, latestRevision: false },
      { revisionName: 'good-revision-2', percent: 10, latestRevision: false },
    ],
    split: { 'good-revision-1': 90, 'good-revision-2': 10 },
  },
  {
    name: 'TestBuildTrafficConfigurationTwoFixedRevisionsFromTwoConfigurations',
    spec: [
      { revisionName: 'good-revision-2', percent: 40 },
      { revisionName: 'nice-revision-2', percent: 60 },
    ],
    status: [
      { revisionName: 'good-revision-2', percent: 40, latestRevision: false },
      { revisionName: 'nice-revision-2', percent: 60, latestRevision: false },
    ],
    split: { 'good-revision-2': 40, 'nice-revision-2': 60 },
  },
  {
    name: 'TestBuildTrafficConfigurationPreliminary',
    spec: [
      { revisionName: 'good-revision-1', percent: 100 },
      { tag: 'beta', revisionName: 'good-revision-2' },
      { tag: 'alpha', configurationName: 'nice-config' },
    ],
    status: [
      { revisionName: 'good-revision-1', percent: 100, latestRevision: false },
      { tag: 'beta', revisionName: 'good-revision-2', percent: 0, latestRevision: false },
      { tag: 'alpha', revisionName: 'nice-revision-2', percent: 0, latestRevision: true },
    ],
    split: { 'good-revision-1': 100 },
    tags: { beta: 'good-revision-2', alpha: 'nice-revision-2' },
  },
];

/** The split's percents summed per revision, as upstream consolidates the default target. */
function splitByRevision(status: readonly TrafficTarget[]): Record<string, number> {
  const split = trafficSplit(status);
  const out: Record<string, number> = {};
  split.revisions.forEach((r, i) => {
    out[r] = (out[r] ?? 0) + split.percents[i]!;
  });
  return out;
}

describe('traffic_test.go: spec traffic to status traffic, the split and the tags', () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = resolveTraffic(c.spec, ctx);
      expect(r.allTrafficAssigned).toEqual({ type: 'AllTrafficAssigned', status: 'True' });
      const status = (r.traffic ?? []).map(({ url: _url, ...t }) => t);
      expect(status).toEqual(c.status);
      expect(splitByRevision(r.traffic ?? [])).toEqual(c.split);
      for (const [tag, revision] of Object.entries(c.tags ?? {})) {
        expect(targetForTag(r.traffic ?? [], tag)).toBe(revision);
      }
    });
  }

  it('TestRoundTripping: status traffic with tag URLs on the route domain', () => {
    const r = resolveTraffic(
      [
        { revisionName: 'good-revision-1', percent: 100 },
        { tag: 'beta', revisionName: 'good-revision-2' },
        { tag: 'alpha', configurationName: 'nice-config' },
      ],
      ctx,
    );
    expect(r.traffic).toEqual([
      { revisionName: 'good-revision-1', percent: 100, latestRevision: false },
      {
        tag: 'beta',
        revisionName: 'good-revision-2',
        url: 'http://beta-test-route.test.example.com',
        latestRevision: false,
        percent: 0,
      },
      {
        tag: 'alpha',
        revisionName: 'nice-revision-2',
        url: 'http://alpha-test-route.test.example.com',
        latestRevision: true,
        percent: 0,
      },
    ]);
  });
});

interface ErrorCase {
  readonly name: string;
  readonly spec: TrafficTarget[];
  readonly condition: { status: 'False' | 'Unknown'; reason: string; message: string };
  readonly missing?: { kind: 'Configuration' | 'Revision'; name: string }[];
}

const errorCases: ErrorCase[] = [
  {
    name: 'TestBuildTrafficConfigurationMissingConfig',
    spec: [
      { revisionName: 'good-revision-1', percent: 100 },
      { tag: 'beta', revisionName: 'good-revision-2' },
      { tag: 'alpha', configurationName: 'missing-config' },
    ],
    condition: {
      status: 'False',
      reason: 'ConfigurationMissing',
      message: 'Configuration "missing-config" referenced in traffic not found.',
    },
    missing: [{ kind: 'Configuration', name: 'missing-config' }],
  },
  {
    name: 'TestBuildTrafficConfigurationNotRoutableRevision',
    spec: [{ revisionName: 'unready-revision', percent: 100 }],
    condition: {
      status: 'Unknown',
      reason: 'RevisionMissing',
      message: 'Revision "unready-revision" is not yet ready.',
    },
  },
  {
    name: 'TestBuildTrafficConfigurationNotRoutableConfiguration',
    spec: [{ configurationName: 'unready-config', percent: 100 }],
    condition: {
      status: 'Unknown',
      reason: 'RevisionMissing',
      message: 'Configuration "unready-config" is waiting for a Revision to become ready.',
    },
  },
  {
    name: 'TestBuildTrafficConfigurationEmptyConfiguration',
    spec: [{ configurationName: 'empty-config', percent: 100 }],
    condition: {
      status: 'Unknown',
      reason: 'RevisionMissing',
      message: 'Configuration "empty-config" is waiting for a Revision to become ready.',
    },
  },
  {
    name: 'TestBuildTrafficConfigurationEmptyAndFailedConfigurations',
    spec: [
      { configurationName: 'empty-config', percent: 50 },
      { configurationName: 'failed-config', percent: 50 },
    ],
    condition: {
      status: 'False',
      reason: 'RevisionMissing',
      message: 'Configuration "failed-config" does not have any ready Revision.',
    },
  },
  {
    name: 'TestBuildTrafficConfigurationFailedAndEmptyConfigurations',
    spec: [
      { configurationName: 'failed-config', percent: 50 },
      { configurationName: 'empty-config', percent: 50 },
    ],
    condition: {
      status: 'False',
      reason: 'RevisionMissing',
      message: 'Configuration "failed-config" does not have any ready Revision.',
    },
  },
  {
    name: 'TestBuildTrafficConfigurationMissingRevision',
    spec: [
      { revisionName: 'missing-revision', percent: 50 },
      { revisionName: 'good-revision-2', percent: 50 },
    ],
    condition: {
      status: 'False',
      reason: 'RevisionMissing',
      message: 'Revision "missing-revision" referenced in traffic not found.',
    },
    missing: [{ kind: 'Revision', name: 'missing-revision' }],
  },
  // errors_test.go: the conditions each target error marks.
  {
    name: 'errors_test.go TestMarkBadTrafficTarget_RevisionFailedToBeReady',
    spec: [{ revisionName: 'failed-revision', percent: 100 }],
    condition: {
      status: 'False',
      reason: 'RevisionMissing',
      message: 'Revision "failed-revision" failed to become ready.',
    },
  },
  {
    name: 'errors_test.go TestMarkBadTrafficTarget_ConfigFailedToBeReady',
    spec: [{ configurationName: 'failed-config', percent: 100 }],
    condition: {
      status: 'False',
      reason: 'RevisionMissing',
      message: 'Configuration "failed-config" does not have any ready Revision.',
    },
  },
];

describe('traffic_test.go / errors_test.go: targets that cannot be resolved', () => {
  for (const c of errorCases) {
    it(c.name, () => {
      const r = resolveTraffic(c.spec, ctx);
      expect(r.traffic).toBeUndefined();
      expect(r.allTrafficAssigned).toEqual({ type: 'AllTrafficAssigned', ...c.condition });
      expect(r.missing).toEqual(c.missing ?? []);
    });
  }
});
