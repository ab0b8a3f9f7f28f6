/**
 * Request timeouts as Knative applies them, and how long a deleted pod takes to go.
 *
 * The activator and every queue-proxy wrap each request in the same timeout handler
 * (knative/serving pkg/http/handler/timeout.go) with the revision's three timeouts
 * (pkg/queue/sharedmain/handlers.go; the activator reads them from the revision):
 * - `timeoutSeconds`: if nothing of the response has been written when it fires, the handler
 *   answers 504 with its body; once the response has started it no longer applies.
 * - `responseStartTimeoutSeconds` (0 or absent: off): the same, usually shorter.
 * - `idleTimeoutSeconds` (0 or absent: off): fires when nothing was written for that long; before
 *   the first write it counts from the start, so it also bounds the wait for the first byte.
 * The wait in the activator's queue counts: its timer starts when the activator receives the
 * request, before the queue-proxy's, so a request through the activator times out there first
 * (body `activator request timeout`); one sent straight to a pod gets the queue-proxy's
 * (`request timeout`). When a proxy gives up, the request's context is cancelled: it leaves the
 * activator's queue, the queue-proxy's queue or its container slot.
 *
 * The revision's pod gets `terminationGracePeriodSeconds` = `timeoutSeconds`
 * (pkg/reconciler/revision/resources/deploy.go): on deletion the queue-proxy drains (a 30 s quiet
 * period) and lets the requests in flight finish, and the kubelet kills the pod at the grace period.
 */

/** The activator's 504 body (reference §5). */
export const ACTIVATOR_TIMEOUT_BODY = 'activator request timeout';
/** The queue-proxy's 504 body (pkg/queue/sharedmain/handlers.go). */
export const QUEUE_PROXY_TIMEOUT_BODY = 'request timeout';

/** A revision's three timeouts in ms; 0 turns the response-start and idle timeouts off. */
export interface RequestTimeouts {
  readonly timeoutMs: number;
  readonly responseStartMs: number;
  readonly idleMs: number;
}

/** The timeout fields of a revision spec (after defaulting). */
export interface TimeoutSpec {
  readonly timeoutSeconds?: number | undefined;
  readonly responseStartTimeoutSeconds?: number | undefined;
  readonly idleTimeoutSeconds?: number | undefined;
}

/**
 * A revision's timeouts: its spec's, `timeoutSeconds` falling back to config-defaults'
 * `revision-timeout-seconds` (absent or 0, as the webhook defaults it).
 */
export function revisionTimeouts(spec: TimeoutSpec, defaultTimeoutSeconds: number): RequestTimeouts {
  const timeout = spec.timeoutSeconds || defaultTimeoutSeconds;
  return {
    timeoutMs: timeout * 1000,
    responseStartMs: (spec.responseStartTimeoutSeconds ?? 0) * 1000,
    idleMs: (spec.idleTimeoutSeconds ?? 0) * 1000,
  };
}

/**
 * How long after a proxy receives a request the first byte of its response must be written, or
 * the proxy answers 504: the least of the timeout, the response-start timeout and the idle
 * timeout (those two when set).
 */
export function firstByteBudgetMs(t: RequestTimeouts): number {
  let budget = t.timeoutMs;
  if (t.responseStartMs > 0 && t.responseStartMs < budget) budget = t.responseStartMs;
  if (t.idleMs > 0 && t.idleMs < budget) budget = t.idleMs;
  return budget;
}

/**
 * How a request ends once the app works on it:
 * - `answered`: the whole response arrives;
 * - `timeout`: nothing was written by the proxy's first-byte deadline: 504 from the proxy;
 * - `idle`: the response started, then nothing came for the idle timeout: the proxy cuts it off
 *   (the status line is already sent, so the client sees it, with the proxy's message as the rest);
 * - `client`: the client gave up first (its own timeout), with or without bytes received.
 */
export type RequestEnd = 'answered' | 'timeout' | 'idle' | 'client';

export interface WorkTimes {
  /** When the app starts on the request. */
  readonly startMs: number;
  /** How long the app takes to answer it in full. */
  readonly serviceMs: number;
  /** How long after starting the app writes its first byte (at most serviceMs: the whole answer at the end). */
  readonly firstByteAfterMs: number;
  /** The first proxy's first-byte deadline (`firstByteBudgetMs` after it received the request). */
  readonly proxyDeadlineMs: number;
  /** The idle timeout (0: off). */
  readonly idleMs: number;
  /** When the client stops waiting (Infinity: never). */
  readonly clientDeadlineMs: number;
}

/** `requestEnd`'s answer: when the request ends, and how. */
export interface WorkEnd {
  atMs: number;
  end: RequestEnd;
}

/**
 * When a request the app starts on ends and how (`RequestEnd`), both written to `out`: the
 * simulator asks for each request, so neither answer costs an object (a double returned by a
 * function the compiler did not inline is boxed, one object per call).
 */
export function requestEnd(w: WorkTimes, out: WorkEnd): void {
  const last = w.startMs + w.serviceMs;
  // Most requests: the first byte comes with the last (an app that writes its answer at the end),
  // before both deadlines. Nothing below could end them otherwise (no gap for the idle timeout).
  if (w.firstByteAfterMs >= w.serviceMs && last <= w.proxyDeadlineMs && last <= w.clientDeadlineMs) {
    out.atMs = last;
    out.end = 'answered';
    return;
  }
  const firstByte = w.startMs + Math.min(w.firstByteAfterMs, w.serviceMs);
  let at = last;
  let end: RequestEnd = 'answered';
  if (firstByte > w.proxyDeadlineMs) {
    at = w.proxyDeadlineMs;
    end = 'timeout';
  } else if (w.idleMs > 0 && last - firstByte >= w.idleMs) {
    at = firstByte + w.idleMs;
    end = 'idle';
  }
  if (w.clientDeadlineMs < at) {
    out.atMs = w.clientDeadlineMs;
    out.end = 'client';
    return;
  }
  out.atMs = at;
  out.end = end;
}

/**
 * How long a deleted pod stays Terminating: the queue-proxy's quiet period or the requests still
 * in it (`busyForMs`), whichever is longer, but never past the grace period, when the kubelet
 * kills it.
 */
export function terminationMs(graceMs: number, quietMs: number, busyForMs: number): number {
  return Math.min(graceMs, Math.max(quietMs, busyForMs));
}
