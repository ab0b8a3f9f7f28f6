import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Configuration, Revision, TrafficTarget } from '../../src/model/api/types.js';
import { parseDomainConfig } from '../../src/model/rules/domain.js';
import { pickRevision, resolveTraffic, targetForTag, trafficSplit } from '../../src/model/rules/traffic.js';
import { readyCondition, revision } from './fixtures.js';

const totalPercent = (targets: readonly TrafficTarget[]) => targets.reduce((sum, t) => sum + (t.percent ?? 0), 0);

function config(name: string, latestReady?: string, ready: 'True' | 'False' | 'Unknown' = 'Unknown'): Configuration {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Configuration',
    metadata: { name, namespace: 'default' },
    spec: { template: { spec: {} } },
    status: { ...(latestReady ? { latestReadyRevisionName: latestReady } : {}), conditions: [readyCondition(ready)] },
  };
}

const rev = (name: string, ready: 'True' | 'False' | 'Unknown'): Revision =>
  revision(name, 'hello', Number(name.slice(-5)), { conditions: [readyCondition(ready)] });

const latest: TrafficTarget[] = [{ latestRevision: true, percent: 100 }];

describe('resolving route traffic', () => {
  it("latestRevision goes to the Configuration's latest ready revision", () => {
    const r = resolveTraffic(latest, {
      configurations: [config('hello', 'hello-00001', 'Unknown')],
      revisions: [rev('hello-00001', 'True'), rev('hello-00002', 'Unknown')],
      defaultConfigurationName: 'hello',
    });
    expect(r.traffic).toEqual([{ revisionName: 'hello-00001', latestRevision: true, percent: 100 }]);
    expect(r.allTrafficAssigned).toEqual({ type: 'AllTrafficAssigned', status: 'True' });
  });

  it('no ready revision yet: Unknown RevisionMissing, waiting', () => {
    const r = resolveTraffic(latest, {
      configurations: [config('hello')],
      revisions: [rev('hello-00001', 'Unknown')],
      defaultConfigurationName: 'hello',
    });
    expect(r.traffic).toBeUndefined();
    expect(r.allTrafficAssigned).toEqual({
      type: 'AllTrafficAssigned',
      status: 'Unknown',
      reason: 'RevisionMissing',
      message: 'Configuration "hello" is waiting for a Revision to become ready.',
    });
  });

  it('failed configuration without a ready revision: False RevisionMissing', () => {
    const r = resolveTraffic(latest, {
      configurations: [config('hello', undefined, 'False')],
      revisions: [rev('hello-00001', 'False')],
      defaultConfigurationName: 'hello',
    });
    expect(r.allTrafficAssigned).toMatchObject({
      status: 'False',
      reason: 'RevisionMissing',
      message: 'Configuration "hello" does not have any ready Revision.',
    });
  });

  it('a pinned revision that is not ready yet: Unknown', () => {
    const r = resolveTraffic([{ revisionName: 'hello-00002', percent: 100 }], {
      configurations: [config('hello', 'hello-00001', 'True')],
      revisions: [rev('hello-00001', 'True'), rev('hello-00002', 'Unknown')],
    });
    expect(r.allTrafficAssigned).toMatchObject({
      status: 'Unknown',
      message: 'Revision "hello-00002" is not yet ready.',
    });
  });

  it('a pinned revision that failed: False', () => {
    const r = resolveTraffic([{ revisionName: 'hello-00002', percent: 100 }], {
      configurations: [config('hello', 'hello-00001', 'True')],
      revisions: [rev('hello-00002', 'False')],
    });
    expect(r.allTrafficAssigned).toMatchObject({
      status: 'False',
      message: 'Revision "hello-00002" failed to become ready.',
    });
  });

  it('targets that do not exist', () => {
    const r = resolveTraffic([{ revisionName: 'hello-00009', percent: 100 }], { configurations: [], revisions: [] });
    expect(r.allTrafficAssigned).toEqual({
      type: 'AllTrafficAssigned',
      status: 'False',
      reason: 'RevisionMissing',
      message: 'Revision "hello-00009" referenced in traffic not found.',
    });
    const c = resolveTraffic([{ configurationName: 'nope', percent: 100 }], { configurations: [], revisions: [] });
    expect(c.allTrafficAssigned).toMatchObject({
      reason: 'ConfigurationMissing',
      message: 'Configuration "nope" referenced in traffic not found.',
    });
    expect(c.missing).toEqual([{ kind: 'Configuration', name: 'nope' }]);
  });

  it('a failure reported later replaces an earlier not-ready problem', () => {
    const r = resolveTraffic(
      [
        { revisionName: 'hello-00002', percent: 50 },
        { revisionName: 'hello-00003', percent: 50 },
      ],
      { configurations: [config('hello')], revisions: [rev('hello-00002', 'Unknown'), rev('hello-00003', 'False')] },
    );
    expect(r.allTrafficAssigned).toMatchObject({
      status: 'False',
      message: 'Revision "hello-00003" failed to become ready.',
    });
  });

  it('a split with a tag: pinned and latest, tag URL filled in', () => {
    const r = resolveTraffic(
      [
        { revisionName: 'hello-00001', percent: 80 },
        { tag: 'candidate', latestRevision: true, percent: 20 },
      ],
      {
        configurations: [config('hello', 'hello-00002', 'True')],
        revisions: [rev('hello-00001', 'True'), rev('hello-00002', 'True')],
        defaultConfigurationName: 'hello',
        route: { name: 'hello', namespace: 'default' },
        domainConfig: parseDomainConfig({ 'example.com': '' }),
      },
    );
    expect(r.traffic).toEqual([
      { revisionName: 'hello-00001', latestRevision: false, percent: 80 },
      {
        tag: 'candidate',
        revisionName: 'hello-00002',
        latestRevision: true,
        percent: 20,
        url: 'http://candidate-hello.default.example.com',
      },
    ]);
  });

  it('targets that end on the same revision and tag are merged', () => {
    const r = resolveTraffic(
      [
        { revisionName: 'hello-00001', percent: 40, latestRevision: false },
        { revisionName: 'hello-00001', percent: 60, latestRevision: false },
      ],
      { configurations: [config('hello', 'hello-00001', 'True')], revisions: [rev('hello-00001', 'True')] },
    );
    expect(r.traffic).toEqual([{ revisionName: 'hello-00001', latestRevision: false, percent: 100 }]);
  });

  it('resolution keeps the percent total of the spec', () => {
    const splits = fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(splits, (percents) => {
        const spec = percents.map((percent, i) => ({ revisionName: `hello-0000${(i % 3) + 1}`, percent }));
        const r = resolveTraffic(spec, {
          configurations: [config('hello', 'hello-00001', 'True')],
          revisions: [rev('hello-00001', 'True'), rev('hello-00002', 'True'), rev('hello-00003', 'True')],
        });
        expect(totalPercent(r.traffic ?? [])).toBe(totalPercent(spec));
      }),
    );
  });
});

