/**
 * The kubelet's liveness probe of a user container whose app stops answering (scenario
 * `hangImages`), and the kill that follows.
 *
 * The kubelet runs one probe worker per container (pkg/kubelet/prober/worker.go). It is made when
 * the kubelet takes the pod (as the pod is bound, before the images are pulled) and ticks every
 * `periodSeconds` from then on, across the container's restarts: a probe before the container runs,
 * or in its first `initialDelaySeconds` (whole seconds since it started), is skipped. A hung app
 * still accepts connections (the kernel does) but never answers: an HTTP probe times out after
 * `timeoutSeconds`, and that is its failure; a TCP probe only connects, so it passes. After
 * `failureThreshold` failures in a row the kubelet kills the container (`Killing`) and the worker
 * stops probing it until a new container runs (its failure count starts again at 0).
 *
 * The kill (pkg/kubelet/kuberuntime `killContainer`): the preStop hook first, then SIGTERM, then
 * SIGKILL when the pod's grace period (Knative: the revision's timeoutSeconds) has run out. Knative's
 * preStop hook is an HTTP GET of the queue-proxy's `/wait-for-drain`; when the queue-proxy itself
 * was not sent SIGTERM, it stops draining after a second and answers (knative/serving
 * pkg/queue/sharedmain `adminHandler`: "the user-container's liveness probes are triggering the
 * container to restart and we shouldn't block that"). An app that dies at SIGTERM (Go's default
 * for a program that does not handle it) ends 128 + 15 = 143; one that does not end is killed
 * with SIGKILL, 128 + 9 = 137.
 */

/** A liveness probe's timing, with Kubernetes' defaults (core/v1 `Probe`). */
export interface LivenessTiming {
  readonly periodMs: number;
  readonly timeoutMs: number;
  readonly failureThreshold: number;
  readonly initialDelayMs: number;
  /** Whether a hung app fails it: an HTTP probe does (it times out), a TCP probe only connects. */
  readonly seesHang: boolean;
}

/** The probe as the pod spec gives it (the fields this module reads). */
export interface ProbeSpec {
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
  readonly initialDelaySeconds?: number;
  readonly httpGet?: { readonly path?: string; readonly port?: number | string } | null;
  readonly tcpSocket?: object | null;
  readonly exec?: object | null;
  readonly grpc?: object | null;
}

/** Kubernetes' probe defaults: periodSeconds 10, timeoutSeconds 1, failureThreshold 3, initialDelaySeconds 0. */
export function livenessTiming(probe: ProbeSpec): LivenessTiming {
  const positive = (v: number | undefined, fallback: number) => (typeof v === 'number' && v > 0 ? v : fallback);
  return {
    periodMs: positive(probe.periodSeconds, 10) * 1000,
    timeoutMs: positive(probe.timeoutSeconds, 1) * 1000,
    failureThreshold: positive(probe.failureThreshold, 3),
    initialDelayMs: Math.max(0, probe.initialDelaySeconds ?? 0) * 1000,
    // An exec or gRPC probe of a hung app depends on what it runs: knsim takes the HTTP case.
    seesHang: probe.tcpSocket == null,
  };
}

/**
 * When the probe's failures come, from the container's start (ms), for an app that stops answering
 * `hangAtMs` after it: the instants the kubelet has each failed probe's result (its tick plus the
 * timeout), `failureThreshold` of them, the last being the kill. `leadMs` is how long the probe
 * worker had been ticking when the container started. Empty when the probe cannot see the hang.
 * The probes before the hang pass (an app that starts within a period fails at most one, during
 * its start-up, and the next resets the count: knsim does not count it).
 */
export function livenessFailuresMs(timing: LivenessTiming, leadMs: number, hangAtMs: number): number[] {
  if (!timing.seesHang) return [];
  const p = timing.periodMs;
  // The worker's ticks, from the container's start: at -leadMs + k·p.
  const phase = ((-leadMs % p) + p) % p;
  const from = Math.max(hangAtMs, timing.initialDelayMs);
  const first = phase + Math.max(0, Math.ceil((from - phase) / p)) * p;
  const out: number[] = [];
  for (let i = 0; i < timing.failureThreshold; i++) out.push(first + i * p + timing.timeoutMs);
  return out;
}

/** The preStop hook's wait: the queue-proxy stops draining a second after the hook called it. */
export const QUEUE_PROXY_LIVENESS_DRAIN_MS = 1000;
/** The least the kubelet leaves the container after its preStop hook (kuberuntime `minimumGracePeriodInSeconds`). */
export const MINIMUM_GRACE_MS = 2000;
/** A container ended by SIGTERM (128 + 15) or by SIGKILL (128 + 9). */
export const SIGTERM_EXIT_CODE = 143;
export const SIGKILL_EXIT_CODE = 137;

/**
 * From the kubelet's `Killing` to the container's end, and its exit code: the preStop hook, then
 * SIGTERM; an app that ignores it is killed when what is left of the grace period runs out.
 */
export function livenessKill(graceMs: number, exitsOnSigterm: boolean): { afterMs: number; exitCode: number } {
  const preStop = Math.min(QUEUE_PROXY_LIVENESS_DRAIN_MS, graceMs);
  if (exitsOnSigterm) return { afterMs: preStop, exitCode: SIGTERM_EXIT_CODE };
  return { afterMs: preStop + Math.max(graceMs - preStop, MINIMUM_GRACE_MS), exitCode: SIGKILL_EXIT_CODE };
}

/**
 * The kubelet's `Unhealthy` message for an HTTP probe that timed out (pkg/kubelet/prober: the
 * probe type, "probe failed: ", then Go's http.Client error).
 */
export function livenessTimeoutMessage(ip: string, port: number, path: string): string {
  const p = path.startsWith('/') ? path : `/${path}`;
  return `Liveness probe failed: Get "http://${ip}:${port}${p}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`;
}

/** The kubelet's `Killing` message for a container that failed its liveness probe. */
export function livenessKillingMessage(container: string): string {
  return `Container ${container} failed liveness probe, will be restarted`;
}
