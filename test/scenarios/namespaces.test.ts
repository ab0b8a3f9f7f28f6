/**
 * Same-named Services in two namespaces (scenarios/two-namespaces.yaml) share no data plane:
 * traffic reaches only its own namespace's pods, each revision scales on its own metrics, and
 * results count them apart. The log names the other namespace's revision `team-a/web-00001`.
 */
import { describe, expect, it } from 'vitest';
import type { PodEvent, RequestEvent, ScaleEvent, StatEvent } from '../../src/model/events.js';
import { resultsOfLog } from '../../src/results/results.js';
import { runScenario } from './helpers.js';

const HOME = 'web-00001';
const TEAM_A = 'team-a/web-00001';

describe('two namespaces, one Service name', async () => {
  const run = await runScenario('two-namespaces.yaml');
  const pods = run.events.filter((e): e is PodEvent => e.type === 'pod');
  const podsOf = (revision: string) => new Set(pods.filter((p) => p.revision === revision).map((p) => p.pod));
  const requests = run.events.filter((e): e is RequestEvent => e.type === 'request');

  it('runs clean', () => {
    expect(run.exitCode, run.transcript).toBe(0);
  });

  it('each namespace has its own pods', () => {
    expect(podsOf(HOME).size).toBeGreaterThan(0);
    expect(podsOf(TEAM_A).size).toBeGreaterThan(0);
    for (const pod of podsOf(HOME)) expect(podsOf(TEAM_A).has(pod), pod).toBe(false);
  });

  it("a request is only ever sent to a pod of its own namespace's revision", () => {
    const served = requests.filter((r) => r.phase === 'dispatched' || r.phase === 'done').filter((r) => r.pod);
    expect(served.length).toBeGreaterThan(700);
    for (const r of served) expect(podsOf(r.revision!).has(r.pod!), `request ${r.id} → ${r.pod}`).toBe(true);
  });

  it("the curl to team-a's idle Service waits for its own cold start (not 6 ms on a pod of default)", () => {
    const curl = requests.find((r) => r.phase === 'done' && r.revision === TEAM_A)!;
    expect(curl).toBeDefined();
    expect(curl.cold).toBe(true);
    expect(curl.latencyMs).toBeGreaterThan(1000);
    // Served by the pod team-a started for it, after its first pod had gone.
    const gone = pods.find((p) => p.revision === TEAM_A && p.phase === 'Gone')!;
    const started = pods.find((p) => p.pod === curl.pod && p.phase === 'Pending')!;
    expect(started.revision).toBe(TEAM_A);
    expect(started.t).toBeGreaterThanOrEqual(gone.t);
  });

  it("each revision scales on its own traffic: team-a's goes to zero under default's load", () => {
    const loadEnds = 100_000;
    const scales = (r: string) => run.events.filter((e): e is ScaleEvent => e.type === 'scale' && e.revision === r);
    expect(scales(TEAM_A).some((s) => s.to === 0 && s.t < loadEnds)).toBe(true);
    expect(scales(HOME).filter((s) => s.to === 0 && s.t < loadEnds)).toEqual([]);
    // team-a's autoscaler saw no concurrency while only default had traffic.
    const stats = run.events.filter(
      (e): e is StatEvent => e.type === 'stat' && e.revision === TEAM_A && e.t > 25_000 && e.t < 90_000,
    );
    expect(stats.length).toBeGreaterThan(0);
    for (const s of stats) expect(s.averageConcurrency).toBe(0);
  });

  it('results count the two services apart', () => {
    const results = resultsOfLog(run.events, 'default');
    const byName = new Map(results.services.map((s) => [s.service, s]));
    expect([...byName.keys()].sort()).toEqual(['team-a/web', 'web']);
    expect(byName.get('team-a/web')!.requests).toBe(1);
    expect(byName.get('team-a/web')!.coldStarts).toBe(1);
    expect(byName.get('web')!.requests).toBe(800);
    expect(byName.get('web')!.coldStarts).toBe(0);
    expect(run.transcript).toContain('service team-a/web (revision team-a/web-00001):');
  });
});
