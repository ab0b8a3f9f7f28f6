/**
 * Properties of the running simulation (fast-check, 300 generated cases each): one Knative
 * Service with generated config-autoscaler values, annotations, containerConcurrency, a handful
 * of request bursts and a seed, run for a few simulated minutes (test/sim/properties.harness.ts).
 * The pure decider's properties (including "more load never gives fewer pods") are in
 * test/kpa/properties.test.ts; these check what the simulator does with them, from its event log.
 *
 * Every property below draws the same 300 cases (same arbitrary, same seed), so each case is
 * simulated once and its facts are shared (`factsOf`); shrinking runs new cases as usual.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PodAutoscaler } from '../../src/model/api/types.js';
import type { LogEvent } from '../../src/model/events.js';
import { getCondition } from '../../src/model/rules/conditions.js';
import { parseIso } from '../../src/model/rules/time.js';
import { type Case, caseArb, REVISION, runCase } from './properties.harness.js';

// numRuns 300 (was 1,000, issue 14: these were a fifth of the suite's time): the guard at the
// end checks that these cases still panic, scale to zero, wake up again and overload the
// revision; the seed stays fixed and printed, so a failure replays.
const RUNS = { numRuns: 300, seed: 42 } as const;
/** A full run again (the first is factsOf's) and a short one per case (was 200 cases): the same seed as RUNS, so its first cases. */
const DETERMINISM_RUNS = { numRuns: 60, seed: 42 } as const;

