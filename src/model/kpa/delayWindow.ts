/**
 * Scale-down delay: a sliding maximum over the decider's recent outputs (reference §3 step 11).
 *
 * The window has ceil(delay / 2 s) buckets of 2 s of wall time. A value recorded in bucket i is
 * still in force while (current bucket − i) < number of buckets. With a 5 min delay (150
 * buckets) a 4 recorded at t = 2 s (bucket 1) still holds at t = 300 s (bucket 150) and is gone
 * at t = 302 s (bucket 151).
 *
 * Like Knative's, the window is made once, with the autoscaler, for the delay in force then; a
 * later spec update does not resize it (see `newDeciderState`).
 *
 * The state is immutable and small: a list of candidates with non-decreasing bucket and
 * strictly decreasing value (a monotonic queue), so the front is always the maximum.
 */

/** Width of one delay bucket: the decider's tick interval. */
const DELAY_BUCKET_MS = 2_000;

export interface DelayWindowState {
  /** The scale-down delay the window was made for. */
  readonly delayMs: number;
  /** Number of 2 s buckets the window spans. */
  readonly buckets: number;
  /** Candidates for the maximum, oldest (and largest) first. */
  readonly entries: readonly { readonly bucket: number; readonly value: number }[];
}

/** An empty window for a scale-down delay of `delayMs` (> 0). */
export function newDelayWindow(delayMs: number): DelayWindowState {
  return { delayMs, buckets: Math.ceil(delayMs / DELAY_BUCKET_MS), entries: [] };
}

/** The bucket index of a time: whole seconds, then whole 2 s buckets. */
function delayBucketOf(nowMs: number): number {
  return Math.floor(Math.floor(nowMs / 1000) / (DELAY_BUCKET_MS / 1000));
}

/** Records `value` at `nowMs`, dropping expired buckets and values that can no longer be the max. */
export function recordDelay(state: DelayWindowState, nowMs: number, value: number): DelayWindowState {
  const bucket = delayBucketOf(nowMs);
  const kept = state.entries.filter((e) => bucket - e.bucket < state.buckets);
  while (kept.length > 0 && (kept[kept.length - 1]?.value ?? Number.POSITIVE_INFINITY) <= value) kept.pop();
  kept.push({ bucket, value });
  return { delayMs: state.delayMs, buckets: state.buckets, entries: kept };
}

/** The maximum recorded within the window as of the last record (0 when empty). */
export function currentDelayMax(state: DelayWindowState): number {
  return state.entries[0]?.value ?? 0;
}
