/**
 * Replays a simulator's event log through the model's pure KPA API and finds the first place
 * where what the run logged is not what the model computes (`knsim verify`).
 *
 * Per revision, from the log alone:
 * - `kpa.spec` starts the autoscaler (new windows, `newDeciderState` with the ready pods it
 *   found) or changes its spec (`updateDeciderWindows`);
 * - each `stat` is recorded into the windows (`statValues`, `MetricWindow.record`);
 * - each `kpa.tick` is replayed (`observeWindows` with the tick's ready pods, `decide` with the
 *   spec version it names): its logged decision record must equal the model's, field by field,
 *   and its `reconciled` flag must be `shouldTriggerReconcile`;
 * - each `kpa.scale` is replayed (`computeScale` with its logged inputs and spec): the logged
 *   scale step must equal the model's, and the desired count it used must be the replayed
 *   decider's (for a step run within a tick, the decision of that tick).
 * - each `hpa.sync` (a revision of the HPA class) is replayed (`syncHpa` with the spec, replicas
 *   and pods it logged): its logged decision must equal the model's, and the history it was
 *   given must be the one the revision's earlier syncs left (absent on a controller's first).
 * The world outside the autoscalers (ready pods, replicas, pods' metrics, the PA's and SKS's
 * state) is taken from the log as the run saw it; everything they computed from it is recomputed.
 */
import {
  type HpaSyncEvent,
  hpaSyncDecision,
  type KpaScaleEvent,
  type KpaSpecEvent,
  type KpaTickEvent,
  type LogLine,
  type StatEvent,
} from '../model/events.js';
import type { HpaHistory } from '../model/hpa/behavior.js';
import { syncHpa } from '../model/hpa/reconcile.js';
import {
  computeScale,
  type DeciderSpec,
  type DeciderState,
  type DeciderWindows,
  decide,
  METRIC_RPS,
  newDeciderState,
  newDeciderWindows,
  observeWindows,
  shouldTriggerReconcile,
  statValues,
  updateDeciderWindows,
} from '../model/kpa/index.js';

/** One line of a log, read and checked by src/io/logReader.ts. */
export interface LogRow {
  readonly line: number;
  readonly value: LogLine;
}

/** A log that cannot be replayed (a live log, an older format): one line naming the file and line, exit 2. */
export class VerifyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyError';
  }
}

/** One field whose logged value is not the model's. */
export interface FieldDifference {
  readonly field: string;
  readonly logged: unknown;
  readonly model: unknown;
}

/** The first disagreement between a log and the model. */
export interface Mismatch {
  readonly line: number;
  readonly t: number;
  readonly revision: string;
  /** What disagrees: the tick's decision, its reconcile trigger, or a scale step. */
  readonly what: 'decision' | 'reconcile trigger' | 'scale step' | 'scale step input' | 'HPA sync' | 'HPA history';
  readonly differences: readonly FieldDifference[];
}

export interface VerifySummary {
  readonly ticks: number;
  readonly scaleSteps: number;
  readonly stats: number;
  readonly revisions: number;
  readonly hpaSyncs: number;
  readonly hpaRevisions: number;
}

export type VerifyResult =
  | { readonly ok: true; readonly summary: VerifySummary }
  | { readonly ok: false; readonly mismatch: Mismatch; readonly summary: VerifySummary };

interface Autoscaler {
  readonly specs: Map<number, DeciderSpec>;
  spec: DeciderSpec;
  windows: DeciderWindows;
  decider: DeciderState;
  /** A scale step run inside a tick: the desired count it used, checked against that tick's decision. */
  pending: { line: number; t: number; desired: number } | undefined;
}

/** Replays log rows, one at a time; stops at the first mismatch. */
export class Replay {
  private readonly autoscalers = new Map<string, Autoscaler>();
  private readonly seen = new Set<string>();
  private ticks = 0;
  private scaleSteps = 0;
  private stats = 0;
  /** Per revision of the HPA class: the history its last replayed sync left. */
  private readonly hpaHistories = new Map<string, HpaHistory>();
  private hpaSyncs = 0;
  private headerSeen = false;
  private mismatch: Mismatch | undefined;

  constructor(private readonly file: string) {}

