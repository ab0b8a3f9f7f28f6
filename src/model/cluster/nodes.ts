/**
 * The cluster's nodes: what a scenario declares (node groups, an optional cluster-autoscaler),
 * the default (one node shaped like minikube's: 2 CPUs, 2200 MiB, 110 pods, with the requests of
 * the pods Kubernetes and Knative run on it already), node names and addresses, and the Node
 * objects kubectl shows. Figures and their sources: docs/simulator.md ("Nodes and scheduling").
 */
import { formatCpu, formatKi } from './quantity.js';

/** Requests of pods the simulation does not run (the control plane, Knative's own, the ingress). */
export interface Reserved {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  readonly pods: number;
}

/** A group of identical nodes. */
export interface NodeGroupSpec {
  /** Node names are `<name>`, `<name>-m02`, `<name>-m03`, … (minikube's convention). */
  readonly name: string;
  /** Nodes at the start. */
  readonly count: number;
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  /** Pods a node takes (the kubelet's maxPods). */
  readonly pods: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly reserved: Reserved;
  /**
   * How fast a node pulls images, in bytes per second (for images whose size is known); absent:
   * pulls take the `podStartup` image-pull time.
   */
  readonly pullBytesPerSecond?: number;
}

/** The cluster-autoscaler (kubernetes/autoscaler), for one node group. */
export interface ClusterAutoscalerSpec {
  /** The node group it resizes. */
  readonly group: string;
  readonly minNodes: number;
  readonly maxNodes: number;
  /** From the scale-up decision to the node Ready in the cluster (cloud VM boot, kubelet join). */
  readonly provisioningMs: number;
  /** `--scan-interval` (default 10 s). */
  readonly scanIntervalMs: number;
  /** `--scale-down-unneeded-time` (default 10 min). */
  readonly scaleDownUnneededMs: number;
  /** `--scale-down-delay-after-add` (default 10 min). */
  readonly scaleDownDelayAfterAddMs: number;
  /** `--scale-down-utilization-threshold` (default 0.5). */
  readonly scaleDownUtilizationThreshold: number;
}

export interface ClusterSpec {
  readonly groups: readonly NodeGroupSpec[];
  readonly autoscaler?: ClusterAutoscalerSpec;
  /** The kubelet's serializeImagePulls (default true): one pull at a time per node. */
  readonly serializeImagePulls: boolean;
}

const MI = 1024 * 1024;

/**
 * What a Knative install on minikube runs before any revision (requests, from the manifests):
 * kube-system's static pods and CoreDNS (kubeadm: apiserver 250m, controller-manager 200m,
 * scheduler 100m, etcd 100m/100Mi, coredns 100m/70Mi) and Knative Serving's (serving-core.yaml:
 * activator 300m/60Mi, autoscaler, controller and webhook 100m/100Mi each); 13 pods with
 * kube-proxy, storage-provisioner and Kourier's gateway and controller, which request nothing.
 */
const MINIKUBE_RESERVED: Reserved = { cpuMillis: 1350, memoryBytes: 530 * MI, pods: 13 };

/** The node knsim has always named its one node (its address is minikube's first, 192.168.49.2). */
const DEFAULT_NODE_GROUP = 'knsim';

/** minikube's defaults: `--cpus=2`, `--memory` 2200 MB when the host leaves it to minikube, 110 pods. */
export function defaultNodeGroup(): NodeGroupSpec {
  return {
    name: DEFAULT_NODE_GROUP,
    count: 1,
    cpuMillis: 2000,
    memoryBytes: 2200 * MI,
    pods: 110,
    labels: {},
    reserved: MINIKUBE_RESERVED,
  };
}

export function defaultClusterSpec(): ClusterSpec {
  return { groups: [defaultNodeGroup()], serializeImagePulls: true };
}

/** The cluster-autoscaler's defaults (FAQ: "What are the parameters to CA?"). */
export const CLUSTER_AUTOSCALER_DEFAULTS = {
  scanIntervalMs: 10_000,
  scaleDownUnneededMs: 600_000,
  scaleDownDelayAfterAddMs: 600_000,
  scaleDownUtilizationThreshold: 0.5,
} as const;

