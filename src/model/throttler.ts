/**
 * How several activators share a revision (reference §5; Knative's activator/net/throttler.go).
 * Each activator runs its own throttler for the revision. It knows its index among the
 * activators behind the revision's public Service (their IPs sorted) and their number, and with
 * containerConcurrency > 0 it sends only to its slice of the revision's pods (their IPs sorted),
 * each pod under a breaker of CC of its own. Its revision breaker lets CC × (its pods) requests
 * through at once. With one activator all of this is the whole revision.
 */

/** Knative's revisionMaxConcurrency (queue.MaxBreakerCapacity, math.MaxInt32). */
export const REVISION_MAX_CONCURRENCY = 2_147_483_647;

/**
 * The positions, in the revision's pods sorted by IP, of the pods activator `selfIndex` of
 * `activators` sends to (`assignSlice`). One activator, one pod or an activator not yet among the
 * revision's (-1): every pod. More pods than activators: an equal slice each, in order, and the
 * pods left over one each to the first activators (5 pods, 2 activators: 3 and 2). Fewer pods
 * than activators: one pod each, in turn (3 pods, 5 activators: activator 3 gets pod 0), a pod
 * shared by several activators, each with its own breaker on it.
 */
export function assignSlice(pods: number, selfIndex: number, activators: number): number[] {
  const all = Array.from({ length: pods }, (_, i) => i);
  if (selfIndex < 0 || pods <= 1 || activators <= 1) return all;
  if (activators > pods) return [selfIndex % pods];
  const size = Math.floor(pods / activators);
  const slice = all.slice(selfIndex * size, selfIndex * size + size);
  const leftover = pods % activators;
  if (selfIndex < leftover) slice.push(pods - leftover + selfIndex);
  return slice;
}

export interface ThrottlerCapacityInput {
  readonly containerConcurrency: number;
  /** The revision's backends (ready pods) the activator knows of. */
  readonly backends: number;
  /** Pods assigned to this activator (`assignSlice`); 0 when it routes to the ClusterIP. */
  readonly assignedPods: number;
  /** Activators behind the revision's public Service. */
  readonly activators: number;
}

/**
 * The capacity of one activator's revision breaker (`calculateCapacity`): CC × its pods; with
 * ClusterIP routing (no pod of its own), CC × backends shared by the activators, at least 1. With
 * CC 0 or past revisionMaxConcurrency, with any backend, revisionMaxConcurrency: no limit.
 */
export function throttlerCapacity(input: ThrottlerCapacityInput): number {
  const cc = input.containerConcurrency;
  let capacity: number;
  if (input.assignedPods > 0) capacity = cc * input.assignedPods;
  else {
    capacity = cc * input.backends;
    if (capacity > 0) capacity = Math.max(1, Math.floor(capacity / Math.max(1, input.activators)));
  }
  if (input.backends > 0 && (cc === 0 || capacity > REVISION_MAX_CONCURRENCY)) capacity = REVISION_MAX_CONCURRENCY;
  return capacity;
}

/** The activators' pod IPs (knative-serving/activator), in the order of their index. */
export function activatorIps(count: number): string[] {
  return Array.from({ length: Math.max(1, count) }, (_, i) => `10.244.250.${i + 1}`);
}

/**
 * An activator's index among the ones behind a revision (`inferIndex`): its place in their IPs
 * sorted as strings, -1 when it is not one of them.
 */
export function activatorIndex(subset: readonly string[], ip: string): number {
  return [...subset].sort().indexOf(ip);
}

/** Compares two IPs as Go's sort.Strings does (byte order, not numeric: "10.0.0.10" < "10.0.0.2"). */
export function compareIps(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
