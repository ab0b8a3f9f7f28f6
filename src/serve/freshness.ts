/**
 * Reads at a resourceVersion newer than the store's, as the API server (1.32) answers them.
 *
 * - get, and list with `resourceVersion=N` (resourceVersionMatch unset or NotOlderThan, no
 *   limit): "not older than N", served by the watch cache, which waits up to 3 s
 *   (`blockTimeout`) for N to arrive, then answers 504 Timeout `Timeout: Too large resource
 *   version: N, current: C` with a ResourceVersionTooLarge cause and `retryAfterSeconds: 1`
 *   (storage.NewTooLargeResourceVersionError; the Retry-After header with it).
 * - the watch-list protocol (`sendInitialEvents=true`) waits the same way; what does not arrive
 *   is that same Status as the stream's one ERROR event. A plain watch from N starts at once.
 * - list with `resourceVersionMatch=Exact` (or the legacy exact read: `limit` with N and no match)
 *   goes to etcd, which refuses a future revision: a 500 without a reason, `etcdserver: mvcc:
 *   required revision is a future revision` (kubernetes/kubernetes#132358, still so in 1.32).
 *
 * And the ListOptions the API server validates first (ValidateListOptions): 422 Invalid.
 */
import { ApiError, apiError } from './status.js';

/** The watch cache's `blockTimeout`: how long a read waits for a resourceVersion (wall-clock ms). */
export const BLOCK_TIMEOUT_MS = 3000;
/** `resourceVersionTooHighRetrySeconds`. */
const RETRY_SECONDS = 1;

/** The 504 of storage.NewTooLargeResourceVersionError. */
export function tooLargeResourceVersion(wanted: number, current: number): ApiError {
  return apiError(504, 'Timeout', `Timeout: Too large resource version: ${wanted}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: RETRY_SECONDS,
  });
}

/** etcd's refusal of a read at a revision it has not reached, passed on as the API server's 500. */
export function futureRevision(): ApiError {
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'etcdserver: mvcc: required revision is a future revision',
    code: 500,
  });
}

/** How a list reads, from its resourceVersion, resourceVersionMatch, limit and continue. */
export type ListRead =
  /** The current state (no resourceVersion, or "0": any state will do, knsim's is current). */
  | { kind: 'current' }
  /** At least this fresh. */
  | { kind: 'notOlderThan'; rv: number }
  /** Exactly this resourceVersion. */
  | { kind: 'exact'; rv: number };

function listOptionsInvalid(field: string, detail: string): ApiError {
  return apiError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: ${field}: ${detail}`, {
    group: 'meta.k8s.io',
    kind: 'ListOptions',
    causes: [
      {
        reason: detail.startsWith('Forbidden') ? 'FieldValueForbidden' : 'FieldValueNotSupported',
        message: detail,
        field,
      },
    ],
  });
}

/**
 * A list's read (ValidateListOptions, then etcd3's store: a limit with a resourceVersion and no
 * match is the legacy exact read). A resourceVersion that is not a number is left to the caller.
 */
export function listRead(query: URLSearchParams): ListRead {
  const rv = query.get('resourceVersion') ?? '';
  const match = query.get('resourceVersionMatch') ?? '';
  const hasContinue = (query.get('continue') ?? '') !== '';
  if (match !== '') {
    const errors: [string, string][] = [];
    if (rv === '')
      errors.push([
        'resourceVersionMatch',
        'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
      ]);
    if (hasContinue)
      errors.push(['resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden when continue is provided']);
    if (match !== 'Exact' && match !== 'NotOlderThan')
      errors.push([
        'resourceVersionMatch',
        `Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", "NotOlderThan", ""`,
      ]);
    if (match === 'Exact' && rv === '0')
      errors.push([
        'resourceVersionMatch',
        'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
      ]);
    if (errors.length === 1) throw listOptionsInvalid(errors[0]![0], errors[0]![1]);
    if (errors.length > 1) {
      const text = errors.map(([f, d]) => `${f}: ${d}`).join(', ');
      throw apiError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: [${text}]`, {
        group: 'meta.k8s.io',
        kind: 'ListOptions',
        causes: errors.map(([field, message]) => ({
          reason: message.startsWith('Forbidden') ? 'FieldValueForbidden' : 'FieldValueNotSupported',
          message,
          field,
        })),
      });
    }
  }
  if (rv === '' || !/^\d+$/.test(rv) || Number(rv) === 0 || hasContinue) return { kind: 'current' };
  const limit = Number(query.get('limit') ?? '0');
  if (match === 'Exact' || (match === '' && Number.isInteger(limit) && limit > 0))
    return { kind: 'exact', rv: Number(rv) };
  return { kind: 'notOlderThan', rv: Number(rv) };
}

/**
 * Waits (wall-clock, at most `timeoutMs`) until the store has reached `wanted`, bringing the
 * simulation up to date (`catchUp`) each time it looks. True when it did.
 */
export async function reached(
  wanted: number,
  current: () => number,
  catchUp: () => void,
  timeoutMs = BLOCK_TIMEOUT_MS,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    catchUp();
    if (current() >= wanted) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}
