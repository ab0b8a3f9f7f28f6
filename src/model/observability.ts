/**
 * What Knative Serving's autoscaler and queue-proxies export as Prometheus metrics, per revision:
 * the names, label keys and ports, in both naming generations. The live backend reads them from
 * a cluster; `knsim serve` writes them for its simulated cluster. Knative facts only, no I/O.
 *
 * Where the names come from (knative/serving source, read with the search tool):
 * - OpenCensus (Knative Serving up to 1.18): `pkg/autoscaler/metrics/stats_reporter.go` and
 *   later `pkg/autoscaler/scaling/stats_reporter.go` (desired_pods, excess_burst_capacity,
 *   stable/panic_request_concurrency, target_concurrency_per_pod, stable/panic/target
 *   _requests_per_second, panic_mode), `pkg/reconciler/autoscaling/kpa/metrics.go` (requested_pods,
 *   actual_pods, not_ready_pods, pending_pods, terminating_pods). knative.dev/pkg's Prometheus
 *   exporter prefixes the component (`autoscaler_`); the tags are `pkg/metrics/key.go`'s
 *   CommonRevisionKeys: namespace_name, service_name, configuration_name, revision_name.
 * - OpenTelemetry (1.19 on; `pkg/autoscaler/scaling/metrics.go` at 11be5aee and
 *   `pkg/reconciler/autoscaling/kpa/metrics.go`): instruments `kn.revision.pods.desired`,
 *   `kn.revision.concurrency.stable`, … with attributes `k8s.namespace.name`, `kn.revision.name`
 *   (`pkg/metrics/newkey.go`). The Prometheus exporter turns dots into underscores and appends
 *   real units (`{request}/s` → `_per_second`; the `{pod}`/`{concurrency}` annotations add
 *   nothing). Those translated names are the ones in migration tables of the time (the
 *   serverless-operator's DASHBOARD_MIGRATION_GUIDE.md; aws-observability/helm-charts#353 puts
 *   the switch at 1.19). From 1.19 the autoscaler exports nothing unless `config-observability`
 *   sets `metrics-protocol: prometheus`.
 * - The queue-proxy's autoscaling endpoint (`pkg/queue/prometheus_stats_reporter.go`, port
 *   `networking.AutoscalingQueueMetricsPort` 9090, what the autoscaler's scraper reads): gauges
 *   queue_requests_per_second, queue_proxied_operations_per_second,
 *   queue_average_concurrent_requests, queue_average_proxied_concurrent_requests, process_uptime,
 *   labelled destination_namespace, destination_configuration, destination_revision,
 *   destination_pod. Unchanged by the OpenTelemetry migration.
 */

export type MetricsNaming = 'opencensus' | 'otel';

/** The autoscaler Deployment's `metrics` container port (config/core/deployments/autoscaler.yaml). */
export const AUTOSCALER_METRICS_PORT = 9090;
/** The label of the autoscaler's pods (`app: autoscaler`), and its namespace. */
export const AUTOSCALER_APP_LABEL = 'app=autoscaler';
export const KNATIVE_SERVING_NAMESPACE = 'knative-serving';
/** The queue-proxy's autoscaling metrics port (http-autometric). */
export const QUEUE_PROXY_METRICS_PORT = 9090;

/** The per-revision figures the autoscaler exports. */
export type AutoscalerFigure =
  | 'desiredPods'
  | 'excessBurstCapacity'
  | 'stableConcurrency'
  | 'panicConcurrency'
  | 'targetConcurrency'
  | 'stableRps'
  | 'panicRps'
  | 'targetRps'
  | 'panicMode'
  | 'requestedPods'
  | 'actualPods'
  | 'notReadyPods'
  | 'pendingPods'
  | 'terminatingPods';

/** Each figure's Prometheus name in each generation, and its help text. */
export const AUTOSCALER_METRICS: Readonly<
  Record<AutoscalerFigure, { readonly opencensus: string; readonly otel: string; readonly help: string }>
