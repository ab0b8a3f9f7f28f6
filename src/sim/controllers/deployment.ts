/**
 * The Deployment/ReplicaSet controller and the kubelet, simulated: keeps a revision
 * Deployment's pods at spec.replicas, runs each pod's lifecycle machine on the engine clock,
 * and writes Pod objects as kubectl would see them.
 */
import { type Actor, createActor } from 'xstate';
import type { Container, ContainerStatus, Deployment, Pod } from '../../model/api/types.js';
import type { PodPhase } from '../../model/events.js';
import { podMachine } from '../../model/machines/pod.js';
import { podName, replicaSetHash } from '../../model/rules/naming.js';
import type { SimContext } from '../context.js';
import { ownerRef } from '../context.js';
import { normalVariate } from '../load/rng.js';
import { T } from '../types.js';

export interface PodObserver {
  podPhase(revision: string, pod: string, phase: PodPhase): void;
}

interface PodRuntime {
  name: string;
  revision: string;
  phase: PodPhase;
  createdAt: number;
  actor: Actor<typeof podMachine>;
  ip: string;
}

export interface PodCounts {
  ready: number;
  pending: number;
  terminating: number;
}

interface DeploymentRuntime {
  podTemplateHash: string;
  pods: Map<string, PodRuntime>;
}

/** Deletion preference as a ReplicaSet ranks pods: the least far along goes first. */
const PHASE_RANK: Record<PodPhase, number> = {
  Pending: 0,
  ContainerCreating: 1,
  Running: 2,
  Ready: 3,
  Terminating: 4,
  Gone: 5,
};

export class DeploymentController {
  private readonly deployments = new Map<string, DeploymentRuntime>();
  private readonly pulledImages = new Set<string>();
  private ipCounter = 0;

  constructor(
    private readonly ctx: SimContext,
    private readonly observer: PodObserver,
  ) {}

  /** The pods of a revision's Deployment that exist (any phase but Gone). */
  pods(namespace: string, deployment: string): PodRuntime[] {
    const rt = this.deployments.get(`${namespace}/${deployment}`);
    return rt ? [...rt.pods.values()] : [];
  }

  /**
   * The pods of a revision's Deployment by phase: `ready`, `terminating`, and `pending` (the
   * others), counted without building a list (the KPA and the per-second sample ask often).
   */
  countPods(namespace: string, deployment: string, into: PodCounts): PodCounts {
    into.ready = 0;
    into.pending = 0;
    into.terminating = 0;
    const rt = this.deployments.get(`${namespace}/${deployment}`);
    if (!rt) return into;
    for (const p of rt.pods.values()) {
      if (p.phase === 'Ready') into.ready++;
      else if (p.phase === 'Terminating') into.terminating++;
      else into.pending++;
    }
    return into;
  }

  reconcile(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const dep = this.ctx.store.get<Deployment>(T.deployment, namespace, name);
    let rt = this.deployments.get(key);
    if (!dep) {
      if (rt) {
        for (const pod of rt.pods.values()) this.deletePod(namespace, pod);
      }
      return;
    }
    if (!rt) {
      rt = { podTemplateHash: replicaSetHash(this.ctx.random.names), pods: new Map() };
      this.deployments.set(key, rt);
    }
    const desired = dep.spec.replicas ?? 1;
    const alive = [...rt.pods.values()].filter((p) => p.phase !== 'Terminating' && p.phase !== 'Gone');
    if (alive.length < desired) {
      for (let i = alive.length; i < desired; i++) this.createPod(dep, rt);
    } else if (alive.length > desired) {
      const victims = alive
        .slice()
        .sort((a, b) => PHASE_RANK[a.phase] - PHASE_RANK[b.phase] || b.createdAt - a.createdAt)
        .slice(0, alive.length - desired);
      for (const pod of victims) this.deletePod(namespace, pod);
    }
    this.writeStatus(dep, rt);
  }

  private writeStatus(dep: Deployment, rt: DeploymentRuntime): void {
    const pods = [...rt.pods.values()];
    const current = pods.filter((p) => p.phase !== 'Terminating' && p.phase !== 'Gone');
    const ready = current.filter((p) => p.phase === 'Ready').length;
    this.ctx.store.updateStatus(T.deployment, dep.metadata.namespace, dep.metadata.name, {
      observedGeneration: dep.metadata.generation,
      replicas: current.length,
      updatedReplicas: current.length,
      readyReplicas: ready,
      availableReplicas: ready,
    });
  }

  private startupDuration(median: number): number {
    const spread = this.ctx.settings.podStartup.spread;
    if (median <= 0) return 0;
    if (spread <= 0) return median;
    return Math.round(median * Math.exp(spread * normalVariate(this.ctx.random.pods)));
  }

