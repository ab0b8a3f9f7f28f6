import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOG_LINES_KEPT, PodLogs } from '../../src/sim/podLogs.js';

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
});