describe('picking a revision per request', () => {
  const split: TrafficTarget[] = [
    { revisionName: 'hello-00001', percent: 80 },
    { revisionName: 'hello-00002', percent: 20, tag: 'candidate' },
    { revisionName: 'hello-00003', percent: 0, tag: 'dark' },
  ];
  const prepared = trafficSplit(split);
  const pick = (targets: TrafficTarget[], random: () => number): string | undefined => {
    const s = targets === split ? prepared : trafficSplit(targets);
    return s.revisions[pickRevision(s, random)];
  };

  it('splits by percent', () => {
    expect(pick(split, () => 0)).toBe('hello-00001');
    expect(pick(split, () => 0.7999)).toBe('hello-00001');
    expect(pick(split, () => 0.8)).toBe('hello-00002');
    expect(pick(split, () => 0.9999)).toBe('hello-00002');
  });

  it('never picks a 0% target, and always picks a known revision', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (u) => {
        expect(['hello-00001', 'hello-00002']).toContain(pick(split, () => u));
      }),
    );
  });

  it('approaches the percentages over many requests', () => {
    let i = 0;
    const counts = new Map<string, number>();
    for (let n = 0; n < 1000; n++) {
      const r = pick(split, () => (i++ % 1000) / 1000)!;
      counts.set(r, (counts.get(r) ?? 0) + 1);
    }
    expect(counts.get('hello-00001')).toBe(800);
    expect(counts.get('hello-00002')).toBe(200);
  });

  it('tags reach their own revision, even at 0%', () => {
    expect(targetForTag(split, 'dark')).toBe('hello-00003');
    expect(targetForTag(split, 'nope')).toBeUndefined();
  });

  it('picks what a walk of every target gives, with as many draws, one target or many (fast-check)', () => {
    // The rule as first written: a point in [0, total), and the first target whose percents
    // reach past it (the last one when rounding leaves the point beyond them all).
    const walk = (targets: TrafficTarget[], random: () => number): number => {
      const weighted = targets.filter((t) => t.revisionName && (t.percent ?? 0) > 0);
      const total = weighted.reduce((n, t) => n + (t.percent ?? 0), 0);
      if (total <= 0) return -1;
      let point = random() * total;
      for (let i = 0; i < weighted.length; i++) {
        point -= weighted[i]!.percent!;
        if (point < 0) return i;
      }
      return weighted.length - 1;
    };
    const target = fc.record({
      revisionName: fc.constantFrom('a', 'b', ''),
      percent: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 100, noNaN: true })),
    });
    fc.assert(
      fc.property(
        fc.oneof(fc.array(target, { minLength: 1, maxLength: 1 }), fc.array(target, { maxLength: 5 })),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 20 }),
        (targets, draws) => {
          const split = trafficSplit(targets);
          const stream = () => {
            let i = 0;
            const random = () => draws[i++ % draws.length]!;
            return { random, drawn: () => i };
          };
          const a = stream();
          const b = stream();
          for (let k = 0; k < draws.length; k++) expect(pickRevision(split, a.random)).toBe(walk(targets, b.random));
          expect(a.drawn()).toBe(b.drawn());
        },
      ),
    );
  });

  it('no positive percent: nothing to pick', () => {
    expect(pick([{ revisionName: 'a', percent: 0 }], () => 0.5)).toBeUndefined();
  });
});
