/**
 * Quiet revisions cost nothing per second: a revision with no pods, no requests and no change
 * stops sampling while the results are the only reader of samples, and its last sample stands
 * for every second (src/sim/cluster.ts `secondly`, src/results/results.ts `stand`). Proof that
 * this changes nothing: the same run with a second reader of samples (so every sample is
 * written) and without gives the same results and transcript, for scenarios and for random
 * fleets of bursty services, and the second run did let revisions stand.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVENT_TYPES } from '../../src/model/eventSchema.js';
import type { SampleEvent } from '../../src/model/events.js';
import { ResultsCollector } from '../../src/results/results.js';
import { loadScenario, runScenario } from '../../src/runner/simulate.js';
import { scratch } from '../cli/helpers.js';

/** Every line type a run writes but the per-second ones (kpa.tick is left unbuilt when nobody reads it). */
const EVERY_TYPE_BUT_SAMPLES_AND_TICKS = ['header', ...EVENT_TYPES.filter((t) => t !== 'sample' && t !== 'kpa.tick')];

async function twoRuns(file: string): Promise<{ every: string; standing: string; stood: number }> {
  const outcome = (o: Awaited<ReturnType<typeof runScenario>>, lines: string[]) =>
    `${JSON.stringify(o.results, null, 1)}\n${o.transcript}\n${o.failures.join('\n')}\n${lines.join('\n')}`;
  // A reader of every line: every sample is written. Its other lines are compared too (the
  // stats a revision reports when it wakes, the autoscaler's decisions, the pods).
  const a: string[] = [];
  const every = await runScenario(loadScenario(file), file, {
    log: { keep: false },
    observe: (line) => {
      if (line.type !== 'sample' && line.type !== 'kpa.tick') a.push(JSON.stringify(line));
    },
  });
  const b: string[] = [];
  const stand = vi.spyOn(ResultsCollector.prototype, 'stand');
  const standing = await runScenario(loadScenario(file), file, {
    log: { keep: false },
    observe: (line) => b.push(JSON.stringify(line)),
    observeTypes: EVERY_TYPE_BUT_SAMPLES_AND_TICKS,
  });
  const stood = stand.mock.calls.length;
  stand.mockRestore();
  return { every: outcome(every, a), standing: outcome(standing, b), stood };
}

/**
 * Every sample of a run, by second and revision: in the run where the results are the only reader
 * of samples, the ones written plus, for each standing revision, its standing sample at every
 * tick it stood through (the tick a revision sits at is not one it stood through: it samples it).
 */
async function samplesBothWays(
  file: string,
): Promise<{ every: Map<string, string>; rebuilt: Map<string, string>; stood: number }> {
  const key = (s: SampleEvent) => `${s.t} ${s.revision}`;
  const every = new Map<string, string>();
  await runScenario(loadScenario(file), file, {
    log: { keep: false },
    observe: (line) => {
      if (line.type === 'sample') every.set(key(line as SampleEvent), JSON.stringify(line));
    },
  });
  const rebuilt = new Map<string, string>();
  const standing = new Map<string, { sample: SampleEvent; pending: number[] }>();
  const confirm = (rev: string, upTo: number) => {
    const st = standing.get(rev)!;
    for (const t of st.pending) if (t <= upTo) rebuilt.set(`${t} ${rev}`, JSON.stringify({ ...st.sample, t }));
    st.pending = [];
  };
  let stood = 0;
  const sample = vi.spyOn(ResultsCollector.prototype, 'sample').mockImplementation(function (this: unknown, s) {
    rebuilt.set(key(s), JSON.stringify(s));
  });
  const stand = vi.spyOn(ResultsCollector.prototype, 'stand').mockImplementation((s) => {
    stood++;
    standing.set(s.revision, { sample: s, pending: [] });
  });
  const sit = vi.spyOn(ResultsCollector.prototype, 'sit').mockImplementation((revision, t) => {
    if (!standing.has(revision)) return;
    confirm(revision, t);
    standing.delete(revision);
  });
  const tick = vi.spyOn(ResultsCollector.prototype, 'tick').mockImplementation((t) => {
    // The tick before this one is over: whoever still stands stood through it.
    for (const [rev, st] of standing) {
      confirm(rev, Number.POSITIVE_INFINITY);
      st.pending.push(t);
    }
  });
  await runScenario(loadScenario(file), file, {
    log: { keep: false },
    observe: () => {},
    observeTypes: EVERY_TYPE_BUT_SAMPLES_AND_TICKS,
  });
  for (const rev of standing.keys()) confirm(rev, Number.POSITIVE_INFINITY);
  for (const spy of [sample, stand, sit, tick]) spy.mockRestore();
  return { every, rebuilt, stood };
}