  /** Feeds one row; returns the mismatch once one is found (and every later call returns it). */
  feed(row: LogRow): Mismatch | undefined {
    if (this.mismatch) return this.mismatch;
    const e = row.value;
    const at = `${this.file}:${row.line}`;
    switch (e.type) {
      case 'header':
        this.headerSeen = true;
        if (e.backend !== 'sim') {
          throw new VerifyError(
            `${at}: a log of a ${e.backend} run: only simulator logs (knsim run --log) can be replayed`,
          );
        }
        return undefined;
      case 'kpa.spec':
        this.spec(e, at);
        return undefined;
      case 'stat':
        this.stat(e, at);
        return undefined;
      case 'kpa.tick':
        this.mismatch = this.tick(e, row.line, at);
        return this.mismatch;
      case 'kpa.scale':
        this.mismatch = this.scale(e, row.line, at);
        return this.mismatch;
      case 'hpa.sync':
        this.mismatch = this.hpaSync(e, row.line);
        return this.mismatch;
      default:
        return undefined;
    }
  }

  /** The result once every row was fed. */
  finish(): VerifyResult {
    const summary = this.summary();
    if (!this.headerSeen) throw new VerifyError(`${this.file}: empty log (no header line)`);
    if (this.mismatch) return { ok: false, mismatch: this.mismatch, summary };
    for (const [revision, a] of this.autoscalers) {
      if (!a.pending) continue;
      return {
        ok: false,
        summary,
        mismatch: {
          line: a.pending.line,
          t: a.pending.t,
          revision,
          what: 'scale step input',
          differences: [{ field: 'byTick', logged: true, model: 'no kpa.tick followed' }],
        },
      };
    }
    return { ok: true, summary };
  }

  private summary(): VerifySummary {
    return {
      ticks: this.ticks,
      scaleSteps: this.scaleSteps,
      stats: this.stats,
      revisions: this.seen.size,
      hpaSyncs: this.hpaSyncs,
      hpaRevisions: this.hpaHistories.size,
    };
  }

  private autoscaler(revision: string, type: string, at: string): Autoscaler {
    const a = this.autoscalers.get(revision);
    if (!a) {
      throw new VerifyError(
        `${at}: ${type} for ${revision} before its kpa.spec (a log written by an older knsim, or cut): nothing to replay`,
      );
    }
    return a;
  }

  private spec(e: KpaSpecEvent, at: string): void {
    const spec = e.spec;
    if (e.readyPods !== undefined) {
      this.seen.add(e.revision);
      this.autoscalers.set(e.revision, {
        specs: new Map([[e.version, spec]]),
        spec,
        windows: newDeciderWindows(spec),
        decider: newDeciderState(spec, e.readyPods, e.t),
        pending: undefined,
      });
      return;
    }
    const a = this.autoscaler(e.revision, 'kpa.spec', at);
    a.windows = updateDeciderWindows(a.windows, a.spec, spec, e.t);
    a.spec = spec;
    a.specs.set(e.version, spec);
  }

  private stat(e: StatEvent, at: string): void {
    const a = this.autoscaler(e.revision, 'stat', at);
    const values = statValues(e);
    const value = a.spec.metric === METRIC_RPS ? values.rps : values.concurrency;
    a.windows.stable.record(e.t, value);
    a.windows.panic.record(e.t, value);
    this.stats++;
  }

  private specFor(a: Autoscaler, version: number | undefined, at: string): DeciderSpec {
    if (version === undefined) return a.spec;
    const spec = a.specs.get(version);
    if (!spec) throw new VerifyError(`${at}: no kpa.spec version ${version} before this line`);
    return spec;
  }

  private tick(e: KpaTickEvent, line: number, at: string): Mismatch | undefined {
    const { t, revision } = e;
    const a = this.autoscaler(revision, 'kpa.tick', at);
    const readyPods = e.decision.readyPods;
    if (typeof readyPods !== 'number') throw new VerifyError(`${at}: kpa.tick decision without "readyPods"`);
    const spec = this.specFor(a, e.specVersion, at);
    this.ticks++;
    const observation = observeWindows(
      a.windows.stable,
      a.windows.panic,
      readyPods,
      t,
      spec.targetBurstCapacity !== -1,
    );
    const previous = a.decider;
    const decision = decide(spec, previous, observation, t);
    a.decider = decision.state;
    const base = { line, t, revision };
    const differences = differencesOf(e.decision, { ...decision.record });
    if (differences.length > 0) return { ...base, what: 'decision', differences };
    const reconciled = decision.result.valid && shouldTriggerReconcile(previous, decision.state);
    if (e.context && e.context.reconciled !== reconciled) {
      return {
        ...base,
        what: 'reconcile trigger',
        differences: [{ field: 'context.reconciled', logged: e.context.reconciled, model: reconciled }],
      };
    }
    const pending = a.pending;
    a.pending = undefined;
    if (pending && pending.desired !== decision.state.desiredScale) {
      return {
        line: pending.line,
        t: pending.t,
        revision,
        what: 'scale step input',
        differences: [{ field: 'inputs.desired', logged: pending.desired, model: decision.state.desiredScale }],
      };
    }
    return undefined;
  }

