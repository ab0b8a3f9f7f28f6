/**
 * Evaluating an expectation against what a cluster shows now (`ClusterView`: pods, objects,
 * metrics), with what was observed in words: `pods == 0 (was 1)`.
 */
import type { KubeObject } from '../model/api/types.js';
import { waitCondition } from '../model/rules/conditions.js';
import { formatDuration } from './duration.js';
import { type Clause, type CompareOp, type Expectation, parseExpectation } from './expect.js';

export interface ClusterView {
  nowMs(): number;
  /**
   * Pods of the namespace, optionally only one revision's or one service's. 'all' counts every
   * pod object that exists (incl. Terminating), 'ready' only Running+Ready, 'terminating' only
   * those being deleted, 'pending' those not yet ready and not terminating.
   */
  countPods(filter: {
    revision?: string;
    service?: string;
    state: 'all' | 'ready' | 'terminating' | 'pending';
  }): number;
  /** Resource as the user typed it (ksvc, revision, route, kpa, sks …). */
  getObject(resource: string, name: string): KubeObject | undefined;
  /** desired, activator-queue, panic, rps, concurrency, requests, answered, errors, 503, 504, cold-starts, p50/p95/p99 (ms), last-curl-latency (ms), last-curl-status, last-curl-expected-status (the status the last curl step expected, if any). */
  metric(name: string, revision?: string): number | undefined;
}

export interface Evaluation {
  ok: boolean;
  /** What was observed, e.g. `pods == 0 (was 1)`. */
  actual: string;
  /** The expectation as written. */
  text: string;
}

function compare(a: number, op: CompareOp, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

function fmtNum(n: number, latency: boolean): string {
  if (latency) return formatDuration(Math.round(n * 1000) / 1000);
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1000) / 1000);
}

interface Cond {
  type?: unknown;
  status?: unknown;
  reason?: unknown;
  message?: unknown;
}

function conditionsOf(obj: KubeObject): Cond[] {
  const status = obj.status as { conditions?: unknown } | undefined;
  return Array.isArray(status?.conditions) ? (status.conditions as Cond[]) : [];
}

function findCondition(obj: KubeObject, type: string): Cond | undefined {
  return conditionsOf(obj).find((c) => typeof c.type === 'string' && c.type.toLowerCase() === type.toLowerCase());
}

