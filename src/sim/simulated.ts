/**
 * What the simulator can run, checked before a run: a Service's or Configuration's revision
 * template asking for an autoscaler class or a metric knsim does not simulate is refused with its
 * file, line and field (the parser's `validateManifest` hook), never run as something else.
 * Simulated: the KPA (`kpa.autoscaling.knative.dev`) on concurrency or rps, and the HPA class
 * (`hpa.autoscaling.knative.dev`) on cpu or memory. A live cluster runs what it has installed.
 */
import type { KubeObject } from '../model/api/types.js';
import { ANNOTATION_KEYS } from '../model/kpa/annotations.js';
import { HPA_CLASS, KPA_CLASS } from '../model/kpa/config.js';

export interface ManifestIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

const SIMULATED_METRICS: Record<string, readonly string[]> = {
  [KPA_CLASS]: ['concurrency', 'rps'],
  [HPA_CLASS]: ['cpu', 'memory'],
};

/** Issues (paths relative to the manifest) for what the simulator would not run as asked. */
export function unsimulatedAutoscaling(obj: KubeObject): ManifestIssue[] {
  if (obj.apiVersion !== 'serving.knative.dev/v1' || (obj.kind !== 'Service' && obj.kind !== 'Configuration'))
    return [];
  const template = (obj as { spec?: { template?: { metadata?: { annotations?: unknown } } } }).spec?.template;
  const annotations = template?.metadata?.annotations;
  if (!annotations || typeof annotations !== 'object') return [];
  const a = annotations as Record<string, unknown>;
  const base = ['spec', 'template', 'metadata', 'annotations'];
  const issues: ManifestIssue[] = [];
  const classKey = ANNOTATION_KEYS.class[0];
  const cls = typeof a[classKey] === 'string' ? (a[classKey] as string) : KPA_CLASS;
  if (!(cls in SIMULATED_METRICS)) {
    issues.push({
      path: [...base, classKey],
      message: `autoscaler class ${JSON.stringify(cls)} is not simulated: knsim runs ${KPA_CLASS} (the default) and ${HPA_CLASS}`,
    });
    return issues;
  }
  const metricKey = ANNOTATION_KEYS.metric[0];
  const metric = a[metricKey];
  if (typeof metric === 'string' && !SIMULATED_METRICS[cls]!.includes(metric)) {
    issues.push({
      path: [...base, metricKey],
      message: `metric ${JSON.stringify(metric)} is not simulated for ${cls}: knsim runs ${SIMULATED_METRICS[cls]!.join(' and ')}`,
    });
  }
  return issues;
}
