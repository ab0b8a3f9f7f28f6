/**
 * The activator's and queue-proxy's fixed rules (reference §5), for the simulator's data plane to
 * apply on every request. Plain constants and one tiny function: the per-request path calls them
 * without allocating.
 */

/** The activator holds at most this many requests per revision when containerConcurrency > 0; then 503. */
export const ACTIVATOR_QUEUE_DEPTH = 10_000;

/** The queue-proxy queues up to this many times containerConcurrency behind the busy slots; then 503. */
export const QUEUE_PROXY_QUEUE_FACTOR = 10;

/** The activator probes a new pod's queue-proxy this often before sending it requests. */
export const ACTIVATOR_PROBE_PERIOD_MS = 200;

/** On SIGTERM the queue-proxy keeps serving for this quiet period before it exits. */
export const QUEUE_PROXY_DRAIN_MS = 30_000;

/** The body of the 504 when a request waited longer than the revision's timeoutSeconds (default 300 s). */
export const ACTIVATOR_TIMEOUT_BODY = 'activator request timeout';
/** The body of the 503 when the activator's queue is full. */
export const ACTIVATOR_QUEUE_FULL_BODY = 'pending request queue full';

export type ActivatorBalancing = 'best-of-two' | 'first-available' | 'round-robin';

/**
 * How the activator picks a pod for a revision: an infinite breaker with random choice of two
 * when containerConcurrency is 0, the first pod with room when it is at most 3, else round robin.
 */
export function activatorBalancing(containerConcurrency: number): ActivatorBalancing {
  if (containerConcurrency === 0) return 'best-of-two';
  if (containerConcurrency <= 3) return 'first-available';
  return 'round-robin';
}

/** How many requests a queue-proxy admits before answering 503 (in the container plus queued). */
export function queueProxyCapacity(containerConcurrency: number): number {
  return containerConcurrency * (1 + QUEUE_PROXY_QUEUE_FACTOR);
}
