/**
 * The kubelet's restart rules for a container that exits under `restartPolicy: Always` (every
 * Deployment pod): CrashLoopBackOff's back-off and what the pod's container status says.
 *
 * The kubelet keeps one back-off per container (pkg/kubelet/kubelet.go: `backOffPeriod` 10 s,
 * `MaxContainerBackOff` 300 s; k8s.io/client-go/util/flowcontrol/backoff.go). The first exit
 * finds no back-off: the container is started again at once, and the back-off starts at 10 s.
 * Each later exit waits the back-off, counted from the exit, and doubles it, up to 5 min. A
 * back-off not touched for twice the maximum (10 min) has expired: a container that ran that long
 * before it exited starts again at once, as after a first exit (Kubernetes docs, "Pod Lifecycle",
 * container restarts: 10 s, 20 s, 40 s … capped at five minutes, reset after ten minutes running).
 */

/** The first back-off (kubelet `backOffPeriod`). */
export const CRASH_LOOP_INITIAL_BACKOFF_MS = 10_000;
/** The longest back-off (kubelet `MaxContainerBackOff`). */
export const CRASH_LOOP_MAX_BACKOFF_MS = 300_000;
/** A back-off older than this has expired (flowcontrol's `hasExpired`: twice the maximum). */
export const CRASH_LOOP_RESET_MS = 2 * CRASH_LOOP_MAX_BACKOFF_MS;
/**
 * From a container's exit until the kubelet sees it and acts (its pod lifecycle event
 * generator relists the containers every second): the pod shows the exit (`Error`) meanwhile.
 */
export const KUBELET_RELIST_MS = 1000;

/**
 * How long after its `exits`-th exit (1 for the first) a container that ran `ranMs` each time is
 * started again.
 */
export function crashLoopBackOffMs(exits: number, ranMs: number): number {
  // A first exit, or one after a run long enough for the back-off to expire: no back-off yet.
  if (exits <= 1 || ranMs > CRASH_LOOP_RESET_MS) return 0;
  return Math.min(CRASH_LOOP_INITIAL_BACKOFF_MS * 2 ** (exits - 2), CRASH_LOOP_MAX_BACKOFF_MS);
}

/**
 * The kubelet's back-off entry for a container as it exits after a run of `ranMs`: how long it
 * waits before starting it again, and the entry after that start (`entryMs` 0: none yet). The
 * same as `crashLoopBackOffMs` when every run is as long; for runs of different lengths (an app
 * the kernel kills for its memory when the load peaks) the entry itself must be kept.
 */
export function crashLoopNext(entryMs: number, ranMs: number): { delayMs: number; entryMs: number } {
  // No entry, or one not touched for twice the maximum (the run, at least, since the last start).
  if (entryMs === 0 || ranMs > CRASH_LOOP_RESET_MS) return { delayMs: 0, entryMs: CRASH_LOOP_INITIAL_BACKOFF_MS };
  return { delayMs: entryMs, entryMs: Math.min(entryMs * 2, CRASH_LOOP_MAX_BACKOFF_MS) };
}

/** The exit code of a container the kernel killed for its memory (SIGKILL: 128 + 9). */
export const OOM_KILLED_EXIT_CODE = 137;
/** The reason the kubelet gives such a termination. */
export const OOM_KILLED_REASON = 'OOMKilled';

/** The reason a terminated container shows (kubelet: 0 is `Completed`, anything else `Error`). */
export function terminatedReason(exitCode: number): string {
  return exitCode === 0 ? 'Completed' : 'Error';
}

/** The kubelet's CrashLoopBackOff message (pkg/kubelet/kuberuntime: `back-off 20s restarting failed container=…`). */
export function crashLoopBackOffMessage(
  backOffMs: number,
  container: string,
  pod: string,
  namespace: string,
  uid: string,
): string {
  return `back-off ${formatGoDuration(backOffMs)} restarting failed container=${container} pod=${pod}_${namespace}(${uid})`;
}

/** A whole number of seconds as Go prints a time.Duration (`10s`, `1m20s`, `5m0s`). */
function formatGoDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}
