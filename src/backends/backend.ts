/**
 * The one seam between a scenario run and a cluster. The simulator implements it over
 * simulated time; the live backend over a real API server and real time. The runner and the
 * TUI only ever talk to this interface. Backends translate; they hold no Knative rules.
 */
import type { KubeObject } from '../model/api/types.js';
import type { LogHeader } from '../model/events.js';
import type { ResultsCollector } from '../results/results.js';
import type { LoadProgress } from '../sim/load/driver.js';
import type { EventLog } from '../sim/log.js';

export interface HttpRequest {
  /** The URL as the user wrote it (`http://knservice.default.example.com/`). */
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** The client gives up after this long (curl -m); absent or 0: it waits. */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  body: string;
  /** From sending to the last byte, in run milliseconds. */
  latencyMs: number;
  /** Held by the activator while a pod started. */
  cold?: boolean;
  revision?: string;
  pod?: string;
}

export interface ApplyOptions {
  /** Who writes: kubectl (the default) or the kn CLI. */
  client?: 'kubectl' | 'kn';
}

export type ApplyOutcome = 'created' | 'configured' | 'unchanged';

export interface ApplyResult {
  /** `service.serving.knative.dev/knservice` as kubectl prints it. */
  reference: string;
  outcome: ApplyOutcome;
}

/** A request the cluster refused (admission, conflict...), with kubectl's own wording. */
export class BackendError extends Error {
  constructor(
    message: string,
    readonly code: number = 400,
  ) {
    super(message);
  }
}

export interface Backend {
  readonly kind: 'sim' | 'live';
  readonly log: EventLog;
  /** Run time in ms: simulated, or since the run started. */
  now(): number;
  /** Writes the log header and prepares the namespace. */
  start(header: Omit<LogHeader, 'type' | 'format' | 'knsim' | 'backend' | 'epoch'>): Promise<void>;
  /** ConfigMaps in knative-serving (config-autoscaler, config-domain, ...). */
  configure(configMaps: Record<string, Record<string, string>>): Promise<void>;
  /**
   * `kubectl apply -f`: one result per object, or a BackendError in kubectl's words. With
   * `client: 'kn'` the objects are written as kn writes them (a create or a full update, with no
   * kubectl last-applied annotation).
   */
  apply(objects: KubeObject[], fileLabel: string, options?: ApplyOptions): Promise<ApplyResult[]>;
  /** `kubectl delete`. */
  delete(resourceId: string, namespace: string, name: string): Promise<string>;
  /** Objects of a resource type (id as in src/model/rules/resources.ts) in a namespace. */
  list(resourceId: string, namespace?: string): Promise<KubeObject[]>;
  /** Synchronous view of the last known objects (for expectations and the TUI). */
  snapshot(resourceId: string, namespace?: string): KubeObject[];
  /**
   * `kubectl logs`: one container's lines (the backend answers as the kubelet does, or throws a
   * BackendError in kubectl's words). Optional: a backend without it says logs are not available.
   */
  podLogs?(
    namespace: string,
    pod: string,
    container: string,
    options: { tailLines?: number; timestamps?: boolean },
  ): Promise<string>;
  /** Sends a request and waits for its answer. */
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Starts the scenario's load phases (validated specs). */
  startLoad(phases: unknown[], baseDir: string): Promise<LoadProgress>;
  /** Lets run time pass until `t`. */
  sleepUntil(t: number): Promise<void>;
  /** Lets run time pass until `done()` or `deadline`; true if done. */
  waitUntil(done: () => boolean, deadline: number): Promise<boolean>;
  /** The run's results so far (requests, latencies, pods...), streamed as the run goes. */
  readonly results: ResultsCollector;
  /** Stops load and watches, writes the end of the log. */
  close(): Promise<void>;
}
