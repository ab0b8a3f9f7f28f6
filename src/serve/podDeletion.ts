/**
 * A client's deletion of a pod, as the API server takes it (the pod registry's strategy) before
 * the simulation does the rest: the kubelet's graceful stop (the pod's machine: Terminating, its
 * queue-proxy drains, gone) and its ReplicaSet's replacement (src/sim/controllers/deployment.ts
 * `deleteRequested`). Nothing of the pod's lifecycle is decided here.
 */
import type { KubeObject, Pod } from '../model/api/types.js';
import { isoAt } from '../model/rules/time.js';

/**
 * The grace period the API server settles on (pkg/registry/core/pod/strategy.go
 * `CheckGracefulDelete`): the one asked for, else the pod's `terminationGracePeriodSeconds`
 * (Knative sets the revision's timeoutSeconds there); 0 for a pod no node runs yet or one that
 * has finished; a negative one is taken as 1. 0 deletes the object at once (not gracefully).
 */
export function podGracePeriod(pod: Pod, requested: number | undefined): number {
  const spec = pod.spec as { nodeName?: string; terminationGracePeriodSeconds?: number };
  let period = requested ?? spec.terminationGracePeriodSeconds ?? 0;
  if (!spec.nodeName) period = 0;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') period = 0;
  if (period < 0) period = 1;
  return period;
}

/**
 * What a dry run of a graceful deletion answers: the pod as the store would mark it
 * (src/sim/store.ts `markDeleting`, which stamps the time of the deletion; the API server's
 * BeforeDelete stamps the end of the grace period).
 */
export function markedForDeletion(pod: KubeObject, nowMs: number, graceSeconds: number): KubeObject {
  if (pod.metadata.deletionTimestamp) return pod;
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      deletionTimestamp: isoAt(nowMs),
      deletionGracePeriodSeconds: graceSeconds,
    },
  };
}
