/**
 * The API server's pod proxy (`GET /api/v1/namespaces/<ns>/pods/<name>[:port]/proxy/<path>`) for
 * the pods of the simulated cluster that serve metrics: the simulated autoscaler pod in
 * knative-serving (Knative's autoscaler metrics, per revision, on port 9090) and each revision
 * pod's queue-proxy (its autoscaling stats on port 9090). Anything else answers as a cluster
 * does when nothing listens there: 503 "error trying to reach service".
 */

import { formatPrometheusText, type PromFamily } from '../io/prometheus.js';
import type { Pod } from '../model/api/types.js';
import {
  AUTOSCALER_METRICS,
  AUTOSCALER_METRICS_PORT,
  type AutoscalerFigure,
  KNATIVE_SERVING_NAMESPACE,
  type MetricsNaming,
  QUEUE_PROXY_LABELS,
  QUEUE_PROXY_METRICS,
  QUEUE_PROXY_METRICS_PORT,
  REVISION_LABELS,
} from '../model/observability.js';
import { LABEL_CONFIGURATION, LABEL_REVISION, LABEL_SERVICE } from '../model/rules/labels.js';
import { NODE_IP, NODE_NAME } from '../model/rules/podspec.js';
import { parseIso } from '../model/rules/time.js';
import type { AutoscalerView, SimCluster } from '../sim/cluster.js';
import { apiError, badRequest } from './status.js';

/** The simulated autoscaler pod (one replica; its name is fixed so tests and docs can name it). */
export const AUTOSCALER_POD = 'autoscaler-6f8c9b7d5-knsim';
const AUTOSCALER_POD_IP = '10.244.0.5';

/** The Pod object of the simulated autoscaler, as `kubectl get pod -n knative-serving` shows it. */
export function autoscalerPod(timestamp: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: AUTOSCALER_POD,
      namespace: KNATIVE_SERVING_NAMESPACE,
      labels: { app: 'autoscaler', 'app.kubernetes.io/component': 'autoscaler', 'pod-template-hash': '6f8c9b7d5' },
      creationTimestamp: timestamp,
    },
    spec: {
      nodeName: NODE_NAME,
      serviceAccountName: 'controller',
      containers: [
        {
          name: 'autoscaler',
          image: 'gcr.io/knative-releases/knative.dev/serving/cmd/autoscaler',
          ports: [
            { name: 'metrics', containerPort: AUTOSCALER_METRICS_PORT },
            { name: 'profiling', containerPort: 8008 },
            { name: 'websocket', containerPort: 8080 },
          ],
        },
      ],
    },
    status: {
      phase: 'Running',
      hostIP: NODE_IP,
      podIP: AUTOSCALER_POD_IP,
      podIPs: [{ ip: AUTOSCALER_POD_IP }],
      startTime: timestamp,
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: timestamp },
        { type: 'Ready', status: 'True', lastTransitionTime: timestamp },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: timestamp },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: timestamp },
      ],
      containerStatuses: [
        {
          name: 'autoscaler',
          ready: true,
          restartCount: 0,
          started: true,
          image: 'gcr.io/knative-releases/knative.dev/serving/cmd/autoscaler',
          imageID: '',
          state: { running: { startedAt: timestamp } },
        },
      ],
    },
  } as unknown as Pod;
}

function revisionLabels(v: AutoscalerView, naming: MetricsNaming): Record<string, string> {
  const keys = REVISION_LABELS[naming];
  return {
    [keys.configuration]: v.labels[LABEL_CONFIGURATION] ?? '',
    [keys.namespace]: v.namespace,
    [keys.revision]: v.revision,
    [keys.service]: v.labels[LABEL_SERVICE] ?? 'unknown',
  };
}

/** What Knative's autoscaler serves on :9090/metrics for these revisions, in the given naming. */
export function autoscalerMetricsText(views: readonly AutoscalerView[], naming: MetricsNaming): string {
  const samples = new Map<AutoscalerFigure, { labels: Record<string, string>; value: number }[]>();
  const add = (figure: AutoscalerFigure, labels: Record<string, string>, value: number | undefined): void => {
    if (value === undefined) return;
    const list = samples.get(figure) ?? [];
    list.push({ labels, value });
    samples.set(figure, list);
  };
  for (const v of views) {
    const labels = revisionLabels(v, naming);
    const d = v.decision;
    const rps = v.metric === 'rps';
    // Like Knative: the decision's figures only after a valid tick; panic mode from the start.
    if (d) {
      add('desiredPods', labels, d.desiredPodCount);
      add('excessBurstCapacity', labels, d.excessBurstCapacity);
      add(rps ? 'stableRps' : 'stableConcurrency', labels, d.observedStable ?? undefined);
      add(rps ? 'panicRps' : 'panicConcurrency', labels, d.observedPanic ?? undefined);
      add(rps ? 'targetRps' : 'targetConcurrency', labels, d.target);
    }
    add('panicMode', labels, v.panicking ? 1 : 0);
    if (v.want !== undefined && v.want >= 0) add('requestedPods', labels, v.want);
    add('actualPods', labels, v.ready);
    add('notReadyPods', labels, v.pending);
    add('pendingPods', labels, v.pending);
    add('terminatingPods', labels, v.terminating);
  }
  const families: PromFamily[] = [];
  for (const [figure, list] of samples) {
    const names = AUTOSCALER_METRICS[figure];
    families.push({ name: names[naming], type: 'gauge', help: names.help, samples: list });
  }
  return formatPrometheusText(families);
}