/** Services named s0…, each with bursts of requests at the given seconds (the rest of the time idle). */
function fleet(
  seed: number,
  bursts: { service: number; at: number; seconds: number; rps: number }[],
  services: number,
) {
  const svc = Array.from(
    { length: services },
    (_, i) => `    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: s${i} }
    spec: { template: { spec: { containers: [{ image: docker.io/knsim/demo }] } } }`,
  ).join('\n    ---\n');
  const load = bursts
    .map(
      (b) =>
        `  - { at: ${b.at}s, for: ${b.seconds}s, poisson: { rps: ${b.rps} }, target: s${b.service}.default.svc.cluster.local }`,
    )
    .join('\n');
  return `name: standing-fleet
seed: ${seed}
files:
  svc.yaml: |
${svc}
load:
${load}
steps:
  - apply: svc.yaml
  - sleep: 12m
  - expect: pods >= 0
`;
}

describe('standing samples', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    'scenarios/idle-to-zero.yaml',
    'scenarios/new-revision-idle.yaml',
    'scenarios/two-namespaces.yaml',
    'test/results/fixtures/two-services.yaml',
  ])('leave the results and transcript of %s identical', async (file) => {
    const r = await twoRuns(file);
    expect(r.standing).toBe(r.every);
    // Where a revision reached zero pods well before the end, its sample stood.
    if (!file.includes('idle-to-zero') && !file.includes('two-namespaces')) expect(r.stood).toBeGreaterThan(0);
  });

  /**
   * For random fleets of bursty Services (up to `maxServices`, up to `maxBursts` bursts), checks
   * `check` on each fleet's file; it answers how many revisions stood. Some must have stood.
   */
  async function forRandomFleets(
    maxServices: number,
    maxBursts: number,
    check: (file: string) => Promise<number>,
  ): Promise<void> {
    let stood = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: maxServices }),
        fc.array(
          fc.record({
            service: fc.nat(maxServices - 1),
            at: fc.integer({ min: 30, max: 600 }),
            seconds: fc.integer({ min: 1, max: 20 }),
            rps: fc.integer({ min: 1, max: 30 }),
          }),
          { minLength: 1, maxLength: maxBursts },
        ),
        async (seed, services, bursts) => {
          const file = fleet(
            seed,
            bursts.map((b) => ({ ...b, service: b.service % services })),
            services,
          );
          stood += await check(join(scratch({ 'fleet.yaml': file }), 'fleet.yaml'));
        },
      ),
      { numRuns: 6 },
    );
    expect(stood).toBeGreaterThan(0);
  }

  it('leave the results of random fleets of bursty services identical', async () => {
    await forRandomFleets(3, 5, async (file) => {
      const r = await twoRuns(file);
      expect(r.standing).toBe(r.every);
      return r.stood;
    });
  });

  it('stand for exactly the samples they would have written, in random fleets of bursty services', async () => {
    await forRandomFleets(4, 6, async (file) => {
      const r = await samplesBothWays(file);
      const differing = [...r.every].filter(([k, v]) => r.rebuilt.get(k) !== v).map(([k]) => k);
      expect(differing.slice(0, 5)).toEqual([]);
      expect(r.rebuilt.size).toBe(r.every.size);
      return r.stood;
    });
  });
});
