/**
 * An idle revision's autoscaler at rest (src/sim/controllers/autoscaler.ts `restIfAsleep`): its
 * machines keep only their persisted snapshots (src/sim/machineHost.ts `RestingMachine`: the
 * ticker, the PodAutoscaler and SKS) and its metric
 * windows let go of their buckets (src/model/kpa/window.ts `rest`). Proof that this changes no
 * decision: fleets of Services woken at random times, with random stable windows, run once as
 * they are and once with both kinds of rest turned off, write the same log byte for byte.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/model/eventSchema.js';
import type { LogLine } from '../../src/model/events.js';
import { MetricWindow } from '../../src/model/kpa/index.js';
import { loadScenario, runScenario } from '../../src/runner/simulate.js';
import { RestingMachine } from '../../src/sim/machineHost.js';
import { scratch } from '../cli/helpers.js';

/** Ticks are not read: a revision's ticker sleeps and its autoscaler rests (what a fleet run does). */
const EVERY_TYPE_BUT_TICKS = ['header', ...EVENT_TYPES.filter((t) => t !== 'kpa.tick')];

interface Burst {
  service: number;
  atS: number;
  forS: number;
  rps: number;
}

function scenario(windows: string[], bursts: Burst[]): string {
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
  return `name: autoscaler-rest
seed: 11
files:
  svc.yaml: |
${services}
load:
${load || '  []'}
steps:
  - apply: svc.yaml
  - sleep: 16m
`;
}

async function run(file: string): Promise<string> {
  const out: string[] = [];
  await runScenario(loadScenario(file), file, {
    log: { keep: false },
    observe: (line: LogLine) => out.push(JSON.stringify(line)),
    observeTypes: EVERY_TYPE_BUT_TICKS,
  });
  return out.join('\n');
}

/** Runs `fn` with the autoscaler's machines and windows never resting. */
async function neverResting<T>(fn: () => Promise<T>): Promise<T> {
  const machineRest = RestingMachine.prototype.rest;
  const windowRest = MetricWindow.prototype.rest;
  RestingMachine.prototype.rest = () => {};
  MetricWindow.prototype.rest = () => {};
  try {
    return await fn();
  } finally {
    RestingMachine.prototype.rest = machineRest;
    MetricWindow.prototype.rest = windowRest;
  }
}

/** Runs `fn` counting the windows that let go of their buckets. */
async function countingRests<T>(fn: () => Promise<T>): Promise<{ result: T; rested: number }> {
  const windowRest = MetricWindow.prototype.rest;
  let rested = 0;
  MetricWindow.prototype.rest = function (this: MetricWindow, nowMs: number) {
    windowRest.call(this, nowMs);
    if ((this as unknown as { buckets: Float64Array }).buckets.length === 0) rested++;
  };
  try {
    return { result: await fn(), rested };
  } finally {
    MetricWindow.prototype.rest = windowRest;
  }
}

describe('an idle revision at rest', () => {
  it('decides and logs as one that never rests: Services woken at random times (fast-check)', async () => {
    const burst = (services: number) =>
      fc.record({
        service: fc.integer({ min: 0, max: services - 1 }),
        atS: fc.integer({ min: 5, max: 840 }),
        forS: fc.integer({ min: 1, max: 40 }),
        rps: fc.constantFrom(0.5, 2, 8),
      });
    const fleet = fc.integer({ min: 1, max: 3 }).chain((n) =>
      fc.record({
        windows: fc.array(fc.constantFrom('6s', '20s', '60s', '90s'), { minLength: n, maxLength: n }),
        bursts: fc.array(burst(n), { maxLength: 6 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fleet, async ({ windows, bursts }) => {
        const dir = scratch({ 'fleet.yaml': scenario(windows, bursts) });
        const file = join(dir, 'fleet.yaml');
        const { result: resting, rested } = await countingRests(() => run(file));
        const always = await neverResting(() => run(file));
        expect(resting).toBe(always);
        // Every Service scales to zero after its first pod: its windows rest at least once.
        expect(rested).toBeGreaterThan(0);
      }),
      { numRuns: 10 },
    );
  });
});
