/**
 * The autoscaler's decisions over time, from a log's `kpa.tick` events: in a simulator's log the
 * model's; in a live log the cluster's (its autoscaler's desired pods) and the shadow model's
 * beside it. `knsim compare` prints each side's timeline at its changes and the first tick where
 * two sides diverge: model and cluster within a live run, and the two runs against each other.
 */
import type { KpaTickEvent, LogEvent } from '../model/events.js';

/** One tick of one revision: what each side wanted (null: no decision from that side at that tick). */
export interface DecisionPoint {
  readonly t: number;
  /** The model's decision: the simulator's KPA, or live mode's shadow. */
  readonly model: number | null;
  /** The cluster's own decision (live logs only). */
  readonly cluster: number | null;
  /** Why model and cluster differ at this tick (live logs). */
  readonly because: readonly string[];
}

/** Per revision, the decisions of every tick in time order. */
export type DecisionTimeline = Map<string, DecisionPoint[]>;

function pointOf(e: KpaTickEvent): DecisionPoint {
  const d = e.decision;
  const model = d.valid === true && typeof d.desiredPodCount === 'number' ? d.desiredPodCount : null;
  const fresh = e.comparison ? e.comparison.agree !== null : e.cluster !== undefined;
  const cluster = fresh && typeof e.cluster?.desiredPods === 'number' ? e.cluster.desiredPods : null;
  const because = e.comparison && e.comparison.agree === false ? e.comparison.because.map((b) => b.text) : [];
  return { t: e.t, model, cluster, because };
}

export function decisionTimeline(events: readonly LogEvent[]): DecisionTimeline {
  const out: DecisionTimeline = new Map();
  for (const e of events) {
    if (e.type !== 'kpa.tick') continue;
    const list = out.get(e.revision) ?? [];
    list.push(pointOf(e));
    out.set(e.revision, list);
  }
  return out;
}

/** Whether the timeline has the cluster's decisions beside the model's (a live log with the shadow). */
export function hasClusterSide(timeline: DecisionTimeline): boolean {
  for (const points of timeline.values()) if (points.some((p) => p.cluster !== null)) return true;
  return false;
}

/** A step function of run time: the latest value at or before each asked time. */
function valueAt(points: readonly { t: number; v: number | null }[], t: number): number | null {
  let found: number | null = null;
  for (const p of points) {
    if (p.t > t) break;
    if (p.v !== null) found = p.v;
  }
  return found;
}

export interface Divergence {
  readonly t: number;
  readonly a: number;
  readonly b: number;
  readonly because: readonly string[];
}

/** The first tick of `points` where both sides decided and differ. */
export function firstDivergence(points: readonly DecisionPoint[]): Divergence | undefined {
  for (const p of points) {
    if (p.model !== null && p.cluster !== null && p.model !== p.cluster) {
      return { t: p.t, a: p.model, b: p.cluster, because: p.because };
    }
  }
  return undefined;
}

/** Knative's decider tick: two runs' decisions are lined up by it. */
const TICK_MS = 2_000;

/** The tick slot of a run time: ticks within a second of each other share it. */
function slotOf(t: number): number {
  return Math.round(t / TICK_MS);
}

function seconds(ms: number): string {
  return `${(Math.round(ms / 100) / 10).toFixed(1)} s`;
}

function cell(v: number | null): string {
  return v === null ? '–' : String(v);
}

/** Most rows of a timeline printed; the rest are counted. */
const MAX_ROWS = 30;

/** Rows at each change of either side: time, side a, side b. */
function changeRows(
  rows: readonly { t: number; a: number | null; b: number | null }[],
  widths: readonly [number, number] = [8, 8],
): string[] {
  const out: string[] = [];
  let last: string | undefined;
  let changes = 0;
  for (const r of rows) {
    const key = `${cell(r.a)}|${cell(r.b)}`;
    if (key === last) continue;
    last = key;
    changes++;
    if (out.length < MAX_ROWS) {
      const differs = r.a !== null && r.b !== null && r.a !== r.b;
      out.push(
        `  ${seconds(r.t).padStart(9)}  ${cell(r.a).padStart(widths[0])}  ${cell(r.b).padStart(widths[1])}${differs ? '   ≠' : ''}`,
      );
    }
  }
  if (changes > out.length) out.push(`  … ${changes - out.length} more changes`);
  return out;
}

