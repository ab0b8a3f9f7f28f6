/**
 * What the pods of a revision look like, as Knative's revision reconciler and the API server's
 * defaulting make them, so that `kubectl describe pod`, `kubectl get pod -o yaml` and
 * `kubectl logs -c queue-proxy` show what a cluster shows:
 *
 * - the user container gets Knative's environment (PORT, K_REVISION, K_CONFIGURATION,
 *   K_SERVICE), the `user-port` port (8080 unless the template names another), a preStop hook on
 *   queue-proxy's drain endpoint and `terminationMessagePolicy: FallbackToLogsOnError`; its
 *   readiness probe moves to queue-proxy (SERVING_READINESS_PROBE);
 * - queue-proxy is added with its five ports (8022 admin, 9090/9091 metrics, 8012 http, 8112
 *   https), its environment, a readiness probe on 8012 and a 25m CPU request;
 * - the pod gets the API server's defaults (the `default` service account and its token volume,
 *   the not-ready/unreachable tolerations of 300 s, ClusterFirst DNS, …) where the revision's
 *   PodSpec, as config-features let it in, does not set its own (see CARRIED_POD_FIELDS).
 */
import { deepFreeze } from '../api/frozen.js';
import type { Container, Revision, RevisionSpec } from '../api/types.js';
import type { FeaturesConfig } from './features.js';
import { LABEL_CONFIGURATION, LABEL_SERVICE } from './labels.js';

export const USER_CONTAINER = 'user-container';
export const QUEUE_PROXY = 'queue-proxy';
export const QUEUE_PROXY_IMAGE = 'gcr.io/knative-releases/knative.dev/serving/cmd/queue';
const USER_PORT = 8080;
/** Ports queue-proxy listens on. */
export const QUEUE_PORTS = { admin: 8022, autometric: 9090, usermetric: 9091, http: 8012, https: 8112 } as const;

/** The node every simulated pod runs on, and its address. */
export const NODE_NAME = 'knsim';
export const NODE_IP = '192.168.49.2';

export interface RevisionPodOptions {
  /** config-defaults' revision-timeout-seconds, when the revision does not say. */
  defaultTimeoutSeconds: number;
  /** config-features: queue-proxy is told whether HTTP/2 auto-detection and multi-container probing are on. */
  features?: FeaturesConfig;
}

type EnvVar = { name: string; value?: string; valueFrom?: unknown };

const fieldRef = (name: string, fieldPath: string): EnvVar => ({
  name,
  valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } },
});

/**
 * The serving container's liveness probe aimed at its port, whatever port it named: the kubelet
 * probes the app itself, not the queue-proxy (knative/serving pkg/reconciler/revision/resources/
 * deploy.go `rewriteUserLivenessProbe`, since knative/serving#12479).
 */
function livenessOnUserPort(c: Container, userPort: number): { livenessProbe?: unknown } {
  const given = (c as { livenessProbe?: Record<string, unknown> }).livenessProbe;
  if (!given || typeof given !== 'object') return {};
  // The API server's defaults for a probe (core/v1 SetDefaults_Probe), as the Deployment shows it.
  const probe: Record<string, unknown> = {
    ...given,
    timeoutSeconds: given.timeoutSeconds || 1,
    periodSeconds: given.periodSeconds || 10,
    successThreshold: given.successThreshold || 1,
    failureThreshold: given.failureThreshold || 3,
  };
  for (const handler of ['httpGet', 'tcpSocket'] as const) {
    const action = probe[handler];
    if (action && typeof action === 'object') {
      const defaults = handler === 'httpGet' ? { path: '/', scheme: 'HTTP' } : {};
      return { livenessProbe: { ...probe, [handler]: { ...defaults, ...(action as object), port: userPort } } };
    }
  }
  return { livenessProbe: probe };
}

