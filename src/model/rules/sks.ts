/**
 * The ServerlessService reconciler's rules (reference §4 "SKS mode and activators"): which
 * endpoints the revision's public service gets, and when the SKS is Ready. The KPA asks for a
 * mode (`sksModeFor` in src/model/kpa/scaler.ts); the SKS reconciler programs what the
 * endpoints allow.
 */
import type { OwnerReference, PodAutoscaler, ServerlessService } from '../api/types.js';
import type { SKSMode } from '../kpa/scaler.js';
import { chooseSubset } from '../subset.js';
import type { ConditionSet, ConditionUpdate } from './conditions.js';
import { deploymentName } from './naming.js';

const REASON_NO_HEALTHY_BACKENDS = 'NoHealthyBackends';
/** Knative networking's `MarkEndpointsNotReady` message (serverlessservice_lifecycle.go). */
const MESSAGE_NO_HEALTHY_BACKENDS = 'K8s Service is not ready';

/**
 * The mode the public service's endpoints are in: Proxy (activators) while the private service
 * has no ready endpoint, whatever the KPA asked for; Serve (pods) when there is no activator to
 * proxy to; otherwise the mode the KPA asked for.
 */
export function sksEndpointsMode(requested: SKSMode, readyEndpoints: number, activatorEndpoints: number): SKSMode {
  if (readyEndpoints === 0) return 'Proxy';
  if (activatorEndpoints === 0) return 'Serve';
  return requested;
}

/**
 * The activators behind a revision's public Service in Proxy mode (the SKS reconciler's
 * `subsetEndpoints`): `numActivators` of the activator endpoints, chosen consistently for the
 * revision (`chooseSubset`, target the revision's name); all of them when there are no more than
 * that, or when numActivators is 0 (all). Sorted by IP.
 */
export function activatorSubset(activators: readonly string[], numActivators: number, revision: string): string[] {
  if (numActivators === 0 || activators.length <= numActivators) return [...activators].sort();
  return chooseSubset(activators, numActivators, revision);
}

/**
 * What makes the SKS Ready: EndpointsPopulated, True once the private service has ready
 * endpoints, else Unknown `NoHealthyBackends` "K8s Service is not ready" (which Ready then
 * carries, through {@link SKS_CONDITION_SET}).
 */
export function sksReadyCondition(readyEndpoints: number): ConditionUpdate {
  return readyEndpoints > 0
    ? { type: 'EndpointsPopulated', status: 'True' }
    : {
        type: 'EndpointsPopulated',
        status: 'Unknown',
        reason: REASON_NO_HEALTHY_BACKENDS,
        message: MESSAGE_NO_HEALTHY_BACKENDS,
      };
}

/**
 * ActivatorEndpointsPopulated, the SKS reconciler's Info condition (serverlessservice.go,
 * reconcilePublicEndpoints): True "Revision is backed by Activator" while the private service
 * has no ready endpoint or the SKS's spec asks for Proxy (the mode the KPA requested), False
 * otherwise; never Unknown, and never part of Ready.
 */
export function activatorEndpointsCondition(requested: SKSMode, readyEndpoints: number): ConditionUpdate {
  return {
    type: 'ActivatorEndpointsPopulated',
    status: readyEndpoints === 0 || requested === 'Proxy' ? 'True' : 'False',
    reason: 'ActivatorEndpointsPopulated',
    message: 'Revision is backed by Activator',
  };
}

/**
 * The SKS's condition set, Knative networking's: Ready follows EndpointsPopulated
 * (ActivatorEndpointsPopulated is outside it, so Info).
 */
export const SKS_CONDITION_SET: ConditionSet = { happy: 'Ready', dependents: ['EndpointsPopulated'] };

/**
 * The ServerlessService a PodAutoscaler's reconciler creates for its revision: named after the
 * revision, labelled as the PA, pointing at the revision's Deployment; the class decides the
 * first mode (the KPA starts in Proxy behind the activators, the HPA class always serves).
 */
export function newServerlessService(
  pa: PodAutoscaler,
  owner: OwnerReference,
  mode: SKSMode,
  numActivators: number,
): ServerlessService {
  const revision = pa.metadata.name;
  return {
    apiVersion: 'networking.internal.knative.dev/v1alpha1',
    kind: 'ServerlessService',
    metadata: {
      name: revision,
      namespace: pa.metadata.namespace,
      labels: { ...(pa.metadata.labels ?? {}) },
      ownerReferences: [owner],
    },
    spec: {
      mode,
      numActivators,
      objectRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName(revision) },
      protocolType: 'http1',
    },
  };
}
