/**
 * `knsim explain`: why the autoscaler did what it did, in plain words, from an event log.
 *
 * For a moment T it picks, per revision, the latest `kpa.tick` at or before T; without T, every
 * tick that changed something (or the last tick when none did). Each is printed with:
 * - what the KPA and the SKS did since the previous tick (`scale`, `sks`, `panic` events);
 * - the tick's explanation lines (from the log, or recomputed with src/model/kpa's
 *   `explainDecision` when the log has none);
 * - the context: pods ready / wanted, SKS mode, panic and the activator, from the nearest
 *   `sample` (and the tick's own context when the log has it).
 */
import type { SampleEvent } from '../model/events.js';
import { type DecisionRecord, explainDecision, parseGoDuration, type ScaleDecision } from '../model/kpa/index.js';
import { type ActionEvent, ExplainError, type ExplainLog, type TickLine } from './log.js';

export interface ExplainOptions {
  /** Only this revision (it must appear in the log). */
  revision?: string;
  /** The moment to explain, ms of run time. */
  atMs?: number;
}

/**
 * Parses `--at`: a Go duration (`64s`, `1m4s`, `1m4.5s`, `500ms`) or a bare number of
 * milliseconds (`64000`). Throws {@link ExplainError}.
 */
export function parseAt(value: string): number {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const ms = parseGoDuration(text);
  if (ms === undefined || ms < 0) {
    throw new ExplainError(
      `--at: expected a run time such as 64s, 1m4s or 64000 (milliseconds), got ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

/** Run time in seconds: `64.015 s`. */
export function formatAt(ms: number): string {
  return `${Math.round(ms) / 1000} s`;
}

/** The explanation text (ends with a newline). Throws {@link ExplainError} for an unknown revision. */
export function explainLog(log: ExplainLog, options: ExplainOptions = {}): string {
  const { revision, atMs } = options;
  if (revision !== undefined && !log.revisions.includes(revision)) {
    const known = log.revisions.length > 0 ? log.revisions.join(', ') : 'none';
    throw new ExplainError(`${log.file}: unknown revision "${revision}" (revisions in this log: ${known})`);
  }
  const revisions = (revision !== undefined ? [revision] : log.revisions).filter((r) => log.ticks.has(r));
  if (revisions.length === 0) {
    return revision !== undefined
      ? `${revision}: no autoscaler tick in ${log.file} (the revision never got a KPA)\n`
      : `${log.file}: no autoscaler tick in this log\n`;
  }
  const out: string[] = [];
  for (const rev of revisions) {
    const ticks = log.ticks.get(rev) ?? [];
    if (atMs !== undefined) {
      const index = lastIndexAtOrBefore(ticks, atMs);
      if (index < 0) {
        out.push(
          `${rev}: no autoscaler tick at or before ${formatAt(atMs)}; the first is at ${formatAt(ticks[0]?.event.t ?? 0)}\n`,
        );
        continue;
      }
      // A moment after the run: say so, rather than silently explaining the last tick.
      const after = atMs > log.endMs ? `; the log ends at ${formatAt(log.endMs)}` : '';
      out.push(explainTick(log, rev, ticks, index, `latest tick at or before ${formatAt(atMs)}${after}`, atMs));
      continue;
    }
    const changed = ticks.map((_, i) => i).filter((i) => tickChanged(log, rev, ticks, i));
    const picked = changed.length > 0 ? changed : [ticks.length - 1];
    const note =
      changed.length > 0
        ? `${changed.length} of ${ticks.length} ticks changed something`
        : `none of the ${ticks.length} ticks changed anything; the last one`;
    out.push(`${rev}: ${note}\n`);
    const shadow = shadowSummary(ticks);
    if (shadow) out.push(shadow);
    for (const i of picked) out.push(explainTick(log, rev, ticks, i));
  }
  return out.join('\n');
}

function lastIndexAtOrBefore(ticks: readonly TickLine[], atMs: number): number {
  let lo = 0;
  let hi = ticks.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((ticks[mid]?.event.t ?? 0) <= atMs) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** Scale, SKS and panic events in (fromMs, toMs]. */
function actionsBetween(log: ExplainLog, rev: string, fromMs: number, toMs: number): ActionEvent[] {
  return (log.actions.get(rev) ?? []).filter((a) => a.t > fromMs && a.t <= toMs);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A tick changed something: the decision, panic, the EBC's sign, or the KPA acted since the previous tick. */
function tickChanged(log: ExplainLog, rev: string, ticks: readonly TickLine[], i: number): boolean {
  const cur = ticks[i]?.event;
  if (!cur) return false;
  const prev = i > 0 ? ticks[i - 1]?.event : undefined;
  if (!prev) return cur.decision.valid === true;
  if (actionsBetween(log, rev, prev.t, cur.t).length > 0) return true;
  // Live mode's shadow: the comparison with the cluster changed (they began or stopped agreeing).
  if (
    cur.comparison &&
    (cur.comparison.agree !== prev.comparison?.agree || cur.comparison.delta !== prev.comparison?.delta)
  ) {
    return true;
  }
  const d = cur.decision;
  const p = prev.decision;
  if (d.valid !== p.valid) return true;
  if (d.valid !== true) return false;
  if (num(d.desiredPodCount) !== num(p.desiredPodCount) || d.panicking !== p.panicking) return true;
  const ebc = num(d.excessBurstCapacity) ?? 0;
  const prevEbc = num(p.excessBurstCapacity) ?? 0;
  return ebc >= 0 !== prevEbc >= 0;
}

/** What each scale gate (the `reason` of a `scale` event) means. */
const SCALE_REASONS: Readonly<Record<string, string>> = {
  desired: "the decider's count",
  bounds: 'clamped to min-scale / max-scale',
  'initial-scale': 'initial-scale until the scale target is initialised',
  'scale-to-zero-disabled': 'enable-scale-to-zero is false',
  'activation-timeout': 'the revision could not be activated in time',
  'stable-window': 'one pod until the PA has been active for a stable window',
  'scale-to-zero': 'inactive for the grace period (or the last-pod retention)',
  'fast-path': 'the activator had been in the path for the whole grace period',
};

function describeAction(a: ActionEvent): string {
  switch (a.type) {
    case 'scale': {
      const why = SCALE_REASONS[a.reason];
      return `deployment scaled ${a.from} → ${a.to} (${a.reason}${why ? `: ${why}` : ''})`;
    }
    case 'sks':
      return a.mode === 'Serve'
        ? 'SKS switched to Serve: the activator left the path, requests go straight to the pods'
        : `SKS switched to Proxy: the activator is in the path (${a.activators} activators)`;
    case 'panic':
      return a.panicking ? 'panic mode started' : 'panic mode ended';
  }
}

function explanationLines(tick: TickLine): string[] {
  const e = tick.event;
  if (e.explain && e.explain.length > 0) return e.explain;
  return explainDecision(
    e.decision as unknown as DecisionRecord,
    e.scale ? (e.scale as unknown as ScaleDecision) : undefined,
  );
}

/**
 * The sample that shows the tick's moment: the nearest at or before it, unless the KPA scaled or
 * switched the SKS between that sample and the tick (then the first sample after the tick);
 * the first sample after the tick when there is none before.
 */
function nearestSample(log: ExplainLog, rev: string, t: number): SampleEvent | undefined {
  const samples = log.samples.get(rev) ?? [];
  let before: SampleEvent | undefined;
  let after: SampleEvent | undefined;
  for (const s of samples) {
    if (s.t <= t) before = s;
    else {
      after = s;
      break;
    }
  }
  if (!before) return after;
  const stale = actionsBetween(log, rev, before.t, t).some((a) => a.type !== 'panic');
  return stale && after ? after : before;
}

/** The SKS mode at `t`: the tick's context, else the last `sks` event at or before `t`. */
function sksModeAt(log: ExplainLog, rev: string, tick: TickLine): string | undefined {
  const fromContext = tick.event.context?.sksMode;
  if (typeof fromContext === 'string') return fromContext;
  let mode: string | undefined;
  for (const a of log.actions.get(rev) ?? []) {
    if (a.t > tick.event.t) break;
    if (a.type === 'sks') mode = a.mode;
  }
  return mode;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function contextLines(log: ExplainLog, rev: string, tick: TickLine, hasStateLine: boolean): string[] {
  const lines: string[] = [];
  const sample = nearestSample(log, rev, tick.event.t);
  const mode = sksModeAt(log, rev, tick);
  const ctx = tick.event.context;
  if (sample) {
    const parts = [
      `${sample.ready} ready`,
      `the deployment wants ${sample.desired}`,
      ...(sample.pending > 0 ? [`${sample.pending} starting`] : []),
      ...(sample.terminating > 0 ? [`${sample.terminating} terminating`] : []),
    ];
    lines.push(`pods: ${parts.join(', ')}`);
    const path = sample.activatorInPath
      ? `the activator is in the path${sample.activatorQueue > 0 ? `, holding ${plural(sample.activatorQueue, 'request')}` : ''}`
      : 'the activator is not in the path';
    lines.push(`routing: SKS ${mode ?? (sample.activatorInPath ? 'Proxy' : 'Serve')}, ${path}`);
    // A live sample cannot see panic; the cluster's autoscaler exports it.
    const panicking = tick.event.cluster?.panicking ?? sample.panic;
    lines.push(
      `autoscaler: ${panicking ? 'panicking' : 'not panicking'}${tick.event.cluster?.panicking !== undefined ? " (the cluster's panic mode)" : ''}`,
    );
    lines.push(
      `traffic: ${plural(sample.rps, 'request')} in the last second, ${sample.concurrency} in flight` +
        (sample.queueProxyQueue > 0 ? `, ${sample.queueProxyQueue} queued in queue-proxies` : ''),
    );
    lines.push(`(from the sample at ${formatAt(sample.t)})`);
  } else if (mode) {
    lines.push(`routing: SKS ${mode}`);
  }
  if (!hasStateLine && ctx && typeof ctx.paState === 'string') {
    const forMs = num(ctx.paStateForMs);
    lines.push(`PodAutoscaler: ${ctx.paState}${forMs !== undefined ? ` for ${Math.round(forMs / 100) / 10} s` : ''}`);
  }
  return lines;
}

function explainTick(
  log: ExplainLog,
  rev: string,
  ticks: readonly TickLine[],
  i: number,
  picked?: string,
  atMs?: number,
): string {
  const tick = ticks[i];
  if (!tick) return '';
  const prev = i > 0 ? ticks[i - 1] : undefined;
  const lines: string[] = [];
  lines.push(`${rev}, tick at ${formatAt(tick.event.t)}${picked ? ` (${picked})` : ''} [${log.file}:${tick.line}]`);
  const actions = actionsBetween(log, rev, prev ? prev.event.t : -1, tick.event.t);
  if (actions.length > 0) {
    lines.push(`  since the previous tick${prev ? ` (${formatAt(prev.event.t)})` : ''}:`);
    for (const a of actions) lines.push(`    ${formatAt(a.t)}: ${describeAction(a)}`);
  }
  lines.push('  why:');
  const why = explanationLines(tick);
  for (const l of why) lines.push(`    ${l}`);
  // The KPA also acts between ticks (its own re-checks, pod changes): show what it did after
  // this tick up to the moment asked about.
  const later = atMs !== undefined ? actionsBetween(log, rev, tick.event.t, atMs) : [];
  if (later.length > 0) {
    lines.push(`  then, up to ${formatAt(atMs ?? tick.event.t)}:`);
    for (const a of later) lines.push(`    ${formatAt(a.t)}: ${describeAction(a)}`);
  }
  const context = contextLines(
    log,
    rev,
    tick,
    why.some((l) => l.startsWith('state:')),
  );
  if (context.length > 0) {
    lines.push('  context:');
    for (const l of context) lines.push(`    ${l}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A live log's shadow in one paragraph: how often the model and the cluster agreed, and the first
 * tick where they did not, with the input that explains it.
 */
function shadowSummary(ticks: readonly TickLine[]): string | undefined {
  const compared = ticks.filter((t) => t.event.comparison && t.event.comparison.agree !== null);
  if (compared.length === 0) {
    const gap = ticks.find((t) => t.event.comparison)?.event.comparison?.because[0]?.text;
    return gap ? `  model beside cluster: nothing to compare (${gap})\n` : undefined;
  }
  const agreed = compared.filter((t) => t.event.comparison?.agree === true).length;
  const lines = [`  model beside cluster: they agree at ${agreed} of ${compared.length} ticks compared`];
  const first = compared.find((t) => t.event.comparison?.agree === false);
  if (first?.event.comparison) {
    const c = first.event.comparison;
    const by = c.delta !== null ? ` by ${c.delta > 0 ? '+' : ''}${c.delta}` : '';
    lines.push(
      `  first difference at ${formatAt(first.event.t)}${by} (model ${c.modelPods ?? 'no decision'}, cluster ${c.clusterPods ?? '–'}):`,
    );
    for (const b of c.because) lines.push(`    because ${b.text}`);
  }
  return `${lines.join('\n')}\n`;
}
