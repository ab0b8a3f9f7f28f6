/**
 * The model's decision beside the cluster's (live mode's shadow): agreement, and for a
 * difference, by how much and which input explains it. Decisions come from the model's decide.
 */
import { describe, expect, it } from 'vitest';
import {
  type ClusterDecision,
  compareWithCluster,
  describeComparison,
  newDeciderState,
  STALE_FIGURES_MS,
} from '../../src/model/kpa/index.js';
import { obs, spec, tick } from './fixtures.js';

const s = spec();
/** The model at 10 s with 2 ready pods, a stable average of 210 (3 pods at the default target 70). */
const model = tick(s, newDeciderState(s, 0, 0), obs(2, 210, 140), 10_000).record;

function cluster(overrides: Partial<ClusterDecision> = {}): ClusterDecision {
  return {
    naming: 'otel',
    scrapedAtMs: 9_500,
    desiredPods: 3,
    stable: 210,
    panic: 140,
    target: 70,
    panicking: false,
    readyPods: 2,
    ...overrides,
  };
}

describe('compareWithCluster', () => {
  it('the same figures and the same count agree', () => {
    expect(model.desiredPodCount).toBe(3);
    const c = compareWithCluster(model, cluster(), { source: 'autoscaler' });
    expect(c).toMatchObject({ agree: true, modelPods: 3, clusterPods: 3, delta: 0, because: [] });
    expect(describeComparison(c, cluster())).toContain('model and cluster agree: 3 pods');
  });

  it('a different ready count is named with both counts, and the difference in pods', () => {
    const c = compareWithCluster(model, cluster({ desiredPods: 2, readyPods: 1 }), { source: 'autoscaler' });
    expect(c).toMatchObject({ agree: false, delta: 1 });
    expect(c.because.map((b) => b.input)).toEqual(['ready pods']);
    expect(c.because[0]?.text).toContain("the cluster's autoscaler counted 1 ready pod, the watch 2");
    expect(describeComparison(c, cluster())).toContain(
      'model and cluster differ by +1 pod: the model wants 3 pods, the cluster 2 pods',
    );
  });

  it('different averages are a different window, with both values and the difference', () => {
    const c = compareWithCluster(model, cluster({ desiredPods: 2, stable: 130 }), { source: 'queue-proxy' });
    expect(c.because.map((b) => b.input)).toEqual(['window']);
    expect(c.because[0]?.text).toBe("a different window: the model's stable average 210.0, the cluster's 130.0 (+80)");
  });

  it('a different panic state and a different target are named', () => {
    const c = compareWithCluster(model, cluster({ desiredPods: 5, panicking: true, target: 50 }), {
      source: 'autoscaler',
    });
    expect(c.delta).toBe(-2);
    expect(c.because.map((b) => b.input)).toEqual(['target', 'panic']);
    expect(c.because[1]?.text).toContain('the cluster is panicking, the model is not');
  });

  it('with all inputs the same, the difference is the deciders’ history', () => {
    const c = compareWithCluster(model, cluster({ desiredPods: 4 }), { source: 'autoscaler' });
    expect(c.because.map((b) => b.input)).toEqual(['history']);
  });

  it('no figures, or old ones, is a scrape gap: nothing compared', () => {
    const gap = compareWithCluster(model, undefined, { source: 'queue-proxy', gap: 'no permission (403 Forbidden)' });
    expect(gap).toMatchObject({ agree: null, clusterPods: null, delta: null });
    expect(gap.because[0]).toEqual({
      input: 'scrape gap',
      text: 'no cluster decision to compare with: no permission (403 Forbidden)',
    });
    const old = compareWithCluster(model, cluster({ scrapedAtMs: 10_000 - STALE_FIGURES_MS - 1 }), {
      source: 'autoscaler',
    });
    expect(old.agree).toBe(null);
    expect(old.because[0]?.text).toContain('the last scrape is old (figures from 5 s before)');
  });

  it('a model without data against a cluster with a decision differs, saying so', () => {
    const none = tick(s, newDeciderState(s, 0, 0), { readyPods: 1, error: 'no data' }, 10_000).record;
    const c = compareWithCluster(none, cluster({ desiredPods: 1 }), { source: 'none' });
    expect(c).toMatchObject({ agree: false, modelPods: null, clusterPods: 1 });
    expect(c.because[0]?.input).toBe('no data');
  });
});