interface Facts {
  c: Case;
  stableWindowMs: number;
  gracePeriodMs: number;
  retentionMs: number;
  minScale: number;
  maxScale: number;
  scales: { t: number; from: number; to: number; reason: string }[];
  panics: { t: number; panicking: boolean }[];
  sks: { t: number; mode: string }[];
  /** PA Active condition changes: log time and the condition's own (whole-second) transition time. */
  paActive: { t: number; status: string; sinceMs: number }[];
  /** Each switch of the SKS to Serve, with the last valid decision's EBC at or before it. */
  serve: { t: number; ebc: number | null }[];
  /** Samples with no ready pod: was the activator in the path? */
  zeroReady: { t: number; activatorInPath: boolean }[];
  arrivals: { id: number; t: number }[];
  dones: { id: number; t: number; status: number }[];
  /** The run's whole log, hashed (SHA-256): the determinism property runs the case again. */
  logHash: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const cache = new Map<string, Facts>();

function factsOf(c: Case): Facts {
  const key = JSON.stringify(c);
  const hit = cache.get(key);
  if (hit) return hit;
  const run = runCase(c);
  const paActive: Facts['paActive'] = [];
  let last: string | undefined;
  for (const e of run.events) {
    if (e.type !== 'object' || e.kind !== 'PodAutoscaler' || e.name !== REVISION) continue;
    const active = getCondition((e.object as PodAutoscaler).status?.conditions, 'Active');
    if (!active || active.status === last) continue;
    last = active.status;
    paActive.push({
      t: e.t,
      status: active.status,
      sinceMs: active.lastTransitionTime ? parseIso(active.lastTransitionTime) : e.t,
    });
  }
  const validTicks = run.events.filter(
    (e) => e.type === 'kpa.tick' && e.revision === REVISION && e.decision.valid === true,
  ) as { t: number; decision: Record<string, unknown> }[];
  const serve = run.events
    .filter((e) => e.type === 'sks' && e.revision === REVISION && e.mode === 'Serve')
    .map((e) => {
      const last = validTicks.filter((k) => k.t <= e.t).at(-1);
      return { t: e.t, ebc: last ? (last.decision.excessBurstCapacity as number) : null };
    });
  const facts: Facts = {
    c,
    stableWindowMs: run.stableWindowMs,
    gracePeriodMs: run.gracePeriodMs,
    retentionMs: run.retentionMs,
    minScale: run.minScale,
    maxScale: run.maxScale,
    scales: run.scales().map(({ t, from, to, reason }) => ({ t, from, to, reason })),
    panics: run.panics().map(({ t, panicking }) => ({ t, panicking })),
    sks: run.events
      .filter((e) => e.type === 'sks' && e.revision === REVISION)
      .map((e) => ({ t: e.t, mode: (e as { mode: string }).mode })),
    paActive,
    serve,
    zeroReady: run
      .samples()
      .filter((s) => s.ready === 0)
      .map((s) => ({ t: s.t, activatorInPath: s.activatorInPath })),
    arrivals: run.requests('arrived').map((r) => ({ id: r.id, t: r.t })),
    dones: run.requests('done').map((r) => ({ id: r.id, t: r.t, status: r.status ?? 0 })),
    logHash: sha256(run.text()),
  };
  cache.set(key, facts);
  return facts;
}

// The first property simulates the 300 cases (about 6 s of CPU); on a busy 2-core machine
// that can take minutes of wall time, so the deadline is generous. Nothing here is timed.
describe('simulation properties (300 generated cases each)', { timeout: 600_000 }, () => {
  it('never scales down while the revision is panicking', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const f = factsOf(c);
        const timeline = [
          ...f.panics.map((p) => ({ ...p, kind: 'panic' as const })),
          ...f.scales.map((s) => ({ ...s, kind: 'scale' as const })),
        ].sort((a, b) => a.t - b.t || (a.kind === 'panic' ? -1 : 1));
        let panicking = false;
        for (const e of timeline) {
          if (e.kind === 'panic') panicking = e.panicking;
          else if (panicking && e.to < e.from) return false;
        }
        return true;
      }),
      RUNS,
    );
  });

  it('applies replica counts within [min-scale, max-scale] (max when > 0)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const f = factsOf(c);
        return f.scales.every((s) => s.to >= f.minScale && (f.maxScale === 0 || s.to <= f.maxScale));
      }),
      RUNS,
    );
  });

  it('scales to zero only after a stable window without traffic, with the PA inactive and the gate passed', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const f = factsOf(c);
        for (const s of f.scales.filter((x) => x.to === 0)) {
          if (c.autoscaler['enable-scale-to-zero'] === 'false' || f.minScale > 0) return false;
          // A full stable window of no traffic, as the autoscaler measures it in 1 s buckets:
          // the last arrival's second always holds a stat (the activator's first-request stat,
          // or the queue-proxy's count), so the window forgets it a stable window after that
          // second; with the concurrency metric, in-flight time is measured too, so not before
          // a stable window (less one bucket) after the last answer. Requests per second only
          // count arrivals.
          const lastArrival = Math.max(0, ...f.arrivals.filter((a) => a.t <= s.t).map((a) => a.t));
          const lastDone = Math.max(0, ...f.dones.filter((d) => d.t <= s.t).map((d) => d.t));
          if (f.arrivals.length > 0 && s.t < Math.floor(lastArrival / 1000) * 1000 + f.stableWindowMs) return false;
          const rps = c.annotations['autoscaling.knative.dev/metric'] === 'rps';
          if (!rps && f.dones.length > 0 && s.t < lastDone + f.stableWindowMs - 1000) return false;
          // With the concurrency metric no request is in flight then. (Requests per second
          // only see arrivals: a long request can still be in a pod, which drains it, or in
          // the activator, as in Knative.)
          const answered = new Set(f.dones.filter((d) => d.t <= s.t).map((d) => d.id));
          if (!rps && f.arrivals.some((a) => a.t <= s.t && !answered.has(a.id))) return false;
          // The PA is inactive; the activator (SKS Proxy) is in the path.
          const pa = f.paActive.filter((p) => p.t <= s.t).at(-1);
          if (pa?.status !== 'False') return false;
          const mode = f.sks.filter((x) => x.t <= s.t).at(-1)?.mode ?? 'Proxy';
          if (mode !== 'Proxy') return false;
          // The gate: inactive for max(grace, retention), or for the retention with the
          // activator in the path for the whole grace period (the fast path).
          const inactiveFor = s.t - pa.sinceMs;
          const proxySince = f.sks.filter((x) => x.t <= s.t && x.mode === 'Proxy').at(-1)?.t ?? 0;
          const gate =
            inactiveFor >= Math.max(f.gracePeriodMs, f.retentionMs) ||
            (inactiveFor >= f.retentionMs && s.t - proxySince >= f.gracePeriodMs);
          if (!gate) return false;
        }
        return true;
      }),
      RUNS,
    );
  });

  it('keeps the activator in the path whenever the revision has no ready pod', () => {
    fc.assert(
      fc.property(caseArb, (c) => factsOf(c).zeroReady.every((s) => s.activatorInPath)),
      RUNS,
    );
  });

  it('takes the activator out of the path only when the excess burst capacity is not negative', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const f = factsOf(c);
        // TBC −1: the activator is always in the path.
        if (c.autoscaler['target-burst-capacity'] === '-1') return f.serve.length === 0;
        // Otherwise Serve follows a decision with EBC ≥ 0 (before the first valid decision the
        // decider's initial EBC applies, which the log does not show: those are skipped).
        return f.serve.every((s) => s.ebc === null || s.ebc >= 0);
      }),
      RUNS,
    );
  });

  it('answers every accepted request, or refuses it explicitly with 503/504: none vanishes', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const f = factsOf(c);
        const expected = c.bursts.reduce((n, b) => n + b.count, 0);
        if (f.arrivals.length !== expected || f.dones.length !== expected) return false;
        const done = new Map(f.dones.map((d) => [d.id, d]));
        return f.arrivals.every((a) => {
          const d = done.get(a.id);
          return d !== undefined && d.t >= a.t && [200, 503, 504].includes(d.status);
        });
      }),
      RUNS,
    );
  });

  it('gives the same log for the same seed (byte for byte) and other timings for another seed', () => {
    // Fewer cases than the other properties, each simulated in full (both runs reach the bursts,
    // scale to zero and the wake-ups), so the comparison covers every path a case takes. The
    // first run is the one the properties above made (its log hashed in factsOf, hundreds of
    // runs ago in this process): the second, here, must write the same bytes.
    fc.assert(
      fc.property(caseArb, (c) => {
        const first = factsOf(c).logHash;
        const a = runCase(c);
        if (sha256(a.text()) !== first) return false;
        // Pod start-up phases are drawn from the seed: the pods' phase times differ. The first
        // pod starts at once, so a short run shows it.
        const other = runCase({ ...c, seed: c.seed + 1 }, { horizonMs: 20_000 });
        const early = a.events.filter((e) => e.t <= 20_000);
        const podTimes = (events: readonly LogEvent[]) =>
          events
            .filter((e) => e.type === 'pod')
            .map((e) => e.t)
            .join(',');
        return podTimes(early) !== '' && podTimes(early) !== podTimes(other.events);
      }),
      DETERMINISM_RUNS,
    );
  });

  it('draws cases that exercise the interesting paths', () => {
    // Guards the generators: enough of the 300 cases (the same shares as of 1,000 before) panic,
    // scale to zero and wake up again.
    const cases = fc.sample(caseArb, RUNS);
    const facts = cases.map(factsOf);
    const count = (p: (f: Facts) => boolean) => facts.filter(p).length;
    expect(count((f) => f.panics.some((p) => p.panicking))).toBeGreaterThan(15);
    expect(count((f) => f.scales.some((s) => s.to === 0))).toBeGreaterThan(60);
    expect(count((f) => f.scales.some((s) => s.from === 0 && s.to > 0))).toBeGreaterThan(15);
    // Some cases overload the revision: the activator refuses (503) or times out (504) requests.
    expect(count((f) => f.dones.some((d) => d.status === 503))).toBeGreaterThan(0);
    expect(count((f) => f.dones.some((d) => d.status === 504))).toBeGreaterThan(0);
  });
});
