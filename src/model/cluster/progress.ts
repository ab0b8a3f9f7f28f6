/**
 * The Deployment controller's progress deadline (kubernetes pkg/controller/deployment/progress.go
 * `syncRolloutStatus`, util/deployment_util.go `DeploymentProgressing`, `DeploymentTimedOut`).
 *
 * While a rollout has not completed, any progress (more updated replicas, more ready or available
 * ones) moves the Progressing condition's lastUpdateTime to now; when `progressDeadlineSeconds`
 * pass after it without progress, Progressing turns False, reason `ProgressDeadlineExceeded`. The
 * controller requeues the Deployment a second after the deadline ("to avoid milliseconds skew in
 * AddAfter"), so that is when a stalled Deployment shows it. Progress makes it True again. Once the
 * rollout has completed (Progressing `NewReplicaSetAvailable`), the controller estimates no more
 * progress for it until its template changes: a Knative revision's Deployment, whose template never
 * changes, can time out only before its first pods were all available.
 */

/** The reason of Progressing False (kubernetes deployment util `TimedOutReason`). */
export const PROGRESS_DEADLINE_EXCEEDED = 'ProgressDeadlineExceeded';

/** Progressing False's message (progress.go). */
export function progressTimedOutMessage(replicaSet: string): string {
  return `ReplicaSet "${replicaSet}" has timed out progressing.`;
}

/** The requeue after the deadline: a second past it (progress.go `requeueStuckDeployment`). */
export const PROGRESS_REQUEUE_SKEW_MS = 1000;

/** A Deployment's counts, as its status gives them. */
export interface RolloutCounts {
  readonly replicas: number;
  readonly updated: number;
  readonly ready: number;
  readonly available: number;
}

/**
 * `DeploymentProgressing`: more updated, ready or available replicas than the last status said,
 * or fewer old ones (a revision's Deployment has none: its template never changes).
 */
export function rolloutProgressed(before: RolloutCounts, after: RolloutCounts): boolean {
  return (
    after.updated > before.updated ||
    after.replicas - after.updated < before.replicas - before.updated ||
    after.ready > before.ready ||
    after.available > before.available
  );
}

/** `DeploymentTimedOut`: the deadline has passed since the last progress (strictly, as `Before`). */
export function rolloutTimedOut(lastProgressMs: number, progressDeadlineSeconds: number, nowMs: number): boolean {
  return lastProgressMs + progressDeadlineSeconds * 1000 < nowMs;
}

/**
 * Knative's `hasDeploymentTimedOut` (knative/serving pkg/reconciler/revision/reconcile_resources.go):
 * the Deployment's Progressing condition is False with reason `ProgressDeadlineExceeded`.
 */
export function hasDeploymentTimedOut(
  conditions: readonly { readonly type: string; readonly status: string; readonly reason?: string }[] | undefined,
): boolean {
  return (conditions ?? []).some(
    (c) => c.type === 'Progressing' && c.status === 'False' && c.reason === PROGRESS_DEADLINE_EXCEEDED,
  );
}
