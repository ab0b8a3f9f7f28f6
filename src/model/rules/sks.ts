/**
 * The ServerlessService reconciler's rules (reference §4 "SKS mode and activators"): which
 * endpoints the revision's public service gets, and when the SKS is Ready. The KPA asks for a
 * mode (`sksModeFor` in src/model/kpa/scaler.ts); the SKS reconciler programs what the
 * endpoints allow.
 */
import type { SKSMode } from '../kpa/scaler.js';
import type { ConditionSet, ConditionUpdate } from './conditions.js';

const REASON_NO_HEALTHY_BACKENDS = 'NoHealthyBackends';
const MESSAGE_NO_HEALTHY_BACKENDS = 'No healthy backends';

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

/** SKS Ready: True once the private service has ready endpoints, else Unknown `NoHealthyBackends`. */
export function sksReadyCondition(readyEndpoints: number): ConditionUpdate {
  return readyEndpoints > 0
    ? { type: 'Ready', status: 'True' }
    : { type: 'Ready', status: 'Unknown', reason: REASON_NO_HEALTHY_BACKENDS, message: MESSAGE_NO_HEALTHY_BACKENDS };
}

/** The SKS's condition set: Ready alone. */
export const SKS_CONDITION_SET: ConditionSet = { happy: 'Ready', dependents: [] };
