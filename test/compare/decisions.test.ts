/**
 * The decision timelines of compare: a live log's model beside its cluster (first divergence and
 * its reason), and two runs' deciders lined up by 2 s tick (a few ms of clock skew is no divergence).
 */
import { describe, expect, it } from 'vitest';
import {
  decisionTimeline,
  firstDivergence,
  hasClusterSide,
  renderRunsTimeline,
  renderShadowTimeline,
} from '../../src/compare/decisions.js';
import type { KpaTickEvent, LogEvent } from '../../src/model/events.js';

function simTick(t: number, pods: number): KpaTickEvent {
  return { t, type: 'kpa.tick', revision: 'r-1', decision: { valid: true, desiredPodCount: pods } };
}

function liveTick(t: number, model: number, cluster: number | null, because: string[] = []): KpaTickEvent {
  return {
    t,
    type: 'kpa.tick',
    revision: 'r-1',
    decision: { valid: true, desiredPodCount: model },
    ...(cluster !== null ? { cluster: { naming: 'otel' as const, scrapedAtMs: t, desiredPods: cluster } } : {}),
    comparison: {
      agree: cluster === null ? null : model === cluster,
      modelPods: model,
      clusterPods: cluster,
      delta: cluster === null ? null : model - cluster,
      because: because.map((text) => ({ input: 'ready pods' as const, text })),
    },
  };
}

const live: LogEvent[] = [
  liveTick(2_030, 0, null),
  liveTick(4_030, 1, 1),
  liveTick(6_030, 3, 2, ['a pod not yet ready: the cluster counted 1, the watch 2']),
  liveTick(8_030, 3, 3),
];

describe('decision timelines', () => {
  it("a live log's model and cluster: agreement, changes, the first divergence and why", () => {
    const timeline = decisionTimeline(live);
    expect(hasClusterSide(timeline)).toBe(true);
    expect(firstDivergence(timeline.get('r-1')!)).toMatchObject({ t: 6_030, a: 3, b: 2 });
    const text = renderShadowTimeline(timeline, 'live');
    expect(text).toContain('live: r-1: model and cluster agree at 2 of 3 ticks compared (4 ticks)');
    expect(text).toMatch(/ {6}6\.0 s {9}3 {9}2 {3}≠/);
    expect(text).toContain('first divergence at 6.0 s: the model wants 3, the cluster 2 (+1)');
    expect(text).toContain('because a pod not yet ready: the cluster counted 1, the watch 2');
  });

  it('a simulator log has no cluster side, and no shadow timeline', () => {
    const timeline = decisionTimeline([simTick(2_000, 0), simTick(4_000, 1)]);
    expect(hasClusterSide(timeline)).toBe(false);
    expect(renderShadowTimeline(timeline, 'sim')).toBe('');
  });

  it("two runs line up by tick: the sim's 4.000 s and the cluster's 4.030 s are the same tick", () => {
    const sim = decisionTimeline([simTick(2_000, 0), simTick(4_000, 1), simTick(6_000, 3), simTick(8_000, 3)]);
    const text = renderRunsTimeline(sim, decisionTimeline(live), ['sim', 'live cluster']);
    expect(text).toMatch(/ {6}4\.0 s {9}1 {13}1\n/);
    expect(text).toContain('first divergence at the tick of 6.0 s: sim 3, live cluster 2');
    expect(text).toMatch(/ {6}8\.0 s {9}3 {13}3\n/);
  });
});
