/**
 * The Revision reconciler: resolves the image, creates the Deployment (`<rev>-deployment`, at
 * initial scale) and the PodAutoscaler (`<rev>`), and reports the revision's conditions from
 * the Deployment and the PodAutoscaler (reference §6).
 */
import type { SnapshotFrom } from 'xstate';
import { deepFreeze } from '../../model/api/frozen.js';
import type {
  Condition,
  Container,
  Deployment,
  Pod,
  PodAutoscaler,
  Revision,
  RevisionStatus,
} from '../../model/api/types.js';
import { hasDeploymentTimedOut } from '../../model/cluster/progress.js';
import { containerConcurrencyOf } from '../../model/dataplane.js';
import { resolveInitialScale } from '../../model/kpa/index.js';
import {
  type RevisionLifecycleEmitted,
  type RevisionLifecycleEvent,
  type RevisionObservation,
  revisionLifecycleMachine,
  revisionReconcileStays,
} from '../../model/machines/revision.js';
import { autoscalerFacts, deploymentStalled, firstPodFailure } from '../../model/rules/conditions.js';
import {
  LABEL_REVISION,
  LABEL_REVISION_UID,
  LABEL_ROUTE,
  LABEL_ROUTING_STATE,
  revisionChildAnnotations,
} from '../../model/rules/labels.js';
import { deploymentName, podAutoscalerName } from '../../model/rules/naming.js';
import { carriedPodFields, revisionContainers } from '../../model/rules/podspec.js';
import { reachabilityOf } from '../../model/rules/routing.js';
import type { SimContext } from '../context.js';
import { ownerRef } from '../context.js';
import { imageIsMissing } from '../settings.js';
import { cloneData, dataEqual, type ObjectStore } from '../store.js';
import { PODS_BY_REVISION, T } from '../types.js';
import type { ClusterConfig } from './clusterConfig.js';
import { divergeAt, MachinesByObject, narrate } from './lifecycle.js';

function digestError(image: string): string {
  return image.includes('##')
    ? `could not parse reference: ${image}`
    : `GET https://${image.split('/')[0]}/v2/${image.split('/').slice(1).join('/')}/manifests/latest: MANIFEST_UNKNOWN: manifest unknown`;
}

/**
 * The Revision reconciler: resolves the image, creates the Deployment and the PodAutoscaler, and
 * hands what it observed (the image's resolution, the Deployment's ready replicas, the PA) to the
 * revision's lifecycle machine, which decides the conditions; it writes the status the machine
 * emits.
 */
export class RevisionController {
  private readonly machines = new MachinesByObject(
    revisionLifecycleMachine,
    () => this.ctx.engine,
    ({ namespace, name }) =>
      (e) =>
        this.told(namespace, name, e),
  );

  /**
   * Tests: when set, called for each send left out because the machine would stay, with the
   * stored Revision, its machine's snapshot, the event and what makes the status from what the
   * machine emits.
   */
  static verify:
    | ((
        rev: Revision,
        snapshot: SnapshotFrom<typeof revisionLifecycleMachine>,
        event: RevisionLifecycleEvent,
        status: (emitted: RevisionStatusEmitted) => RevisionStatus,
      ) => void)
    | undefined;

  /**
   * The pod templates of the revisions' Deployments as this reconciler made them (or found them
   * equal to what it makes): a Deployment whose template is not one of these was changed by
   * someone else (`kubectl rollout restart`, `kubectl edit`), and is looked at again.
   */
  private readonly ownTemplates = new WeakSet<object>();

  constructor(
    private readonly ctx: SimContext,
    private readonly config: () => ClusterConfig,
  ) {}

  /**
   * Knative's `checkAndUpdateDeployment` (pkg/reconciler/revision/cruds.go): the Deployment's spec
   * is made again from the Revision and, where it differs (`equality.Semantic.DeepEqual`), written
   * back, keeping only the replicas (the autoscaler's) and the selector (immutable). So the
   * `restartedAt` annotation `kubectl rollout restart` puts on the pod template is taken off again,
   * and no pod restarts. knsim looks at the template only, when it is not the one it wrote.
   */
  private restoreTemplate(rev: Revision, name: string, have: Deployment, config: ClusterConfig): void {
    const want = podTemplate(rev, podLabelsOf(rev, name), config);
    if (dataEqual(want, have.spec.template)) {
      this.ownTemplates.add(have.spec.template as object);
      return;
    }
    const restored = this.ctx.store.update<Deployment>({
      ...have,
      metadata: { ...have.metadata, resourceVersion: undefined },
      spec: { ...have.spec, template: want },
    });
    this.ownTemplates.add(restored.spec.template as object);
  }

