/**
 * Idle revisions cost nothing between events: when nobody reads `kpa.tick`, a revision whose
 * decider can only say "no data" until its next stat sleeps (src/model/machines/autoscaler.ts
 * `idle`). Proof that this changes nothing else: the same run, once with every tick delivered
 * (a reader of kpa.tick) and once with idle ticks skipped (a reader of everything else), writes
 * the same log byte for byte apart from the tick lines, and the second run delivers fewer events.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/model/eventSchema.js';
import type { LogLine } from '../../src/model/events.js';
import { loadScenario, runScenario } from '../../src/runner/simulate.js';
import { RevisionAutoscaler } from '../../src/sim/controllers/autoscaler.js';
import { Engine } from '../../src/sim/engine.js';
import { scratch } from '../cli/helpers.js';

const EVERY_TYPE_BUT_TICKS = ['header', ...EVENT_TYPES.filter((t) => t !== 'kpa.tick')];

/** Two services on one tick grid (created together): one idles for minutes between bursts while the other works. */
const BURSTS = `name: idle-bursts
seed: 7
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: quiet }
    spec: { template: { spec: { containers: [{ image: docker.io/knsim/demo }] } } }
    ---
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: busy }
    spec: { template: { spec: { containers: [{ image: docker.io/knsim/demo }] } } }
load:
  - { at: 10s, for: 20s, poisson: { rps: 5 }, target: quiet.default.svc.cluster.local }
  - { at: 5m, for: 5s, poisson: { rps: 20 }, target: quiet.default.svc.cluster.local }
  - { at: 12m, for: 1s, constant: { rps: 3 }, target: quiet.default.svc.cluster.local }
  - { at: 0s, for: 20m, poisson: { rps: 8 }, service: 300ms, target: busy.default.svc.cluster.local }
steps:
  - apply: svc.yaml
  - sleep: 22m
`;

async function twoRuns(
  file: string,
): Promise<{ all: string; skipped: string; deliveredAll: number; deliveredSkipped: number }> {
  const lines = (sink: string[]) => (line: LogLine) => {
    if (line.type !== 'kpa.tick') sink.push(JSON.stringify(line));
  };
  const delivered = () => {
    let n = 0;
    const original = Engine.prototype.runUntil;
    return {
      start() {
        Engine.prototype.runUntil = function (this: Engine, t: number) {
          const before = this.delivered;
          original.call(this, t);
          n += this.delivered - before;
        };
      },
      stop() {
        Engine.prototype.runUntil = original;
        return n;
      },
    };
  };
  const a: string[] = [];
  // The wrapped Engine.prototype.runUntil is put back even when a run throws: the files of a
  // worker share their modules (vitest.config.ts), so a wrapper left behind would count on.
  const countA = delivered();
  countA.start();
  let deliveredAll: number;
  try {
    await runScenario(loadScenario(file), file, { log: { keep: false }, observe: lines(a) });
  } finally {
    deliveredAll = countA.stop();
  }
  const b: string[] = [];
  const countB = delivered();
  countB.start();
  let deliveredSkipped: number;
  try {
    await runScenario(loadScenario(file), file, {
      log: { keep: false },
      observe: lines(b),
      observeTypes: EVERY_TYPE_BUT_TICKS,
    });
  } finally {
    deliveredSkipped = countB.stop();
  }
  return { all: a.join('\n'), skipped: b.join('\n'), deliveredAll, deliveredSkipped };
}

describe('idle revisions', () => {
  it('skipping provably idle ticks leaves the rest of the log byte-identical (two services on one grid)', async () => {
    const dir = scratch({ 'bursts.yaml': BURSTS });
    const r = await twoRuns(join(dir, 'bursts.yaml'));
    expect(r.skipped).toBe(r.all);
    expect(r.all.length).toBeGreaterThan(100_000);
    // The quiet service slept for minutes: far fewer events were delivered.
    expect(r.deliveredSkipped).toBeLessThan(r.deliveredAll);
  });

  it.each([
    'scenarios/idle-to-zero.yaml',
    'scenarios/new-revision-idle.yaml',
    'test/results/fixtures/two-services.yaml',
  ])('leaves %s byte-identical too', async (file) => {
    const r = await twoRuns(file);
    expect(r.skipped).toBe(r.all);
    expect(r.deliveredSkipped).toBeLessThan(r.deliveredAll);
  });
});

