import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOG_LINES_KEPT, logTimestamp, PodLogs } from '../../src/sim/podLogs.js';

/** A line as `read` prints it, built from the plain model below. */
type Model = { at: number; text?: string; status?: number; bytes?: number };

const clf = (at: number, status: number, bytes: number) => {
  // The access line's format is PodLogs' own: take it from a one-line pod.
  const one = new PodLogs();
  one.started('ns', 'x', 'r', 0);
  one.answered('ns', 'x', at, status, bytes);
  return one.read('ns', 'x', 'user-container', at, { tailLines: 1 }).trimEnd();
};

const printed = (l: Model) => `${l.text ?? clf(l.at, l.status!, l.bytes!)}\n`;

describe('pod logs', () => {
  it('keep each container’s last LOG_LINES_KEPT lines in order, as an unbounded list would, as the ring grows and wraps', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              kind: fc.constant('answer' as const),
              status: fc.constantFrom(200, 404, 503),
              bytes: fc.nat(1e7),
            }),
            fc.record({ kind: fc.constant('stop' as const), drain: fc.nat(60) }),
          ),
          { maxLength: 40 },
        ),
        fc.nat(2 * LOG_LINES_KEPT + 50),
        fc.nat(LOG_LINES_KEPT + 20),
        (ops, bulk, tail) => {
          const logs = new PodLogs();
          logs.started('ns', 'p', 'rev', 0);
          const user: Model[] = [
            { at: 0, text: 'Starting server on port 8080' },
            { at: 0, text: 'Listening on :8080' },
          ];
          let at = 0;
          // A long run of access lines (fills and wraps the ring), then the mixed operations.
          for (let i = 0; i < bulk; i++) {
            at += 0.25;
            logs.answered('ns', 'p', at, 200, 11);
            user.push({ at, status: 200, bytes: 11 });
          }
          for (const op of ops) {
            at += 1.5;
            if (op.kind === 'answer') {
              logs.answered('ns', 'p', at, op.status, op.bytes);
              user.push({ at, status: op.status, bytes: op.bytes });
            } else logs.stopping('ns', 'p', at, op.drain);
          }
          const kept = user.slice(-LOG_LINES_KEPT);
          const expected = kept.map((l) => printed(l)).join('');
          expect(logs.read('ns', 'p', 'user-container', at)).toBe(expected);
          const tailed =
            tail === 0
              ? ''
              : kept
                  .slice(-tail)
                  .map((l) => printed(l))
                  .join('');
          expect(logs.read('ns', 'p', 'user-container', at, { tailLines: tail })).toBe(tailed);
          const queue = logs.read('ns', 'p', 'queue-proxy', at).trimEnd().split('\n');
          const stops = ops.filter((o) => o.kind === 'stop').length;
          expect(queue).toHaveLength(Math.min(LOG_LINES_KEPT, 4 + 2 * stops));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('write access lines through a kept access log, and tell followers only while they follow, as the ring wraps over texts (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('answer' as const), status: fc.constantFrom(200, 503), kept: fc.boolean() }),
            fc.record({ kind: fc.constant('stop' as const), drain: fc.nat(60) }),
            fc.record({ kind: fc.constant('follow' as const), who: fc.nat(1) }),
            fc.record({ kind: fc.constant('unfollow' as const), who: fc.nat(1) }),
          ),
          { maxLength: 60 },
        ),
        fc.nat(LOG_LINES_KEPT + 50),
        fc.nat(LOG_LINES_KEPT),
        (ops, bulk, stops) => {
          const logs = new PodLogs();
          logs.started('ns', 'p', 'rev', 0);
          const access = logs.accessLog('ns', 'p')!;
          const user: Model[] = [
            { at: 0, text: 'Starting server on port 8080' },
            { at: 0, text: 'Listening on :8080' },
          ];
          let at = 0;
          const answer = (status: number, kept: boolean) => {
            at += 0.5;
            if (kept) logs.answeredIn(access, { endedAt: at, status }, 7);
            else logs.answered('ns', 'p', at, status, 7);
            user.push({ at, status, bytes: 7 });
          };
          for (let i = 0; i < bulk; i++) answer(200, i % 2 === 0);
          // The queue-proxy's ring wraps over its own texts.
          for (let i = 0; i < stops; i++) logs.stopping('ns', 'p', at, i);
          const seen: string[][] = [[], []];
          const model: string[][] = [[], []];
          const listeners = [0, 1].map((w) => (c: string, _at: number, line: string) => seen[w]!.push(`${c} ${line}`));
          const stop: ((() => void) | undefined)[] = [undefined, undefined];
          for (const op of ops) {
            if (op.kind === 'follow') {
              stop[op.who] ??= logs.follow('ns', 'p', listeners[op.who]!);
            } else if (op.kind === 'unfollow') {
              stop[op.who]?.();
              stop[op.who] = undefined;
            } else if (op.kind === 'answer') {
              answer(op.status, op.kept);
              for (const w of [0, 1]) if (stop[w]) model[w]!.push(`user-container ${printed(user.at(-1)!).trimEnd()}`);
            } else {
              logs.stopping('ns', 'p', at, op.drain);
              for (const w of [0, 1]) if (stop[w]) model[w]!.push('queue-proxy', 'queue-proxy');
            }
          }
          expect(logs.read('ns', 'p', 'user-container', at)).toBe(
            user
              .slice(-LOG_LINES_KEPT)
              .map((l) => printed(l))
              .join(''),
          );
          const queue = logs.read('ns', 'p', 'queue-proxy', at).trimEnd().split('\n');
          expect(queue).toHaveLength(
            Math.min(LOG_LINES_KEPT, 4 + 2 * stops + 2 * ops.filter((o) => o.kind === 'stop').length),
          );
          for (const w of [0, 1]) {
            // Queue-proxy lines are JSON with a timestamp: compare their container only.
            expect(seen[w]!.map((l) => (l.startsWith('queue-proxy ') ? 'queue-proxy' : l))).toEqual(model[w]);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('write out queue-proxy’s lines when read as they were written when logged, and access lines with each one’s own status and size (fast-check)', () => {
    /** A queue-proxy line from scratch, as Knative's zap logger writes it. */
    const queueLine = (ns: string, rev: string, pod: string, at: number, message: string, caller: string) =>
      JSON.stringify({
        severity: 'INFO',
        timestamp: logTimestamp(at),
        logger: 'queueproxy',
        caller,
        message,
        'knative.dev/key': `${ns}/${rev}`,
        'knative.dev/pod': pod,
      });
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            ns: fc.constantFrom('default', 'team-a'),
            rev: fc.constantFrom('hello-00001', 'web-00002'),
            pod: fc.stringMatching(/^[a-z]{1,6}-[a-z0-9]{5}$/),
            startAt: fc.double({ min: 0, max: 1e7, noNaN: true }),
            answers: fc.array(
              fc.record({
                dt: fc.double({ min: 0, max: 5000, noNaN: true }),
                status: fc.constantFrom(200, 200, 200, 503),
                bytes: fc.constantFrom(15, 15, 15, 7),
                kept: fc.boolean(),
              }),
              { maxLength: 30 },
            ),
            drain: fc.option(fc.nat(60), { nil: undefined }),
            follow: fc.boolean(),
          }),
          { selector: (p) => p.pod, maxLength: 4 },
        ),
        (pods) => {
          const logs = new PodLogs();
          for (const p of pods) {
            logs.started(p.ns, p.pod, p.rev, p.startAt);
            const told: string[] = [];
            if (p.follow) logs.follow(p.ns, p.pod, (c, _at, line) => told.push(`${c} ${line}`));
            const access = logs.accessLog(p.ns, p.pod)!;
            const user = ['Starting server on port 8080', 'Listening on :8080'];
            const queue = [
              ['Starting queue-proxy', 'sharedmain/main.go:271'],
              ['Starting http server metrics:9090', 'sharedmain/main.go:310'],
              ['Starting http server main:8012', 'sharedmain/main.go:310'],
              ['Starting http server admin:8022', 'sharedmain/main.go:310'],
            ].map(([m, c]) => queueLine(p.ns, p.rev, p.pod, p.startAt, m!, c!));
            const expectTold: string[] = [];
            let at = p.startAt;
            for (const a of p.answers) {
              at += a.dt;
              if (a.kept) logs.answeredIn(access, { endedAt: at, status: a.status }, a.bytes);
              else logs.answered(p.ns, p.pod, at, a.status, a.bytes);
              const line = clf(at, a.status, a.bytes);
              user.push(line);
              expectTold.push(`user-container ${line}`);
            }
            if (p.drain !== undefined) {
              logs.stopping(p.ns, p.pod, at, p.drain);
              const stop = [
                queueLine(
                  p.ns,
                  p.rev,
                  p.pod,
                  at,
                  'Received TERM signal, attempting to gracefully shutdown servers.',
                  'sharedmain/main.go:330',
                ),
                queueLine(
                  p.ns,
                  p.rev,
                  p.pod,
                  at,
                  `Sleeping ${p.drain}s to allow K8s propagation of non-ready state`,
                  'sharedmain/main.go:331',
                ),
              ];
              queue.push(...stop);
              expectTold.push(...stop.map((l) => `queue-proxy ${l}`));
            }
            expect(logs.read(p.ns, p.pod, 'user-container', at)).toBe(user.map((l) => `${l}\n`).join(''));
            expect(logs.read(p.ns, p.pod, 'queue-proxy', at)).toBe(queue.map((l) => `${l}\n`).join(''));
            expect(logs.read(p.ns, p.pod, 'queue-proxy', at, { timestamps: true, tailLines: 4 })).toBe(
              queue
                .slice(-4)
                .map((l) => `${JSON.parse(l).timestamp} ${l}\n`)
                .join(''),
            );
            expect(told).toEqual(p.follow ? expectTold : []);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
