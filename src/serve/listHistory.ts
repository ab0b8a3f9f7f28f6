/**
 * Lists at a past resourceVersion, as etcd serves them to the API server: an exact read
 * (`resourceVersionMatch=Exact`) and the later pages of a chunked list (their continue token
 * carries the first page's resourceVersion, so all pages show one state). knsim keeps no
 * snapshots: the state is the current one with the watch history's later events undone. Where the
 * history no longer reaches (etcd: compacted), the API server's 410s (etcd3 store's
 * interpretListError and handleCompactedErrorForPaging).
 */
import type { KubeObject } from '../model/api/types.js';
import { keyOf } from './objects.js';
import { type ApiError, apiError, badRequest } from './status.js';
import type { HistoryEvent } from './watch.js';

/** A continue token: the last key returned, and the resourceVersion the list is read at (-1: the latest). */
export interface ContinueToken {
  after: string;
  rv: number;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

export function decodeContinue(text: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    const rv = typeof parsed.rv === 'number' && Number.isInteger(parsed.rv) ? parsed.rv : -1;
    return { after: String(parsed.after), rv };
  } catch {
    throw badRequest('continue key is not valid: illegal base64 data');
  }
}

/**
 * The objects at `rv`: `current` (the store's, for the list's namespace) with `events` (the
 * type's, after `rv`) undone newest first. `inNamespace` keeps the events of the listed namespace.
 */
export function stateAt(
  current: readonly KubeObject[],
  events: readonly HistoryEvent[],
  inNamespace: (o: KubeObject) => boolean,
): KubeObject[] {
  const byKey = new Map<string, KubeObject>();
  for (const o of current) byKey.set(keyOf(o), o);
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (!inNamespace(e.object)) continue;
    const key = keyOf(e.object);
    if (e.type === 'ADDED') byKey.delete(key);
    else if (e.type === 'MODIFIED') {
      if (e.previous) byKey.set(key, e.previous);
    } else if (e.type === 'DELETED') byKey.set(key, e.previous ?? e.object);
  }
  return [...byKey.values()].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}

/** An exact list at a resourceVersion the history no longer reaches. */
export function listTooOld(): ApiError {
  return apiError(410, 'Expired', 'The resourceVersion for the provided list is too old.');
}

/**
 * A later page whose first page's resourceVersion the history no longer reaches: 410 with a
 * token that goes on at the latest state (`rv: -1`), as handleCompactedErrorForPaging answers.
 */
export function continueTooOld(after: string): ApiError {
  const e = apiError(
    410,
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
  );
  e.status.metadata.continue = encodeContinue({ after, rv: -1 });
  return e;
}