> = {
  desiredPods: {
    opencensus: 'autoscaler_desired_pods',
    otel: 'kn_revision_pods_desired',
    help: 'Number of pods autoscaler wants to allocate',
  },
  excessBurstCapacity: {
    opencensus: 'autoscaler_excess_burst_capacity',
    otel: 'kn_revision_capacity_excess',
    help: 'Excess burst capacity observed over the stable window',
  },
  stableConcurrency: {
    opencensus: 'autoscaler_stable_request_concurrency',
    otel: 'kn_revision_concurrency_stable',
    help: 'Average of requests count per observed pod over the stable window',
  },
  panicConcurrency: {
    opencensus: 'autoscaler_panic_request_concurrency',
    otel: 'kn_revision_concurrency_panic',
    help: 'Average of requests count per observed pod over the panic window',
  },
  targetConcurrency: {
    opencensus: 'autoscaler_target_concurrency_per_pod',
    otel: 'kn_revision_concurrency_target',
    help: 'The desired number of concurrent requests for each pod',
  },
  stableRps: {
    opencensus: 'autoscaler_stable_requests_per_second',
    otel: 'kn_revision_rps_stable_per_second',
    help: 'Average requests-per-second per observed pod over the stable window',
  },
  panicRps: {
    opencensus: 'autoscaler_panic_requests_per_second',
    otel: 'kn_revision_rps_panic_per_second',
    help: 'Average requests-per-second per observed pod over the panic window',
  },
  targetRps: {
    opencensus: 'autoscaler_target_requests_per_second',
    otel: 'kn_revision_rps_target_per_second',
    help: 'The desired requests-per-second for each pod',
  },
  panicMode: {
    opencensus: 'autoscaler_panic_mode',
    otel: 'kn_revision_panic_mode',
    help: '1 if autoscaler is in panic mode, 0 otherwise',
  },
  requestedPods: {
    opencensus: 'autoscaler_requested_pods',
    otel: 'kn_revision_pods_requested',
    help: 'Number of pods autoscaler requested from Kubernetes',
  },
  actualPods: {
    opencensus: 'autoscaler_actual_pods',
    otel: 'kn_revision_pods_count',
    help: 'Number of pods that are allocated currently',
  },
  notReadyPods: {
    opencensus: 'autoscaler_not_ready_pods',
    otel: 'kn_revision_pods_not_ready_count',
    help: 'Number of pods that are not ready currently',
  },
  pendingPods: {
    opencensus: 'autoscaler_pending_pods',
    otel: 'kn_revision_pods_pending_count',
    help: 'Number of pods that are pending currently',
  },
  terminatingPods: {
    opencensus: 'autoscaler_terminating_pods',
    otel: 'kn_revision_pods_terminating_count',
    help: 'Number of pods that are terminating currently',
  },
};

/** The label keys that say which revision a series is about. */
export const REVISION_LABELS: Readonly<
  Record<MetricsNaming, { namespace: string; service: string; configuration: string; revision: string }>
> = {
  opencensus: {
    namespace: 'namespace_name',
    service: 'service_name',
    configuration: 'configuration_name',
    revision: 'revision_name',
  },
  otel: {
    namespace: 'k8s_namespace_name',
    service: 'kn_service_name',
    configuration: 'kn_configuration_name',
    revision: 'kn_revision_name',
  },
};

/** The queue-proxy's autoscaling gauges (per pod; RPS already divided by the 1 s reporting period). */
export const QUEUE_PROXY_METRICS = {
  requestsPerSecond: 'queue_requests_per_second',
  proxiedRequestsPerSecond: 'queue_proxied_operations_per_second',
  averageConcurrency: 'queue_average_concurrent_requests',
  averageProxiedConcurrency: 'queue_average_proxied_concurrent_requests',
  processUptime: 'process_uptime',
} as const;

export const QUEUE_PROXY_LABELS = {
  namespace: 'destination_namespace',
  configuration: 'destination_configuration',
  revision: 'destination_revision',
  pod: 'destination_pod',
} as const;

/** Which figure a metric name is, and in which generation (undefined for others). */
export function autoscalerFigureOf(name: string): { figure: AutoscalerFigure; naming: MetricsNaming } | undefined {
  return FIGURE_BY_NAME.get(name);
}

const FIGURE_BY_NAME = new Map<string, { figure: AutoscalerFigure; naming: MetricsNaming }>();
for (const [figure, names] of Object.entries(AUTOSCALER_METRICS) as [
  AutoscalerFigure,
  (typeof AUTOSCALER_METRICS)[AutoscalerFigure],
][]) {
  FIGURE_BY_NAME.set(names.opencensus, { figure, naming: 'opencensus' });
  FIGURE_BY_NAME.set(names.otel, { figure, naming: 'otel' });
}
