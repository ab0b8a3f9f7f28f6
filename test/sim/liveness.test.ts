/**
 * An app that stops answering: the kubelet's liveness probe (src/model/cluster/liveness.ts) and the
 * pod machine that hangs, is killed and started again (src/model/machines/pod.ts), checked against
 * a plain restatement of the kubelet's probe worker (pkg/kubelet/prober/worker.go) stepping
 * through its ticks, and of its flowcontrol back-off.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { KUBELET_RELIST_MS } from '../../src/model/cluster/crashLoop.js';
import {
  type LivenessTiming,
  livenessFailuresMs,
  livenessKill,
  livenessTimeoutMessage,
  livenessTiming,
} from '../../src/model/cluster/liveness.js';
import { podMachine } from '../../src/model/machines/pod.js';
import { revisionContainers } from '../../src/model/rules/podspec.js';
import { Engine } from '../../src/sim/engine.js';

/**
 * The probe worker, step by step: it ticks every period from its start; the container started
 * `lead` ms after that. A tick before the container's initial delay is skipped; one before the
 * hang passes (and resets the count); one after fails, its result a timeout later. The
 * `failureThreshold`-th failure in a row is the kill.
 */
function workerFailures(timing: LivenessTiming, lead: number, hangAt: number): number[] {
  if (!timing.seesHang) return [];
  const out: number[] = [];
  for (let k = 0; out.length < timing.failureThreshold; k++) {
    const sinceStart = k * timing.periodMs - lead;
    if (sinceStart < 0) continue; // no container yet
    if (Math.floor(sinceStart / 1000) < timing.initialDelayMs / 1000) continue;
    if (sinceStart < hangAt) {
      out.length = 0;
      continue;
    }
    out.push(sinceStart + timing.timeoutMs);
  }
  return out;
}

const timingArb = fc.record({
  periodMs: fc.integer({ min: 1, max: 30 }).map((s) => s * 1000),
  timeoutMs: fc.constant(1000),
  failureThreshold: fc.integer({ min: 1, max: 6 }),
  initialDelayMs: fc.integer({ min: 0, max: 40 }).map((s) => s * 1000),
  seesHang: fc.constant(true),
});

describe('liveness probe', () => {
  it('fails at the worker’s ticks from the hang on, failureThreshold times, each a timeout after its tick', () => {
    fc.assert(
      fc.property(
        timingArb,
        fc.integer({ min: 0, max: 120_000 }),
        fc.integer({ min: 0, max: 200_000 }),
        (t, lead, hang) => {
          expect(livenessFailuresMs(t, lead, hang)).toEqual(workerFailures(t, lead, hang));
        },
      ),
    );
  });

  it('takes Kubernetes’ defaults; a TCP probe does not see a hung app', () => {
    expect(livenessTiming({ httpGet: { path: '/healthz' } })).toEqual({
      periodMs: 10_000,
      timeoutMs: 1000,
      failureThreshold: 3,
      initialDelayMs: 0,
      seesHang: true,
    });
    expect(livenessFailuresMs(livenessTiming({ tcpSocket: {} }), 0, 5000)).toEqual([]);
  });

  it('kills after the preStop hook’s second: SIGTERM ends it (143), or SIGKILL at the grace period (137)', () => {
    expect(livenessKill(300_000, true)).toEqual({ afterMs: 1000, exitCode: 143 });
    expect(livenessKill(300_000, false)).toEqual({ afterMs: 300_000, exitCode: 137 });
    // The kubelet leaves the container at least 2 s after its preStop hook.
    expect(livenessKill(1000, false)).toEqual({ afterMs: 3000, exitCode: 137 });
  });

  it('says what the kubelet says of a timed-out HTTP probe', () => {
    expect(livenessTimeoutMessage('10.244.0.1', 8080, '/healthz')).toBe(
      'Liveness probe failed: Get "http://10.244.0.1:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
    );
  });

  it('is aimed at the user container’s port, with the API server’s defaults', () => {
    const rev = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Revision',
      metadata: { name: 'r-00001', namespace: 'default' },
      spec: {
        containers: [
          { image: 'i', ports: [{ containerPort: 9000 }], livenessProbe: { httpGet: { path: '/h', port: 1234 } } },
        ],
      },
    };
    const [user] = revisionContainers(rev as never, { defaultTimeoutSeconds: 300 } as never);
    expect((user as { livenessProbe?: unknown }).livenessProbe).toEqual({
      httpGet: { path: '/h', scheme: 'HTTP', port: 9000 },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
  });

  it('a pod whose app hangs is killed and started again at the kubelet’s instants', () => {
    fc.assert(
      fc.property(
        timingArb,
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 100, max: 3_000 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.boolean(),
        (timing, after, creating, startup, exitsOnTerm) => {
          const engine = new Engine();
          const killMs = livenessKill(300_000, exitsOnTerm).afterMs;
          const actor = createActor(podMachine, {
            clock: engine.clock,
            input: {
              name: 'p',
              revision: 'r',
              schedulingMs: 100,
              creatingMs: creating,
              startupMs: startup,
              drainMs: 30_000,
              hang: { afterMs: after, liveness: timing, killMs },
            },
          });
          const seen: string[] = [];
          actor.on('phase', (e) => seen.push(`${engine.now()}:${e.phase}`));
          actor.on('container', (e) => seen.push(`${engine.now()}:${e.state}:${e.exits}`));
          actor.on('liveness', (e) => seen.push(`${engine.now()}:${e.state}`));
          actor.on('schedule', () => actor.send({ type: 'pod.bound', node: 'n' }));
          actor.on('pull', () => actor.send({ type: 'pod.pulled', sinceBoundMs: 0 }));
          actor.start();
          const horizon = 30 * 60_000;
          engine.runUntil(horizon);
          // The oracle, in absolute time: the worker starts as the pod is bound (100 ms) and ticks
          // every period; each start of the container runs until it hangs (once ready), the
          // worker's failures, the kill; the kubelet sees the end a relist later and starts it
          // again after flowcontrol's back-off (an entry per container: none, or expired after
          // 10 min, is no wait and 10 s next; else its wait, doubled up to 5 min next).
          const bound = 100;
          const want = ['0:Pending', `${bound}:ContainerCreating`, `${bound + creating}:Running`];
          let entry = 0;
          let start = bound + creating;
          for (let i = 1; ; i++) {
            const hangAt = Math.max(after, startup);
            const fails = workerFailures(timing, start - bound, hangAt).map((f) => start + f);
            const push = (at: number, what: string) => {
              if (at <= horizon) want.push(`${at}:${what}`);
              return at <= horizon;
            };
            if (!push(start + startup, 'Ready')) break;
            if (!push(start + hangAt, 'hung')) break;
            if (!fails.every((f) => push(f, 'failed'))) break;
            // The last failure and the kill come at one instant: the kill follows its failure.
            push(fails[fails.length - 1]!, 'killing');
            const end = fails[fails.length - 1]! + killMs;
            if (!push(end, `exited:${i}`)) break;
            const ran = end - start;
            const wait = entry === 0 || ran > 600_000 ? 0 : entry;
            entry = entry === 0 || ran > 600_000 ? 10_000 : Math.min(entry * 2, 300_000);
            if (!push(end + KUBELET_RELIST_MS, 'Running')) break;
            if (wait > KUBELET_RELIST_MS) push(end + KUBELET_RELIST_MS, `backOff:${i}`);
            start = Math.max(end + KUBELET_RELIST_MS, end + wait);
            if (!push(start, `restarted:${i}`)) break;
          }
          expect(seen).toEqual(want);
        },
      ),
      { numRuns: 80 },
    );
  });
});
