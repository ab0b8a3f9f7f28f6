/**
 * The teaching scenarios reproduce Knative's autoscaling behaviour: each must run clean
 * (`knsim run` would exit 0) and its event log must show the key facts, with Knative's numbers.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decisionOf, runScenario, SCENARIOS, type ScenarioRun } from './helpers.js';

const s = (ms: number) => ms / 1000;

/** Every request that arrived was answered (200) or refused explicitly (503/504): none vanished. */
function expectNoRequestVanished(run: ScenarioRun): void {
  const arrived = run.requests('arrived');
  const done = run.requests('done');
  const doneIds = new Set(done.map((d) => d.id));
  expect(arrived.length).toBeGreaterThan(0);
  expect(arrived.filter((a) => !doneIds.has(a.id))).toEqual([]);
  expect(done.length).toBe(arrived.length);
  for (const d of done) expect([200, 503, 504]).toContain(d.status);
}

/** While a revision panics, successive scale events never go down. */
function expectNoScaleDownInPanic(run: ScenarioRun, revision: string): void {
  const timeline = [...run.panics(revision), ...run.scales(revision)].sort((a, b) => a.t - b.t);
  let panicking = false;
  for (const e of timeline) {
    if (e.type === 'panic') panicking = e.panicking;
    else if (panicking) expect(e.to, `scale at ${s(e.t)} s during panic`).toBeGreaterThanOrEqual(e.from);
  }
}

function lastDoneMs(run: ScenarioRun, revision: string): number {
  return Math.max(
    ...run
      .requests('done')
      .filter((r) => r.revision === revision)
      .map((r) => r.t),
  );
}

