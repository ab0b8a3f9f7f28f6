import { type ClusterSpec, defaultClusterSpec } from '../model/cluster/nodes.js';
import { ACTIVATOR_PROBE_PERIOD_MS, QUEUE_PROXY_DRAIN_MS } from '../model/dataplane.js';
import type { ScenarioSettings } from '../scenario/types.js';
import type { NetworkLayer } from './load/network.js';

/**
 * The simulator's own knobs: how long the cluster takes to do things Knative's code does not
 * fix (pod start-up, ingress programming, informer latency). Defaults and the reasons for them
 * are in docs/simulator.md; the figures come from reference §10 and §11.
 */

export interface PodStartupSettings {
  /** Scheduling: Pending → ContainerCreating. */
  schedulingMs: number;
  /** Container creation with the image already on the node. */
  creatingMs: number;
  /** Extra time for the first pod of an image on the node (the pull). */
  imagePullMs: number;
  /** The app's own start until the readiness probe passes. */
  appStartMs: number;
  /** Spread of each duration: lognormal sigma (0 = fixed). */
  spread: number;
}

export interface AppSettings {
  /** Body the simulated container answers with. */
  response: string;
  /** Service time of a request when the load does not say. */
  serviceTimeMs: number;
  /**
   * Requests one pod's app works on at once (0 = no limit). A CPU-bound app serves one request
   * per core at a time; the rest wait inside the container and still count as concurrency.
   */
  workers: number;
  /**
   * How long into a request the app writes its first byte (Infinity: the whole answer at the
   * end, as a plain handler does). Knative's request timeouts count to the first byte.
   */
  responseStartMs: number;
  /**
   * The share of a request's service time the app spends on the CPU (0: it waits on I/O; 1: it
   * computes, as a prime sieve does). That part shares the pod's CPU with its other busy
   * requests, capped by its CPU limit and shared with the node's other pods.
   */
  cpu: number;
  /** What a pod's app uses in memory: a baseline and more per request it is working on (bytes). */
  memory: { baseBytes: number; perRequestBytes: number } | undefined;
}

/** What knsim knows of an image (scenario `settings.images`). */
export interface ImageSettings {
  /** Compressed size: with a node's pull bandwidth it gives the pull time (and the Pulled event's size). */
  sizeBytes?: number;
  /** The pull time when the size or the bandwidth is not given (overrides `podStartup.imagePull`). */
  pullMs?: number;
}

/**
 * An image whose app exits, each time, `afterMs` after its container starts: before it is ready,
 * or after serving for a while when that is longer than its start-up.
 */
export interface CrashImage {
  image: string;
  exitCode: number;
  /** The container's termination message (what it wrote to /dev/termination-log). */
  message: string;
  afterMs: number;
  /**
   * When given, each pod draws its own `afterMs` from it as it is made (the apps of pods started
   * together then do not all exit at once); `afterMs` is its median or midpoint.
   */
  afterSpread?: { kind: 'median'; spread: number } | { kind: 'range'; minMs: number; maxMs: number };
  /** The app exits only when its container lacks this environment variable (the usual mistake). */
  unlessEnv?: string;
}

/**
 * An image whose app stops answering `afterMs` after each start (scenario `hangImages`): its
 * requests wait, and the kubelet kills it when its liveness probe fails (src/model/cluster/liveness.ts).
 */
export interface HangImage {
  image: string;
  afterMs: number;
  /** As `CrashImage.afterSpread`: each pod draws its own `afterMs`. */
  afterSpread?: { kind: 'median'; spread: number } | { kind: 'range'; minMs: number; maxMs: number };
  /** The app hangs only when its container lacks this environment variable. */
  unlessEnv?: string;
  /** What it does at the kubelet's SIGTERM: ends (143), or goes on until SIGKILL (137). */
  onSigterm: 'exit' | 'ignore';
}

export interface SimSettings {
  podStartup: PodStartupSettings;
  /** The nodes (default: one minikube-like node) and the cluster-autoscaler, if any. */
  cluster: ClusterSpec;
  /** Images by name. */
  images: Record<string, ImageSettings>;
  /** A pull whose layers are on the node already still resolves the reference at the registry. */
  registryRoundTripMs: number;
  /** queue-proxy drain on SIGTERM before the pod is gone (reference §5: 30 s quiet period). */
  drainMs: number;
  /** Networking layer; its hop latency is added to every request. */
  networking: NetworkLayer;
  /** From a Route's new traffic to the ingress serving it (IngressReady). */
  ingressProgrammingMs: number;
  /** Informer and workqueue latency between an object change and its reconcile. */
  reconcileDelayMs: number;
  /** The activator probes new pods this often (reference §5: 200 ms). */
  activatorProbePeriodMs: number;
  /**
   * Activator replicas (scenario `activators`; a default install runs 1, its HPA's minReplicas).
   * With more, each holds its share of a revision (src/sim/dataplane/activators.ts).
   */
  activators: number;
  /** Images that cannot be resolved to a digest (the revision fails with ContainerMissing). */
  missingImages: string[];
  /** Images whose app exits: their pods crash-loop (scenario `crashImages`). */
  crashImages: CrashImage[];
  /** Images whose app stops answering (scenario `hangImages`). */
  hangImages: HangImage[];
  app: AppSettings;
}

