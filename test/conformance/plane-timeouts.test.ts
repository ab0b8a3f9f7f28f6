/**
 * Cases from Knative Serving's pkg/http/handler/timeout_test.go (TestTimeToFirstByteTimeoutHandler,
 * the stored version), transcribed as data and run against knsim's `requestEnd` and the
 * queue-proxy's 504 body. The panic cases (a handler that panics) are outside what knsim
 * simulates; the timeoutWriter cases test Go's ResponseWriter plumbing.
 */
import { describe, expect, it } from 'vitest';
import { QUEUE_PROXY_TIMEOUT_BODY, requestEnd, type WorkEnd } from '../../src/model/timeouts.js';

const LONG_MS = 60_000; // "Super long, not supposed to hit this."

function end(proxyBudgetMs: number, serviceMs: number): WorkEnd {
  const out: WorkEnd = { atMs: Number.NaN, end: 'answered' };
  requestEnd(
    {
      startMs: 0,
      serviceMs,
      firstByteAfterMs: serviceMs,
      proxyDeadlineMs: proxyBudgetMs,
      idleMs: 0,
      clientDeadlineMs: Number.POSITIVE_INFINITY,
    },
    out,
  );
  return out;
}

describe('timeout_test.go TestTimeToFirstByteTimeoutHandler', () => {
  it('all good: the handler writes before the timeout, 200', () => {
    expect(end(LONG_MS, 5)).toEqual({ atMs: 5, end: 'answered' });
  });

  it('custom timeout message: an immediate timeout before any write, 504 "request timeout"', () => {
    // The handler is blocked until after the timeout fires: nothing is written by the deadline.
    expect(end(0, 5)).toEqual({ atMs: 0, end: 'timeout' });
    expect(QUEUE_PROXY_TIMEOUT_BODY).toBe('request timeout');
  });
});
