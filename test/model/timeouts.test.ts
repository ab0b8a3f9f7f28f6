/**
 * The timeout rules (src/model/timeouts.ts): what a revision's timeouts are, how long the first
 * byte may take, how a request ends, how long a deleted pod stays.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  firstByteBudgetMs,
  type RequestEnd,
  requestEnd as requestEndInto,
  revisionTimeouts,
  terminationMs,
  type WorkTimes,
} from '../../src/model/timeouts.js';

/** `requestEnd`'s two answers as one object. */
function requestEnd(w: WorkTimes): { atMs: number; end: RequestEnd } {
  const out: { atMs: number; end: RequestEnd } = { atMs: Number.NaN, end: 'answered' };
  requestEndInto(w, out);
  return { atMs: out.atMs, end: out.end };
}

describe('revisionTimeouts and firstByteBudgetMs', () => {
  it('timeoutSeconds falls back to the default when absent or 0; the other two are off unless set', () => {
    expect(revisionTimeouts({}, 300)).toEqual({ timeoutMs: 300_000, responseStartMs: 0, idleMs: 0 });
    expect(revisionTimeouts({ timeoutSeconds: 0 }, 120)).toEqual({ timeoutMs: 120_000, responseStartMs: 0, idleMs: 0 });
    expect(revisionTimeouts({ timeoutSeconds: 5, responseStartTimeoutSeconds: 2, idleTimeoutSeconds: 3 }, 300)).toEqual(
      {
        timeoutMs: 5000,
        responseStartMs: 2000,
        idleMs: 3000,
      },
    );
  });

  it('the first byte must come within the least of the timeouts that are on', () => {
    expect(firstByteBudgetMs({ timeoutMs: 300_000, responseStartMs: 0, idleMs: 0 })).toBe(300_000);
    expect(firstByteBudgetMs({ timeoutMs: 300_000, responseStartMs: 10_000, idleMs: 0 })).toBe(10_000);
    expect(firstByteBudgetMs({ timeoutMs: 300_000, responseStartMs: 10_000, idleMs: 4_000 })).toBe(4_000);
    expect(firstByteBudgetMs({ timeoutMs: 5_000, responseStartMs: 10_000, idleMs: 0 })).toBe(5_000);
  });
});

describe('requestEnd', () => {
  const base = { startMs: 1000, serviceMs: 10_000, firstByteAfterMs: Number.POSITIVE_INFINITY, idleMs: 0 };
  const never = Number.POSITIVE_INFINITY;

  it('answered at the end when the whole answer comes before the deadline', () => {
    expect(requestEnd({ ...base, proxyDeadlineMs: 11_000, clientDeadlineMs: never })).toEqual({
      atMs: 11_000,
      end: 'answered',
    });
  });

  it('504 at the deadline when the first byte would come 1 ms late', () => {
    expect(requestEnd({ ...base, proxyDeadlineMs: 10_999, clientDeadlineMs: never })).toEqual({
      atMs: 10_999,
      end: 'timeout',
    });
  });

  it('an app that writes its headers first is past the deadline for good; a stall longer than the idle timeout is cut', () => {
    const early = { ...base, firstByteAfterMs: 0, proxyDeadlineMs: 5_000, clientDeadlineMs: never };
    expect(requestEnd(early)).toEqual({ atMs: 11_000, end: 'answered' });
    expect(requestEnd({ ...early, idleMs: 3_000 })).toEqual({ atMs: 4_000, end: 'idle' });
    expect(requestEnd({ ...early, idleMs: 10_001 })).toEqual({ atMs: 11_000, end: 'answered' });
  });

  it('the client gives up first when its deadline is earlier', () => {
    expect(requestEnd({ ...base, proxyDeadlineMs: 10_000, clientDeadlineMs: 3_000 })).toEqual({
      atMs: 3_000,
      end: 'client',
    });
  });

  it('never ends after the answer, the client, or (before the first byte) the proxy deadline (seed 1108)', () => {
    fc.assert(
      fc.property(
        fc.nat(10_000),
        fc.nat(100_000),
        fc.option(fc.nat(100_000), { nil: undefined }),
        fc.nat(200_000),
        fc.nat(50_000),
        fc.option(fc.nat(200_000), { nil: undefined }),
        (startMs, serviceMs, firstByte, budget, idleMs, client) => {
          const w = {
            startMs,
            serviceMs,
            firstByteAfterMs: firstByte ?? Number.POSITIVE_INFINITY,
            proxyDeadlineMs: startMs + budget,
            idleMs,
            clientDeadlineMs: client === undefined ? Number.POSITIVE_INFINITY : startMs + client,
          };
          const r = requestEnd(w);
          expect(r.atMs).toBeLessThanOrEqual(startMs + serviceMs);
          expect(r.atMs).toBeLessThanOrEqual(w.clientDeadlineMs);
          expect(r.atMs).toBeGreaterThanOrEqual(Math.min(startMs, w.clientDeadlineMs));
          const firstByteAt = startMs + Math.min(w.firstByteAfterMs, serviceMs);
          if (r.end === 'answered') expect(firstByteAt).toBeLessThanOrEqual(w.proxyDeadlineMs);
          if (r.end === 'timeout') expect(r.atMs).toBe(w.proxyDeadlineMs);
        },
      ),
      { seed: 1108, numRuns: 500 },
    );
  });

  it('ends as the rule written out in full says, the usual case taken first or not (fast-check)', () => {
    // The rule without its shortcut for an answer in full before both deadlines.
    const inFull = (w: WorkTimes): { atMs: number; end: RequestEnd } => {
      const firstByte = w.startMs + Math.min(w.firstByteAfterMs, w.serviceMs);
      const last = w.startMs + w.serviceMs;
      let at = last;
      let end: RequestEnd = 'answered';
      if (firstByte > w.proxyDeadlineMs) {
        at = w.proxyDeadlineMs;
        end = 'timeout';
      } else if (w.idleMs > 0 && last - firstByte >= w.idleMs) {
        at = firstByte + w.idleMs;
        end = 'idle';
      }
      return w.clientDeadlineMs < at ? { atMs: w.clientDeadlineMs, end: 'client' } : { atMs: at, end };
    };
    const ms = fc.oneof(
      fc.integer({ min: 0, max: 20_000 }),
      fc.double({ min: 0, max: 20_000, noNaN: true }),
      fc.constantFrom(0, -0, Number.POSITIVE_INFINITY, Number.NaN),
    );
    fc.assert(
      fc.property(ms, ms, ms, ms, ms, ms, (startMs, serviceMs, firstByteAfterMs, proxyDeadlineMs, idleMs, client) => {
        const w = { startMs, serviceMs, firstByteAfterMs, proxyDeadlineMs, idleMs, clientDeadlineMs: client };
        const got = requestEnd(w);
        const want = inFull(w);
        expect(got.end).toBe(want.end);
        expect(Object.is(got.atMs, want.atMs)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('terminationMs', () => {
  it('the drain, or the requests still running, but never past the grace period', () => {
    expect(terminationMs(300_000, 30_000, 0)).toBe(30_000);
    expect(terminationMs(300_000, 30_000, 90_000)).toBe(90_000);
    expect(terminationMs(5_000, 30_000, 0)).toBe(5_000);
    expect(terminationMs(120_000, 30_000, 500_000)).toBe(120_000);
  });
});