export function defaultSimSettings(): SimSettings {
  return {
    podStartup: { schedulingMs: 150, creatingMs: 900, imagePullMs: 2500, appStartMs: 400, spread: 0.25 },
    cluster: defaultClusterSpec(),
    images: {},
    registryRoundTripMs: 200,
    drainMs: QUEUE_PROXY_DRAIN_MS,
    networking: 'kourier',
    ingressProgrammingMs: 800,
    reconcileDelayMs: 5,
    activatorProbePeriodMs: ACTIVATOR_PROBE_PERIOD_MS,
    activators: 1,
    missingImages: [],
    crashImages: [],
    hangImages: [],
    app: {
      response: 'Hello Knative!',
      serviceTimeMs: 5,
      workers: 0,
      responseStartMs: Number.POSITIVE_INFINITY,
      cpu: 0,
      memory: undefined,
    },
  };
}

/**
 * An image the simulator cannot resolve: listed as missing, or still holding a template
 * placeholder such as the seed article's `##DOCKERHUB_NAME##`.
 */
export function imageIsMissing(settings: SimSettings, image: string): boolean {
  return settings.missingImages.includes(image) || image.includes('##');
}

/** How the app of a pod's user container (its first) exits, if it does. */
export function imageCrash(
  settings: SimSettings,
  container: { image?: string; env?: readonly { name?: string }[] } | undefined,
): CrashImage | undefined {
  if (settings.crashImages.length === 0 || !container) return undefined;
  const env = container.env ?? [];
  return settings.crashImages.find(
    (c) => c.image === container.image && (c.unlessEnv === undefined || !env.some((e) => e.name === c.unlessEnv)),
  );
}

/** How the app of a pod's user container (its first) stops answering, if it does. */
export function imageHang(
  settings: SimSettings,
  container: { image?: string; env?: readonly { name?: string }[] } | undefined,
): HangImage | undefined {
  if (settings.hangImages.length === 0 || !container) return undefined;
  const env = container.env ?? [];
  return settings.hangImages.find(
    (h) => h.image === container.image && (h.unlessEnv === undefined || !env.some((e) => e.name === h.unlessEnv)),
  );
}

/**
 * Simulator settings from a scenario's `settings:`. A single pod start-up figure is spread over
 * the phases in the default proportions, so `podStartup: 5s` means about 5 s from Pending to Ready
 * for a cached image.
 */
export function settingsFromScenario(input: ScenarioSettings): SimSettings {
  const s = defaultSimSettings();
  const p = input.podStartup;
  if (p) {
    if (p.kind === 'phases') {
      s.podStartup = {
        schedulingMs: p.schedulingMs ?? s.podStartup.schedulingMs,
        creatingMs: p.creatingMs ?? s.podStartup.creatingMs,
        imagePullMs: p.imagePullMs ?? s.podStartup.imagePullMs,
        appStartMs: p.appStartMs ?? s.podStartup.appStartMs,
        spread: p.spread ?? s.podStartup.spread,
      };
    } else {
      const total = p.kind === 'fixed' ? p.ms : p.kind === 'median' ? p.medianMs : (p.minMs + p.maxMs) / 2;
      const spread = p.kind === 'fixed' ? 0 : p.kind === 'median' ? p.spread : 0.25;
      const base = s.podStartup.schedulingMs + s.podStartup.creatingMs + s.podStartup.appStartMs;
      const f = total / base;
      s.podStartup = {
        schedulingMs: Math.round(s.podStartup.schedulingMs * f),
        creatingMs: Math.round(s.podStartup.creatingMs * f),
        appStartMs: Math.round(s.podStartup.appStartMs * f),
        imagePullMs: s.podStartup.imagePullMs,
        spread,
      };
    }
  }
  if (input.networking) s.networking = input.networking;
  if (input.drainMs !== undefined) s.drainMs = input.drainMs;
  if (input.ingressProgrammingMs !== undefined) s.ingressProgrammingMs = input.ingressProgrammingMs;
  if (input.reconcileDelayMs !== undefined) s.reconcileDelayMs = input.reconcileDelayMs;
  if (input.activatorProbePeriodMs !== undefined) s.activatorProbePeriodMs = input.activatorProbePeriodMs;
  if (input.activators !== undefined) s.activators = input.activators;
  if (input.missingImages) s.missingImages = input.missingImages;
  if (input.crashImages) s.crashImages = input.crashImages;
  if (input.hangImages) s.hangImages = input.hangImages;
  if (input.cluster) s.cluster = input.cluster;
  if (input.images) s.images = input.images;
  if (input.app?.response !== undefined) s.app.response = input.app.response;
  if (input.app?.workers !== undefined) s.app.workers = input.app.workers;
  if (input.app?.responseStartMs !== undefined) s.app.responseStartMs = input.app.responseStartMs;
  if (input.app?.cpu !== undefined) s.app.cpu = input.app.cpu;
  if (input.app?.memory !== undefined) s.app.memory = input.app.memory;
  const st = input.app?.serviceTime;
  if (st)
    s.app.serviceTimeMs = st.kind === 'fixed' ? st.ms : st.kind === 'median' ? st.medianMs : (st.minMs + st.maxMs) / 2;
  return s;
}