  /** Reconciles; true once the revision's children exist (its runtime can start). */
  reconcile(namespace: string, name: string): boolean {
    const { ctx } = this;
    const config = this.config();
    const rev = ctx.store.get<Revision>(T.revision, namespace, name);
    if (!rev || rev.metadata.deletionTimestamp) {
      if (!rev) this.machines.forget(namespace, name);
      return false;
    }
    const image = rev.spec.containers?.[0]?.image ?? '';
    if (imageIsMissing(ctx.settings, image)) {
      this.observe(
        rev,
        { unresolvedImage: { image, error: digestError(image) }, readyReplicas: 0, autoscaler: undefined },
        (status) => ({
          observedGeneration: rev.metadata.generation,
          conditions: status.conditions,
        }),
      );
      return false;
    }
    // The pods' labels, made only for a child that does not exist yet (most reconciles find both).
    let podLabels: Record<string, string> | undefined;

    const depName = deploymentName(name);
    const have = ctx.store.get<Deployment>(T.deployment, namespace, depName);
    if (have && !this.ownTemplates.has(have.spec.template as object)) {
      this.restoreTemplate(rev, name, have, config);
    } else if (!have) {
      podLabels = podLabelsOf(rev, name);
      const initialScale = resolveInitialScale(config.autoscaler, rev.metadata.annotations ?? {});
      const made = ctx.store.create<Deployment>({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: depName,
          namespace,
          labels: podLabels,
          ownerReferences: [ownerRef(rev)],
        },
        spec: {
          replicas: initialScale,
          progressDeadlineSeconds: Math.round(config.deployment.progressDeadlineMs / 1000),
          selector: { matchLabels: { [LABEL_REVISION_UID]: rev.metadata.uid ?? '' } },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
          revisionHistoryLimit: 0,
          template: podTemplate(rev, podLabels, config),
        },
      });
      this.ownTemplates.add(made.spec.template as object);
    }