  private createPod(dep: Deployment, rt: DeploymentRuntime): void {
    const ns = dep.metadata.namespace ?? 'default';
    const revision = dep.metadata.labels?.['serving.knative.dev/revision'] ?? dep.metadata.name;
    const template = (dep.spec.template ?? {}) as {
      metadata?: { labels?: Record<string, string> };
      spec?: { containers?: Container[]; terminationGracePeriodSeconds?: number };
    };
    let name = podName(revision, rt.podTemplateHash, this.ctx.random.names);
    while (rt.pods.has(name)) name = podName(revision, rt.podTemplateHash, this.ctx.random.names);
    const image = template.spec?.containers?.[0]?.image ?? '';
    const startup = this.ctx.settings.podStartup;
    const pull = this.pulledImages.has(image) ? 0 : startup.imagePullMs;
    this.pulledImages.add(image);
    const ip = `10.244.${(this.ipCounter >> 8) & 255}.${(this.ipCounter++ & 255) + 1}`;
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: ns,
        labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': rt.podTemplateHash },
        ownerReferences: [
          {
            ...ownerRef(dep),
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: `${dep.metadata.name}-${rt.podTemplateHash}`,
          },
        ],
      },
      spec: {
        containers: template.spec?.containers ?? [],
        terminationGracePeriodSeconds: template.spec?.terminationGracePeriodSeconds ?? 300,
      },
      status: podStatus('Pending', ip, undefined),
    };
    this.ctx.store.create(pod);
    const actor = createActor(podMachine, {
      clock: this.ctx.engine.clock,
      input: {
        name,
        revision,
        schedulingMs: this.startupDuration(startup.schedulingMs),
        creatingMs: this.startupDuration(startup.creatingMs) + pull,
        startupMs: this.startupDuration(startup.appStartMs),
        drainMs: this.ctx.settings.drainMs,
      },
    });
    const runtime: PodRuntime = { name, revision, phase: 'Pending', createdAt: this.ctx.now(), actor, ip };
    rt.pods.set(name, runtime);
    actor.on('phase', ({ phase }) => this.onPhase(ns, dep.metadata.name, runtime, phase));
    actor.start();
  }

  private deletePod(namespace: string, pod: PodRuntime): void {
    if (pod.phase === 'Terminating' || pod.phase === 'Gone') return;
    this.ctx.store.markDeleting(T.pod, namespace, pod.name);
    pod.actor.send({ type: 'pod.delete' });
  }

  private onPhase(namespace: string, deployment: string, pod: PodRuntime, phase: PodPhase): void {
    const first = phase === 'Pending' && pod.phase === 'Pending';
    pod.phase = phase;
    this.ctx.emit({ t: this.ctx.now(), type: 'pod', pod: pod.name, revision: pod.revision, phase });
    if (phase === 'Gone') {
      this.ctx.store.remove(T.pod, namespace, pod.name);
      this.deployments.get(`${namespace}/${deployment}`)?.pods.delete(pod.name);
      pod.actor.stop();
    } else if (phase !== 'Terminating' && !first) {
      const existing = this.ctx.store.get<Pod>(T.pod, namespace, pod.name);
      if (existing) {
        this.ctx.store.updateStatus(
          T.pod,
          namespace,
          pod.name,
          podStatus(phase, pod.ip, existing.status?.startTime ?? this.ctx.timestamp()),
        );
      }
    }
    this.observer.podPhase(pod.revision, pod.name, phase);
    const dep = this.ctx.store.get<Deployment>(T.deployment, namespace, deployment);
    const rt = this.deployments.get(`${namespace}/${deployment}`);
    if (dep && rt) this.writeStatus(dep, rt);
  }
}

function containerStatus(name: string, phase: PodPhase, ready: boolean): ContainerStatus {
  if (phase === 'Pending' || phase === 'ContainerCreating') {
    return { name, ready: false, restartCount: 0, started: false, state: { waiting: { reason: 'ContainerCreating' } } };
  }
  return { name, ready, restartCount: 0, started: true, state: { running: {} } };
}

/** The Pod status kubelet reports in each phase (queue-proxy gates readiness, so Running is 1/2). */
export function podStatus(phase: PodPhase, ip: string, startTime: string | undefined): Pod['status'] {
  if (phase === 'Pending') {
    return { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] };
  }
  const ready = phase === 'Ready';
  return {
    phase: phase === 'ContainerCreating' ? 'Pending' : 'Running',
    podIP: phase === 'ContainerCreating' ? undefined : ip,
    startTime,
    conditions: [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Ready', status: ready ? 'True' : 'False' },
    ],
    containerStatuses: [
      containerStatus('queue-proxy', phase, ready),
      containerStatus('user-container', phase, phase === 'Running' || phase === 'Ready'),
    ],
  };
}
