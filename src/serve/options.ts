/**
 * The options of a write as the API server reads them: `dryRun` from the query (every verb) and,
 * for deletes, from the DeleteOptions body too, which is where kubectl puts it
 * (`kubectl delete --dry-run=server` sends `{"dryRun":["All"]}` and no query parameter). A client
 * that asked for a dry run must never lose or change an object, so both places count.
 */
import type { Propagation } from '../model/rules/finalizers.js';
import { parseBody } from './body.js';
import { isObject } from './objects.js';
import { apiError, badRequest } from './status.js';

/** Options kinds as the API server names them in its errors. */
export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions';

function invalidOption(options: OptionsKind, field: string, detail: string) {
  return apiError(422, 'Invalid', `${options}.meta.k8s.io "" is invalid: ${field}: ${detail}`, {
    group: 'meta.k8s.io',
    kind: options,
    causes: [{ reason: 'FieldValueNotSupported', message: detail, field }],
  });
}

/** Go's %#v of a []string, as field.NotSupported prints a dryRun list: `[]string{"x"}`. */
function goStrings(values: readonly string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

/**
 * Whether these dryRun values ask for a dry run: `All` is the only value the API server knows;
 * anything else is refused (422), so a typo never turns into a real write.
 */
export function dryRunOf(values: readonly string[], options: OptionsKind): boolean {
  const given = values.filter((v) => v !== '');
  if (given.some((v) => v !== 'All')) {
    throw invalidOption(options, 'dryRun', `Unsupported value: ${goStrings(given)}: supported values: "All"`);
  }
  return given.length > 0;
}

/** dryRun of a request's query string. */
export function queryDryRun(query: URLSearchParams, options: OptionsKind): boolean {
  return dryRunOf(query.getAll('dryRun'), options);
}

export interface DeleteOptions {
  dryRun: boolean;
  /** `preconditions.uid`: delete only this incarnation of the object. */
  uid?: string;
  /** `preconditions.resourceVersion`: delete only this version of the object. */
  resourceVersion?: string;
  /**
   * `propagationPolicy: Orphan` (or the older `orphanDependents: true`): the dependents stay, the
   * garbage collector only takes the owner's reference off them.
   */
  orphan: boolean;
  /**
   * `gracePeriodSeconds` (query or body): how long a pod may take to stop (kubectl's
   * `--grace-period`; `--now` sends 1, `--force` 0). Absent: the pod's own.
   */
  gracePeriodSeconds?: number;
  /** The propagation policy asked for (`orphanDependents` read as Orphan or Background); none: the object's finalizers decide. */
  propagation?: Propagation;
}

const PROPAGATION = ['Orphan', 'Background', 'Foreground'];

/**
 * DeleteOptions from the query and the body (JSON or YAML; an empty body is no options). The
 * body's `dryRun` and the query's are both honoured, and so is an Orphan propagation; an invalid
 * policy is refused as the API server refuses it.
 */
export function deleteOptions(query: URLSearchParams, body: Buffer, contentType: string | undefined): DeleteOptions {
  const values = [...query.getAll('dryRun')];
  let policy = query.get('propagationPolicy');
  let orphanDependents = parseOrphanQuery(query.get('orphanDependents'));
  let uid: string | undefined;
  let resourceVersion: string | undefined;
  let grace = parseGraceQuery(query.get('gracePeriodSeconds'));
  if (body.length > 0 && body.toString('utf8').trim() !== '') {
    const parsed = parseBody(body, contentType ?? 'application/json');
    if (!isObject(parsed)) throw badRequest('json: cannot unmarshal into Go value of type v1.DeleteOptions');
    const dry = parsed.dryRun;
    if (dry !== undefined && dry !== null) {
      if (!Array.isArray(dry) || !dry.every((v) => typeof v === 'string')) {
        throw badRequest('json: cannot unmarshal into Go struct field DeleteOptions.dryRun of type []string');
      }
      values.push(...dry);
    }
    if (typeof parsed.propagationPolicy === 'string') policy = parsed.propagationPolicy;
    if (typeof parsed.orphanDependents === 'boolean') orphanDependents = parsed.orphanDependents;
    const g = parsed.gracePeriodSeconds;
    if (g !== undefined && g !== null) {
      if (typeof g !== 'number' || !Number.isInteger(g)) {
        throw badRequest('json: cannot unmarshal into Go struct field DeleteOptions.gracePeriodSeconds of type int64');
      }
      grace = g;
    }
    const pre = parsed.preconditions;
    if (isObject(pre)) {
      if (typeof pre.uid === 'string') uid = pre.uid;
      if (typeof pre.resourceVersion === 'string') resourceVersion = pre.resourceVersion;
    }
  }
  if (policy !== null && policy !== undefined && policy !== '' && !PROPAGATION.includes(policy)) {
    throw invalidOption(
      'DeleteOptions',
      'propagationPolicy',
      `Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan", "nil"`,
    );
  }
  const hasPolicy = policy !== null && policy !== undefined && policy !== '';
  if (hasPolicy && orphanDependents !== undefined) {
    // ValidateDeleteOptions: the deprecated flag and the policy say the same thing twice.
    throw apiError(
      422,
      'Invalid',
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: ${JSON.stringify(policy)}: orphanDependents and deletionPropagation cannot be both set`,
      {
        group: 'meta.k8s.io',
        kind: 'DeleteOptions',
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: `Invalid value: ${JSON.stringify(policy)}: orphanDependents and deletionPropagation cannot be both set`,
            field: 'propagationPolicy',
          },
        ],
      },
    );
  }
  const propagation: Propagation | undefined = hasPolicy
    ? (policy as Propagation)
    : orphanDependents === undefined
      ? undefined
      : orphanDependents
        ? 'Orphan'
        : 'Background';
  return {
    dryRun: dryRunOf(values, 'DeleteOptions'),
    orphan: propagation === 'Orphan',
    ...(propagation !== undefined ? { propagation } : {}),
    ...(uid !== undefined ? { uid } : {}),
    ...(resourceVersion !== undefined ? { resourceVersion } : {}),
    ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
  };
}

/** The `gracePeriodSeconds` query parameter, an int64 as the API server's query decoder reads it. */
function parseGraceQuery(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  if (!/^[+-]?\d+$/.test(value)) {
    throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
  return Number(value);
}

/** The `orphanDependents` query parameter, read as Go's strconv.ParseBool reads it. */
function parseOrphanQuery(value: string | null): boolean | undefined {
  if (value === null || value === '') return undefined;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw badRequest(`strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
}
