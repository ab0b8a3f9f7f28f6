/**
 * Finalizers and deletion, as the API server, the garbage collector and Knative's generated
 * reconcilers treat them (kubernetes apiserver `pkg/registry/generic/registry/store.go`,
 * apimachinery's ObjectMeta validation, knative/serving
 * `pkg/client/injection/reconciler/serving/v1/*`): which finalizer Knative puts on which kind,
 * what a DELETE's propagation policy does to an object's finalizers, and what a write to an
 * object being deleted may not do.
 */

/** The garbage collector's finalizer of an Orphan deletion: the dependents lose their owner reference. */
export const FINALIZER_ORPHAN = 'orphan';
/** The garbage collector's finalizer of a Foreground deletion: the owner waits for its blocking dependents. */
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/**
 * The Route's finalizer: the generated Route reconciler's default name (the group-qualified
 * resource), added by the one Route reconciler that implements `Finalizer`, the labeler (its
 * FinalizeKind is ClearRoutingMeta). The Service, Configuration and Revision reconcilers
 * implement no `Finalizer`: their objects carry none and go at once.
 */
export const ROUTE_FINALIZER = 'routes.serving.knative.dev';

/** The component the labeler's Events name: the generated Route reconciler's default agent name. */
export const ROUTE_FINALIZER_AGENT = 'route-controller';

export type Propagation = 'Background' | 'Foreground' | 'Orphan';

/**
 * The finalizers a DELETE leaves on an object (`deletionFinalizersForGarbageCollection`): the
 * garbage collector's two are taken off and put back as the policy asks (`orphan` for Orphan,
 * `foregroundDeletion` for Foreground, neither for Background). Without a policy the object's own
 * finalizers decide (an `orphan` or `foregroundDeletion` already there stays); the default for
 * Knative's and the built-in kinds here is background. Others' finalizers keep their order, and
 * a list the policy leaves the same set is kept as it was.
 */
export function deletionFinalizers(finalizers: readonly string[] | undefined, policy?: Propagation): string[] {
  const had = finalizers ?? [];
  const orphan = policy === undefined ? had.includes(FINALIZER_ORPHAN) : policy === 'Orphan';
  const foreground = policy === undefined ? !orphan && had.includes(FINALIZER_FOREGROUND) : policy === 'Foreground';
  const out = had.filter((f) => f !== FINALIZER_ORPHAN && f !== FINALIZER_FOREGROUND);
  if (orphan) out.push(FINALIZER_ORPHAN);
  if (foreground) out.push(FINALIZER_FOREGROUND);
  // The same set: the object's own list, in its order.
  return sameFinalizers(out, had) ? [...had] : out;
}

/** Whether two finalizer lists hold the same set (the API server compares them as sets). */
export function sameFinalizers(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = new Set(a ?? []);
  const y = new Set(b ?? []);
  return x.size === y.size && [...x].every((f) => y.has(f));
}

/**
 * The validation error of a write that adds finalizers to an object being deleted
 * (ValidateNoNewFinalizers, field `metadata.finalizers`); undefined when it adds none. Any other
 * change to an object being deleted (its spec, labels, a finalizer taken off) is allowed, as on
 * a cluster.
 */
export function newFinalizersRefusal(
  before: readonly string[] | undefined,
  after: readonly string[] | undefined,
): string | undefined {
  const had = new Set(before ?? []);
  const added = (after ?? []).filter((f) => !had.has(f));
  if (added.length === 0) return undefined;
  return `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`;
}

/**
 * A finalizer added the way Knative's generated reconciler adds it (updateFinalizersFiltered):
 * appended to the object's own, once.
 */
export function withFinalizer(finalizers: readonly string[] | undefined, name: string): string[] {
  const had = finalizers ?? [];
  return had.includes(name) ? [...had] : [...had, name];
}

/**
 * A finalizer taken off the way Knative's generated reconciler takes it off: what is left, as a
 * sorted set (`sets.String.List()`).
 */
export function withoutFinalizer(finalizers: readonly string[] | undefined, name: string): string[] {
  return [...new Set((finalizers ?? []).filter((f) => f !== name))].sort();
}

/** The Event Knative's generated reconciler records after it patched its finalizer in or out. */
export function finalizerUpdateEvent(name: string): { type: 'Normal'; reason: string; message: string } {
  return { type: 'Normal', reason: 'FinalizerUpdate', message: `Updated "${name}" finalizers` };
}