function getPath(obj: unknown, path: string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** Resolve a field clause's field against an object. */
export function readField(obj: KubeObject, field: string): unknown {
  const lf = field.toLowerCase();
  if (lf === 'reason' || lf === 'message') return findCondition(obj, 'Ready')?.[lf as 'reason' | 'message'];
  const dot = field.indexOf('.');
  if (dot > 0) {
    const head = field.slice(0, dot);
    const rest = field.slice(dot + 1);
    if (['spec', 'status', 'metadata'].includes(head)) return getPath(obj, field.split('.'));
    const cond = findCondition(obj, head);
    if (cond && ['reason', 'message', 'status'].includes(rest.toLowerCase())) {
      return cond[rest.toLowerCase() as 'reason' | 'message' | 'status'];
    }
    return getPath(obj, field.split('.'));
  }
  for (const section of ['spec', 'status', 'metadata']) {
    const v = getPath(obj, [section, field]);
    if (v !== undefined) return v;
  }
  return obj[field];
}

/**
 * Metrics read from requests' answers (counts, statuses, latencies): none holds while some request
 * got no answer (`unanswered`, status 0: refused, reset, timed out), whatever it compares, since
 * those requests have no status or latency to count. `errors` counts them.
 */
const ANSWER_METRICS: ReadonlySet<string> = new Set(['requests', 'answered', '503', '504', 'p50', 'p95', 'p99']);

function evalClause(c: Clause, view: ClusterView): { ok: boolean; actual: string } {
  switch (c.type) {
    case 'pods': {
      const n = view.countPods({
        state: c.state,
        ...(c.revision !== undefined ? { revision: c.revision } : {}),
        ...(c.service !== undefined ? { service: c.service } : {}),
      });
      return { ok: compare(n, c.op, c.value), actual: `${c.text} (was ${n})` };
    }
    case 'metric': {
      const v = view.metric(c.name, c.revision);
      if (v === undefined) return { ok: false, actual: `${c.text} (no value for ${c.name})` };
      const was = `${c.text} (was ${Number.isNaN(v) ? 'none' : fmtNum(v, c.latency)}`;
      const lost = c.name === 'unanswered' ? 0 : (view.metric('unanswered') ?? 0);
      if (lost > 0 && c.name === 'errors') {
        return { ok: compare(v, c.op, c.value), actual: `${was}, ${lost} of them without an answer)` };
      }
      // A request without an answer has no status and no latency: nothing about them can hold.
      if (lost > 0 && ANSWER_METRICS.has(c.name)) {
        return { ok: false, actual: `${was}, but ${lost} request${lost === 1 ? '' : 's'} got no answer)` };
      }
      return { ok: compare(v, c.op, c.value), actual: `${was})` };
    }
    case 'curl-answered': {
      const status = view.metric('last-curl-status');
      const lat = view.metric('last-curl-latency');
      if (status === undefined || status <= 0) return { ok: false, actual: `${c.text} (no answer yet)` };
      const latText = lat !== undefined ? ` after ${fmtNum(lat, true)}` : '';
      // An error status (404: no route; 503, 504: refused or timed out) is not the service
      // answering, unless the curl step expected that very status.
      if (status >= 400 && status !== view.metric('last-curl-expected-status')) {
        return { ok: false, actual: `${c.text} (was ${status}${latText}: an error status)` };
      }
      const ok = c.withinMs === undefined || (lat !== undefined && lat <= c.withinMs);
      return { ok, actual: `${c.text} (was ${status}${latText})` };
    }
    case 'exists': {
      const obj = view.getObject(c.resource, c.name);
      return {
        ok: (obj !== undefined) === c.exists,
        actual: `${c.text} (${obj ? 'exists' : 'not found'})`,
      };
    }
    case 'condition': {
      const obj = view.getObject(c.resource, c.name);
      if (!obj) return { ok: false, actual: `${c.text} (${c.resource} ${c.name} not found)` };
      // As kubectl wait: a condition written for an older generation is not met yet.
      const seen = waitCondition(obj, c.condition);
      const cond = seen.condition;
      if (cond && seen.stale) {
        return {
          ok: false,
          actual: `${c.text} (was ${String(cond.type)}=${String(cond.status)} of generation ${seen.observedGeneration}; generation ${seen.generation} not observed yet)`,
        };
      }
      if (!cond) {
        const ok = c.op === '==' ? c.status === 'Unknown' : c.status !== 'Unknown';
        return { ok, actual: `${c.text} (no ${c.condition} condition)` };
      }
      const st = String(cond.status);
      const ok = (st === c.status) === (c.op === '==');
      const reason = typeof cond.reason === 'string' && cond.reason !== '' ? `: ${cond.reason}` : '';
      return { ok, actual: `${c.text} (was ${String(cond.type)}=${st}${reason})` };
    }
    case 'field': {
      const obj = view.getObject(c.resource, c.name);
      if (!obj) return { ok: false, actual: `${c.text} (${c.resource} ${c.name} not found)` };
      const v = readField(obj, c.field);
      if (v === undefined || v === null) return { ok: false, actual: `${c.text} (no ${c.field})` };
      const shown = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
      if (typeof c.value === 'number' || (c.op !== '==' && c.op !== '!=')) {
        const a = typeof v === 'number' ? v : Number(v);
        const b = typeof c.value === 'number' ? c.value : Number(c.value);
        if (Number.isNaN(a) || Number.isNaN(b)) {
          if (c.op === '==' || c.op === '!=') {
            const eq = String(v).toLowerCase() === String(c.value).toLowerCase();
            return { ok: eq === (c.op === '=='), actual: `${c.text} (was ${shown})` };
          }
          return { ok: false, actual: `${c.text} (was ${shown}, not a number)` };
        }
        return { ok: compare(a, c.op, b), actual: `${c.text} (was ${shown})` };
      }
      const eq = String(v).toLowerCase() === String(c.value).toLowerCase();
      return { ok: eq === (c.op === '=='), actual: `${c.text} (was ${shown})` };
    }
  }
}

/**
 * Evaluate an expectation now (ignores `by`/`after`, which the runner applies).
 * `expr` may be a parsed Expectation or its text.
 */
export function evaluate(expr: Expectation | string, view: ClusterView): Evaluation {
  const e = typeof expr === 'string' ? parseExpectation(expr) : expr;
  const results = e.clauses.map((c) => evalClause(c, view));
  return {
    ok: results.every((r) => r.ok),
    actual: results.map((r) => r.actual).join(' and '),
    text: e.text,
  };
}
