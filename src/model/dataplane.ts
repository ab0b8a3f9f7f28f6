/**
 * The activator's, the ingress's and the queue-proxy's fixed rules (reference §2 and §5), for the
 * simulator's data plane to apply on every request and every reporting period. Plain constants and tiny
 * functions: the per-request path calls them without allocating.
 */
import type { Stat } from './kpa/collector.js';
import type { Random } from './random.js';

/** The activator holds at most this many requests per revision when containerConcurrency > 0; then 503. */
export const ACTIVATOR_QUEUE_DEPTH = 10_000;

/** The queue-proxy queues up to this many times containerConcurrency behind the busy slots; then 503. */
const QUEUE_PROXY_QUEUE_FACTOR = 10;

/** The activator probes a new pod's queue-proxy this often before sending it requests. */
export const ACTIVATOR_PROBE_PERIOD_MS = 200;

/** On SIGTERM the queue-proxy keeps serving for this quiet period before it exits. */
export const QUEUE_PROXY_DRAIN_MS = 30_000;

/** The body of the activator's 504 (src/model/timeouts.ts). */
export { ACTIVATOR_TIMEOUT_BODY } from './timeouts.js';
/**
 * The body of the 503 when the activator's queue is full, and when a queue-proxy's is: both
 * breakers refuse with `ErrRequestQueueFull` (pkg/queue/breaker.go, pkg/queue/handler.go).
 */
export const ACTIVATOR_QUEUE_FULL_BODY = 'pending request queue full';

/**
 * A queue-proxy whose user container is gone answers 502 with the reverse proxy's error
 * (knative.dev/pkg network/error_handler.go: `http.Error(w, err.Error(), http.StatusBadGateway)`):
 * Go's `EOF` for a request the app was working on when it exited, and a refused connection for one
 * sent to it after, until the pod leaves the endpoints (the text the queue-proxy logs in
 * ReToCode/knative-multicontainer-probing's README, a liveness restart).
 */
export const STATUS_BAD_GATEWAY = 502;
export const APP_EXITED_BODY = 'EOF';
export function appConnectionRefusedBody(port: number): string {
  return `dial tcp 127.0.0.1:${port}: connect: connection refused`;
}

/** Knative's DefaultContainerConcurrency: no limit. */
const DEFAULT_CONTAINER_CONCURRENCY = 0;

/**
 * A revision's containerConcurrency as Knative reads it (RevisionSpec.GetContainerConcurrency):
 * the spec's value, or 0 (no limit) when it is unset.
 */
export function containerConcurrencyOf(
  spec: { readonly containerConcurrency?: number | undefined } | undefined,
): number {
  return spec?.containerConcurrency ?? DEFAULT_CONTAINER_CONCURRENCY;
}

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

/** What the activator's balancing reads of a pod: its requests in flight and those it sent itself. */
export interface BalancedPod {
  readonly concurrency: number;
  readonly fromActivator: number;
}

/**
 * Random choice of two (containerConcurrency 0): two *different* pods, the one with fewer requests
 * in flight; on a tie either, with equal chance. With two pods both are the contestants and only
 * a tie draws. Knative's lb_policy.go behaves so (lb_policy_test.go: with two idle pods the second
 * request goes to the other one half the time, never to a pod drawn twice).
 */
export function randomChoiceOfTwo<P extends BalancedPod>(pods: readonly P[], random: Random): P {
  const n = pods.length;
  if (n === 1) return pods[0]!;
  let a = 0;
  let b = 1;
  if (n > 2) {
    a = Math.floor(random() * n);
    // The second of the n − 1 others: the draws above `a` shift up one.
    b = Math.floor(random() * (n - 1));
    if (b >= a) b++;
  }
  const pa = pods[a]!;
  const pb = pods[b]!;
  if (pa.concurrency !== pb.concurrency) return pa.concurrency < pb.concurrency ? pa : pb;
  return random() < 0.5 ? pb : pa;
}

/**
 * First available (containerConcurrency 1–3): the first pod, in order from `from`, the activator
 * has sent fewer than containerConcurrency requests; -1 when every one is full.
 */
export function firstAvailable(pods: readonly BalancedPod[], containerConcurrency: number, from: number): number {
  for (let i = from; i < pods.length; i++) {
    if (pods[i]!.fromActivator < containerConcurrency) return i;
  }
  return -1;
}

