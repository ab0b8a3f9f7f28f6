/**
 * Knative Serving and Kubernetes object shapes, as the real API serves them
 * (serving.knative.dev/v1, autoscaling.internal.knative.dev/v1alpha1,
 * networking.internal.knative.dev/v1alpha1, core/v1, apps/v1).
 *
 * Only the fields knsim reads or writes are typed; everything else a user puts in a
 * manifest is kept as-is through the index signatures so round-trips do not lose data.
 */

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  severity?: '' | 'Warning' | 'Info';
  /** RFC 3339 timestamp on the run's clock. */
  lastTransitionTime?: string;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  /** 0 for an object whose deletion waits only for its finalizers; a pod's grace period otherwise. */
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface Status {
  observedGeneration?: number;
  conditions?: Condition[];
  [key: string]: unknown;
}

// ---- serving.knative.dev/v1 ----

export interface EnvVar {
  name: string;
  value?: string;
}

export interface ContainerPort {
  containerPort?: number;
  name?: string;
  protocol?: string;
}

export interface Container {
  name?: string;
  image?: string;
  env?: EnvVar[];
  ports?: ContainerPort[];
  [key: string]: unknown;
}

export interface RevisionSpec {
  containers?: Container[];
  /** 0 means unlimited (the default from config-defaults). */
  containerConcurrency?: number;
  timeoutSeconds?: number;
  responseStartTimeoutSeconds?: number;
  idleTimeoutSeconds?: number;
  [key: string]: unknown;
}

export interface RevisionTemplateSpec {
  metadata?: Partial<ObjectMeta>;
  spec: RevisionSpec;
}

export interface TrafficTarget {
  tag?: string;
  revisionName?: string;
  configurationName?: string;
  latestRevision?: boolean;
  percent?: number;
  url?: string;
}

export interface ConfigurationSpec {
  template: RevisionTemplateSpec;
}

export interface ServiceSpec extends ConfigurationSpec {
  traffic?: TrafficTarget[];
}

export interface Addressable {
  url?: string;
}

export interface ServiceStatus extends Status {
  url?: string;
  address?: Addressable;
  latestCreatedRevisionName?: string;
  latestReadyRevisionName?: string;
  traffic?: TrafficTarget[];
}

export interface Service extends KubeObject {
  apiVersion: 'serving.knative.dev/v1';
  kind: 'Service';
  spec: ServiceSpec;
  status?: ServiceStatus;
}

export interface ConfigurationStatus extends Status {
  latestCreatedRevisionName?: string;
  latestReadyRevisionName?: string;
}

export interface Configuration extends KubeObject {
  apiVersion: 'serving.knative.dev/v1';
  kind: 'Configuration';
  spec: ConfigurationSpec;
  status?: ConfigurationStatus;
}

export interface RevisionStatus extends Status {
  actualReplicas?: number;
  desiredReplicas?: number;
  containerStatuses?: { name: string; imageDigest?: string }[];
}

export interface Revision extends KubeObject {
  apiVersion: 'serving.knative.dev/v1';
  kind: 'Revision';
  spec: RevisionSpec;
  status?: RevisionStatus;
}

export interface RouteSpec {
  traffic?: TrafficTarget[];
}

export interface RouteStatus extends Status {
  url?: string;
  address?: Addressable;
  traffic?: TrafficTarget[];
}

export interface Route extends KubeObject {
  apiVersion: 'serving.knative.dev/v1';
  kind: 'Route';
  spec: RouteSpec;
  status?: RouteStatus;
}

// ---- autoscaling.internal.knative.dev/v1alpha1 ----

export type Reachability = 'Reachable' | 'Unreachable' | '';

export interface PodAutoscalerSpec {
  containerConcurrency?: number;
  scaleTargetRef: { apiVersion: string; kind: string; name: string };
  reachability?: Reachability;
  protocolType?: string;
}

export interface PodAutoscalerStatus extends Status {
  serviceName?: string;
  metricsServiceName?: string;
  desiredScale?: number;
  actualScale?: number;
}

export interface PodAutoscaler extends KubeObject {
  apiVersion: 'autoscaling.internal.knative.dev/v1alpha1';
  kind: 'PodAutoscaler';
  spec: PodAutoscalerSpec;
  status?: PodAutoscalerStatus;
}

// ---- networking.internal.knative.dev/v1alpha1 ----

export type SksMode = 'Serve' | 'Proxy';

export interface ServerlessService extends KubeObject {
  apiVersion: 'networking.internal.knative.dev/v1alpha1';
  kind: 'ServerlessService';
  spec: {
    mode: SksMode;
    numActivators?: number;
    objectRef: { apiVersion: string; kind: string; name: string };
    protocolType?: string;
  };
  status?: Status & { serviceName?: string; privateServiceName?: string };
}

// ---- core/v1, apps/v1 ----

export interface ConfigMap extends KubeObject {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  data?: Record<string, string>;
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  started?: boolean;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string };
    terminated?: { exitCode: number; reason?: string; message?: string };
  };
}

export interface Pod extends KubeObject {
  apiVersion: 'v1';
  kind: 'Pod';
  spec: { containers: Container[]; terminationGracePeriodSeconds?: number; [key: string]: unknown };
  status?: {
    phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
    podIP?: string;
    startTime?: string;
    [key: string]: unknown;
  };
}

export interface Deployment extends KubeObject {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  spec: {
    replicas?: number;
    selector?: unknown;
    template?: unknown;
    progressDeadlineSeconds?: number;
    [key: string]: unknown;
  };
  status?: Status & { replicas?: number; readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number };
}

export type KnativeObject = Service | Configuration | Revision | Route | PodAutoscaler | ServerlessService;