describe('scenarios reproduce Knative', () => {
  it('idle-to-zero: at the defaults the last pod goes about 60-63 s after the last request (fast path)', async () => {
    const run = await runScenario('idle-to-zero.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    const rev = 'idle-00001';
    const toZero = run.scales(rev).filter((e) => e.to === 0);
    expect(toZero).toHaveLength(1);
    const gap = s(toZero[0]!.t - lastDoneMs(run, rev));
    expect(gap).toBeGreaterThanOrEqual(60);
    expect(gap).toBeLessThanOrEqual(66);
    // The activator was in the path all along (EBC = 100 - 211 < 0): no grace period.
    expect(toZero[0]!.reason).toBe('fast-path');
    expect(run.sks(rev).filter((e) => e.mode === 'Serve')).toEqual([]);
    expectNoRequestVanished(run);
  });

  it('idle-to-zero-tbc0: with target-burst-capacity 0 the grace period applies, about 90 s', async () => {
    const run = await runScenario('idle-to-zero-tbc0.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    const rev = 'idle-00001';
    const last = lastDoneMs(run, rev);
    const toZero = run.scales(rev).filter((e) => e.to === 0);
    expect(toZero).toHaveLength(1);
    const gap = s(toZero[0]!.t - last);
    expect(gap).toBeGreaterThanOrEqual(88);
    expect(gap).toBeLessThanOrEqual(96);
    expect(toZero[0]!.reason).toBe('scale-to-zero');
    // The SKS switches to Proxy only when the PA goes inactive, about 60 s after the last request.
    const proxy = run.sks(rev).filter((e) => e.mode === 'Proxy' && e.t > last);
    expect(proxy).toHaveLength(1);
    expect(s(proxy[0]!.t - last)).toBeGreaterThanOrEqual(58);
    expect(s(proxy[0]!.t - last)).toBeLessThanOrEqual(64);
    expect(s(toZero[0]!.t - proxy[0]!.t)).toBeCloseTo(30, 0);
  });

  it('new-revision-idle: each new revision keeps one pod for about a minute, then none', async () => {
    const run = await runScenario('new-revision-idle.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    for (const rev of ['fresh-00001', 'fresh-00002']) {
      const ready = run.events.find((e) => e.type === 'pod' && e.revision === rev && e.phase === 'Ready') as {
        t: number;
      };
      const toZero = run.scales(rev).filter((e) => e.to === 0);
      expect(toZero, rev).toHaveLength(1);
      const kept = s(toZero[0]!.t - ready.t);
      expect(kept, rev).toBeGreaterThanOrEqual(58);
      expect(kept, rev).toBeLessThanOrEqual(64);
      expect(toZero[0]!.reason).toBe('fast-path');
    }
    expect(run.requests('arrived')).toEqual([]);
  });

  it('byo-revision-names: a rollback takes the named revision up again; a name taken by another template leaves traffic where it was', async () => {
    const run = await runScenario('byo-revision-names.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    // The Service's RoutesReady says why traffic did not move (Knative's MarkRevisionNameTaken).
    expect(run.transcript).toContain('RevisionNameTaken');
    // Three names, three revisions: the rollback to web-blue made none, and the reused name none.
    const revisions = new Set(
      run.events.filter((e) => e.type === 'pod').map((e) => (e as unknown as { revision: string }).revision),
    );
    expect([...revisions].sort()).toEqual(['web-blue', 'web-green', 'web-teal']);
  });

  it('image-typo: a tag that cannot be resolved fails the new revision with ContainerMissing, with no pod, and the old revision keeps the traffic', async () => {
    const run = await runScenario('image-typo.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    // No pod was ever made for the failed revision; the request went to the old one.
    const podRevisions = new Set(
      run.events.filter((e) => e.type === 'pod').map((e) => (e as unknown as { revision: string }).revision),
    );
    expect([...podRevisions].sort()).toEqual(['shop-00001', 'shop-00003']);
    expect(run.requests('done').map((r) => [r.revision, r.status])).toEqual([['shop-00001', 200]]);
  });

  it("kn-getting-started: kn prints the Service's progress and URL, the revision scales to zero, a cold start answers, --scale-min keeps a pod", async () => {
    const run = await runScenario('kn-getting-started.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    const t = run.transcript;
    expect(t).toContain("Creating service 'hello' in namespace 'default':\n\n");
    expect(t).toContain(
      "Ready to serve.\n\nService 'hello' created to latest revision 'hello-00001' is available at URL:\nhttp://hello.default.127.0.0.1.sslip.io\n",
    );
    expect(t).toContain("Service 'hello' updated to latest revision 'hello-00003' is available at URL:");
    // The split: half to the first revision, half to the latest ready one.
    expect(t).toMatch(/\nhello-00002 +hello +50% +2 /);
    expect(t).toMatch(/\nhello-00001 +hello +50% +1 /);
    // Scale to zero, then a cold start through the activator on the first revision.
    expect(run.scales('hello-00001').some((e) => e.to === 0)).toBe(true);
    const done = run.requests('done');
    expect(done.map((r) => [r.revision, r.status])).toEqual([
      ['hello-00001', 200],
      ['hello-00001', 200],
    ]);
    expect(t).toMatch(/HTTP 200 after \d\.\d s \(held by the activator while hello-00001 started a pod\)/);
    // min-scale 1 on the third revision: its pod stays up with no traffic.
    expect(run.scales('hello-00003').some((e) => e.to === 0)).toBe(false);
    expect(run.ticks('hello-00001').length).toBeGreaterThan(10);
  });

  it('route-split: a Route of its own splits 80/20 between pinned revisions, then sends all to the latest', async () => {
    const run = await runScenario('route-split.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    const done = run.requests('done');
    const before = done.filter((r) => r.t < 130_000);
    const canary = before.filter((r) => r.revision === 'api-00002').length / before.length;
    // 20 % by the Route's percent, drawn per request: within four standard deviations.
    expect(Math.abs(canary - 0.2)).toBeLessThan(4 * Math.sqrt((0.2 * 0.8) / before.length));
    expect(done.filter((r) => r.t > 140_000 && r.revision !== 'api-00002')).toEqual([]);
  });

  it('tag-header-routing: the tag header reaches the 0 % revision on the main URL, the URLs follow config-network templates', async () => {
    const run = await runScenario('tag-header-routing.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    // The kubectl URL column and the curl steps: the domain template and the tag template.
    expect(run.transcript).toContain('http://web-shop.example.com');
    expect(run.transcript).toMatch(
      /curl -H 'Knative-Serving-Tag: beta' http:\/\/web-shop\.example\.com\n.*\n.*served by web-00002/,
    );
    expect(run.transcript).toMatch(
      /curl -H 'Knative-Serving-Tag: gamma' http:\/\/web-shop\.example\.com\n.*\n.*served by web-00001/,
    );
    expect(run.transcript).toMatch(/curl http:\/\/web-beta-shop\.example\.com\n.*\n.*served by web-00002/);
    // Only the testers' phase (2 of the 22 requests a second) reaches the tagged revision.
    const load = run.requests('done').filter((r) => r.t >= 30_000);
    const tagged = load.filter((r) => r.revision === 'web-00002').length / load.length;
    expect(Math.abs(tagged - 2 / 22)).toBeLessThan(4 * Math.sqrt(((2 / 22) * (20 / 22)) / load.length));
  });

  it('crash-loop: an app that exits crash-loops, the revision fails with ExitCode1 and the termination message, the old revision keeps the traffic', async () => {
    const run = await runScenario('crash-loop.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    // Knative read the exit from the pod's lastState once the kubelet had restarted the container.
    expect(run.events).toContainEqual(
      expect.objectContaining({
        type: 'narration',
        text: 'revision shop-00002 failed (ExitCode1): Container failed with: DATABASE_URL is not set',
      }),
    );
    // kubectl shows the loop: restarts, then CrashLoopBackOff while the kubelet backs off.
    expect(run.transcript).toMatch(/shop-00002-deployment-\S+ +0\/2 +Running +1 \(1s ago\)/);
    expect(run.transcript).toMatch(/shop-00002-deployment-\S+ +0\/2 +CrashLoopBackOff +3 \(\d+s ago\)/);
    // The crashing pod was never ready, and no request went to it.
    const phases = run.events.filter(
      (e) => e.type === 'pod' && (e as unknown as { revision: string }).revision === 'shop-00002',
    );
    expect(phases.map((e) => (e as unknown as { phase: string }).phase)).not.toContain('Ready');
    expect(run.requests('done').map((r) => [r.revision, r.status])).toEqual([['shop-00001', 200]]);
    // The PodAutoscaler gives up 630 s after its first activating reconcile (0:06.4): a later
    // reconcile (the fix at 0:57.7, the Deployment's deadline at 10:07.4) does not put it off.
    const gone = run.events.find(
      (e) =>
        e.type === 'pod' &&
        (e as unknown as { revision: string }).revision === 'shop-00002' &&
        (e as unknown as { phase: string }).phase === 'Terminating',
    );
    expect(gone?.t).toBe(636_425);
  });

  it('crash-after-serving: a serving pod whose app exits fails its requests with 502, restarts and serves again; one pod fails the revision meanwhile, three do not', async () => {
    const run = await runScenario('crash-after-serving.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    expect(run.ticks('shop-00001').length).toBeGreaterThan(10);
    // One pod: no pod available while it restarts, and Knative reads the exit from its lastState.
    expect(run.events).toContainEqual(
      expect.objectContaining({
        type: 'narration',
        text: 'revision shop-00001 failed (ExitCode2): Container failed with: panic: runtime error: invalid memory address or nil pointer dereference',
      }),
    );
    // Three pods, each exiting at its own time: the others keep serving, the revision stays Ready.
    const narrations = run.events.filter((e) => e.type === 'narration').map((e) => (e as { text?: string }).text);
    expect(narrations.filter((t) => t?.startsWith('revision shop-00002 failed'))).toEqual([]);
    // Each exit fails the requests in the pod (EOF) and those sent to it until the kubelet saw it.
    const done = run.requests('done');
    const failed = done.filter((r) => r.status === 502);
    expect(failed.length).toBeGreaterThan(0);
    expect(done.every((r) => r.status === 200 || r.status === 502)).toBe(true);
    const restarts = run.events.filter(
      (e) => e.type === 'pod' && (e as unknown as { phase: string }).phase === 'Running',
    ) as unknown as { t: number; pod: string }[];
    for (const r of failed) {
      // Within the second before its pod turned Running again (the relist).
      const seen = restarts.find((p) => p.pod === r.pod && p.t >= r.t && p.t - r.t <= 1000);
      expect(seen, `502 at ${r.t} on ${r.pod}`).toBeDefined();
    }
    expect(run.transcript).toMatch(/shop-00001-deployment-\S+ +0\/2 +Running +1 \(1s ago\)/);
    expect(run.transcript).toMatch(/shop-00002-deployment-\S+ +2\/2 +Running +1 \(\d+s ago\)/);
  });

  it('liveness-restart: a hung app keeps its requests until its liveness probe has failed three times and the kubelet killed it; they fail with 502 then', async () => {
    const run = await runScenario('liveness-restart.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    expect(run.ticks('shop-00001').length).toBeGreaterThan(10);
    // Every request is answered or fails: none is left in the hung app.
    const done = run.requests('done');
    expect(done.length).toBe(run.requests('arrived').length);
    expect(done.every((r) => r.status === 200 || r.status === 502)).toBe(true);
    // The kubelet sees each end a relist (1 s) after it: the pod turns Running then.
    const seen = (
      run.events.filter(
        (e) => e.type === 'pod' && (e as unknown as { phase: string }).phase === 'Running',
      ) as unknown as {
        t: number;
      }[]
    )
      .map((p) => p.t)
      .slice(1);
    expect(seen).toEqual([123_330, 243_330]);
    const failed = done.filter((r) => r.status === 502);
    expect(failed.length).toBeGreaterThan(200);
    for (const r of failed) {
      // Ended with the app (a second before the relist) or refused until the relist.
      const end = seen.find((t) => r.t >= t - 1000 && r.t <= t);
      expect(end, `502 at ${r.t}`).toBeDefined();
    }
    // What waited in the hung app: from the hang (90 s after the start) to the kill's end.
    const waited = failed.filter((r) => r.t === seen[0]! - 1000).map((r) => r.latencyMs!);
    expect(Math.max(...waited)).toBeGreaterThan(25_000);
    expect(run.transcript).toContain(
      'Warning  Unhealthy  5s (x3 over 25s)   kubelet            Liveness probe failed: Get "http://10.244.0.1:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
    );
    expect(run.transcript).toContain(
      'Normal   Killing    5s                 kubelet            Container user-container failed liveness probe, will be restarted',
    );
    expect(run.transcript).toMatch(/Last State: +Terminated\n +Reason: +Error\n +Exit Code: +143/);
    expect(run.events).toContainEqual(
      expect.objectContaining({
        type: 'narration',
        text: 'revision shop-00001 failed (ExitCode143): Container failed with: ',
      }),
    );
    expect(run.transcript).toMatch(/shop-00001-deployment-\S+ +2\/2 +Running +2 \(\d+s ago\)/);
  });

  it('several-activators: each of 3 activators sends only to its slice of the 4 pods, the ingress gives each a third', async () => {
    const run = await runScenario('several-activators.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    expectNoRequestVanished(run);
    // Once the 4 pods are up, activators 1 and 2 (one pod each) are the bottleneck: they get a
    // third of the requests each, as activator 0 does, whose first pod (first available, CC 1)
    // takes nearly all of its third: three pods a third each, the fourth next to nothing. One
    // activator would keep all four busy.
    const late = run.requests('dispatched').filter((r) => r.t > 25_000);
    const shares = new Map<string, number>();
    for (const r of late) shares.set(r.pod!, (shares.get(r.pod!) ?? 0) + 1 / late.length);
    const sorted = [...shares.values()].sort((a, b) => b - a);
    for (const share of sorted.slice(0, 3)) expect(Math.abs(share - 1 / 3)).toBeLessThan(0.03);
    expect(sorted.slice(3).reduce((a, b) => a + b, 0)).toBeLessThan(0.05);
    // The same run with one activator: no slices, a shorter wait.
    const text = readFileSync(resolve(SCENARIOS, 'several-activators.yaml'), 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'knsim-activators-'));
    const one = join(dir, 'one-activator.yaml');
    writeFileSync(one, text.replace('activators: 3', 'activators: 1').replace('  - p50 > 800ms\n', ''));
    const single = await runScenario(one);
    expect(single.exitCode, single.transcript).toBe(0);
    expect(run.transcript).toMatch(/latency p50 1\.00 s/);
    expect(single.transcript).toMatch(/latency p50 604 ms/);
  });

  it('activator-on-path: 20 concurrent from zero → poke, panic, 3 pods, activator leaves at EBC >= 0', async () => {
    const run = await runScenario('activator-on-path.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    const rev = 'demo-00001';
    const burstAt = 120_000;
    // The activator's immediate stat pokes the decider: 0 → 1 at once, not at the next tick.
    const wake = run.scales(rev).find((e) => e.t >= burstAt && e.from === 0);
    expect(wake?.to).toBe(1);
    expect(wake!.t - burstAt).toBeLessThan(100);
    const pokeTick = run.ticks(rev).find((t) => t.t === wake!.t)!;
    expect(decisionOf(pokeTick).observedPanic).toBe(1);
    expect(decisionOf(pokeTick).excessBurstCapacity).toBe(-11); // floor(0 × 10 − 10 − 1)
    // Panic, and scale to ceil(20 / 7) = 3.
    const panicOn = run.panics(rev).find((p) => p.panicking && p.t > burstAt);
    expect(panicOn).toBeDefined();
    expect(Math.max(...run.scales(rev).map((e) => e.to))).toBe(3);
    const threeTick = run.ticks(rev).find((t) => t.t > burstAt && decisionOf(t).desiredPanic === 3);
    expect(threeTick).toBeDefined();
    expect(decisionOf(threeTick!).target).toBe(7);
    expect(
      threeTick!.explain?.some((l) => /^panic: 6-second average [\d.]+ needs 3 pods, which is at least 2 x/.test(l)),
    ).toBe(true);
    // The activator leaves the path (SKS Serve) once EBC = floor(ready × 10 − 10 − panic) >= 0.
    const serve = run.sks(rev).find((e) => e.mode === 'Serve' && e.t > burstAt);
    expect(serve).toBeDefined();
    const serveTick = run.ticks(rev).find((t) => t.t === serve!.t)!;
    expect(decisionOf(serveTick).excessBurstCapacity).toBeGreaterThanOrEqual(0);
    expect(decisionOf(serveTick).readyPods).toBe(3);
    const before = run.ticks(rev).filter((t) => t.t > burstAt && t.t < serve!.t && decisionOf(t).valid);
    for (const t of before) expect(decisionOf(t).excessBurstCapacity as number).toBeLessThan(0);
    expectNoScaleDownInPanic(run, rev);
    expectNoRequestVanished(run);
    expect(run.requests('done').every((d) => d.status === 200)).toBe(true);
  });

  it('slow-start-burst (#13284): panic keeps adding pods while they start; max-scale caps it', async () => {
    const run = await runScenario('slow-start-burst.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    const rev = 'slow-00001';
    const ups = run.scales(rev).filter((e) => e.to > e.from);
    // Many successive scale-ups while the new pods are still starting (20 s start-up) …
    const whileStarting = ups.filter((e) => {
      const sample = run.samples(rev).findLast((x) => x.t <= e.t);
      return sample !== undefined && sample.ready <= 1;
    });
    expect(whileStarting.length).toBeGreaterThanOrEqual(8);
    // … up to far more than the 3 pods the load needs.
    const peak = Math.max(...run.scales(rev).map((e) => e.to));
    expect(peak).toBeGreaterThan(200);
    expectNoScaleDownInPanic(run, rev);
    // Panic holds the peak until a stable window after the last over-threshold tick.
    const lastOver = run
      .ticks(rev)
      .filter((t) => decisionOf(t).overPanicThreshold)
      .at(-1)!;
    const calm = run.panics(rev).find((p) => !p.panicking)!;
    expect(s(calm.t - lastOver.t)).toBeGreaterThanOrEqual(60);
    expect(s(calm.t - lastOver.t)).toBeLessThanOrEqual(62);
    // The capped twin never asks for more than 5.
    expect(Math.max(...run.scales('slow-capped-00001').map((e) => e.to))).toBe(5);
    // The default node holds 26 revision pods (650m left at 25m each): the rest stay Pending.
    const readyTogether = (t: number) =>
      ['slow-00001', 'slow-capped-00001'].reduce(
        (n, r) => n + (run.samples(r).findLast((x) => x.t <= t)?.ready ?? 0),
        0,
      );
    const times = run.samples(rev).map((x) => x.t);
    expect(Math.max(...times.map(readyTogether))).toBe(26);
    expect(Math.max(...run.samples(rev).map((x) => x.pending))).toBeGreaterThan(200);
    expect(run.log).toContain(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..',
    );
    expectNoRequestVanished(run);
  });

  it('node-scale-up: a cold start waits for the cluster-autoscaler to add a node, about three minutes', async () => {
    const run = await runScenario('node-scale-up.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    const [done] = run.requests('done');
    expect(done?.status).toBe(200);
    // Provisioning (2 m 30 s) after the autoscaler's next scan, then pulls on the fresh node.
    expect(s(done!.latencyMs!)).toBeGreaterThan(150);
    expect(s(done!.latencyMs!)).toBeLessThan(200);
    expect(run.transcript).toContain('image pull 14.7 s');
    expect(run.transcript).toMatch(
      /TriggeredScaleUp +10s +cluster-autoscaler +pod triggered scale-up: \[{pool 1->2 \(max: 3\)}\]/,
    );
    // While it waits, Knative reports the pod the scheduler cannot place; it recovers once it serves.
    expect(run.transcript).toMatch(/api-00001 +api +1 +False +Unschedulable/);
    expect(run.transcript).toMatch(/api-00001 +api +1 +True +1 +1/);
  });

  it('node-scale-down: the node added for a burst goes ten minutes after its pods did, not before', async () => {
    const run = await runScenario('node-scale-down.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    const nodes = run.transcript.split('$ kubectl get nodes').slice(1);
    expect(nodes).toHaveLength(4);
    // Added during the burst, still there when the revision reached zero and at 14 min.
    for (const table of nodes.slice(0, 3)) expect(table).toMatch(/pool-m02 +Ready +<none>/);
    // The revision was at zero at about 5 min; ten minutes unneeded later the node is gone.
    expect(run.transcript).toMatch(/\[05:0\d\.\d{3}\] \$ kubectl get nodes/);
    expect(nodes[3]).not.toContain('pool-m02');
    expect(run.transcript).toContain('requests 3600: 3600 answered, no errors');
  });

  it('hpa-cpu: the HPA class scales on CPU every 15 s within its policies, waits 5 minutes to scale down, never to zero', async () => {
    const run = await runScenario('hpa-cpu.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    const rev = 'crunch-00001';
    const scales = run.scales(rev);
    expect(scales.length).toBeGreaterThan(2);
    for (const e of scales) {
      expect(e.reason).toBe('hpa');
      // On the 15 s grid of the HPA's syncs.
      expect(Math.round(e.t / 15_000) * 15_000).toBeCloseTo(e.t, -2);
      // Up by at most 4 pods or 100 % a step (the default policies).
      if (e.to > e.from) expect(e.to).toBeLessThanOrEqual(Math.max(e.from + 4, 2 * e.from));
    }
    // The load stops at 5 m; the scale-down comes only after the 5-minute stabilization window.
    const down = scales.find((e) => e.to < e.from)!;
    expect(s(down.t)).toBeGreaterThanOrEqual(5 * 60 + 4 * 60 + 30);
    // Then down to 1 within a few syncs. Kourier's round robin gives a pod with a backlog its
    // share as any other, so some pods still work after 5 m: a sync then may recommend a few pods,
    // and the window keeps that step for 5 minutes.
    const last = scales.at(-1)!;
    expect(last.to).toBe(1);
    expect(s(last.t - down.t)).toBeLessThanOrEqual(60);
    expect(
      Math.min(
        ...run
          .samples(rev)
          .filter((x) => x.t > 20_000)
          .map((x) => x.desired),
      ),
    ).toBe(1);
    // The activator is never in an HPA revision's path.
    expect(
      run
        .samples(rev)
        .filter((x) => x.t > 20_000)
        .every((x) => !x.activatorInPath),
    ).toBe(true);
    expect(run.transcript).toMatch(/crunch-00001 +Deployment\/crunch-00001-deployment +cpu: \d+%\/50% +1 +40 /);
  });

  it('overloaded-activator (#13583): the queue fills to 10,000, then 503s; queued requests end in 200 or 504, none after 300 s', async () => {
    const run = await runScenario('overloaded-activator.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    const rev = 'slowapi-00001';
    const samples = run.samples(rev);
    expect(Math.max(...samples.map((x) => x.activatorQueue))).toBe(10_000);
    const full = samples.find((x) => x.activatorQueue >= 10_000)!;
    // 200 rps from 30 s, 2 served per 30 s: full after about 50 s.
    expect(s(full.t)).toBeGreaterThan(75);
    expect(s(full.t)).toBeLessThan(85);
    const done = run.requests('done');
    const first503 = done.find((d) => d.status === 503)!;
    expect(first503.t).toBeGreaterThanOrEqual(full.t - 1000);
    expect(done.filter((d) => d.status === 503).length).toBeGreaterThan(10_000);
    const timeouts = done.filter((d) => d.status === 504);
    expect(timeouts.length).toBeGreaterThan(9_000);
    // The activator's timeout fires at 300 s, not at its next look: every 504 comes right then.
    for (const d of timeouts) {
      expect(d.latencyMs).toBeGreaterThanOrEqual(300_000);
      expect(d.latencyMs).toBeLessThan(300_010);
    }
    // No 200 arrives after the timeout: a request the pod takes late is cut at 300 s too.
    const answered = done.filter((d) => d.status === 200);
    expect(answered.length).toBeGreaterThan(10);
    for (const d of answered) expect(d.latencyMs).toBeLessThanOrEqual(300_010);
    expect(Math.max(...run.scales(rev).map((e) => e.to), 1)).toBe(1);
    expect(samples.every((x) => x.ready <= 1)).toBe(true);
    expectNoRequestVanished(run);
  });

  it('small-cc-oscillation (#10275): a CPU-bound app (one core per pod, shared by its requests) makes the pod count swing every minute or two', async () => {
    const run = await runScenario('small-cc-oscillation.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    const rev = 'osc-00001';
    const late = run.samples(rev).filter((x) => x.t >= 120_000 && x.t <= 440_000);
    // Count swings: from below 20 to above 35 and back.
    let swings = 0;
    let high = false;
    for (const x of late) {
      if (!high && x.desired > 35) {
        high = true;
        swings++;
      } else if (high && x.desired < 20) high = false;
    }
    expect(swings).toBeGreaterThanOrEqual(3);
    expect(Math.min(...late.map((x) => x.desired))).toBeLessThan(20);
    expectNoScaleDownInPanic(run, rev);
    expectNoRequestVanished(run);
  });

  it('seed-walkthrough still passes, and a new revision with no traffic is removed about a minute after it is ready', async () => {
    const run = await runScenario('seed-walkthrough.yaml');
    expect(run.exitCode, run.transcript).toBe(0);
    const rev = 'knservice-00001';
    const ready = run.events.find((e) => e.type === 'pod' && e.revision === rev && e.phase === 'Ready')!;
    const toZero = run.scales(rev).find((e) => e.to === 0)!;
    expect(s(toZero.t - ready.t)).toBeGreaterThanOrEqual(58);
    expect(s(toZero.t - ready.t)).toBeLessThanOrEqual(64);
  });

  it('every tick event says what the KPA saw and did: inputs, outputs, PA state and SKS mode', async () => {
    const run = await runScenario('activator-on-path.yaml');
    const ticks = run.ticks('demo-00001');
    expect(ticks.length).toBeGreaterThan(50);
    for (const t of ticks) {
      const d = decisionOf(t);
      for (const key of ['readyPods', 'target', 'desiredPodCount', 'excessBurstCapacity', 'panicking', 'valid']) {
        expect(d, `${key} at ${t.t}`).toHaveProperty(key);
      }
      if (d.valid) {
        for (const key of ['observedStable', 'observedPanic', 'desiredStable', 'desiredPanic', 'maxScaleUp']) {
          expect(typeof d[key], `${key} at ${t.t}`).toBe('number');
        }
      }
      expect(t.context).toBeDefined();
      expect(['Active', 'Activating', 'Inactive']).toContain(t.context?.paState);
      expect(['Serve', 'Proxy']).toContain(t.context?.sksMode);
      expect(typeof t.context?.replicas).toBe('number');
      expect(t.explain?.at(-1)).toMatch(/^state: PA (Active|Activating|Inactive) for/);
      if (t.scale) {
        for (const key of ['minScale', 'maxScale', 'boundsApplied', 'gate', 'want']) {
          expect(t.scale, `${key} at ${t.t}`).toHaveProperty(key);
        }
      }
    }
  });
});
