/**
 * A container that exits: the kubelet's CrashLoopBackOff back-off (src/model/cluster/crashLoop.ts)
 * and the pod machine that waits it out (src/model/machines/pod.ts), checked against a plain
 * restatement of the kubelet's back-off (flowcontrol.Backoff with 10 s, 5 min).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import {
  CRASH_LOOP_RESET_MS,
  crashLoopBackOffMessage,
  crashLoopBackOffMs,
  KUBELET_RELIST_MS,
} from '../../src/model/cluster/crashLoop.js';
import { podMachine, podPhaseOf } from '../../src/model/machines/pod.js';
import { Engine } from '../../src/sim/engine.js';

/**
 * The kubelet's back-off, restated as client-go's flowcontrol.Backoff runs it: per container an
 * entry (back-off, last update); an exit at `t` restarts at once when there is no entry or it
 * expired (older than twice the maximum), else after the entry's back-off; each restart calls
 * Next, which starts the entry at 10 s (new or expired) or doubles it up to 5 min.
 */
function kubeletDelays(exits: number, ranMs: number): number[] {
  let entry: { backoff: number; lastUpdate: number } | undefined;
  let t = 0;
  const delays: number[] = [];
  for (let i = 0; i < exits; i++) {
    t += ranMs; // the container ran, then exited at t
    const expired = entry !== undefined && t - entry.lastUpdate > 2 * 300_000;
    const delay = entry === undefined || expired ? 0 : entry.backoff;
    delays.push(delay);
    t += delay;
    entry =
      entry === undefined || expired
        ? { backoff: 10_000, lastUpdate: t }
        : { backoff: Math.min(entry.backoff * 2, 300_000), lastUpdate: t };
  }
  return delays;
}

describe('CrashLoopBackOff', () => {
  it('waits 0, 10 s, 20 s, 40 s … up to 5 min, as the kubelet does', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => crashLoopBackOffMs(n, 500))).toEqual([
      0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000,
    ]);
  });

  it('agrees with the kubelet for any run length (a run over 10 min resets the back-off)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 14 }), fc.integer({ min: 0, max: 2 * CRASH_LOOP_RESET_MS }), (n, ran) => {
        const model = Array.from({ length: n }, (_, i) => crashLoopBackOffMs(i + 1, ran));
        expect(model).toEqual(kubeletDelays(n, ran));
      }),
    );
  });

  it('says the back-off as Go prints a duration', () => {
    expect(crashLoopBackOffMessage(40_000, 'user-container', 'p', 'default', 'u')).toBe(
      'back-off 40s restarting failed container=user-container pod=p_default(u)',
    );
    expect(crashLoopBackOffMessage(300_000, 'c', 'p', 'ns', 'u')).toContain('back-off 5m0s ');
  });

  it('a pod whose app exits restarts its container at the kubelet’s instants, Ready in between when it serves first', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 100, max: 3_000 }),
        fc.integer({ min: 0, max: 2_000 }),
        (exitAfter, creating, startup) => {
          const engine = new Engine();
          const actor = createActor(podMachine, {
            clock: engine.clock,
            input: {
              name: 'p',
              revision: 'r',
              schedulingMs: 100,
              creatingMs: creating,
              startupMs: startup,
              drainMs: 30_000,
              exitAfterMs: exitAfter,
            },
          });
          const seen: string[] = [];
          actor.on('phase', (e) => seen.push(`${engine.now()}:${e.phase}`));
          actor.on('container', (e) => seen.push(`${engine.now()}:${e.state}:${e.exits}`));
          actor.on('schedule', () => actor.send({ type: 'pod.bound', node: 'n' }));
          actor.on('pull', () => actor.send({ type: 'pod.pulled' }));
          actor.start();
          const horizon = 20 * 60_000;
          engine.runUntil(horizon);
          // The oracle: start, run exitAfter, exit; when the readiness probe passes first (startup
          // before the exit; at the same instant the exit wins), Ready from then until the kubelet
          // sees the exit a relist later, Running again then. The container restarts after the
          // kubelet's back-off counted from the exit (at least the relist).
          const serves = exitAfter > startup;
          const want = ['0:Pending', '100:ContainerCreating', `${100 + creating}:Running`];
          const delays = kubeletDelays(40, exitAfter);
          let t = 100 + creating;
          for (let i = 0; ; i++) {
            if (serves && t + startup <= horizon) want.push(`${t + startup}:Ready`);
            const exitAt = t + exitAfter;
            if (exitAt > horizon) break;
            want.push(`${exitAt}:exited:${i + 1}`);
            const seenAt = exitAt + KUBELET_RELIST_MS;
            if (seenAt > horizon) break;
            if (serves) want.push(`${seenAt}:Running`);
            const restartAt = Math.max(seenAt, exitAt + delays[i]!);
            if (delays[i]! > KUBELET_RELIST_MS) want.push(`${seenAt}:backOff:${i + 1}`);
            if (restartAt > horizon) break;
            want.push(`${restartAt}:restarted:${i + 1}`);
            t = restartAt;
          }
          expect(seen).toEqual(want);
          // A deletion ends the loop as it ends a running pod.
          actor.send({ type: 'pod.delete' });
          expect(podPhaseOf(actor.getSnapshot())).toBe('Terminating');
        },
      ),
      { numRuns: 60 },
    );
  });
});