    const paName = podAutoscalerName(name);
    const reachability = reachabilityOf(rev);
    const pa = ctx.store.get<PodAutoscaler>(T.podAutoscaler, namespace, paName);
    if (!pa || pa.spec.reachability !== reachability) {
      const paSpec: PodAutoscaler['spec'] = {
        containerConcurrency: containerConcurrencyOf(rev.spec),
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: depName },
        reachability,
        protocolType: 'http1',
      };
      if (!pa) {
        podLabels ??= podLabelsOf(rev, name);
        ctx.store.create<PodAutoscaler>({
          apiVersion: 'autoscaling.internal.knative.dev/v1alpha1',
          kind: 'PodAutoscaler',
          metadata: {
            name: paName,
            namespace,
            labels: podLabels,
            annotations: revisionChildAnnotations(rev.metadata.annotations),
            ownerReferences: [ownerRef(rev)],
          },
          spec: paSpec,
        });
      } else {
        ctx.store.update({ ...pa, spec: paSpec });
      }
    }

    const deployment = ctx.store.get<Deployment>(T.deployment, namespace, depName);
    const currentPa = ctx.store.get<PodAutoscaler>(T.podAutoscaler, namespace, paName);
    // Every pod placed at once, and no app that exits (the scenario makes none crash, and gives
    // no app memory for a limit to kill it for): no pod to look at.
    const look = {
      scheduling: !config.deployment.podIsAlwaysSchedulable,
      exits:
        ctx.settings.crashImages.length > 0 ||
        ctx.settings.hangImages.length > 0 ||
        ctx.settings.app.memory !== undefined,
    };
    // Past its progress deadline, a waiting container is a failure too (`hasDeploymentTimedOut`).
    const timedOut = hasDeploymentTimedOut(
      (deployment?.status as { conditions?: readonly { type: string; status: string; reason?: string }[] } | undefined)
        ?.conditions,
    );
    const first =
      (look.scheduling || look.exits || timedOut) && deploymentStalled(deployment)
        ? firstPodOf(ctx.store, namespace, name, rev.metadata.uid ?? '')
        : undefined;
    const observed: RevisionObservation = {
      readyReplicas: deployment?.status?.readyReplicas ?? 0,
      autoscaler: currentPa,
      ...(first ? firstPodFailure(first, rev.spec.containers?.[0]?.name ?? 'user-container', look, timedOut) : {}),
    };
    this.observe(rev, observed, ({ conditions, actualReplicas, desiredReplicas }) => ({
      observedGeneration: rev.metadata.generation,
      conditions,
      ...(actualReplicas !== undefined ? { actualReplicas } : {}),
      ...(desiredReplicas !== undefined ? { desiredReplicas } : {}),
      containerStatuses: this.containerStatuses(rev.spec.containers),
    }));
    return true;
  }

  /** The containers' statuses by the containers they were made for (see `containerStatuses`). */
  private readonly statuses = new WeakMap<readonly Container[], ContainerStatus[]>();

  /**
   * The containers' names and digests, made once per containers list: every reconcile reports
   * them, and a status write keeps the Revision's spec objects (a spec write makes new ones).
   * Frozen, as the store keeps frozen data without copying it.
   */
  private containerStatuses(containers: readonly Container[] | undefined): ContainerStatus[] {
    if (!containers) return [];
    let made = this.statuses.get(containers);
    if (!made) {
      made = deepFreeze(
        containers.map((c) => ({ name: c.name ?? 'user-container', imageDigest: digestOf(c.image ?? '') })),
      );
      this.statuses.set(containers, made);
    }
    return made;
  }

  /** Sends what was observed to the revision's machine and writes the status it emits. */
  private observe(
    rev: Revision,
    observed: RevisionObservation,
    status: (emitted: RevisionStatusEmitted) => RevisionStatus,
  ): void {
    const { ctx } = this;
    const namespace = rev.metadata.namespace ?? '';
    // What the send and the status write depend on besides the Revision itself (its generation
    // and containers): the conditions it starts from, what it observed (of the PodAutoscaler only
    // the facts `revisionFromAutoscaler` reads it through) and, when it can matter, the time
    // it stamps (`stampTimeInput`). A repeat starts where the last reconcile started and sees what
    // it saw, so the machine computes the very same conditions and stays in its states. Not the
    // conditions the machine emitted last, as for the Route: `revisionFromAutoscaler` reads the
    // Revision's own conditions.
    const nowIso = ctx.timestamp();
    const previous = rev.status?.conditions;
    const inputs = revisionInputs(previous, observed, nowIso);
    if (!this.machines.repeats(rev, inputs)) {
      const event = { type: 'revision.reconcile', previous, observed, nowIso } as const;
      // The status write's own echo (and any reconcile that judges the conditions as they are):
      // the machine would stay and emit the status it emitted last, which is the stored one.
      const left = this.machines.leftAsIs(rev);
      if (left && revisionReconcileStays(left.context, event)) {
        RevisionController.verify?.(rev, left, event, status);
        this.machines.sent(rev, rev, inputs);
      } else {
        const name = rev.metadata.name;
        this.machines.send(
          rev,
          () => ({ name }),
          event,
          (e) => {
            if (e.type === 'status') ctx.store.updateStatus(T.revision, namespace, name, status(e));
            else this.told(namespace, name, e);
          },
        );
        this.machines.sent(rev, ctx.store.get<Revision>(T.revision, namespace, name), inputs);
      }
    }
    this.machines.reconciled(rev, this.ctx.now());
  }

  /** What the Revision's machine tells besides its status (which only a reconcile's send writes). */
  private told(namespace: string, name: string, e: RevisionLifecycleEmitted): void {
    if (e.type === 'milestone') narrate(this.ctx, e, this.ctx.logName(namespace, name));
    else if (e.type === 'divergence') divergeAt(this.ctx, 'Revision', namespace, name, e);
  }
}

/** The status a Revision's machine emits, as its reconciler writes it. */
type RevisionStatusEmitted = { conditions: Condition[]; actualReplicas?: number; desiredReplicas?: number };

interface ContainerStatus {
  readonly name: string;
  readonly imageDigest: string;
}

/**
 * The pod template of a revision's Deployment (Knative's MakeDeployment): a frozen copy, nothing
 * of the Revision's own, which the store, the ReplicaSet and every pod made from it share.
 */
function podTemplate(
  rev: Revision,
  podLabels: Record<string, string>,
  config: ClusterConfig,
): Deployment['spec']['template'] {
  return deepFreeze(
    cloneData({
      metadata: { labels: podLabels },
      spec: {
        containers: revisionContainers(rev, {
          defaultTimeoutSeconds: config.defaults.revisionTimeoutSeconds,
          features: config.features,
        }),
        ...carriedPodFields(rev.spec),
        enableServiceLinks: false,
        terminationGracePeriodSeconds: rev.spec.timeoutSeconds ?? 300,
      },
    }),
  );
}

