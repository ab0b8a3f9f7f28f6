/**
 * Just enough of Knative on top of FakeApiServer for the live backend's tests: a Service gets its
 * Configuration, Route, Revision, PodAutoscaler, ServerlessService, Deployment and a pod that
 * becomes Ready; the revision scales to zero after `idleMs`; a request at the fake ingress while
 * no pod is Ready starts one and is held until it is Ready (a cold start).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../../src/model/api/types.js';
import type { FakeApiServer } from './fakeApi.js';

export interface FakeKnativeOptions {
  /** Scale to zero this long after the last request or the first Ready (default: never). */
  idleMs?: number;
  startMs?: number;
  /** Start time of a pod started by a request (default: startMs). */
  coldStartMs?: number;
  body?: string;
}

const NS = 'default';
const cond = (type: string, status = 'True') => ({ type, status });

export class FakeKnative {
  ingressPort = 0;
  private ingress: http.Server | undefined;
  private podSeq = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private waiting: (() => void)[] = [];
  readonly hosts: string[] = [];

  constructor(
    private readonly api: FakeApiServer,
    private readonly options: FakeKnativeOptions = {},
  ) {
    api.listeners.push((type, obj) => {
      if (type === 'ADDED' && obj.apiVersion === 'serving.knative.dev/v1' && obj.kind === 'Service') {
        this.later(10, () => this.reconcile(obj));
      }
    });
  }

  async start(): Promise<void> {
    this.ingress = http.createServer((req, res) => {
      this.hosts.push(req.headers.host ?? '');
      if (!this.routed(req.headers.host ?? '')) {
        // As Kourier does for a host no KIngress names.
        res.writeHead(404);
        res.end();
        return;
      }
      const answer = () => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(this.options.body ?? 'Hello Knative!\n');
        this.armIdle();
      };
      if (this.readyPods() > 0) answer();
      else {
        this.waiting.push(answer);
        if (this.pods().length === 0) this.startPod(undefined, this.options.coldStartMs);
      }
    });
    await new Promise<void>((r) => this.ingress!.listen(0, '127.0.0.1', r));
    this.ingressPort = (this.ingress.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.ingress?.closeAllConnections();
    await new Promise<void>((r) => (this.ingress ? this.ingress.close(() => r()) : r()));
  }

