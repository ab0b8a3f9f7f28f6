/**
 * The Revision reconciler: resolves the image, creates the Deployment (`<rev>-deployment`, at
 * initial scale) and the PodAutoscaler (`<rev>`), and reports the revision's conditions from
 * the Deployment and the PodAutoscaler (reference §6).
 */
import type { Deployment, PodAutoscaler, Revision, RevisionStatus } from '../../model/api/types.js';
import { resolveInitialScale } from '../../model/kpa/index.js';
import {
  applyConditions,
  getCondition,
  REVISION_CONDITION_SET,
  revisionContainerHealthyFromDeployment,
  revisionContainerMissing,
  revisionDeploying,
  revisionFromAutoscaler,
} from '../../model/rules/conditions.js';
import { LABEL_REVISION, LABEL_REVISION_UID, LABEL_ROUTE, LABEL_ROUTING_STATE } from '../../model/rules/labels.js';
import { deploymentName, podAutoscalerName } from '../../model/rules/naming.js';
import { revisionContainers } from '../../model/rules/podspec.js';
import { reachabilityOf } from '../../model/rules/routing.js';
import type { SimContext } from '../context.js';
import { ownerRef } from '../context.js';
import { imageIsMissing } from '../settings.js';
import { T } from '../types.js';
import type { ClusterConfig } from './clusterConfig.js';

function digestError(image: string): string {
  return image.includes('##')
    ? `could not parse reference: ${image}`
    : `GET https://${image.split('/')[0]}/v2/${image.split('/').slice(1).join('/')}/manifests/latest: MANIFEST_UNKNOWN: manifest unknown`;
}

export function reconcileRevision(ctx: SimContext, config: ClusterConfig, namespace: string, name: string): boolean {
  const rev = ctx.store.get<Revision>(T.revision, namespace, name);
  if (!rev || rev.metadata.deletionTimestamp) return false;
  const now = ctx.timestamp();
  const image = rev.spec.containers?.[0]?.image ?? '';
  if (imageIsMissing(ctx.settings, image)) {
    const conditions = applyConditions(
      REVISION_CONDITION_SET,
      rev.status?.conditions,
      [...(rev.status?.conditions ? [] : revisionDeploying()), revisionContainerMissing(image, digestError(image))],
      now,
    );
    ctx.store.updateStatus(T.revision, namespace, name, { observedGeneration: rev.metadata.generation, conditions });
    return false;
  }

  const podLabels: Record<string, string> = { ...(rev.metadata.labels ?? {}) };
  delete podLabels[LABEL_ROUTE];
  delete podLabels[LABEL_ROUTING_STATE];
  podLabels[LABEL_REVISION] = name;
  podLabels[LABEL_REVISION_UID] = rev.metadata.uid ?? '';
  if (!podLabels.app) podLabels.app = name;

  const depName = deploymentName(name);
  if (!ctx.store.get(T.deployment, namespace, depName)) {
    const initialScale = resolveInitialScale(config.autoscaler, rev.metadata.annotations ?? {});
    ctx.store.create<Deployment>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: depName, namespace, labels: podLabels, ownerReferences: [ownerRef(rev)] },
      spec: {
        replicas: initialScale,
        progressDeadlineSeconds: Math.round(config.deployment.progressDeadlineMs / 1000),
        selector: { matchLabels: { [LABEL_REVISION_UID]: rev.metadata.uid ?? '' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
        revisionHistoryLimit: 0,
        template: {
          metadata: { labels: podLabels },
          spec: {
            containers: revisionContainers(rev, { defaultTimeoutSeconds: config.defaults.revisionTimeoutSeconds }),
            enableServiceLinks: false,
            terminationGracePeriodSeconds: rev.spec.timeoutSeconds ?? 300,
          },
        },
      },
    });
  }

  const paName = podAutoscalerName(name);
  const reachability = reachabilityOf(rev);
  const pa = ctx.store.get<PodAutoscaler>(T.podAutoscaler, namespace, paName);
  const paSpec: PodAutoscaler['spec'] = {
    containerConcurrency: rev.spec.containerConcurrency ?? 0,
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: depName },
    reachability,
    protocolType: 'http1',
  };
  const paAnnotations = { ...(rev.metadata.annotations ?? {}) };
  if (!pa) {
    ctx.store.create<PodAutoscaler>({
      apiVersion: 'autoscaling.internal.knative.dev/v1alpha1',
      kind: 'PodAutoscaler',
      metadata: {
        name: paName,
        namespace,
        labels: podLabels,
        annotations: paAnnotations,
        ownerReferences: [ownerRef(rev)],
      },
      spec: paSpec,
    });
  } else if (pa.spec.reachability !== reachability) {
    ctx.store.update({ ...pa, spec: paSpec });
  }

  const deployment = ctx.store.get<Deployment>(T.deployment, namespace, depName);
  const currentPa = ctx.store.get<PodAutoscaler>(T.podAutoscaler, namespace, paName);
  const previous = rev.status?.conditions;
  const fromPa = revisionFromAutoscaler(previous, currentPa);
  const conditions = applyConditions(
    REVISION_CONDITION_SET,
    previous,
    [
      ...(previous ? [] : revisionDeploying()),
      revisionContainerHealthyFromDeployment(deployment?.status?.readyReplicas ?? 0),
      ...fromPa.updates,
    ],
    now,
  );
  const status: RevisionStatus = {
    observedGeneration: rev.metadata.generation,
    conditions,
    ...(fromPa.actualReplicas !== undefined ? { actualReplicas: fromPa.actualReplicas } : {}),
    ...(fromPa.desiredReplicas !== undefined ? { desiredReplicas: fromPa.desiredReplicas } : {}),
    containerStatuses: (rev.spec.containers ?? []).map((c) => ({
      name: c.name ?? 'user-container',
      imageDigest: digestOf(c.image ?? ''),
    })),
  };
  ctx.store.updateStatus(T.revision, namespace, name, status);
  return getCondition(conditions, 'Ready') !== undefined;
}

/** A stable fake digest for an image (what digest resolution would have found). */
function digestOf(image: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < image.length; i++) h = Math.imul(h ^ image.charCodeAt(i), 0x01000193) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  return `${image.split(':')[0]}@sha256:${hex.repeat(8)}`;
}
