/**
 * What the API server checks on an update of a Deployment that knsim lets clients make (a
 * revision's Deployment takes PUTs and patches: `kubectl rollout restart`, `kubectl edit`).
 */
import type { KubeObject } from '../model/api/types.js';
import { dataEqual } from '../sim/store.js';
import { apiError } from './status.js';

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: unknown[];
}

/** Go's `%#v` of a LabelSelector with labels only, as the API server prints an invalid value. */
function goSelector(selector: LabelSelector | undefined): string {
  const labels = Object.entries(selector?.matchLabels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join(', ');
  return `v1.LabelSelector{MatchLabels:map[string]string{${labels}}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`;
}

/**
 * apps/v1 ValidateDeploymentUpdate: the selector is immutable (422 `spec.selector: Invalid value:
 * …: field is immutable`). What else a client changes is taken, and Knative's reconciler answers it.
 */
export function checkDeploymentUpdate(obj: KubeObject, existing: KubeObject): void {
  const want = (obj as { spec?: { selector?: LabelSelector } }).spec?.selector;
  const have = (existing as { spec?: { selector?: LabelSelector } }).spec?.selector;
  if (dataEqual(want ?? null, have ?? null)) return;
  const name = existing.metadata.name;
  const detail = `Invalid value: ${goSelector(want)}: field is immutable`;
  throw apiError(422, 'Invalid', `Deployment.apps "${name}" is invalid: spec.selector: ${detail}`, {
    name,
    group: 'apps',
    kind: 'Deployment',
    causes: [{ reason: 'FieldValueInvalid', message: detail, field: 'spec.selector' }],
  });
}