  /** Whether some Route's URL has this host. */
  private routed(host: string): boolean {
    for (const r of this.api.store.get('routes.serving.knative.dev/default')?.values() ?? []) {
      const url = (r.status as { url?: string } | undefined)?.url;
      if (url && new URL(url).host === host) return true;
    }
    return false;
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private pods(): KubeObject[] {
    return [...(this.api.store.get('pods/default')?.values() ?? [])];
  }

  private readyPods(): number {
    return this.pods().filter(
      (p) =>
        !p.metadata.deletionTimestamp &&
        ((p.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).some(
          (c) => c.type === 'Ready' && c.status === 'True',
        ),
    ).length;
  }

  private own(owner: KubeObject) {
    return [
      {
        apiVersion: owner.apiVersion,
        kind: owner.kind,
        name: owner.metadata.name,
        uid: owner.metadata.uid!,
        controller: true,
      },
    ];
  }

  private reconcile(added: KubeObject): void {
    // Gone already (deleted right after it was created): nothing to do, as for a real controller.
    const svc = this.api.get('serving.knative.dev/v1', 'Service', added.metadata.namespace, added.metadata.name);
    if (!svc || svc.metadata.uid !== added.metadata.uid) return;
    const name = svc.metadata.name;
    const rev = `${name}-00001`;
    const labels = { ...(svc.metadata.labels ?? {}), 'serving.knative.dev/service': name };
    const url = `http://${name}.${NS}.example.com`;
    const config = this.api.put({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Configuration',
      metadata: { name, namespace: NS, labels, ownerReferences: this.own(svc) },
      spec: svc.spec,
      status: { latestCreatedRevisionName: rev, latestReadyRevisionName: rev, conditions: [cond('Ready')] },
    });
    this.api.put({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Route',
      metadata: { name, namespace: NS, labels, ownerReferences: this.own(svc) },
      spec: {},
      status: {
        url,
        traffic: [{ revisionName: rev, percent: 100, latestRevision: true }],
        conditions: [cond('Ready')],
      },
    });
    const revision = this.api.put({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Revision',
      metadata: {
        name: rev,
        namespace: NS,
        labels: { 'serving.knative.dev/service': name, 'serving.knative.dev/configuration': name },
        ownerReferences: this.own(config),
      },
      spec: {},
      status: { conditions: [cond('Ready')] },
    });
    const revLabels = { 'serving.knative.dev/revision': rev, 'serving.knative.dev/service': name };
    this.api.put({
      apiVersion: 'autoscaling.internal.knative.dev/v1alpha1',
      kind: 'PodAutoscaler',
      metadata: { name: rev, namespace: NS, labels: revLabels, ownerReferences: this.own(revision) },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `${rev}-deployment` } },
      status: { desiredScale: 1, actualScale: 0, conditions: [cond('Ready'), cond('Active')] },
    });
    this.api.put({
      apiVersion: 'networking.internal.knative.dev/v1alpha1',
      kind: 'ServerlessService',
      metadata: { name: rev, namespace: NS, labels: revLabels, ownerReferences: this.own(revision) },
      spec: {
        mode: 'Proxy',
        numActivators: 2,
        objectRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `${rev}-deployment` },
      },
    });
    this.api.put({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `${rev}-deployment`, namespace: NS, labels: revLabels, ownerReferences: this.own(revision) },
      spec: { replicas: 1 },
    });
    this.startPod(() => {
      // A status update of a Service deleted meanwhile fails on a real API server (404); putting it
      // here would bring it back, and the run's cleanup would find it and delete it a second time.
      const now = this.api.get('serving.knative.dev/v1', 'Service', svc.metadata.namespace, name);
      if (!now || now.metadata.uid !== svc.metadata.uid) return;
      this.api.put({
        ...svc,
        status: {
          url,
          latestCreatedRevisionName: rev,
          latestReadyRevisionName: rev,
          conditions: [cond('ConfigurationsReady'), cond('Ready'), cond('RoutesReady')],
        },
      });
      this.armIdle();
    });
  }

  private setScale(desired: number, actual: number, mode: 'Serve' | 'Proxy'): void {
    const pa = this.api.get('autoscaling.internal.knative.dev/v1alpha1', 'PodAutoscaler', NS, 'knservice-00001');
    if (pa) this.api.put({ ...pa, status: { ...(pa.status as object), desiredScale: desired, actualScale: actual } });
    const sks = this.api.get('networking.internal.knative.dev/v1alpha1', 'ServerlessService', NS, 'knservice-00001');
    if (sks) this.api.put({ ...sks, spec: { ...(sks.spec as object), mode } });
  }

  private startPod(onReady?: () => void, startMs = this.options.startMs ?? 300): void {
    const rev = 'knservice-00001';
    const deployment = this.api.get('apps/v1', 'Deployment', NS, `${rev}-deployment`);
    if (!deployment) return;
    const name = `${rev}-deployment-5d8f7c-${String(++this.podSeq).padStart(5, 'x')}`;
    const meta = {
      name,
      namespace: NS,
      labels: { 'serving.knative.dev/revision': rev, 'serving.knative.dev/service': 'knservice' },
      ownerReferences: this.own(deployment),
    };
    const spec = { containers: [{ name: 'user-container', image: 'docker.io/knsim/demo' }] };
    this.setScale(1, 0, 'Proxy');
    this.api.put({ apiVersion: 'v1', kind: 'Pod', metadata: meta, spec, status: { phase: 'Pending' } });
    const step = startMs / 3;
    this.later(step, () =>
      this.api.put({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: meta,
        spec,
        status: {
          phase: 'Pending',
          conditions: [cond('PodScheduled')],
          containerStatuses: [
            {
              name: 'user-container',
              ready: false,
              restartCount: 0,
              state: { waiting: { reason: 'ContainerCreating' } },
            },
          ],
        },
      }),
    );
    this.later(2 * step, () =>
      this.api.put({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: meta,
        spec,
        status: {
          phase: 'Running',
          conditions: [cond('PodScheduled'), cond('Ready', 'False')],
          containerStatuses: [{ name: 'user-container', ready: false, restartCount: 0, state: { running: {} } }],
        },
      }),
    );
    this.later(3 * step, () => {
      this.api.put({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: meta,
        spec,
        status: {
          phase: 'Running',
          conditions: [cond('PodScheduled'), cond('Ready')],
          containerStatuses: [{ name: 'user-container', ready: true, restartCount: 0, state: { running: {} } }],
        },
      });
      this.setScale(1, 1, 'Serve');
      onReady?.();
      for (const w of this.waiting.splice(0)) w();
    });
  }

  private armIdle(): void {
    if (this.options.idleMs === undefined) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.scaleToZero(), this.options.idleMs);
  }

  scaleToZero(): void {
    this.setScale(0, 1, 'Proxy');
    for (const pod of this.pods()) {
      this.api.put({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date().toISOString() } });
      this.later(100, () => {
        this.api.remove('v1', 'Pod', NS, pod.metadata.name);
        this.setScale(0, 0, 'Proxy');
      });
    }
  }
}
