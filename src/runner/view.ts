/**
 * What expectations see of a cluster: pods, objects and metrics, read from the backend's last
 * known objects and the event log (so the same view works for simulated and live runs).
 */
import type { Backend } from '../backends/backend.js';
import type { KubeObject, Pod } from '../model/api/types.js';
import type { SampleEvent } from '../model/events.js';
import { getCondition } from '../model/rules/conditions.js';
import { LABEL_REVISION, LABEL_SERVICE } from '../model/rules/labels.js';
import { resolveResourceName } from '../model/rules/resources.js';
import type { ClusterView } from '../scenario/evaluate.js';

export class BackendView implements ClusterView {
  private readonly samples = new Map<string, SampleEvent>();
  /** The last curl step's answer, and the status the step expected (set by the runner). */
  lastCurl: { latencyMs: number; status: number; expectedStatus?: number } | undefined;

  constructor(
    private readonly backend: Backend,
    private readonly namespace: string,
  ) {
    backend.log.subscribe(
      (line) => {
        if (line.type === 'sample') this.samples.set(line.revision, line);
      },
      ['sample'],
    );
  }

  nowMs(): number {
    return this.backend.now();
  }

  countPods(filter: {
    revision?: string;
    service?: string;
    state: 'all' | 'ready' | 'terminating' | 'pending';
  }): number {
    let n = 0;
    for (const pod of this.backend.snapshot('pods', this.namespace) as Pod[]) {
      const labels = pod.metadata.labels ?? {};
      if (filter.revision && labels[LABEL_REVISION] !== filter.revision) continue;
      if (filter.service && labels[LABEL_SERVICE] !== filter.service) continue;
      const terminating = pod.metadata.deletionTimestamp !== undefined;
      const ready = !terminating && getCondition(pod.status?.conditions, 'Ready')?.status === 'True';
      if (
        filter.state === 'all' ||
        (filter.state === 'ready' && ready) ||
        (filter.state === 'terminating' && terminating) ||
        (filter.state === 'pending' && !ready && !terminating)
      ) {
        n++;
      }
    }
    return n;
  }

  getObject(resource: string, name: string): KubeObject | undefined {
    const r = resolveResourceName(resource);
    if (!r.ok) return undefined;
    return this.backend
      .snapshot(r.resource.id, r.resource.namespaced ? this.namespace : undefined)
      .find((o) => o.metadata.name === name);
  }

  metric(name: string, revision?: string): number | undefined {
    const sample = revision ? this.samples.get(revision) : [...this.samples.values()].at(-1);
    switch (name) {
      case 'desired':
        return sample?.desired;
      case 'activator-queue':
        return sample?.activatorQueue;
      case 'panic':
        return sample ? (sample.panic ? 1 : 0) : undefined;
      case 'rps':
        return sample?.rps;
      case 'concurrency':
        return sample?.concurrency;
      case 'last-curl-latency':
        return this.lastCurl?.latencyMs;
      case 'last-curl-status':
        return this.lastCurl?.status;
      case 'last-curl-expected-status':
        return this.lastCurl?.expectedStatus;
      default:
        return this.backend.results.metric(name);
    }
  }
}
