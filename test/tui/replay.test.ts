import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/api/types.js';
import type { LogEvent, LogHeader, PodEvent, RequestEvent, ScaleEvent } from '../../src/model/events.js';
import { ReplayIndex } from '../../src/tui/model/replay.js';
import { find, type SeedRun, seedRun } from './helpers.js';

let run: SeedRun;
let index: ReplayIndex;
beforeAll(async () => {
  run = await seedRun();
  index = new ReplayIndex(run.header, run.events);
});

const isScaleToZero = (e: LogEvent): e is ScaleEvent => e.type === 'scale' && e.to === 0;
const isGone = (e: LogEvent): e is PodEvent => e.type === 'pod' && e.phase === 'Gone';
const isDone = (e: LogEvent): e is RequestEvent => e.type === 'request' && e.phase === 'done';

function podNames(pos: number): string[] {
  return index.objectsOfKind(pos, 'Pod').map((p) => p.metadata.name);
}

describe('the replay index on the seed walk-through', () => {
  it('sorts events by time and ends at the last one', () => {
    const times = index.events.map((e) => e.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(index.endT).toBe(run.events.at(-1)?.t);
    expect(index.revisions).toEqual(['knservice-00001']);
  });

  it('finds the position of a time: every event at or before it applied', () => {
    const gone = find(run.events, isGone);
    const pos = index.posAt(gone.t);
    expect(index.events[pos - 1]!.t).toBeLessThanOrEqual(gone.t);
    expect(index.events[pos]?.t ?? Number.POSITIVE_INFINITY).toBeGreaterThan(gone.t);
    expect(index.posAt(-1)).toBe(0);
    expect(index.posAt(index.endT)).toBe(index.length);
  });

  it('has one pod before scale to zero, none once it is gone, and a new one at the end', () => {
    const zero = find(run.events, isScaleToZero);
    const gone = find(run.events, isGone);
    expect(podNames(index.posAt(zero.t))).toEqual([gone.pod]);
    expect(podNames(index.posAt(gone.t))).toEqual([]);
    const last = podNames(index.length);
    expect(last).toHaveLength(1);
    expect(last[0]).not.toBe(gone.pod);
  });

  it('gives the same objects from snapshots as from replaying everything, at every position', async () => {
    const small = new ReplayIndex(run.header, run.events, { snapshotEvery: 3 });
    const none = new ReplayIndex(run.header, run.events, { snapshotEvery: 1_000_000 });
    const key = (m: ReadonlyMap<string, KubeObject>) =>
      [...m.entries()].map(([k, o]) => [k, o.metadata.resourceVersion]);
    // Forwards, backwards and jumping, so the cache and the snapshots are both exercised.
    const order = [...Array(index.length + 1).keys()];
    for (const pos of [...order, ...order.reverse(), 0, index.length, 7, 150, 3]) {
      expect(key(small.objectsAt(pos))).toEqual(key(none.objectsAt(pos)));
    }
  });

  it('gives the latest sample and autoscaler tick at a moment', () => {
    const zero = find(run.events, isScaleToZero);
    const pos = index.posAt(zero.t);
    const sample = index.latestSample('knservice-00001', pos);
    expect(sample!.t).toBeLessThanOrEqual(zero.t);
    expect(sample!.t).toBeGreaterThan(zero.t - 1000);
    const tick = index.latestTick('knservice-00001', pos);
    expect(tick!.t).toBeLessThanOrEqual(zero.t);
    // The autoscaler ticks every 2 s; the tick after the scale explains the fast path.
    const next = index.latestTick('knservice-00001', index.posAt(zero.t + 2000));
    expect(next!.t).toBeGreaterThan(zero.t);
    expect(next!.explain?.some((l) => l.includes('fast path'))).toBe(true);
    expect(index.latestSample('knservice-00001', 0)).toBeUndefined();
    expect(index.latestTick('nope', pos)).toBeUndefined();
  });

  it('counts finished requests and latency up to a moment', () => {
    const done = find(run.events, isDone);
    const before = index.requestStats(index.posAt(done.t - 1));
    expect(before.answered).toBe(0);
    expect(before.p50).toBeUndefined();
    const after = index.requestStats(index.posAt(done.t));
    expect(after).toMatchObject({ answered: 1, ok: 1, status503: 0, status504: 0, cold: 1, approximate: false });
    expect(after.p50).toBe(done.latencyMs);
    expect(after.p99).toBe(done.latencyMs);
    expect(after.coldMaxMs).toBe(done.latencyMs);
    expect(after.arrivalsFromSamples).toBe(1);
  });

  it('narrates the scale to zero and the held request, in order', () => {
    const texts = index.narration.map((n) => n.text);
    const zero = texts.findIndex((t) => t.startsWith('scaled knservice-00001 from 1 to 0 (fast path'));
    const held = texts.indexOf('request #1 held by the activator while knservice-00001 starts a pod');
    expect(zero).toBeGreaterThanOrEqual(0);
    expect(held).toBeGreaterThan(zero);
    expect(texts).toContain('$ kubectl get pods');
    const positions = index.narration.map((n) => n.pos);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('steps and jumps between events, narration and decisions', () => {
    const first = index.nextStep(0)!;
    expect(index.events[first - 1]!.type).not.toBe('sample');
    expect(index.prevStep(first)).toBe(0);
    const zero = find(run.events, isScaleToZero);
    const before = index.posAt(zero.t) - 1;
    const decision = index.nextDecision(before - 5)!;
    expect(decision).toBeLessThanOrEqual(index.posAt(zero.t));
    expect(index.prevDecision(decision)).toBeLessThan(decision);
    const n = index.nextNarration(0)!;
    expect(index.narration[0]!.pos).toBe(n);
    expect(index.prevNarration(n)).toBeUndefined();
    expect(index.nextNarration(index.length)).toBeUndefined();
  });

  it('maps run time to the model clock for AGE from the header epoch', () => {
    expect(index.modelNow(5000)).toBe(5000); // the simulator's epoch is the model's
    const later = new ReplayIndex({ ...run.header, epoch: '2026-01-01T00:01:00.000Z' }, []);
    expect(later.modelNow(5000)).toBe(65_000);
  });
});

describe('a log read as it grows (a live run)', () => {
  it('gives the same index appended in pieces as read at once', () => {
    const whole = new ReplayIndex(run.header, run.events, { snapshotEvery: 7 });
    const sorted = whole.events;
    const grown = new ReplayIndex(run.header, [], { snapshotEvery: 7 });
    for (const cut of [0, 1, 20, 21, 150, 151, 152, sorted.length]) {
      grown.append(sorted.slice(grown.length, cut));
      expect(grown.length).toBe(cut);
    }
    expect(grown.narration.map((n) => [n.pos, n.text])).toEqual(whole.narration.map((n) => [n.pos, n.text]));
    expect(grown.revisions).toEqual(whole.revisions);
    expect(grown.endT).toBe(whole.endT);
    for (const pos of [0, 10, 100, sorted.length]) {
      expect([...grown.objectsAt(pos).keys()]).toEqual([...whole.objectsAt(pos).keys()]);
      expect(grown.requestStats(pos)).toEqual(whole.requestStats(pos));
      expect(grown.nextDecision(pos)).toBe(whole.nextDecision(pos));
    }
  });

  it('refuses an event older than the last one read', () => {
    const idx = new ReplayIndex(run.header, run.events);
    expect(() => idx.append([{ t: 0, type: 'narration', text: 'late' }])).toThrow(/older than the last one read/);
  });
});

describe('the replay index on a large log', () => {
  const header: LogHeader = {
    type: 'header',
    format: 1,
    knsim: 'test',
    backend: 'sim',
    scenario: 'big',
    seed: 1,
    namespace: 'default',
    epoch: '2026-01-01T00:00:00.000Z',
  };

  it('stops a decision on the autoscaler tick that made it, with its panic and scale applied', () => {
    const tick = (t: number, desired: number, panicking: boolean): LogEvent => ({
      t,
      type: 'kpa.tick',
      revision: 'r',
      decision: { desiredPodCount: desired, panicking, valid: true },
    });
    const events: LogEvent[] = [
      tick(2000, 1, false),
      // The tick at 4 s panics and scales: the log writes its effects first.
      { t: 4000, type: 'panic', revision: 'r', panicking: true },
      { t: 4000, type: 'scale', revision: 'r', from: 1, to: 3, reason: 'desired' },
      tick(4000, 3, true),
      // A scale the reconciler made on its own (no tick at that moment) is a decision of its own.
      { t: 5000, type: 'scale', revision: 'r', from: 3, to: 2, reason: 'bounds' },
      tick(6000, 2, true),
    ];
    for (const idx of [new ReplayIndex(header, events), grownIndex(events)]) {
      const first = idx.nextDecision(0)!;
      expect(idx.events[first - 1]).toMatchObject({ type: 'kpa.tick', t: 2000 });
      const panic = idx.nextDecision(first)!;
      expect(idx.events[panic - 1]).toMatchObject({ type: 'kpa.tick', t: 4000 });
      expect(idx.nextDecision(panic)).toBe(5);
      expect(idx.events[4]).toMatchObject({ type: 'scale', t: 5000 });
      expect(idx.events[idx.nextDecision(5)! - 1]).toMatchObject({ type: 'kpa.tick', t: 6000 });
      expect(idx.prevDecision(5)).toBe(panic);
    }
  });

  /** The same events appended one at a time (as tui --follow reads them). */
  function grownIndex(events: readonly LogEvent[]): ReplayIndex {
    const idx = new ReplayIndex(header, []);
    for (const e of events) idx.append([e]);
    return idx;
  }

  it('gives percentiles from histogram checkpoints within about 1 %', () => {
    const events: LogEvent[] = [];
    for (let i = 1; i <= 10_000; i++) {
      events.push({ t: i, type: 'request', phase: 'done', id: i, status: 200, outcome: 'ok', latencyMs: i });
    }
    const idx = new ReplayIndex(header, events, { histogramEvery: 1000 });
    const stats = idx.requestStats(idx.length);
    expect(stats.approximate).toBe(true);
    expect(stats.answered).toBe(10_000);
    expect(stats.p50! / 5000).toBeCloseTo(1, 1);
    expect(stats.p99! / 9900).toBeCloseTo(1, 1);
    const small = idx.requestStats(idx.posAt(1000));
    expect(small).toMatchObject({ approximate: false, p50: 500, maxMs: 1000 });
  });

  it('tells the first of a burst of held requests and counts the rest into it', () => {
    const events: LogEvent[] = [];
    for (let i = 0; i < 30; i++)
      events.push({ t: 1000 + i * 100, type: 'request', phase: 'held', id: i + 1, revision: 'r' });
    events.push({ t: 20_000, type: 'request', phase: 'held', id: 31, revision: 'r' });
    events.push({ t: 20_000, type: 'request', phase: 'held', id: 32, revision: 'other' });
    const idx = new ReplayIndex(header, events);
    expect(idx.narration.map((n) => n.text)).toEqual([
      'request #1 held by the activator while r starts a pod, and 29 more like it within 10 s',
      'request #31 held by the activator while r starts a pod',
      'request #32 held by the activator while other starts a pod',
    ]);
  });

  // How fast is for bench/tui.ts; this checks the work: a seek applies at most one snapshot
  // interval of object events, however long the log.
  it('seeks a day-long log with thousands of pods from its nearest snapshot', () => {
    const events: LogEvent[] = [];
    const pod = (i: number): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `p-${i % 2000}`, namespace: 'default', resourceVersion: String(i) },
      spec: { containers: [] },
    });
    for (let i = 0; i < 100_000; i++) {
      events.push({
        t: i * 864, // 24 hours
        type: 'object',
        op: i % 3 === 2 ? 'deleted' : 'added',
        kind: 'Pod',
        namespace: 'default',
        name: `p-${i % 2000}`,
        object: pod(i),
      });
    }
    const idx = new ReplayIndex(header, events);
    let applied = 0;
    const spied = idx as unknown as { applyObject: (...args: unknown[]) => void };
    const apply = spied.applyObject.bind(idx);
    spied.applyObject = (...args: unknown[]) => {
      applied++;
      apply(...args);
    };
    // Snapshots every max(512, live objects) object events: at most 2,000 pods live here.
    const interval = 2000;
    for (const t of [86_000_000, 10, 43_000_000, 1_000_000, 86_399_000]) {
      applied = 0;
      const pos = idx.posAt(t);
      const objects = idx.objectsAt(pos);
      expect(applied).toBeLessThanOrEqual(interval);
      // The same objects as replaying every event up to that moment.
      const live = new Map<string, string>();
      for (const e of events.slice(0, pos)) {
        if (e.type !== 'object') continue;
        if (e.op === 'deleted') live.delete(e.name);
        else live.set(e.name, e.object.metadata.resourceVersion!);
      }
      expect(new Map([...objects.values()].map((o) => [o.metadata.name, o.metadata.resourceVersion]))).toEqual(live);
    }
  });
});