/** A live log's model-vs-cluster timeline per revision, with the first divergence and its reason. */
export function renderShadowTimeline(timeline: DecisionTimeline, name: string): string {
  const parts: string[] = [];
  for (const [revision, points] of [...timeline].sort(([a], [b]) => a.localeCompare(b))) {
    if (!points.some((p) => p.cluster !== null)) continue;
    const compared = points.filter((p) => p.model !== null && p.cluster !== null);
    const agreed = compared.filter((p) => p.model === p.cluster).length;
    parts.push(
      `${name}: ${revision}: model and cluster agree at ${agreed} of ${compared.length} ticks compared (${points.length} ticks)\n`,
    );
    parts.push(`  ${'time'.padStart(9)}  ${'model'.padStart(8)}  ${'cluster'.padStart(8)}\n`);
    for (const row of changeRows(points.map((p) => ({ t: p.t, a: p.model, b: p.cluster })))) parts.push(`${row}\n`);
    const first = firstDivergence(points);
    if (first) {
      parts.push(
        `  first divergence at ${seconds(first.t)}: the model wants ${first.a}, the cluster ${first.b} (${first.a - first.b > 0 ? '+' : ''}${first.a - first.b})\n`,
      );
      for (const b of first.because) parts.push(`    because ${b}\n`);
    } else {
      parts.push('  no divergence\n');
    }
  }
  return parts.join('');
}

/**
 * Two runs' decisions side by side per revision (each run's own decider: the simulator's model,
 * a live run's cluster), at every change of either, and the first tick where they differ.
 */
export function renderRunsTimeline(a: DecisionTimeline, b: DecisionTimeline, names: [string, string]): string {
  const sideOf = (timeline: DecisionTimeline, revision: string): { t: number; v: number | null }[] => {
    const points = timeline.get(revision) ?? [];
    const cluster = points.some((p) => p.cluster !== null);
    return points.map((p) => ({ t: p.t, v: cluster ? p.cluster : p.model }));
  };
  const parts: string[] = [];
  const revisions = [...new Set([...a.keys(), ...b.keys()])].filter((r) => a.has(r) && b.has(r)).sort();
  for (const revision of revisions) {
    const sa = sideOf(a, revision);
    const sb = sideOf(b, revision);
    // Two runs tick on their own clocks: each side's decision of the same 2 s tick slot is compared.
    const slots = [...new Set([...sa, ...sb].map((p) => slotOf(p.t)))].sort((x, y) => x - y);
    const rows = slots.map((slot) => {
      const end = (slot + 0.5) * TICK_MS - 1;
      return { t: slot * TICK_MS, a: valueAt(sa, end), b: valueAt(sb, end) };
    });
    parts.push(`${revision}: ${names[0]} vs ${names[1]} (desired pods per 2 s tick, at each change)\n`);
    const widths: [number, number] = [Math.max(8, names[0].length), Math.max(8, names[1].length)];
    parts.push(`  ${'time'.padStart(9)}  ${names[0].padStart(widths[0])}  ${names[1].padStart(widths[1])}\n`);
    for (const row of changeRows(rows, widths)) parts.push(`${row}\n`);
    const first = rows.find((r) => r.a !== null && r.b !== null && r.a !== r.b);
    parts.push(
      first
        ? `  first divergence at the tick of ${seconds(first.t)}: ${names[0]} ${first.a}, ${names[1]} ${first.b}\n`
        : '  no divergence\n',
    );
  }
  return parts.join('');
}
