/** The KPA runtime's own rules (src/sim/controllers/autoscaler.ts), seen through scenario logs. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decisionOf, runScenario } from './helpers.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');

describe('KPA runtime', () => {
  it('keeps the recent data when the stable window changes (Knative resizes the windows)', async () => {
    const run = await runScenario(resolve(FIXTURES, 'window-change.yaml'));
    expect(run.exitCode, run.transcript).toBe(0);
    const rev = 'w-00001';
    const lastDone = Math.max(...run.requests('done').map((r) => r.t));
    expect(lastDone).toBeLessThan(32_000);
    // Right after the change the 20 s window still holds the load of the last seconds …
    const after = run.ticks(rev).find((t) => t.t > 32_000)!;
    expect(decisionOf(after).stableWindowMs).toBe(20_000);
    expect(decisionOf(after).observedStable as number).toBeGreaterThan(5);
    // … so the revision goes to zero only once 20 s without traffic have passed.
    const toZero = run.scales(rev).find((e) => e.to === 0)!;
    expect(toZero.t - lastDone).toBeGreaterThanOrEqual(19_000);
  });

  it('keeps the scale-down delay window made with the autoscaler when the spec changes (Update swaps only the spec)', async () => {
    const run = await runScenario(resolve(FIXTURES, 'delay-change.yaml'));
    expect(run.exitCode, run.transcript).toBe(0);
    const rev = 'd-00001';
    const lastDone = Math.max(...run.requests('done').map((r) => r.t));
    expect(lastDone).toBeLessThan(32_000);
    const peak = Math.max(...run.scales(rev).map((e) => e.to));
    expect(peak).toBeGreaterThan(1);
    // After the change to 0 s the ticks still use the 60 s window made at creation …
    const after = run.ticks(rev).find((t) => t.t > 33_000)!;
    expect(decisionOf(after).scaleDownDelayMs).toBe(60_000);
    // … so the burst's pods stay about a minute (a 6 s stable window alone would let them go at once).
    const down = run.scales(rev).find((e) => e.t > 30_000 && e.to < peak)!;
    expect(down.t - lastDone).toBeGreaterThanOrEqual(50_000);
  });

  it('pokes the decider at once when a request arrives at zero', async () => {
    const run = await runScenario('seed-walkthrough.yaml');
    const rev = 'knservice-00001';
    const wake = run.scales(rev).find((e) => e.from === 0 && e.to === 1)!;
    const arrived = run.requests('arrived').find((r) => r.t <= wake.t && r.t > wake.t - 1000)!;
    expect(wake.t).toBe(arrived.t);
    const tick = run.ticks(rev).find((t) => t.t === wake.t)!;
    expect(tick.context?.reconciled).toBe(true);
    expect(decisionOf(tick).observedPanic).toBe(1);
  });
});