/** The containers of a revision's pods: the user's (completed as Knative does) and queue-proxy. */
export function revisionContainers(rev: Revision, options: RevisionPodOptions): Container[] {
  const labels = rev.metadata.labels ?? {};
  const timeout = rev.spec.timeoutSeconds ?? options.defaultTimeoutSeconds;
  const users = rev.spec.containers ?? [];
  const user = users[0] ?? {};
  const declaredPort = (user.ports ?? [])[0]?.containerPort;
  const userPort = typeof declaredPort === 'number' ? declaredPort : USER_PORT;
  const completed = users.map((c, i) => {
    const { readinessProbe: _probe, ...rest } = c as Container & { readinessProbe?: unknown };
    const env = (c.env ?? []) as EnvVar[];
    const serving = i === 0;
    const knativeEnv: EnvVar[] = serving
      ? [
          ...(env.some((e) => e.name === 'PORT') ? [] : [{ name: 'PORT', value: String(userPort) }]),
          { name: 'K_REVISION', value: rev.metadata.name },
          { name: 'K_CONFIGURATION', value: labels[LABEL_CONFIGURATION] ?? '' },
          { name: 'K_SERVICE', value: labels[LABEL_SERVICE] ?? '' },
        ]
      : [];
    return {
      ...rest,
      ...(serving ? livenessOnUserPort(c, userPort) : {}),
      name: c.name ?? (i === 0 ? USER_CONTAINER : `sidecar-${i - 1}`),
      ...(serving ? { ports: [{ name: 'user-port', containerPort: userPort, protocol: 'TCP' }] } : {}),
      env: [...env, ...knativeEnv],
      resources: (c as { resources?: unknown }).resources ?? {},
      lifecycle: {
        preStop: { httpGet: { path: '/wait-for-drain', port: QUEUE_PORTS.admin, scheme: 'HTTP' } },
      },
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'FallbackToLogsOnError',
      imagePullPolicy: (c as { imagePullPolicy?: string }).imagePullPolicy ?? 'IfNotPresent',
    } as Container;
  });
  // Knative moves the user's readiness probe into queue-proxy, aimed at the user port.
  const probe = ((user as { readinessProbe?: Record<string, unknown> }).readinessProbe ?? {}) as Record<
    string,
    unknown
  >;
  const { tcpSocket: _t, httpGet, exec: _e, grpc: _g, ...timing } = probe;
  const handler = httpGet
    ? { httpGet: { ...(httpGet as object), port: userPort, host: '127.0.0.1' } }
    : { tcpSocket: { port: userPort, host: '127.0.0.1' } };
  const servingProbe = JSON.stringify({ ...handler, ...timing, successThreshold: timing.successThreshold ?? 1 });
  const queue: Container = {
    name: QUEUE_PROXY,
    image: QUEUE_PROXY_IMAGE,
    ports: [
      { name: 'http-queueadm', containerPort: QUEUE_PORTS.admin, protocol: 'TCP' },
      { name: 'http-autometric', containerPort: QUEUE_PORTS.autometric, protocol: 'TCP' },
      { name: 'http-usermetric', containerPort: QUEUE_PORTS.usermetric, protocol: 'TCP' },
      { name: 'queue-port', containerPort: QUEUE_PORTS.http, protocol: 'TCP' },
      { name: 'https-port', containerPort: QUEUE_PORTS.https, protocol: 'TCP' },
    ],
    env: [
      { name: 'SERVING_NAMESPACE', value: rev.metadata.namespace ?? 'default' },
      { name: 'SERVING_SERVICE', value: labels[LABEL_SERVICE] ?? '' },
      { name: 'SERVING_CONFIGURATION', value: labels[LABEL_CONFIGURATION] ?? '' },
      { name: 'SERVING_REVISION', value: rev.metadata.name },
      { name: 'QUEUE_SERVING_PORT', value: String(QUEUE_PORTS.http) },
      { name: 'QUEUE_SERVING_TLS_PORT', value: String(QUEUE_PORTS.https) },
      { name: 'CONTAINER_CONCURRENCY', value: String(rev.spec.containerConcurrency ?? 0) },
      { name: 'REVISION_TIMEOUT_SECONDS', value: String(timeout) },
      { name: 'REVISION_RESPONSE_START_TIMEOUT_SECONDS', value: String(rev.spec.responseStartTimeoutSeconds ?? 0) },
      { name: 'REVISION_IDLE_TIMEOUT_SECONDS', value: String(rev.spec.idleTimeoutSeconds ?? 0) },
      fieldRef('SERVING_POD', 'metadata.name'),
      fieldRef('SERVING_POD_IP', 'status.podIP'),
      { name: 'SERVING_LOGGING_LEVEL', value: '' },
      { name: 'SERVING_REQUEST_LOG_TEMPLATE', value: '' },
      { name: 'SERVING_ENABLE_REQUEST_LOG', value: 'false' },
      { name: 'SERVING_REQUEST_METRICS_BACKEND', value: 'prometheus' },
      { name: 'TRACING_CONFIG_BACKEND', value: 'none' },
      { name: 'USER_PORT', value: String(userPort) },
      { name: 'SYSTEM_NAMESPACE', value: 'knative-serving' },
      { name: 'METRICS_DOMAIN', value: 'knative.dev/internal/serving' },
      { name: 'SERVING_READINESS_PROBE', value: servingProbe },
      { name: 'ENABLE_PROFILING', value: 'false' },
      { name: 'SERVING_ENABLE_PROBE_REQUEST_LOG', value: 'false' },
      fieldRef('HOST_IP', 'status.hostIP'),
      { name: 'ENABLE_HTTP2_AUTO_DETECTION', value: String(options.features?.['autodetect-http2'] === 'Enabled') },
      { name: 'ENABLE_HTTP_FULL_DUPLEX', value: 'false' },
      { name: 'ROOT_CA', value: '' },
      {
        name: 'ENABLE_MULTI_CONTAINER_PROBES',
        value: String(options.features?.['multi-container-probing'] === 'Enabled'),
      },
    ],
    readinessProbe: {
      httpGet: {
        path: '/',
        port: QUEUE_PORTS.http,
        scheme: 'HTTP',
        httpHeaders: [{ name: 'K-Network-Probe', value: 'queue' }],
      },
      periodSeconds: 10,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
      initialDelaySeconds: 0,
    },
    resources: { requests: { cpu: '25m' } },
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
  };
  return [...completed, queue];
}