/** What a revision pod's queue-proxy serves on :9090/metrics. */
export function queueProxyMetricsText(pod: Pod, cluster: SimCluster): string {
  const ns = pod.metadata.namespace ?? 'default';
  const revision = pod.metadata.labels?.[LABEL_REVISION] ?? '';
  const report = cluster.runtime(ns, revision)?.dataplane.queueProxyReport(pod.metadata.name);
  const labels = {
    [QUEUE_PROXY_LABELS.namespace]: ns,
    [QUEUE_PROXY_LABELS.configuration]: pod.metadata.labels?.[LABEL_CONFIGURATION] ?? '',
    [QUEUE_PROXY_LABELS.revision]: revision,
    [QUEUE_PROXY_LABELS.pod]: pod.metadata.name,
  };
  const startedAt = pod.status?.startTime ?? pod.metadata.creationTimestamp;
  const started = startedAt ? parseIso(startedAt) : Number.NaN;
  const uptime = Number.isFinite(started) ? Math.max(0, (cluster.now() - started) / 1000) : 0;
  const gauge = (name: string, help: string, value: number): PromFamily => ({
    name,
    type: 'gauge',
    help,
    samples: [{ labels, value }],
  });
  return formatPrometheusText([
    gauge(QUEUE_PROXY_METRICS.requestsPerSecond, 'Number of requests per second', report?.requestCount ?? 0),
    gauge(
      QUEUE_PROXY_METRICS.proxiedRequestsPerSecond,
      'Number of proxied requests per second',
      report?.proxiedRequestCount ?? 0,
    ),
    gauge(
      QUEUE_PROXY_METRICS.averageConcurrency,
      'Number of requests currently being handled by this pod',
      report?.averageConcurrency ?? 0,
    ),
    gauge(
      QUEUE_PROXY_METRICS.averageProxiedConcurrency,
      'Number of proxied requests currently being handled by this pod',
      report?.averageProxiedConcurrency ?? 0,
    ),
    gauge(QUEUE_PROXY_METRICS.processUptime, 'The number of seconds that the process has been up', uptime),
  ]);
}

/** `name`, `name:port` or `scheme:name:port` of a proxy path: the pod's name and the port. */
export function proxyTarget(spec: string): { name: string; port: number | undefined } {
  const parts = spec.split(':');
  if (parts.length === 3) parts.shift();
  if (parts.length > 2) throw badRequest(`invalid pod proxy target ${JSON.stringify(spec)}`);
  const [name = '', portText] = parts;
  if (portText === undefined || portText === '') return { name, port: undefined };
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw badRequest(`invalid port ${JSON.stringify(portText)} in pod proxy target ${JSON.stringify(spec)}`);
  }
  return { name, port };
}

export interface ProxyAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** The answer of a pod's port to GET `path`, or the API server's error when nothing listens. */
export function podProxyAnswer(
  pod: Pod,
  port: number | undefined,
  path: string,
  cluster: SimCluster,
  naming: MetricsNaming,
): ProxyAnswer {
  const ip = pod.status?.podIP;
  const isAutoscaler = pod.metadata.namespace === KNATIVE_SERVING_NAMESPACE && pod.metadata.name === AUTOSCALER_POD;
  const isRevisionPod = pod.metadata.labels?.[LABEL_REVISION] !== undefined;
  // Without a port the API server uses the pod's first container port (the user port 8012 for revision pods).
  const effectivePort = port ?? (isAutoscaler ? AUTOSCALER_METRICS_PORT : 8012);
  const listening =
    ip !== undefined &&
    pod.status?.phase === 'Running' &&
    ((isAutoscaler && effectivePort === AUTOSCALER_METRICS_PORT) ||
      (isRevisionPod && effectivePort === QUEUE_PROXY_METRICS_PORT));
  if (!listening) {
    throw apiError(
      503,
      'ServiceUnavailable',
      `error trying to reach service: dial tcp ${ip ?? '<nil>'}:${effectivePort}: connect: connection refused`,
    );
  }
  const plain = 'text/plain; charset=utf-8';
  if (path !== '/metrics') return { status: 404, contentType: plain, body: '404 page not found\n' };
  const body = isAutoscaler
    ? autoscalerMetricsText(cluster.autoscalerViews(), naming)
    : queueProxyMetricsText(pod, cluster);
  return { status: 200, contentType: 'text/plain; version=0.0.4; charset=utf-8', body };
}