/** The i-th node (0-based) of a group: `knsim`, `knsim-m02`, … */
export function nodeName(group: string, index: number): string {
  return index === 0 ? group : `${group}-m${String(index + 1).padStart(2, '0')}`;
}

/** Node addresses in the order nodes join, as minikube's network hands them out. */
export function nodeAddress(ordinal: number): string {
  return `192.168.49.${ordinal + 2}`;
}

/** The Kubernetes version the nodes report (the simulated API server's). */
const KUBELET_VERSION = 'v1.32.0';

export interface NodeObjectInput {
  readonly name: string;
  readonly group: NodeGroupSpec;
  readonly address: string;
  /** The first node carries the control plane (minikube's `control-plane` role). */
  readonly controlPlane: boolean;
  /** The order it joined in (0 for the first node): its pod CIDR. */
  readonly ordinal: number;
  readonly createdAt: string;
  readonly unschedulable: boolean;
  /** The images it has pulled, with their sizes in bytes. */
  readonly images: readonly (readonly [string, number])[];
}

/** The Node object the kubelet registers (what `kubectl get nodes` and `describe node` read). */
/**
 * A node's labels: the well-known ones the kubelet sets on itself (kubernetes.io/os, arch,
 * hostname, and their beta forms), kubeadm's control-plane role, then its group's own. The
 * scheduler matches a pod's nodeSelector against these, as kube-scheduler matches the Node's
 * labels: a selector on `kubernetes.io/os: linux` fits every node, as on minikube.
 */
export function nodeLabels(name: string, group: NodeGroupSpec, controlPlane: boolean): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    ...(controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
    ...group.labels,
  };
}

/**
 * What a node of the group offers pods: its allocatable figures less the requests of the pods
 * knsim does not run (shown as the node's Allocatable, so that what kubectl adds up from the pods
 * it lists and what the scheduler sees agree).
 */
export function allocatableOf(group: NodeGroupSpec): { cpuMillis: number; memoryBytes: number; pods: number } {
  return {
    cpuMillis: Math.max(0, group.cpuMillis - group.reserved.cpuMillis),
    memoryBytes: Math.max(0, group.memoryBytes - group.reserved.memoryBytes),
    pods: Math.max(0, group.pods - group.reserved.pods),
  };
}

export function nodeObject(input: NodeObjectInput): Record<string, unknown> & {
  apiVersion: 'v1';
  kind: 'Node';
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
} {
  const { name, group, address, createdAt } = input;
  const resources = (cpu: number, memory: number, pods: number) => ({
    cpu: formatCpu(cpu),
    'ephemeral-storage': '17784760Ki',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: formatKi(memory),
    pods: String(pods),
  });
  const free = allocatableOf(group);
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: createdAt,
    lastTransitionTime: createdAt,
    reason,
    message,
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: nodeLabels(name, group, input.controlPlane === true),
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      podCIDR: `10.244.${input.ordinal}.0/24`,
      podCIDRs: [`10.244.${input.ordinal}.0/24`],
      ...(input.unschedulable ? { unschedulable: true } : {}),
    },
    status: {
      capacity: resources(group.cpuMillis, group.memoryBytes, group.pods),
      allocatable: resources(free.cpuMillis, free.memoryBytes, free.pods),
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      images: input.images.map(([image, sizeBytes]) => ({ names: [image], sizeBytes })),
      nodeInfo: {
        architecture: 'amd64',
        bootID: '',
        containerRuntimeVersion: 'containerd://1.7.24',
        kernelVersion: '6.8.0-knsim',
        kubeProxyVersion: KUBELET_VERSION,
        kubeletVersion: KUBELET_VERSION,
        machineID: '',
        operatingSystem: 'linux',
        osImage: 'Ubuntu 22.04.5 LTS',
        systemUUID: '',
      },
    },
  };
}

/** `kubectl get nodes`' ROLES: the `node-role.kubernetes.io/<role>` labels, or `<none>`. */
export function nodeRoles(labels: Readonly<Record<string, string>> | undefined): string {
  const roles: string[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.push(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role') roles.push(v);
  }
  return roles.length > 0 ? [...new Set(roles)].sort().join(',') : '<none>';
}
