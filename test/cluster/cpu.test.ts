/**
 * CPU: how a node's CPU is shared (src/model/cluster/cpu.ts) and, in the simulator, a CPU-bound
 * app's requests slowing down when they share a pod's cores (processor sharing), capped by its
 * CPU limit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpuDemandMillis, cpuWeight, shareCpu } from '../../src/model/cluster/cpu.js';
import { Engine } from '../../src/sim/engine.js';
import { NodeCpu, PodCpu } from '../../src/sim/nodes/cpu.js';

describe('sharing a node’s CPU', () => {
  it('gives every pod what it wants when the node has enough', () => {
    expect(
      shareCpu(4000, [
        { demandMillis: 1000, weight: 2 },
        { demandMillis: 2000, weight: 2 },
      ]),
    ).toEqual([1000, 2000]);
  });

  it('divides by weight when it has not, and gives a pod that wants less its demand', () => {
    expect(
      shareCpu(2000, [
        { demandMillis: 2000, weight: 1024 },
        { demandMillis: 2000, weight: 1024 },
      ]),
    ).toEqual([1000, 1000]);
    expect(
      shareCpu(3000, [
        { demandMillis: 500, weight: 1 },
        { demandMillis: 4000, weight: 1 },
        { demandMillis: 4000, weight: 3 },
      ]),
    ).toEqual([500, 625, 1875]);
  });

  it('never gives more than the node has nor more than a pod wants, and wastes nothing (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 16_000 }),
        fc.array(
          fc.record({ demandMillis: fc.integer({ min: 0, max: 8000 }), weight: fc.integer({ min: 2, max: 4096 }) }),
          {
            maxLength: 12,
          },
        ),
        (capacity, pods) => {
          const shares = shareCpu(capacity, pods);
          const total = shares.reduce((a, b) => a + b, 0);
          const wanted = pods.reduce((a, p) => a + p.demandMillis, 0);
          expect(total).toBeCloseTo(Math.min(capacity, wanted), 6);
          for (const [i, x] of shares.entries()) expect(x).toBeLessThanOrEqual(pods[i]!.demandMillis + 1e-6);
        },
      ),
      { seed: 3 },
    );
  });

  it('caps a pod at one core per busy request and at its limit; weights follow cpu.shares', () => {
    expect(cpuDemandMillis(3, undefined)).toBe(3000);
    expect(cpuDemandMillis(3, 500)).toBe(500);
    expect(cpuWeight(25)).toBe(25);
    expect(cpuWeight(0)).toBe(2);
  });
});

/** Runs `n` requests of `coreMs` on a pod at once; the times they finish. */
function finishTimes(n: number, coreMs: number, nodeMillis: number, limit?: number): number[] {
  const engine = new Engine();
  const pod = new PodCpu(engine, new NodeCpu(nodeMillis), 25, limit);
  const done: number[] = [];
  for (let i = 0; i < n; i++) pod.run(coreMs, () => done.push(engine.now()));
  engine.runUntil(60_000);
  return done.map((t) => Math.round(t));
}

describe('processor sharing in a pod', () => {
  it('serves one request in its CPU time, four at once each four times slower on one core', () => {
    expect(finishTimes(1, 500, 2000, 1000)).toEqual([500]);
    expect(finishTimes(4, 500, 2000, 1000)).toEqual([2000, 2000, 2000, 2000]);
  });

  it('slows everything down under a fractional limit (the CFS quota) and uses the node’s cores without one', () => {
    expect(finishTimes(1, 500, 2000, 250)).toEqual([2000]);
    expect(finishTimes(4, 500, 2000)).toEqual([1000, 1000, 1000, 1000]);
  });

  it('lets a short request leave early, the others then speeding up', () => {
    const engine = new Engine();
    const pod = new PodCpu(engine, new NodeCpu(1000), 25, undefined);
    const done: string[] = [];
    pod.run(100, () => done.push(`short ${engine.now()}`));
    pod.run(1000, () => done.push(`long ${engine.now()}`));
    engine.runUntil(10_000);
    // Both at half a core until the short one is done at 200 ms; the long one then alone.
    expect(done).toEqual(['short 200', 'long 1100']);
    expect(pod.used(engine.now())).toBeCloseTo(1100, 6);
  });

  it('shares a busy node between two pods by their requests', () => {
    const engine = new Engine();
    const node = new NodeCpu(1000);
    const big = new PodCpu(engine, node, 750, undefined);
    const small = new PodCpu(engine, node, 250, undefined);
    const done: string[] = [];
    big.run(750, () => done.push(`big ${Math.round(engine.now())}`));
    small.run(750, () => done.push(`small ${Math.round(engine.now())}`));
    engine.runUntil(10_000);
    // 3:1 while both compute: the big one is done at 1 s, the small one then has the core.
    expect(done).toEqual(['big 1000', 'small 1500']);
  });
});

