/**
 * The ReplicaSet between a revision's Deployment and its pods, as Kubernetes' deployment and
 * replicaset controllers keep it: `<deployment>-<pod-template-hash>`, owned by the Deployment,
 * owning the pods; its spec follows the Deployment's replicas, its status the pods. It also
 * records their events: `ScalingReplicaSet` on the Deployment ("Scaled up replica set … from 0
 * to 1"), `SuccessfulCreate`/`SuccessfulDelete` on the ReplicaSet ("Created pod: …"), and keeps
 * the Deployment's Available/Progressing conditions.
 *
 * The DeploymentController (deployment.ts) decides which pods exist; this file only writes what
 * a cluster shows about that.
 */

import type { Condition, Deployment, KubeObject } from '../../model/api/types.js';
import { PROGRESS_DEADLINE_EXCEEDED, progressTimedOutMessage } from '../../model/cluster/progress.js';
import { LABEL_POD_TEMPLATE_HASH } from '../../model/rules/labels.js';
import { replicaSetName } from '../../model/rules/naming.js';
import type { SimContext } from '../context.js';
import { ownerRef } from '../context.js';
import type { EventRecorder } from '../recorder.js';
import { MadeFrom, UnchangedStatus } from './statusMemo.js';

export const REPLICA_SETS = 'replicasets.apps';

const DEPLOYMENT_CONTROLLER = { component: 'deployment-controller' };
const REPLICASET_CONTROLLER = { component: 'replicaset-controller' };
const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

interface LabelSelector {
  matchLabels?: Record<string, string>;
}

/** maxSurge of 25% (Knative's), rounded up as the deployment controller rounds it. */
function maxReplicas(replicas: number): number {
  return replicas + Math.ceil(replicas * 0.25);
}

export interface ReplicaCounts {
  /** Pods that are not being deleted. */
  replicas: number;
  ready: number;
}

export class ReplicaSetController {
  constructor(
    private readonly ctx: SimContext,
    private readonly recorder: EventRecorder,
  ) {}

