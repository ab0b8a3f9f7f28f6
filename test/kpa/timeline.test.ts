/**
 * The timelines of reference §9, end to end through the pure API: 1 s scrapes into the windows,
 * a 2 s decider tick, and the KPA scale step run when the decision changes, the EBC sign flips,
 * or a requeue falls due.
 */

import { describe, expect, it } from 'vitest';
import type { DeciderSpec, DeciderState, PAState, ScaleDecision } from '../../src/model/kpa/index.js';
import {
  computeActiveCondition,
  computeScale,
  decide,
  MetricWindow,
  minReadyPods,
  newDeciderState,
  observeWindows,
  resolveDeciderSpec,
  shouldPoke,
  shouldTriggerReconcile,
  sksModeFor,
} from '../../src/model/kpa/index.js';
import { config } from './fixtures.js';

const S = 1000;

interface World {
  spec: DeciderSpec;
  stable: MetricWindow;
  panic: MetricWindow;
  decider: DeciderState;
  replicas: number;
  ready: number;
  paState: PAState;
  paSince: number;
  proxySince: number | null;
  requeueAt: number | null;
  log: { t: number; scale: ScaleDecision }[];
}

function world(tbc: number, opts: { paState?: PAState; replicas?: number } = {}): World {
  const spec = resolveDeciderSpec({
    config: config({ targetBurstCapacity: tbc }),
    annotations: {},
    containerConcurrency: 0,
    reachability: 'Reachable',
  });
  const replicas = opts.replicas ?? 1;
  return {
    spec,
    stable: new MetricWindow(spec.stableWindowMs),
    panic: new MetricWindow(spec.panicWindowMs),
    decider: newDeciderState(spec, replicas, 0),
    replicas,
    ready: replicas,
    paState: opts.paState ?? 'Active',
    paSince: 0,
    // With TBC ≠ 0 the initial EBC is negative, so the activator is in the path from the start.
    proxySince: tbc === 0 ? null : 0,
    requeueAt: null,
    log: [],
  };
}

/** One KPA reconcile at time t. */
function reconcile(w: World, t: number): void {
  const scale = computeScale({
    spec: w.spec,
    desired: w.decider.desiredScale,
    paState: w.paState,
    paStateSinceMs: w.paSince,
    scaleTargetInitialized: true,
    currentReplicas: w.replicas,
    sksMode: w.proxySince === null ? 'Serve' : 'Proxy',
    proxySinceMs: w.proxySince,
    activatorProbeOk: w.proxySince !== null,
    nowMs: t,
  });
  w.log.push({ t, scale });
  if (scale.replicas !== undefined) w.replicas = scale.replicas;
  w.requeueAt = scale.requeueAfterMs === undefined ? null : t + scale.requeueAfterMs;
  const cond = computeActiveCondition({
    want: scale.want,
    readyPods: w.ready,
    minReady: minReadyPods(w.spec, true),
    paState: w.paState,
  });
  if (cond.paState !== w.paState) {
    w.paState = cond.paState;
    w.paSince = t;
  }
  const mode = sksModeFor(scale.want, w.decider.excessBurstCapacity, w.paState);
  const before = w.proxySince === null ? 'Serve' : 'Proxy';
  if (mode === 'Proxy' && w.proxySince === null) w.proxySince = t;
  if (mode === 'Serve') w.proxySince = null;
  // A changed SKS reports back through its status, which re-triggers the PA about a second later.
  if (mode !== before) w.requeueAt = Math.min(w.requeueAt ?? Number.POSITIVE_INFINITY, t + S);
}

/** Runs from `from` to `to` (ms) with the given concurrency per second; pods are ready at once. */
function run(w: World, from: number, to: number, load: (t: number) => number): void {
  for (let t = from; t <= to; t += S) {
    w.ready = w.replicas;
    if (w.ready > 0) {
      w.stable.record(t, load(t));
      w.panic.record(t, load(t));
    }
    let trigger = w.requeueAt !== null && t >= w.requeueAt;
    if (t % (2 * S) === 0) {
      const d = decide(w.spec, w.decider, observeWindows(w.stable, w.panic, w.ready, t), t);
      if (d.result.valid) {
        trigger ||= shouldTriggerReconcile(w.decider, d.state);
        w.decider = d.state;
      }
    }
    if (trigger) reconcile(w, t);
  }
}

const firstZero = (w: World) => w.log.find((e) => e.scale.apply && e.scale.replicas === 0);

describe('§9 timelines at default settings', () => {
  it('scale to zero: the last pod goes at about t = 63 s through the fast path', () => {
    const w = world(211);
    w.paSince = -600 * S;
    run(w, -120 * S, -1 * S, () => 5);
    run(w, 0, 120 * S, () => 0);
    const inactive = w.log.find((e) => e.scale.gate === 'mark-inactive');
    expect(inactive?.t).toBe(60 * S);
    const zero = firstZero(w);
    expect(zero?.t).toBe(63 * S);
    expect(zero?.scale.gate).toBe('fast-path');
    expect(w.paState).toBe('Inactive');
  });

  it('with TBC 0 the activator joins only at deactivation, so the last pod goes at about 90 s', () => {
    const w = world(0);
    w.paSince = -600 * S;
    run(w, -120 * S, -1 * S, () => 5);
    run(w, 0, 150 * S, () => 0);
    const zero = firstZero(w);
    expect(zero?.t).toBe(90 * S);
    expect(zero?.scale.gate).toBe('scale-to-zero');
  });

  it('a new revision without traffic keeps 1 pod for a minute, then goes to 0', () => {
    const w = world(211);
    run(w, 0, 100 * S, () => 0);
    expect(w.log[0]?.scale.gate).toBe('stable-window');
    expect(w.log[0]?.scale.want).toBe(1);
    expect(firstZero(w)?.t).toBe(63 * S);
  });

  it('scale from zero: the first activator stat pokes the decider, which wants 1 pod', () => {
    const w = world(211, { paState: 'Inactive', replicas: 0 });
    w.decider = { ...w.decider, desiredScale: 0 };
    const t = 1_000 * S + 500;
    expect(shouldPoke(w.decider.desiredScale, 1)).toBe(true);
    w.stable.record(t, 1);
    w.panic.record(t, 1);
    const d = decide(w.spec, w.decider, observeWindows(w.stable, w.panic, 0, t), t);
    expect(d.result).toEqual({ desiredPodCount: 1, excessBurstCapacity: -212, valid: true });
    expect(d.record.panicking).toBe(false);
    w.decider = d.state;
    reconcile(w, t);
    expect(w.replicas).toBe(1);
    expect(w.paState).toBe('Activating');
    expect(sksModeFor(1, d.result.excessBurstCapacity, w.paState)).toBe('Proxy');
  });
});
