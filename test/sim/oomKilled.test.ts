/**
 * OOMKilled: an app whose memory (scenario `app.memory`: a base, and more per request it holds)
 * passes its container's memory limit is killed by the kernel, exit code 137, reason OOMKilled.
 * The rules against plain restatements (the number of requests that passes the limit; the
 * kubelet's back-off when runs differ in length), then two runs: a burst that kills a serving
 * app, and an app that alone passes its limit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { oomKillAt } from '../../src/model/cluster/containers.js';
import { CRASH_LOOP_RESET_MS, crashLoopNext } from '../../src/model/cluster/crashLoop.js';
import { runScenarioText } from '../runner/runText.js';

/** The kubelet's delays for runs of these lengths (client-go flowcontrol.Backoff, 10 s, 5 min). */
function kubeletDelays(runs: readonly number[]): number[] {
  let entry: { backoff: number; lastUpdate: number } | undefined;
  let t = 0;
  return runs.map((ran) => {
    t += ran;
    const expired = entry !== undefined && t - entry.lastUpdate > 2 * 300_000;
    const delay = entry === undefined || expired ? 0 : entry.backoff;
    t += delay;
    entry =
      entry === undefined || expired
        ? { backoff: 10_000, lastUpdate: t }
        : { backoff: Math.min(entry.backoff * 2, 300_000), lastUpdate: t };
    return delay;
  });
}

function service(memory: string, extra = ''): string {
  return `
settings:
  podStartup: 3s
  app:
    memory: ${memory}
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: shop }
    spec:
      template:
        metadata:
          annotations:
            autoscaling.knative.dev/min-scale: "1"
            autoscaling.knative.dev/max-scale: "1"
        spec:
          containers:
            - image: docker.io/knsim/demo:v1
              resources: { limits: { memory: 256Mi } }
${extra}`;
}

describe('OOMKilled', () => {
  it('the kernel kills at the first request count whose memory passes the limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 0, max: 300 }),
        (limit, base, per) => {
          let want = Number.POSITIVE_INFINITY;
          for (let n = 0; n <= 2001; n++) {
            if (base + n * per > limit) {
              want = n;
              break;
            }
          }
          expect(oomKillAt(limit, base, per)).toBe(want);
        },
      ),
    );
  });

  it('backs off as the kubelet does when runs differ in length (a run over 10 min resets it)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 * CRASH_LOOP_RESET_MS }), { minLength: 1, maxLength: 14 }),
        (runs) => {
          let entry = 0;
          const model = runs.map((ran) => {
            const next = crashLoopNext(entry, ran);
            entry = next.entryMs;
            return next.delayMs;
          });
          expect(model).toEqual(kubeletDelays(runs));
        },
      ),
    );
  });

  it('a burst past the limit kills the serving app: OOMKilled 137 in lastState, ExitCode137 until it serves again', async () => {
    const out = await runScenarioText(
      service(
        '{ base: 100Mi, perRequest: 20Mi }',
        `load:
  - { at: 10s, for: 1s, constant: { rps: 10 }, service: 5s }
steps:
  - apply: svc.yaml
  - wait: ksvc shop Ready
  - wait: { until: "revision shop-00001 Ready=False", timeout: 30s }
  - expect: revision shop-00001 reason == ExitCode137
  - kubectl: describe pods
  - wait: { until: "revision shop-00001 Ready", timeout: 30s }
  - kubectl: get pods
`,
      ),
      15,
    );
    expect(out.failures).toEqual([]);
    expect(out.transcript).toMatch(/Last State: +Terminated\n +Reason: +OOMKilled\n +Exit Code: +137/);
    expect(out.transcript).toMatch(/shop-00001-deployment-\S+ +2\/2 +Running +1 \(\d+s ago\)/);
  });

  it('an app that alone passes its limit is killed at each start and crash-loops: ExitCode137', async () => {
    const out = await runScenarioText(
      service(
        '{ base: 300Mi }',
        `steps:
  - apply: svc.yaml
  - wait: { until: "revision shop-00001 Ready=False", timeout: 1m }
  - expect: revision shop-00001 reason == ExitCode137
  - sleep: 40s
  - kubectl: get pods
`,
      ),
      15,
    );
    expect(out.failures).toEqual([]);
    expect(out.transcript).toMatch(/shop-00001-deployment-\S+ +0\/2 +(CrashLoopBackOff|OOMKilled|Running) +\d/);
  });
});