  /**
   * The ReplicaSet of this Deployment's pod template, created (with the Deployment's revision
   * annotation, and the Deployment's first ScalingReplicaSet event) when missing.
   */
  ensure(dep: Deployment, hash: string): KubeObject {
    const ns = dep.metadata.namespace ?? 'default';
    const name = replicaSetName(dep.metadata.name, hash);
    const existing = this.ctx.store.get(REPLICA_SETS, ns, name);
    if (existing) return existing;
    if (dep.metadata.annotations?.[REVISION_ANNOTATION] !== '1') {
      dep = this.ctx.store.update<Deployment>({
        ...dep,
        metadata: {
          ...dep.metadata,
          resourceVersion: undefined,
          annotations: { ...dep.metadata.annotations, [REVISION_ANNOTATION]: '1' },
        },
      });
    }
    const template = (dep.spec.template ?? {}) as { metadata?: { labels?: Record<string, string> } };
    const replicas = dep.spec.replicas ?? 1;
    const labels = { ...(template.metadata?.labels ?? {}), [LABEL_POD_TEMPLATE_HASH]: hash };
    const selector = (dep.spec.selector ?? {}) as LabelSelector;
    const rs = this.ctx.store.create({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: ns,
        labels,
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(replicas),
          'deployment.kubernetes.io/max-replicas': String(maxReplicas(replicas)),
          [REVISION_ANNOTATION]: '1',
        },
        ownerReferences: [ownerRef(dep)],
      },
      spec: {
        replicas,
        selector: { matchLabels: { ...(selector.matchLabels ?? {}), [LABEL_POD_TEMPLATE_HASH]: hash } },
        template: { ...template, metadata: { ...(template.metadata ?? {}), labels } },
      },
    });
    this.ctx.store.updateStatus(REPLICA_SETS, ns, name, { replicas: 0, observedGeneration: 1 });
    if (replicas > 0) {
      this.recorder.record(
        dep,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${name} from 0 to ${replicas}`,
        DEPLOYMENT_CONTROLLER,
      );
    }
    return this.ctx.store.get(REPLICA_SETS, ns, name) ?? rs;
  }

  /** The Deployment's replicas changed: the ReplicaSet follows, and the Deployment says so. */
  follow(dep: Deployment, rs: KubeObject): KubeObject {
    const spec = (rs as { spec?: { replicas?: number } }).spec ?? {};
    const from = spec.replicas ?? 0;
    const to = dep.spec.replicas ?? 1;
    if (from === to) return rs;
    const updated = this.ctx.store.update({
      ...rs,
      metadata: {
        ...rs.metadata,
        resourceVersion: undefined,
        annotations: {
          ...rs.metadata.annotations,
          'deployment.kubernetes.io/desired-replicas': String(to),
          'deployment.kubernetes.io/max-replicas': String(maxReplicas(to)),
        },
      },
      spec: { ...spec, replicas: to },
    } as KubeObject);
    this.recorder.record(
      dep,
      'Normal',
      'ScalingReplicaSet',
      `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${to}`,
      DEPLOYMENT_CONTROLLER,
    );
    return updated;
  }

  podCreated(rs: KubeObject, pod: string): void {
    this.recorder.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod}`, REPLICASET_CONTROLLER);
  }

  podDeleted(rs: KubeObject, pod: string): void {
    this.recorder.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod}`, REPLICASET_CONTROLLER);
  }

  /** The ReplicaSet's status from its pods. */
  writeStatus(rs: KubeObject, counts: ReplicaCounts): void {
    const current = this.ctx.store.get(REPLICA_SETS, rs.metadata.namespace, rs.metadata.name);
    if (!current) return;
    const generation = current.metadata.generation ?? 1;
    // The status is made from these alone (not from the stored one): a stored status written
    // from the same counts and generation is the one this write would make.
    const stored = current.status;
    const inputs = [counts.replicas, counts.ready, generation];
    if (this.madeFrom.same(stored, inputs)) {
      UnchangedStatus.verify?.('ReplicaSet', stored, () => replicaSetStatus(counts, generation));
      return;
    }
    // Made for this write alone (numbers only): the store keeps it as it is, not a copy of it.
    const after = this.ctx.store.updateStatus(
      REPLICA_SETS,
      rs.metadata.namespace,
      rs.metadata.name,
      replicaSetStatus(counts, generation),
      true,
    );
    this.madeFrom.wrote(after.status, inputs);
  }

  /** Each stored ReplicaSet status this controller wrote (or found written), by what it was made from. */
  private readonly madeFrom = new MadeFrom();
}

/** A ReplicaSet's status from its pods' counts and its generation. */
function replicaSetStatus(counts: ReplicaCounts, generation: number): Record<string, unknown> {
  return {
    replicas: counts.replicas,
    fullyLabeledReplicas: counts.replicas,
    ...(counts.ready > 0 ? { readyReplicas: counts.ready, availableReplicas: counts.ready } : {}),
    observedGeneration: generation,
  };
}

/**
 * The Deployment's conditions as the deployment controller keeps them: Available (enough pods
 * ready for maxUnavailable 0) and Progressing (the new ReplicaSet is progressing, or has).
 */
export function deploymentConditions(
  previous: readonly Condition[] | undefined,
  rsName: string,
  desired: number,
  available: number,
  updated: number,
  now: string,
  /** The rollout passed its progress deadline without progress (src/model/cluster/progress.ts). */
  timedOut = false,
): Condition[] {
  const enough = available >= desired;
  const complete = enough && updated === desired;
  const progressing = previous?.some((c) => c.type === 'Progressing')
    ? timedOut && !complete
      ? deploymentCondition(
          previous,
          now,
          'Progressing',
          'False',
          PROGRESS_DEADLINE_EXCEEDED,
          progressTimedOutMessage(rsName),
        )
      : complete
        ? deploymentCondition(
            previous,
            now,
            'Progressing',
            'True',
            'NewReplicaSetAvailable',
            `ReplicaSet "${rsName}" has successfully progressed.`,
          )
        : deploymentCondition(
            previous,
            now,
            'Progressing',
            'True',
            'ReplicaSetUpdated',
            `ReplicaSet "${rsName}" is progressing.`,
          )
    : deploymentCondition(
        previous,
        now,
        'Progressing',
        'True',
        'NewReplicaSetCreated',
        `Created new replica set "${rsName}"`,
      );
  return [
    enough
      ? deploymentCondition(
          previous,
          now,
          'Available',
          'True',
          'MinimumReplicasAvailable',
          'Deployment has minimum availability.',
        )
      : deploymentCondition(
          previous,
          now,
          'Available',
          'False',
          'MinimumReplicasUnavailable',
          'Deployment does not have minimum availability.',
        ),
    progressing,
  ];
}

/**
 * One Deployment condition: the previous one when nothing changed, else a new one (its
 * transition time kept while the status stays). A module function, not a closure made per
 * call: under tsx each named closure costs a `__name` call, on every Deployment status write.
 */
function deploymentCondition(
  previous: readonly Condition[] | undefined,
  now: string,
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
): Condition {
  const old = previous?.find((c) => c.type === type);
  const same = old && old.status === status && old.reason === reason && old.message === message;
  if (same) return old;
  return {
    type,
    status,
    reason,
    message,
    lastUpdateTime: now,
    lastTransitionTime: old && old.status === status ? (old.lastTransitionTime ?? now) : now,
  } as Condition;
}
