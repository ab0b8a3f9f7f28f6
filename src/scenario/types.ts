import type { KubeObject } from '../model/api/types.js';
import type { ClusterSpec } from '../model/cluster/nodes.js';
import type { CurlCommand } from './curl.js';
import type { Expectation } from './expect.js';
import type { KnCommand } from './kn.js';
import type { KubectlCommand } from './kubectl.js';

export type { CurlCommand } from './curl.js';
export type { Expectation } from './expect.js';
export type { KubectlCommand } from './kubectl.js';

/** Where something was written: 1-based line and column. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export type NetworkingLayer = 'kourier' | 'istio' | 'contour' | 'gloo' | 'ambassador';

/**
 * A distribution of durations: a fixed value, a median with a relative spread (0..1,
 * e.g. 0.3 = ±30% log-normal-ish spread, the simulator decides the shape), or a uniform range.
 */
export type DurationDist =
  | { kind: 'fixed'; ms: number }
  | { kind: 'median'; medianMs: number; spread: number }
  | { kind: 'range'; minMs: number; maxMs: number };

/** Pod start-up given per phase (the simulator's own breakdown); missing phases keep their defaults. */
export interface PodStartupPhases {
  kind: 'phases';
  schedulingMs?: number;
  creatingMs?: number;
  imagePullMs?: number;
  appStartMs?: number;
  /** Relative spread (lognormal sigma) of each phase. */
  spread?: number;
}

export interface AppSettings {
  /** Body the simulated container answers with. Default "Hello Knative!"-like text is up to the simulator. */
  response?: string;
  /** HTTP status the container answers with. */
  status?: number;
  /** Time the container spends on each request. */
  serviceTime?: DurationDist;
  /**
   * Requests the app works on at once per pod (a CPU-bound app with N cores); more wait inside
   * the container. 0 or absent: every admitted request is served in parallel.
   */
  workers?: number;
  /**
   * How long into a request the app writes the first byte of its answer (status line and
   * headers, flushed); absent: the whole answer at once, at the end. Knative's timeouts count to
   * the first byte.
   */
  responseStartMs?: number;
  /** The share of each request's service time spent on the CPU (0 to 1). */
  cpu?: number;
  /** The app's memory: a baseline per pod and more per request in flight (bytes). */
  memory?: { baseBytes: number; perRequestBytes: number };
}

/** Simulator knobs (`settings:`). Ignored against a live cluster. */
export interface ScenarioSettings {
  podStartup?: DurationDist | PodStartupPhases;
  networking?: NetworkingLayer;
  app?: AppSettings;
  /** queue-proxy drain on SIGTERM before the pod is gone. */
  drainMs?: number;
  /** From a Route's new traffic to the ingress serving it. */
  ingressProgrammingMs?: number;
  /** Informer/workqueue latency between an object change and its reconcile. */
  reconcileDelayMs?: number;
  /** How often the activator probes new pods. */
  activatorProbePeriodMs?: number;
  /** Activator replicas (1 to 20; default 1). */
  activators?: number;
  /** Images that cannot be resolved (the revision fails with ContainerMissing). */
  missingImages?: string[];
  /**
   * Images whose app exits `afterMs` after each start, with that code and message (it crash-loops;
   * see src/sim/settings.ts `CrashImage` for `afterSpread`).
   */
  crashImages?: {
    image: string;
    exitCode: number;
    message: string;
    afterMs: number;
    afterSpread?: { kind: 'median'; spread: number } | { kind: 'range'; minMs: number; maxMs: number };
    unlessEnv?: string;
  }[];
  /**
   * Images whose app stops answering `afterMs` after each start; the kubelet kills it when its
   * liveness probe fails (see src/sim/settings.ts `HangImage`).
   */
  hangImages?: {
    image: string;
    afterMs: number;
    afterSpread?: { kind: 'median'; spread: number } | { kind: 'range'; minMs: number; maxMs: number };
    unlessEnv?: string;
    onSigterm: 'exit' | 'ignore';
  }[];
  /** The nodes and the cluster-autoscaler (src/scenario/cluster.ts). */
  cluster?: ClusterSpec;
  /** Image sizes and pull times by image name. */
  images?: Record<string, { sizeBytes?: number; pullMs?: number }>;
  /** Extra settings accepted through `ParseOptions.settingsExtensions`, already validated. */
  [key: string]: unknown;
}

export interface StepBase {
  /** 0-based position in `steps:`. */
  index: number;
  /** Absolute simulated time (ms from the start of the run) at which the step starts, if given. */
  atMs?: number;
  /** Where the step was written (its first key). */
  location: SourceLocation;
}

export interface ApplySource {
  /** The file name as kubectl prints it (`article.yaml`), or `-` for inline manifests. */
  label: string;
  manifests: KubeObject[];
}

export interface ApplyStep extends StepBase {
  kind: 'apply';
  /** All manifests of the step, in order. */
  manifests: KubeObject[];
  /** `article.yaml`; several files are joined with `, `; inline manifests give `-`. */
  label: string;
  /** One entry per file (or inline group), for printing one `kubectl apply -f` per file. */
  sources: ApplySource[];
  /** `expect: { refused }`: each file's apply must be refused with an error containing this text. */
  refused?: string;
}

export interface KubectlStep extends StepBase {
  kind: 'kubectl';
  command: KubectlCommand;
  /** For `delete -f <file>`: the manifests of the referenced files. */
  manifests?: KubeObject[];
}

export interface KnStep extends StepBase {
  kind: 'kn';
  command: KnCommand;
}

export interface CurlExpect {
  status?: number;
  body?: string;
  bodyContains?: string;
  withinMs?: number;
}

export interface CurlStep extends StepBase {
  kind: 'curl';
  command: CurlCommand;
  expect?: CurlExpect;
}

export interface WaitStep extends StepBase {
  kind: 'wait';
  until: Expectation;
  /** Default 10m. */
  timeoutMs: number;
}

export interface SleepStep extends StepBase {
  kind: 'sleep';
  ms: number;
}

export interface ExpectStep extends StepBase {
  kind: 'expect';
  expectation: Expectation;
}

export interface NoteStep extends StepBase {
  kind: 'note';
  text: string;
}

export type Step = ApplyStep | KubectlStep | KnStep | CurlStep | WaitStep | SleepStep | ExpectStep | NoteStep;
export type StepKind = Step['kind'];

/** A load phase, kept as written (validated by the injected `validateLoad`). */
export interface LoadPhase {
  index: number;
  /** The phase as plain JS data, durations still strings. */
  spec: unknown;
  location: SourceLocation;
}

export interface Scenario {
  name: string;
  description: string;
  seed?: number;
  /** Default "default". */
  namespace: string;
  settings: ScenarioSettings;
  /** ConfigMaps in knative-serving: name → data. Values are strings (numbers/booleans are stringified). */
  config: Record<string, Record<string, string>>;
  /** Named manifests: the keys of `files:` plus every file referenced by path from a step. */
  files: Record<string, KubeObject[]>;
  steps: Step[];
  load: LoadPhase[];
  /** Final expectations, checked at the end of the run. */
  expect: Expectation[];
  source: { file: string };
}
