/**
 * The event log: one JSON object per line, a header first. The simulator writes it, the
 * live backend writes the same shapes, and the TUI, `knsim explain`, results and compare
 * read it. Times are milliseconds of run time (simulated, or since a live run started).
 *
 * A `revision` field names a revision of the header's namespace by its name, and one of any
 * other namespace as `namespace/name` (src/model/rules/naming.ts `namespacedName`): same-named
 * revisions of two namespaces are two revisions.
 */
import type { KubeObject } from './api/types.js';
import type { HpaHistory } from './hpa/behavior.js';
import type { HpaSync } from './hpa/reconcile.js';
import type { HpaPod } from './hpa/replicas.js';
import type { HpaSpec } from './hpa/spec.js';
import type { Stat } from './kpa/collector.js';
import type { ScaleInput } from './kpa/scaler.js';
import type { ClusterDecision, ShadowComparison, ShadowInputs } from './kpa/shadow.js';
import type { DeciderSpec } from './kpa/spec.js';

export const LOG_FORMAT_VERSION = 1;

export interface LogHeader {
  type: 'header';
  format: number;
  knsim: string;
  backend: 'sim' | 'live';
  scenario: string;
  scenarioFile?: string;
  seed: number;
  namespace: string;
  /** RFC 3339 time that run time 0 corresponds to. */
  epoch: string;
}

interface At {
  /** Run time in milliseconds. */
  t: number;
}

/** An API object as it is now: the TUI rebuilds kubectl tables at any moment from these. */
export interface ObjectEvent extends At {
  type: 'object';
  op: 'added' | 'modified' | 'deleted';
  kind: string;
  namespace: string;
  name: string;
  object: KubeObject;
}

export type PodPhase = 'Pending' | 'ContainerCreating' | 'Running' | 'Ready' | 'Terminating' | 'Gone';

export interface PodEvent extends At {
  type: 'pod';
  pod: string;
  revision: string;
  phase: PodPhase;
  /**
   * On `Running`, in the simulator: how long the kubelet took to have the pod's images on its
   * node, its wait behind other pulls included (absent when they were all there).
   */
  pullMs?: number;
}

/** One autoscaler tick: the decider's inputs and outputs and what the KPA reconciler did with it. */
export interface KpaTickEvent extends At {
  type: 'kpa.tick';
  revision: string;
  /** The decider's record (src/model/kpa DecisionRecord). */
  decision: Record<string, unknown>;
  /** The reconciler's scale decision (src/model/kpa ScaleDecision), when it ran. */
  scale?: Record<string, unknown>;
  /** Plain-words explanation lines. */
  explain?: string[];
  /** What else held at the tick (written by the simulator; a live log may not have it). */
  context?: KpaTickContext;
  /** The `kpa.spec` (its `version`) the decision used (written by the simulator). */
  specVersion?: number;
  /**
   * Live mode's shadow autoscaler (the model's decider beside the cluster's): where the values it
   * decided on came from, its own windows over the queue-proxies' stats, and a scrape gap.
   */
  shadow?: ShadowInputs;
  /** Live mode: the cluster's own decision for the revision, from its autoscaler's metrics. */
  cluster?: ClusterDecision;
  /** Live mode: the model's decision against the cluster's (by how much, and why). */
  comparison?: ShadowComparison;
}

/**
 * One stat the autoscaler's windows received for a revision: a scrape of its pods (already
 * scaled to the whole revision) or the activator's report. With the `kpa.spec` events it lets a
 * run's decisions be replayed through the model (`knsim verify`).
 */
export interface StatEvent extends At, Stat {
  type: 'stat';
  revision: string;
  source: 'scraper' | 'activator';
}

/**
 * The decider spec of a revision's autoscaler: logged when the autoscaler starts (with the ready
 * pods it found, which decide whether it starts in panic) and each time the spec changes.
 */
export interface KpaSpecEvent extends At {
  type: 'kpa.spec';
  revision: string;
  /** 1 for a new autoscaler, then one more per change. */
  version: number;
  spec: DeciderSpec;
  /** Set when the autoscaler starts: the ready pods it found. */
  readyPods?: number;
}

/** One run of the KPA's scale step: its inputs (besides the spec) and what it decided. */
export interface KpaScaleEvent extends At {
  type: 'kpa.scale';
  revision: string;
  /** The `kpa.spec` version the step used. */
  specVersion: number;
  /** The step ran within a decider tick (the tick's `kpa.tick` follows). */
  byTick?: boolean;
  inputs: KpaScaleInputs;
  /** The step's result (src/model/kpa ScaleDecision). */
  scale: Record<string, unknown>;
}

/** The scale step's inputs other than the spec (src/model/kpa ScaleInput). */
export type KpaScaleInputs = Omit<ScaleInput, 'spec' | 'reachability'>;

/**
 * One sync of the HPA controller for a revision of the HPA class (src/model/hpa `syncHpa`): what
 * it read from the cluster, the memory it kept from its earlier syncs, and what it decided. With
 * these, `knsim verify` runs each sync again through the model.
 */
export interface HpaSyncEvent extends At {
  type: 'hpa.sync';
  revision: string;
  inputs: HpaSyncInputs;
  decision: HpaSyncDecision;
}

export interface HpaSyncInputs {
  spec: HpaSpec;
  /** The target's spec.replicas. */
  currentReplicas: number;
  /** The HPA status's desiredReplicas before the sync (kept when the metric fails). */
  previousDesired: number;
  /** The target's pods as the controller saw them: phase, readiness, requests, metric (absent: missing). */
  pods: readonly HpaPod[];
  /** Recommendations and scale events of earlier syncs (absent: the controller's first sync). */
  history?: HpaHistory;
}