describe('a CPU-bound app in the simulator', () => {
  async function run(text: string) {
    const { SimBackend } = await import('../../src/backends/sim.js');
    const { ScenarioRunner } = await import('../../src/runner/runner.js');
    const { parseScenario } = await import('../../src/scenario/parse.js');
    const { settingsFromScenario } = await import('../../src/sim/settings.js');
    const scenario = parseScenario(text, 'test.yaml');
    const backend = new SimBackend({
      seed: 1,
      namespace: scenario.namespace,
      settings: settingsFromScenario(scenario.settings),
    });
    await backend.start({ scenario: scenario.name, seed: 1, namespace: scenario.namespace });
    const outcome = await new ScenarioRunner(scenario, backend).run();
    const lines = backend.log.lines as {
      type: string;
      t: number;
      phase?: string;
      latencyMs?: number;
      cpuMillis?: number;
      memoryBytes?: number;
    }[];
    return { outcome, lines };
  }

  const scenario = (cpu: string, limit: string) => `
settings:
  cluster: { nodes: [ { cpu: 4, memory: 8Gi } ] }
  app: { serviceTime: 500ms, cpu: ${cpu}, memory: { base: 64Mi, perRequest: 2Mi } }
files:
  app.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: app }
    spec:
      template:
        metadata:
          annotations: { autoscaling.knative.dev/min-scale: "1", autoscaling.knative.dev/max-scale: "1" }
        spec:
          containers:
            - image: docker.io/knsim/app
              resources: { limits: { cpu: "${limit}" } }
load:
  - { at: 20s, hey: { concurrency: 3, requests: 30 }, service: 500ms }
steps:
  - apply: app.yaml
  - wait: ksvc app Ready
  - sleep: 1m
expect:
  - answered == 30
`;

  it('slows its requests when they share the core its limit gives, and reports the CPU it uses', async () => {
    const { outcome, lines } = await run(scenario('1', '1'));
    expect(outcome.ok, outcome.transcript).toBe(true);
    const latencies = lines.filter((l) => l.type === 'request' && l.phase === 'done').map((l) => l.latencyMs ?? 0);
    // Three at a time on one core: each 500 ms of CPU takes 1.5 s.
    const p50 = latencies.sort((a, b) => a - b)[15]!;
    expect(p50).toBeGreaterThan(1450);
    expect(p50).toBeLessThan(1600);
    const busy = lines.filter((l) => l.type === 'sample' && l.t > 22_000 && l.t < 28_000);
    for (const s of busy) expect(s.cpuMillis).toBeGreaterThanOrEqual(950);
    expect(Math.max(...busy.map((s) => s.memoryBytes ?? 0))).toBe(64 * 2 ** 20 + 3 * 2 * 2 ** 20);
  });

  it('does not slow down an app that waits on I/O (cpu 0): three at a time take 500 ms each', async () => {
    const { outcome, lines } = await run(scenario('0', '1'));
    expect(outcome.ok, outcome.transcript).toBe(true);
    const latencies = lines.filter((l) => l.type === 'request' && l.phase === 'done').map((l) => l.latencyMs ?? 0);
    expect(Math.max(...latencies)).toBeLessThan(520);
    expect(lines.some((l) => l.type === 'sample' && l.cpuMillis !== undefined)).toBe(false);
  });
});
