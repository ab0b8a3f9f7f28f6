/**
 * Known Knative autoscaling problems (field notes §4.4) as scenarios: each scenario's log must
 * show the problem as today's Knative produces it, with the mechanism that causes it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PodEvent, RequestEvent } from '../../src/model/events.js';
import { decisionOf, runScenario, SCENARIOS, type ScenarioRun } from './helpers.js';

const s = (ms: number) => ms / 1000;

/** The pods of a revision that were deleted before they ever got Ready. */
function deletedUnready(run: ScenarioRun, revision: string): string[] {
  const phases = new Map<string, string[]>();
  for (const e of run.events) {
    if (e.type !== 'pod' || (e as PodEvent).revision !== revision) continue;
    const p = e as PodEvent;
    phases.set(p.pod, [...(phases.get(p.pod) ?? []), p.phase]);
  }
  return [...phases].filter(([, ph]) => ph.includes('Terminating') && !ph.includes('Ready')).map(([pod]) => pod);
}

describe('known problems reproduce', () => {
  it('panic-exit-undo (#3153): panic asks for over 1,000 pods, 40 are ready, and panic exit undoes nearly all in one tick', async () => {
    const run = await runScenario('panic-exit-undo.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    const rev = 'autoscale-go-00001';
    const ticks = run.ticks(rev).filter((t) => decisionOf(t).valid);
    const peak = Math.max(...ticks.map((t) => decisionOf(t).desiredPodCount as number));
    expect(peak).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...run.samples(rev).map((x) => x.ready))).toBeLessThanOrEqual(40);
    const exitAt = ticks.findIndex((t) => decisionOf(t).panicExited === true);
    expect(exitAt).toBeGreaterThan(0);
    const before = decisionOf(ticks[exitAt - 1]!);
    const exit = decisionOf(ticks[exitAt]!);
    // One tick: from the panic maximum to the stable want …
    expect(before.desiredPodCount).toBe(peak);
    expect(exit.desiredPodCount).toBe(exit.stableCount);
    expect(exit.desiredPodCount as number).toBeLessThanOrEqual(40);
    // … bounded only by half the READY pods (max-scale-down-rate 2), not by the pods asked for.
    expect(exit.maxScaleDown).toBe(Math.floor((exit.readyPods as number) / 2));
    expect(exit.desiredPodCount as number).toBeGreaterThanOrEqual(exit.maxScaleDown as number);
    // The load still came (20 per second), and the pods undone had never run.
    const at = ticks[exitAt]!.t;
    const sample = run.samples(rev).find((x) => x.t >= at)!;
    expect(sample.rps).toBeGreaterThanOrEqual(15);
    expect(deletedUnready(run, rev).length).toBeGreaterThan(1000);
  });

  it('panic-window-collapse (#9121): ~250 pods in panic, then halved every tick to one under the same load', async () => {
    const run = await runScenario('panic-window-collapse.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    const rev = 'hello-00001';
    const scales = run.scales(rev);
    const peak = Math.max(...scales.map((e) => e.to));
    expect(peak).toBeGreaterThanOrEqual(200);
    const exit = run.panics(rev).find((p) => !p.panicking)!;
    expect(exit).toBeDefined();
    const down = scales.filter((e) => e.t >= exit.t && e.to < e.from);
    expect(down[0]!.from).toBe(peak);
    // Each tick halves at most (max-scale-down-rate 2 of the ready pods), and it is over in seconds.
    for (const e of down) expect(e.to).toBeGreaterThanOrEqual(Math.floor(e.from / 2));
    const last = down.at(-1)!;
    expect(last.to).toBeLessThanOrEqual(2);
    expect(s(last.t - down[0]!.t)).toBeLessThanOrEqual(20);
    // The load did not change meanwhile.
    for (const x of run.samples(rev).filter((x) => x.t >= down[0]!.t && x.t <= last.t)) {
      expect(x.rps).toBeGreaterThanOrEqual(550);
    }
    expect(run.requests('done').every((d) => d.status === 200)).toBe(true);
  });

  it('burst-from-zero-503 (#2988): with target-burst-capacity 0 the first pods overflow with 503s', async () => {
    const run = await runScenario('burst-from-zero-503.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    const rev = 'hello-00001';
    const done = run.requests('done');
    const refused = done.filter((d) => d.status === 503);
    expect(refused.length).toBeGreaterThan(10_000);
    // They come from the queue-proxies once the activator has left the path.
    const serve = run.sks(rev).find((e) => e.mode === 'Serve')!;
    expect(serve).toBeDefined();
    for (const d of refused) expect(d.t).toBeGreaterThan(serve.t);
    expect(refused.every((d) => d.pod !== undefined)).toBe(true);
    expect(done.filter((d) => d.status !== 200 && d.status !== 503)).toEqual([]);
  });

  // Its own test (two runs of 20,000 requests made one test near its deadline on a loaded machine).
  it('burst-from-zero-503, the same burst with the default target-burst-capacity: the activator holds it, no 503', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'knsim-tbc-'));
    try {
      const text = readFileSync(join(SCENARIOS, 'burst-from-zero-503.yaml'), 'utf8')
        .replace(/^ *autoscaling\.knative\.dev\/target-burst-capacity: "0"\n/m, '')
        .replace(/^ {2}- 503 > 10000\n/m, '');
      const file = join(dir, 'burst-default-tbc.yaml');
      writeFileSync(file, text);
      const buffered = await runScenario(file);
      const bufferedDone = buffered.requests('done');
      expect(bufferedDone).toHaveLength(20_000);
      expect(bufferedDone.filter((d) => d.status !== 200)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cannot-start-buffered (#13211): the activator holds the request of an unschedulable revision for the whole 300 s, then 504', async () => {
    const run = await runScenario('cannot-start-buffered.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    const rev = 'api-00001';
    const done = run.requests('done');
    const gaveUp = done.find((d) => d.status === 0)!;
    const timedOut = done.find((d) => d.status === 504)!;
    // curl -m 10 gave up after 10 s; the activator dropped its request at once.
    expect(gaveUp.latencyMs).toBeCloseTo(10_000, 3);
    const arrived = (id: number) => run.requests('arrived').find((a) => a.id === id)!.t;
    const afterGiveUp = run.samples(rev).find((x) => x.t > gaveUp.t)!;
    expect(afterGiveUp.activatorQueue).toBe(0);
    // The plain curl waited the revision timeout, held by the activator, no pod ever ready.
    expect(timedOut.latencyMs!).toBeGreaterThanOrEqual(300_000);
    expect(timedOut.latencyMs!).toBeLessThan(300_010);
    const during = run.samples(rev).filter((x) => x.t > arrived(timedOut.id) + 1000 && x.t < timedOut.t);
    expect(during.length).toBeGreaterThan(290);
    for (const x of during) {
      expect(x.activatorQueue).toBe(1);
      expect(x.ready).toBe(0);
    }
    const wokenPod = run.events.filter(
      (e): e is PodEvent => e.type === 'pod' && e.revision === rev && e.t >= arrived(gaveUp.id),
    );
    expect(new Set(wokenPod.map((p) => p.phase))).toEqual(new Set(['Pending']));
    expect(run.transcript).toContain('activator request timeout');
    expect(run.transcript).toMatch(/api-00001 +api +1 +False +Unschedulable/);
    const stuck = run.events.filter((e): e is RequestEvent => e.type === 'request' && e.phase === 'held');
    expect(stuck.map((e) => e.id).sort()).toEqual([gaveUp.id, timedOut.id].sort());
  });
});
