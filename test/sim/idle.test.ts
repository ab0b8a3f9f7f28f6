/**
 * Idle revisions cost nothing between events: when nobody reads `kpa.tick`, a revision whose
 * decider can only say "no data" until its next stat sleeps (src/model/machines/autoscaler.ts
 * `idle`). Proof that this changes nothing else: the same run, once with every tick delivered
 * (a reader of kpa.tick) and once with idle ticks skipped (a reader of everything else), writes
 * the same log byte for byte apart from the tick lines, and the second run delivers fewer events.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/model/eventSchema.js';
import type { LogLine } from '../../src/model/events.js';
import { loadScenario, runScenario } from '../../src/runner/simulate.js';
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