  private scale(e: KpaScaleEvent, line: number, at: string): Mismatch | undefined {
    const { t, revision, inputs } = e;
    const a = this.autoscaler(revision, 'kpa.scale', at);
    const spec = this.specFor(a, e.specVersion, at);
    this.scaleSteps++;
    const differences = differencesOf(e.scale, { ...computeScale({ spec, ...inputs }) });
    if (differences.length > 0) return { line, t, revision, what: 'scale step', differences };
    if (e.byTick === true) {
      a.pending = { line, t, desired: inputs.desired };
      return undefined;
    }
    if (inputs.desired !== a.decider.desiredScale) {
      return {
        line,
        t,
        revision,
        what: 'scale step input',
        differences: [{ field: 'inputs.desired', logged: inputs.desired, model: a.decider.desiredScale }],
      };
    }
    return undefined;
  }

  private hpaSync(e: HpaSyncEvent, line: number): Mismatch | undefined {
    const { t, revision, inputs } = e;
    this.hpaSyncs++;
    const base = { line, t, revision };
    // A controller's first sync has no history; every later one gets what the one before left.
    const left = this.hpaHistories.get(revision);
    if (inputs.history !== undefined && JSON.stringify(inputs.history) !== JSON.stringify(left)) {
      return {
        ...base,
        what: 'HPA history',
        differences: [{ field: 'inputs.history', logged: inputs.history, model: left }],
      };
    }
    const sync = syncHpa({
      spec: inputs.spec,
      currentReplicas: inputs.currentReplicas,
      previousDesired: inputs.previousDesired,
      pods: inputs.pods,
      history: inputs.history,
      nowMs: t,
    });
    this.hpaHistories.set(revision, sync.history);
    const differences = differencesOf(e.decision, { ...hpaSyncDecision(sync) });
    if (differences.length > 0) return { ...base, what: 'HPA sync', differences };
    return undefined;
  }
}

/** Fields whose logged and computed values differ (numbers by value; absent and undefined alike). */
export function differencesOf(logged: Record<string, unknown>, model: Record<string, unknown>): FieldDifference[] {
  const out: FieldDifference[] = [];
  const keys = new Set([...Object.keys(model), ...Object.keys(logged)]);
  for (const field of keys) {
    const l = logged[field];
    const m = model[field];
    if (l === m || (l === undefined && m === undefined)) continue;
    if (JSON.stringify(l) === JSON.stringify(m)) continue;
    out.push({ field, logged: l, model: m });
  }
  return out;
}

/** Replays the rows of a log (src/io/logReader.ts `logLines` of a file, `textLogLines` of a text). */
export function verifyRows(rows: Iterable<LogRow>, file: string): VerifyResult {
  const replay = new Replay(file);
  for (const row of rows) {
    if (replay.feed(row)) break;
  }
  return replay.finish();
}

/** The result in words: one summary line, or the mismatch and its fields. */
export function describeResult(result: VerifyResult, file: string): string {
  const s = result.summary;
  const counts = `${plural(s.ticks, 'decider tick')} and ${plural(s.scaleSteps, 'scale step')} of ${plural(s.revisions, 'revision')} and ${plural(s.hpaSyncs, 'HPA sync')} of ${plural(s.hpaRevisions, 'revision')} (${plural(s.stats, 'stat')} replayed)`;
  if (result.ok) return `${file}: ${counts} agree with the model\n`;
  const m = result.mismatch;
  const what =
    m.what === 'decision'
      ? "the decider tick's logged decision is not the model's"
      : m.what === 'reconcile trigger'
        ? "the decider tick's reconcile trigger is not the model's"
        : m.what === 'scale step'
          ? "the KPA scale step's logged result is not the model's"
          : m.what === 'scale step input'
            ? "the KPA scale step did not use the decider's decision"
            : m.what === 'HPA sync'
              ? "the HPA sync's logged decision is not the model's"
              : "the HPA sync's logged history is not what the revision's earlier syncs left";
  const lines = [`${file}:${m.line}: ${m.revision} at ${seconds(m.t)}: ${what}`];
  const shown = m.differences.slice(0, 12);
  for (const d of shown) lines.push(`  ${d.field}: logged ${show(d.logged)}, model ${show(d.model)}`);
  if (m.differences.length > shown.length) lines.push(`  … and ${m.differences.length - shown.length} more fields`);
  lines.push(`checked up to it: ${counts}`);
  return `${lines.join('\n')}\n`;
}

function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

function seconds(ms: number): string {
  return `${Math.round(ms) / 1000} s`;
}

function show(v: unknown): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}