/**
 * Round robin (containerConcurrency above 3): from the pointer (back to the first pod when the
 * list has shrunk below it), the first pod with room, going round once; -1 when every one is full.
 * The pointer then stands after the pick, whichever pods were skipped: the caller keeps `pick + 1`.
 */
export function roundRobin(pods: readonly BalancedPod[], containerConcurrency: number, pointer: number): number {
  const n = pods.length;
  let p = pointer >= n ? 0 : pointer;
  for (let i = 0; i < n; i++) {
    if (pods[p]!.fromActivator < containerConcurrency) return p;
    p = p + 1 === n ? 0 : p + 1;
  }
  return -1;
}

/**
 * The ingress's pick when the activator is out of the path (SKS Serve: the revision's public
 * Service's endpoints are its pods). Kourier, the seed's ingress, makes one Envoy cluster per
 * revision from those endpoints and sets no load-balancing policy (net-kourier
 * pkg/envoy/api/cluster.go `NewCluster`), so Envoy's default applies: ROUND_ROBIN. With equal
 * weights that is `hosts[index++ % hosts.length]` (round_robin_lb.h `unweightedHostPick`), blind to
 * how busy a pod is, unlike the activator's policies above. `index` counts the picks since the
 * cluster was built, from `ingressRoundRobinStart`.
 */
export function ingressRoundRobin(endpoints: number, index: number): number {
  return index % endpoints;
}

/**
 * Where a new cluster's round robin starts. Envoy seeds each load balancer at random
 * (load_balancer_impl.cc `seed_(random_.random())`), and Kourier puts the endpoints inside the
 * cluster, so every change of endpoints is a new cluster with a new start: any of the pods, with
 * equal chance.
 */
export function ingressRoundRobinStart(endpoints: number, random: Random): number {
  // One pod: every start is that pod, and nothing is drawn.
  return endpoints === 1 ? 0 : Math.floor(random() * endpoints);
}

/**
 * How many requests a queue-proxy admits before answering 503 (in the container plus queued):
 * 11 × containerConcurrency; unlimited (Infinity) when containerConcurrency is 0.
 */
export function queueProxyCapacity(containerConcurrency: number): number {
  return containerConcurrency > 0 ? containerConcurrency * (1 + QUEUE_PROXY_QUEUE_FACTOR) : Number.POSITIVE_INFINITY;
}

/** The stat the activator sends at once for a revision's first request (no entry yet): concurrency 1, one request. */
export const ACTIVATOR_FIRST_REQUEST_STAT: Stat = {
  averageConcurrency: 1,
  averageProxiedConcurrency: 0,
  requestCount: 1,
  proxiedRequestCount: 0,
};

/** One revision's activator reporting period (1 s), as the activator measured it. */
export interface ActivatorPeriod {
  /** The activator has an entry for the revision (a request came since the entry was last dropped). */
  readonly hasEntry: boolean;
  /** Time-weighted average of the requests it held or proxied over the period. */
  readonly averageConcurrency: number;
  /** Requests it received in the period. */
  readonly requestCount: number;
  /** 1 when the immediate first-request stat was sent in this period, else 0. */
  readonly firstRequestStats: number;
  /** Requests it holds or proxies right now. */
  readonly inFlight: number;
}

/**
 * The activator's once-a-second report for a revision (reference §2 item 3): nothing without an
 * entry; otherwise the period's average concurrency and request count, less the immediate
 * first-request stat already sent (floor 0). An entry whose period averaged 0 (and that holds no
 * request now) is dropped, so the next request sends a new immediate stat.
 */
export function activatorReport(period: ActivatorPeriod): { stat: Stat | undefined; keepEntry: boolean } {
  if (!period.hasEntry) return { stat: undefined, keepEntry: false };
  const keepEntry = period.averageConcurrency !== 0 || period.inFlight !== 0;
  return {
    stat: {
      averageConcurrency: Math.max(0, period.averageConcurrency - period.firstRequestStats),
      averageProxiedConcurrency: 0,
      requestCount: Math.max(0, period.requestCount - period.firstRequestStats),
      proxiedRequestCount: 0,
    },
    keepEntry,
  };
}
