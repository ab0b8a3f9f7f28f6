import { describe, expect, it } from 'vitest';
import type { DecisionRecord, ScaleInput } from '../../src/model/kpa/index.js';
import { computeScale, decide, explainDecision, explainScale, newDeciderState } from '../../src/model/kpa/index.js';
import { obs, spec } from './fixtures.js';

const S = 1000;

function record(
  o: ReturnType<typeof obs>,
  overrides: Parameters<typeof spec>[0] = {},
  readyAtStart = 1,
): DecisionRecord {
  const s = spec(overrides);
  return decide(s, newDeciderState(s, readyAtStart), o, 10 * S).record;
}

describe('explainDecision', () => {
  it('a quiet revision at the defaults', () => {
    expect(explainDecision(record(obs(1, 0)))).toEqual([
      'stable: 60-second average 0.0 needs 0 pods',
      'panic: 6-second average 0.0 needs 0 pods, which is below 2 x 1 ready pod',
      'decision: 0 pods',
      'excess burst capacity -111 = floor(1 × 100 − 211 − 0) < 0: the activator stays in the path',
    ]);
  });

  it('the blog burst: panic 19.9 against target 7 with 1 pod', () => {
    const lines = explainDecision(record(obs(1, 5, 19.874), { targetValue: 7, totalValue: 10 }));
    expect(lines).toContain('panic: 6-second average 19.9 needs 3 pods, which is at least 2 x 1 ready pod');
    expect(lines).toContain('entering panic mode: no scale-down until a 60 s stable window passes');
    expect(lines).toContain('decision: 3 pods');
    expect(lines.at(-1)).toBe(
      'excess burst capacity -221 = floor(1 × 10 − 211 − 19.9) < 0: the activator stays in the path',
    );
  });

  it('names the scale-down rate limit', () => {
    const lines = explainDecision(record(obs(4, 0), {}, 1));
    expect(lines).toContain('scale-down limited to 2 by max-scale-down-rate 2');
  });

  it('names the scale-up rate limit', () => {
    const lines = explainDecision(record(obs(1, 700, 0), { maxScaleUpRate: 2 }));
    expect(lines).toContain('scale-up limited to 2 by max-scale-up-rate 2');
  });

  it('says when panic holds the maximum', () => {
    const s = spec();
    const a = decide(s, newDeciderState(s, 1), obs(1, 0, 500), 0);
    const b = decide(s, a.state, obs(8, 0, 100), 2 * S);
    expect(explainDecision(b.record)).toContain(
      'panicking: no scale-down, holding the panic maximum of 8 pods (wants 4)',
    );
  });

  it('says when the activator can leave the path', () => {
    const lines = explainDecision(record(obs(3, 70, 70), {}, 1));
    expect(lines.at(-1)).toBe(
      'excess burst capacity 19 = floor(3 × 100 − 211 − 70) ≥ 0: the activator can leave the path',
    );
  });

  it('explains TBC 0 and −1', () => {
    expect(explainDecision(record(obs(1, 0), { targetBurstCapacity: 0 })).at(-1)).toContain('only at zero scale');
    expect(explainDecision(record(obs(1, 0), { targetBurstCapacity: -1 })).at(-1)).toContain('always in the path');
  });

  it('explains an invalid tick', () => {
    expect(explainDecision(record({ readyPods: 1, error: 'no data' }))).toEqual([
      'no decision: no data, so the previous decision stays',
    ]);
  });

  it('explains the activation scale and the scale-down delay', () => {
    expect(explainDecision(record(obs(1, 1, 1), { activationScale: 3 }))).toContain(
      'activation-scale 3 lifts the non-zero want to 3 pods',
    );
    const s = spec({ scaleDownDelayMs: 60 * S });
    const a = decide(s, newDeciderState(s, 0), obs(0, 140.01, 0), 0);
    const b = decide(s, a.state, obs(3, 0, 0), 2 * S);
    expect(explainDecision(b.record)).toContain('scale-down delay 1m0s holds 3 pods (would be 1)');
  });
});

describe('explainScale', () => {
  const base: ScaleInput = {
    spec: spec(),
    desired: 0,
    paState: 'Active',
    paStateSinceMs: 0,
    scaleTargetInitialized: true,
    currentReplicas: 1,
    sksMode: 'Proxy',
    proxySinceMs: 0,
    activatorProbeOk: true,
    nowMs: 12 * S,
  };

  it.each<[string, Partial<ScaleInput>, string]>([
    ['stable window', {}, 'waiting for the stable window: PA active for 12 s of 60 s'],
    [
      'mark inactive',
      { nowMs: 60 * S },
      'PA active for 60 s, at least the stable window of 60 s: marking it inactive (NoTraffic) without scaling',
    ],
    [
      'fast path',
      { paState: 'Inactive', paStateSinceMs: 60 * S, proxySinceMs: 0, nowMs: 63 * S },
      'fast path: the activator has been in the path for 63 s, at least the grace period of 30 s: scaling to 0',
    ],
    [
      'grace period',
      { paState: 'Inactive', paStateSinceMs: 0, proxySinceMs: 2 * S, nowMs: 12 * S },
      'grace period: the activator has been in the path for 10 s of 30 s; re-checking in 20 s',
    ],
    [
      'probe pending',
      { paState: 'Inactive', activatorProbeOk: false },
      'the activator is not yet confirmed in the path: probing it, not scaling to zero yet',
    ],
    [
      'fast path when already at zero',
      { paState: 'Inactive', paStateSinceMs: 60 * S, proxySinceMs: 0, nowMs: 63 * S, currentReplicas: 0 },
      'fast path: the activator has been in the path for 63 s, at least the grace period of 30 s: staying at 0',
    ],
    ['scale up', { desired: 3 }, 'scale: scaling the deployment to 3 replicas'],
    [
      'bounds',
      { desired: 10, spec: spec({ maxScale: 8 }) },
      'bounds: 10 lowered to max-scale 8; scaling the deployment to 8 replicas',
    ],
    ['no metrics', { desired: -1 }, 'no metrics yet: the desired scale is unknown, nothing applied'],
  ])('%s', (_name, over, line) => {
    expect(explainScale(computeScale({ ...base, ...over }))).toEqual([line]);
  });

  it('shows a small but non-zero average with two significant digits', () => {
    const stableLine = (stable: number) => explainDecision(record(obs(1, stable, 0)))[0];
    expect(stableLine(0.017)).toBe('stable: 60-second average 0.017 needs 1 pod');
    expect(stableLine(0)).toBe('stable: 60-second average 0.0 needs 0 pods');
    expect(stableLine(19.874)).toBe('stable: 60-second average 19.9 needs 1 pod');
  });

  it('explainDecision appends the scale step', () => {
    const lines = explainDecision(record(obs(1, 0)), computeScale(base));
    expect(lines.at(-1)).toBe('waiting for the stable window: PA active for 12 s of 60 s');
  });
});