/** What a sync decided (src/model/hpa HpaSync, its history left for the next sync's inputs). */
export type HpaSyncDecision = Pick<HpaSync, 'desiredReplicas' | 'mode' | 'conditions' | 'events'> & {
  scaleTo?: number;
  currentMetrics?: HpaSync['currentMetrics'];
};

/** A sync's decision as the log holds it. */
export function hpaSyncDecision(sync: HpaSync): HpaSyncDecision {
  return {
    desiredReplicas: sync.desiredReplicas,
    ...(sync.scaleTo !== undefined ? { scaleTo: sync.scaleTo } : {}),
    mode: sync.mode,
    conditions: sync.conditions,
    ...(sync.currentMetrics ? { currentMetrics: sync.currentMetrics } : {}),
    events: sync.events,
  };
}

export interface KpaTickContext {
  /** Pods Running, Ready and not terminating (what the decider counted). */
  readyPods: number;
  /** The Deployment's spec.replicas after the tick. */
  replicas: number;
  /** The PA's Active condition: Active (True), Activating (Unknown), Inactive (False). */
  paState: 'Active' | 'Activating' | 'Inactive';
  /** How long the PA has been in that state (from the condition's lastTransitionTime, whole seconds). */
  paStateForMs: number;
  /** The SKS mode: Proxy puts the activator in the path. */
  sksMode: 'Serve' | 'Proxy';
  activatorInPath: boolean;
  /** Activators assigned to the revision (SKS spec.numActivators). */
  activators: number;
  /** The KPA reconciler ran because of this tick (the decision or the sign of the EBC changed). */
  reconciled: boolean;
  /** When the scale step in `scale` was computed (it may be older than the tick). */
  scaleAtMs: number | null;
  /** min-scale and max-scale in force (0 = unlimited max). */
  minScale: number;
  maxScale: number;
}

export interface ScaleEvent extends At {
  type: 'scale';
  revision: string;
  from: number;
  to: number;
  reason: string;
}

export interface SksModeEvent extends At {
  type: 'sks';
  revision: string;
  mode: 'Serve' | 'Proxy';
  activators: number;
}

export interface PanicEvent extends At {
  type: 'panic';
  revision: string;
  panicking: boolean;
}

/**
 * How a request ended: answered 2xx/3xx (`ok`), 503, 504, another HTTP status (`error`), or no HTTP
 * answer at all (`unanswered`: refused, reset, timed out, or never sent; status 0).
 */
export type RequestOutcome = 'ok' | '503' | '504' | 'error' | 'unanswered';

export interface RequestEvent extends At {
  type: 'request';
  /** arrived: entered the ingress; held: buffered by the activator; dispatched: sent to a pod; done: answered */
  phase: 'arrived' | 'held' | 'dispatched' | 'done';
  id: number;
  revision?: string;
  pod?: string;
  status?: number;
  latencyMs?: number;
  cold?: boolean;
  outcome?: RequestOutcome;
  /** Why an unanswered request got no answer (`ECONNREFUSED`, `no answer within 330000 ms`). */
  error?: string;
  /**
   * On `arrived`: the service time the scenario drew for this request (ms). The simulated app
   * takes exactly that; a live app is asked for it (X-Knsim-Service-Ms) and may ignore it.
   */
  serviceMs?: number;
}

/** Per-second picture of one revision, for charts and CSV. */
export interface SampleEvent extends At {
  type: 'sample';
  revision: string;
  rps: number;
  concurrency: number;
  desired: number;
  ready: number;
  pending: number;
  terminating: number;
  activatorQueue: number;
  queueProxyQueue: number;
  inFlight: number;
  panic: boolean;
  activatorInPath: boolean;
  /** The CPU the revision's pods used over the last second, in millicores (an app that computes). */
  cpuMillis?: number;
  /** The memory its pods use now, in bytes (an app whose memory the scenario gives). */
  memoryBytes?: number;
}

/** A scenario step, logged when it ends (`t`); `startedAt` is when it began. */
export interface StepEvent extends At {
  type: 'step';
  startedAt?: number;
  index: number;
  command: string;
  output: string;
  ok: boolean;
}

export interface ExpectEvent extends At {
  type: 'expect';
  text: string;
  ok: boolean;
  actual: string;
}

export interface NarrationEvent extends At {
  type: 'narration';
  text: string;
  revision?: string;
}

/**
 * A move the cluster made that the model's lifecycle machine forbids (live mode): the object, the
 * mode it left and the one it reported, and the rule the move breaks.
 */
export interface DivergenceEvent extends At {
  type: 'divergence';
  kind: string;
  namespace: string;
  name: string;
  from: string;
  to: string;
  rule: string;
}

export interface EndEvent extends At {
  type: 'end';
  ok: boolean;
  /** The run was ended by this signal (Ctrl-C is SIGINT) before its scenario was over. */
  interrupted?: 'SIGINT' | 'SIGTERM';
  /** The run was stopped before its scenario was over, and why (a limit on its work). */
  stopped?: string;
}

export type LogEvent =
  | ObjectEvent
  | PodEvent
  | KpaTickEvent
  | KpaSpecEvent
  | KpaScaleEvent
  | HpaSyncEvent
  | StatEvent
  | ScaleEvent
  | SksModeEvent
  | PanicEvent
  | RequestEvent
  | SampleEvent
  | StepEvent
  | ExpectEvent
  | NarrationEvent
  | DivergenceEvent
  | EndEvent;

export type LogLine = LogHeader | LogEvent;