/** The labels of a revision's Deployment, pods and PodAutoscaler: the Revision's, without its routing labels. */
function podLabelsOf(rev: Revision, name: string): Record<string, string> {
  const podLabels: Record<string, string> = { ...(rev.metadata.labels ?? {}) };
  delete podLabels[LABEL_ROUTE];
  delete podLabels[LABEL_ROUTING_STATE];
  podLabels[LABEL_REVISION] = name;
  podLabels[LABEL_REVISION_UID] = rev.metadata.uid ?? '';
  if (!podLabels.app) podLabels.app = name;
  return podLabels;
}

/** What a Revision reconcile's send depends on besides the Revision (see `observe`). */
export function revisionInputs(
  previous: readonly Condition[] | undefined,
  observed: RevisionObservation,
  nowIso: string,
): unknown {
  return {
    previous,
    readyReplicas: observed.readyReplicas,
    unresolvedImage: observed.unresolvedImage,
    unscheduledPod: observed.unscheduledPod,
    exitedContainer: observed.exitedContainer,
    waitingContainer: observed.waitingContainer,
    autoscaler: autoscalerFacts(observed.autoscaler),
    nowIso: stampTimeInput(previous, nowIso),
  };
}

/**
 * The time among a Revision reconcile's inputs (`RevisionController.observe`): `nowIso` when the
 * send can depend on it, undefined when it cannot. A repeat is a reconcile whose inputs equal
 * the last one's and whose Revision is the one that reconcile left, so its conditions to start
 * from (`previous`) are the ones that reconcile started from and wrote back unchanged: none of
 * its conditions changed then, or it would have stamped them with its time. `applyConditions`
 * reads the time only to stamp a condition that changes (`setCondition`, an update applied to
 * the list as the earlier updates of the same call left it; the Ready it computes orders the
 * conditions by their stored times): when a send changed none, each of its updates found the
 * condition as it is in `previous`, and so will the same updates at any later time. Except when
 * a condition in `previous` was itself stamped at that very instant: an update that changes a
 * condition twice in one call (ResourcesAvailable True, then Unknown `Deploying`, for a PA
 * without a service name) stamps it again and finds it as it was only at the same instant. So
 * the time counts only then, or with no conditions yet (the first reconcile stamps them all). In
 * a fleet most Revision reconciles (a status write's own echo, a PA or Deployment write that
 * leaves the Revision as it is) come at a later instant than the one they repeat, and all of
 * them reached the machine while the time counted always.
 */
export function stampTimeInput(previous: readonly Condition[] | undefined, nowIso: string): string | undefined {
  if (!previous) return nowIso;
  for (const c of previous) if (c.lastTransitionTime === nowIso) return nowIso;
  return undefined;
}

/**
 * The revision's first pod in list order (namespace, then name), as Knative's lister gives it:
 * the pods the revision's name label files under the pods' revision index, the first of them
 * with the revision's uid (a revision deleted and made again under the same name keeps its old
 * pods' name label). Every revision pod carries both labels (`podLabelsOf`), so this is the
 * namespace's first pod with that uid without listing the namespace: a cold start in a fleet
 * of N Services looked at all N Services' pods on every Revision reconcile while its pod was
 * not yet available.
 */
export function firstPodOf(
  store: ObjectStore,
  namespace: string,
  revisionName: string,
  revisionUid: string,
): Pod | undefined {
  for (const p of store.byIndex<Pod>(T.pod, PODS_BY_REVISION, `${namespace}/${revisionName}`)) {
    if (p.metadata.labels?.[LABEL_REVISION_UID] === revisionUid) return p;
  }
  return undefined;
}

/**
 * A stable fake digest for an image (what digest resolution would have found). An image given by
 * digest is kept as it is (Knative resolves only tags); a tag is what follows the last `:` after
 * the last `/`, so a registry's port (`localhost:5000/app`) stays.
 */
export function digestOf(image: string): string {
  if (image.includes('@')) return image;
  let h = 0x811c9dc5;
  for (let i = 0; i < image.length; i++) h = Math.imul(h ^ image.charCodeAt(i), 0x01000193) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  const colon = image.lastIndexOf(':');
  const repository = colon > image.lastIndexOf('/') ? image.slice(0, colon) : image;
  return `${repository}@sha256:${hex.repeat(8)}`;
}
