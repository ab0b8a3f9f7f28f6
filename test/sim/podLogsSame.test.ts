import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PodLogs } from '../../src/sim/podLogs.js';
import { PodLogs as OldPodLogs } from './podLogsOld.js';

/**
 * Pod logs that keep a pod's start-up and TERM lines as numbers until another line comes or a
 * reader asks (src/sim/podLogs.ts) read and tell the very same lines as the logs that wrote every
 * line into its rings at once (test/sim/podLogsOld.ts, main 958cc1c0), whatever comes in
 * whatever order: restarts, TERMs before and after other lines, followers, reads at any time.
 */
const PODS = ['a-1', 'b-2', 'c-3'] as const;
const CONTAINERS = ['user-container', 'queue-proxy', 'other'] as const;

const op = fc.oneof(
  fc.record({ kind: fc.constant('start' as const), pod: fc.nat(2), port: fc.option(fc.constantFrom(8080, 9000)) }),
  fc.record({ kind: fc.constant('stop' as const), pod: fc.nat(2), drain: fc.nat(45) }),
  fc.record({
    kind: fc.constant('answer' as const),
    pod: fc.nat(2),
    status: fc.constantFrom(200, 503),
    kept: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('follow' as const), pod: fc.nat(2), who: fc.nat(1) }),
  fc.record({ kind: fc.constant('unfollow' as const), who: fc.nat(1) }),
  fc.record({
    kind: fc.constant('read' as const),
    pod: fc.nat(2),
    container: fc.nat(2),
    tail: fc.option(fc.nat(9)),
    since: fc.option(fc.nat(20)),
    timestamps: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('gone' as const), pod: fc.nat(2) }),
  fc.record({ kind: fc.constant('has' as const), pod: fc.nat(2) }),
);

type Logs = PodLogs | OldPodLogs;

describe('pod logs kept as numbers until written out', () => {
  it('read, tell and answer as the logs that write every line at once (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 50 }), fc.boolean(), (ops, record) => {
        const run = (logs: Logs) => {
          const out: string[] = [];
          const unfollow: ((() => void) | undefined)[] = [undefined, undefined];
          const access = new Map<string, ReturnType<Logs['accessLog']>>();
          let at = 0;
          for (const o of ops) {
            at += 1.25;
            const pod = 'pod' in o ? PODS[o.pod]! : '';
            if (o.kind === 'start') {
              if (o.port === null) logs.started('ns', pod, `rev-${pod}`, at);
              else logs.started('ns', pod, `rev-${pod}`, at, o.port);
            } else if (o.kind === 'stop') logs.stopping('ns', pod, at, o.drain);
            else if (o.kind === 'answer') {
              if (!o.kept) logs.answered('ns', pod, at, o.status, 12);
              else {
                if (!access.has(pod)) access.set(pod, logs.accessLog('ns', pod));
                const log = access.get(pod);
                if (log) (logs as OldPodLogs).answeredIn(log as never, { endedAt: at, status: o.status }, 12);
              }
            } else if (o.kind === 'follow') {
              unfollow[o.who] ??= logs.follow('ns', pod, (c, t, line) => out.push(`${o.who} ${c} ${t} ${line}`));
            } else if (o.kind === 'unfollow') {
              unfollow[o.who]?.();
              unfollow[o.who] = undefined;
            } else if (o.kind === 'read') {
              out.push(
                logs.read('ns', pod, CONTAINERS[o.container]!, at, {
                  ...(o.tail !== null ? { tailLines: o.tail } : {}),
                  ...(o.since !== null ? { sinceSeconds: o.since } : {}),
                  timestamps: o.timestamps,
                }),
              );
            } else if (o.kind === 'gone') {
              logs.gone('ns', pod);
              access.delete(pod);
            } else out.push(String(logs.has('ns', pod)));
          }
          for (const pod of PODS) for (const c of CONTAINERS) out.push(logs.read('ns', pod, c, at));
          return out;
        };
        const mode = record ? 'record' : 'off';
        expect(run(new PodLogs(mode))).toEqual(run(new OldPodLogs(mode)));
      }),
      { numRuns: 400 },
    );
  });

  it('write a pod’s lines out only when a line past its start-up and TERM comes, or a reader asks', () => {
    const logs = new PodLogs();
    logs.started('ns', 'p', 'rev', 1000);
    logs.follow('ns', 'q', () => {});
    logs.stopping('ns', 'p', 2000, 30);
    expect(logs.writtenOut('ns', 'p')).toBe(false);
    expect(logs.has('ns', 'p')).toBe(true);
    logs.answered('ns', 'p', 2500, 200, 5);
    expect(logs.writtenOut('ns', 'p')).toBe(true);

    logs.started('ns', 'r', 'rev', 1000);
    expect(logs.writtenOut('ns', 'r')).toBe(false);
    expect(logs.read('ns', 'r', 'queue-proxy', 1000)).toContain('Starting queue-proxy');
    expect(logs.writtenOut('ns', 'r')).toBe(true);

    // Without access lines, a fleet's pods never write out.
    const quiet = new PodLogs('off');
    quiet.started('ns', 'p', 'rev', 0);
    quiet.answered('ns', 'p', 1, 200, 5);
    expect(quiet.accessLog('ns', 'p')).toBeUndefined();
    quiet.stopping('ns', 'p', 2, 30);
    expect(quiet.writtenOut('ns', 'p')).toBe(false);
  });
});