/**
 * The PodSpec fields (beyond containers) of a revision that its pods carry: Knative's makePodSpec
 * copies the revision's whole PodSpec into the Deployment's pod template. knsim carries the ones
 * config-features can let in whose effect it simulates (nodeSelector: the scheduler honours it)
 * or that change nothing it simulates (no node has a taint, DNS is not simulated, nor is a
 * security context): not runtimeClassName or priorityClassName (the API server would look up the
 * class), schedulerName (no other scheduler runs), the host namespaces, or init containers (a pod
 * does not run them).
 */
const CARRIED_POD_FIELDS = [
  'nodeSelector',
  'affinity',
  'tolerations',
  'topologySpreadConstraints',
  'hostAliases',
  'dnsPolicy',
  'dnsConfig',
  'securityContext',
] as const;

/** The fields of {@link CARRIED_POD_FIELDS} the revision sets (none, for most revisions). */
export function carriedPodFields(spec: RevisionSpec): Record<string, unknown> {
  const pod = spec as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of CARRIED_POD_FIELDS) if (pod[field] !== undefined && pod[field] !== null) out[field] = pod[field];
  return out;
}

/** The token volume the API server adds to a pod of the `default` service account. */
export function serviceAccountVolumeName(suffix: string): string {
  return `kube-api-access-${suffix}`;
}

/** The API server's tolerations for every pod (the same for all: shared, frozen). */
const DEFAULT_TOLERATIONS = deepFreeze([
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
]);

/** What the service account's token volume projects (the same for all pods: shared, frozen). */
const TOKEN_PROJECTION = deepFreeze({
  defaultMode: 420,
  sources: [
    { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    {
      downwardAPI: {
        items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
      },
    },
  ],
});

const NO_SECURITY_CONTEXT = deepFreeze({});

/**
 * The pod's tolerations: its own, then the not-ready/unreachable ones the API server's
 * DefaultTolerationSeconds plugin adds for a key the pod does not already tolerate.
 */
function podTolerations(own: unknown): readonly unknown[] {
  if (!Array.isArray(own)) return DEFAULT_TOLERATIONS;
  const tolerates = (key: string) =>
    own.some((t: { key?: string; operator?: string }) => t?.key === key || (!t?.key && t?.operator === 'Exists'));
  return [...own, ...DEFAULT_TOLERATIONS.filter((t) => !tolerates(t.key))];
}

/**
 * The pod spec the API server stores for a pod made from `template` (its defaults filled in),
 * before it is scheduled (no nodeName yet). Only the token volume's name differs from pod to
 * pod: the rest is the template's own data (frozen when the template is) and frozen constants,
 * so the store keeps one copy of them for all the pods of a template.
 */
export function podSpecFromTemplate(
  template: { containers?: Container[]; terminationGracePeriodSeconds?: number; [key: string]: unknown },
  tokenVolume: string,
): Record<string, unknown> & { containers: Container[] } {
  const mount = Object.freeze({
    name: tokenVolume,
    readOnly: true,
    mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
  });
  const containers = (template.containers ?? []).map((c) => ({
    ...c,
    volumeMounts: [...(((c as { volumeMounts?: unknown[] }).volumeMounts ?? []) as unknown[]), mount],
  })) as Container[];
  // Object.assign, not a spread followed by fields: the same fields in the same order (the
  // template's first, then those it lacks), and every pod's spec of one template's keys shares one
  // hidden class, where a spread with fields after it gave each a map of its own (≈ 430 bytes a pod).
  return Object.assign({}, template, {
    containers,
    dnsPolicy: template.dnsPolicy ?? 'ClusterFirst',
    enableServiceLinks: template.enableServiceLinks ?? false,
    preemptionPolicy: 'PreemptLowerPriority',
    priority: 0,
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    securityContext: template.securityContext ?? NO_SECURITY_CONTEXT,
    serviceAccount: 'default',
    serviceAccountName: 'default',
    terminationGracePeriodSeconds: template.terminationGracePeriodSeconds ?? 300,
    tolerations: podTolerations(template.tolerations),
    volumes: [{ name: tokenVolume, projected: TOKEN_PROJECTION }],
  });
}
