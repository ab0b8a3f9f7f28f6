/**
 * A live log's Why pane shows both decisions of a tick (the model's shadow and the cluster's
 * autoscaler) as the log has them: the TUI renders, it decides nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KpaTickEvent, LogEvent, LogHeader, SampleEvent } from '../../src/model/events.js';
import { compareWithCluster, decide, newDeciderState } from '../../src/model/kpa/index.js';
import { bothDecisions } from '../../src/tui/components/ExplainPane.js';
import { ReplayIndex } from '../../src/tui/model/replay.js';
import { spec } from '../kpa/fixtures.js';
import { renderTui } from './helpers.js';

const header: LogHeader = {
  type: 'header',
  format: 1,
  knsim: '0.1.0',
  backend: 'live',
  scenario: 'shadow-tui',
  seed: 1,
  namespace: 'default',
  epoch: '2026-01-01T00:00:00.000Z',
};

function sample(t: number, ready: number): SampleEvent {
  return {
    t,
    type: 'sample',
    revision: 'r-00001',
    rps: 3,
    concurrency: 2,
    desired: ready,
    ready,
    pending: 0,
    terminating: 0,
    activatorQueue: 0,
    queueProxyQueue: 0,
    inFlight: 2,
    panic: false,
    activatorInPath: false,
  };
}

/** A tick as the live backend writes it: the model's record, the cluster's figures, the comparison. */
function tick(t: number, clusterPods: number, clusterReady: number): KpaTickEvent {
  const s = spec();
  const record = decide(s, newDeciderState(s, 0, 0), { readyPods: 2, stable: 140, panic: 140 }, t).record;
  const cluster = { naming: 'otel' as const, scrapedAtMs: t, desiredPods: clusterPods, readyPods: clusterReady };
  const comparison = compareWithCluster(record, cluster, { source: 'autoscaler' });
  return {
    t,
    type: 'kpa.tick',
    revision: 'r-00001',
    decision: { ...record },
    explain: ['stable: 60-second average 140.0 needs 2 pods'],
    shadow: { source: 'autoscaler' },
    cluster,
    comparison,
  };
}

let unmount: (() => void) | undefined;
afterEach(() => unmount?.());

describe('the Why pane of a live log', () => {
  it('shows the model and the cluster, and what explains a difference', async () => {
    const events: LogEvent[] = [sample(1000, 2), tick(2000, 2, 2), sample(3000, 2), tick(4000, 1, 1), sample(5000, 2)];
    const index = new ReplayIndex(header, events);
    const agree = renderTui({
      index,
      initial: { screen: 'overview', t: 3000, pos: index.posAt(3000) },
      size: { columns: 180, rows: 40 },
    });
    expect(agree.frame()).toContain('model 2 · cluster 2 pods: agree');
    agree.unmount();
    const r = renderTui({
      index,
      initial: { screen: 'overview', t: 5000, pos: index.posAt(5000) },
      size: { columns: 180, rows: 40 },
    });
    unmount = r.unmount;
    expect(r.frame()).toContain('model 2 · cluster 1 pods: differ by +1 (ready pods)');
    expect(r.frame()).toContain('stable: 60-second average 140.0 needs 2 pods');
  });

  it('says when there was nothing to compare, and shows nothing extra for a simulator tick', () => {
    const gap = tick(2000, 2, 2);
    const noCluster: KpaTickEvent = {
      ...gap,
      comparison: {
        agree: null,
        modelPods: 2,
        clusterPods: null,
        delta: null,
        because: [{ input: 'scrape gap', text: '403' }],
      },
    };
    expect(bothDecisions(noCluster)?.text).toBe('model 2 · cluster – pods: not compared (scrape gap)');
    const { comparison: _c, cluster: _k, shadow: _s, ...sim } = gap;
    expect(bothDecisions(sim)).toBe(undefined);
  });
});