/** Services with random stable windows, each sent a few bursts in its first five minutes, then left alone. */
function fleetScenario(
  windows: string[],
  bursts: { service: number; atS: number; forS: number; rps: number }[],
): string {
  const services = windows
    .map(
      (w, i) => `    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: s${i} }
    spec:
      template:
        metadata: { annotations: { autoscaling.knative.dev/window: "${w}" } }
        spec: { containers: [{ image: docker.io/knsim/demo }] }`,
    )
    .join('\n    ---\n');
  const load = bursts
    .map(
      (b) =>
        `  - { at: ${b.atS}s, for: ${b.forS}s, poisson: { rps: ${b.rps} }, target: s${b.service}.default.svc.cluster.local }`,
    )
    .join('\n');
  return `name: idle-fleet
seed: 5
files:
  svc.yaml: |
${services}
load:
${load || '  []'}
steps:
  - apply: svc.yaml
  - sleep: 12m
`;
}

/** From here on every revision of `fleetScenario` is at zero with no request (its last burst ends by 330 s). */
const QUIET_FROM_MS = 600_000;

/**
 * Runs `fn` counting the decider's ticks at or after `fromMs` (src/sim/controllers/autoscaler.ts
 * `tick`), those of runs whose ticks are read and those of runs whose are not.
 */
async function countingTicks<T>(
  fromMs: number,
  fn: () => Promise<T>,
): Promise<{ result: T; read: number; unread: number }> {
  const proto = RevisionAutoscaler.prototype as unknown as { tick: () => void };
  const tick = proto.tick;
  const counts = { read: 0, unread: 0 };
  proto.tick = function (this: { ctx: { now(): number; log: { wants(type: string): boolean } } }) {
    if (this.ctx.now() >= fromMs) counts[this.ctx.log.wants('kpa.tick') ? 'read' : 'unread']++;
    tick.call(this);
  };
  try {
    const result = await fn();
    return { result, ...counts };
  } finally {
    proto.tick = tick;
  }
}

describe('idle revisions in random fleets', () => {
  it('a revision at zero with no requests does not tick, and the log is the one of a run that ticks all along (fast-check)', async () => {
    const burst = (services: number) =>
      fc.record({
        service: fc.integer({ min: 0, max: services - 1 }),
        atS: fc.integer({ min: 5, max: 300 }),
        forS: fc.integer({ min: 1, max: 30 }),
        rps: fc.constantFrom(0.5, 2, 8),
      });
    const fleet = fc.integer({ min: 1, max: 3 }).chain((n) =>
      fc.record({
        windows: fc.array(fc.constantFrom('6s', '20s', '60s', '90s'), { minLength: n, maxLength: n }),
        bursts: fc.array(burst(n), { maxLength: 5 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fleet, async ({ windows, bursts }) => {
        const dir = scratch({ 'fleet.yaml': fleetScenario(windows, bursts) });
        const { result: r, read, unread } = await countingTicks(QUIET_FROM_MS, () => twoRuns(join(dir, 'fleet.yaml')));
        expect(r.skipped).toBe(r.all);
        expect(r.deliveredSkipped).toBeLessThan(r.deliveredAll);
        // Once the fleet is quiet only the run whose ticks are read ticks on (2 minutes, a tick each 2 s).
        expect(unread).toBe(0);
        expect(read).toBeGreaterThanOrEqual(windows.length * 59);
      }),
      { numRuns: 6 },
    );
  });
});
