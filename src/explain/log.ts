/**
 * An event log arranged for `knsim explain`: ticks, samples and the KPA's actions per revision.
 * Lines are read and checked by the one log reader (src/io/logReader.ts), whose errors name the
 * file and the line (`run.jsonl:12: kpa.tick event without "decision" (an object)`).
 */
import * as z from 'zod';
import { LogError, type LogLineAt, logLines, type ReadLogOptions, textLogLines } from '../io/logReader.js';
import type { KpaTickEvent, LogHeader, PanicEvent, SampleEvent, ScaleEvent, SksModeEvent } from '../model/events.js';
import type { DecisionRecord } from '../model/kpa/index.js';

export class ExplainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExplainError';
  }
}

/** A `kpa.tick` event, with the line it came from. */
export interface TickLine {
  readonly line: number;
  readonly event: KpaTickEvent & { context?: Record<string, unknown> };
}

/** Events that say what the KPA did between ticks. */
export type ActionEvent = ScaleEvent | SksModeEvent | PanicEvent;

export interface ExplainLog {
  readonly file: string;
  readonly header: LogHeader;
  /** Per revision, in log order (which is time order). */
  readonly ticks: ReadonlyMap<string, readonly TickLine[]>;
  readonly samples: ReadonlyMap<string, readonly SampleEvent[]>;
  readonly actions: ReadonlyMap<string, readonly ActionEvent[]>;
  /** Every revision the log mentions in a tick or a sample, sorted. */
  readonly revisions: readonly string[];
  /** The time of the last event. */
  readonly endMs: number;
}

const n = z.number();
const nn = z.number().nullable();
const b = z.boolean();

/**
 * A tick without explanation lines is explained from the decider's record (src/model/kpa
 * explainDecision), which needs all of it: a record with fields missing would read as
 * "NaN-second average … undefined pods".
 */
const fullDecision = z.looseObject({
  nowMs: n,
  metric: z.string(),
  readyPods: n,
  readyPodsForRates: n,
  observedStable: nn,
  observedPanic: nn,
  target: n,
  total: n,
  stableWindowMs: n,
  panicWindowMs: n,
  panicThreshold: n,
  maxScaleUpRate: n,
  maxScaleDownRate: n,
  reachable: b,
  maxScaleUp: n,
  maxScaleDown: n,
  desiredStable: nn,
  desiredPanic: nn,
  stableCount: nn,
  panicCount: nn,
  activationScale: n,
  activationScaleApplied: b,
  panicRatio: nn,
  overPanicThreshold: b,
  wasPanicking: b,
  panicking: b,
  panicEntered: b,
  panicExited: b,
  panicExtended: b,
  panicTimeMs: nn,
  maxPanicPods: n,
  undelayed: nn,
  scaleDownDelayMs: n,
  delayed: nn,
  targetBurstCapacity: n,
  desiredPodCount: n,
  excessBurstCapacity: n,
  valid: b,
  invalidReason: z.string().nullable(),
}) satisfies z.ZodType<DecisionRecord>;

/** The fields of the scale step's record that its explanation reads. */
const fullScale = z.looseObject({
  want: n,
  apply: b,
  gate: z.string(),
  minScale: n,
  maxScale: n,
  desired: n,
  bounded: n,
  paStateForMs: n,
  stableWindowMs: n,
  gracePeriodMs: n,
  retentionMs: n,
  activationTimeoutMs: n,
});

function checkExplainable(event: KpaTickEvent, where: string): void {
  if (event.explain && event.explain.length > 0) return;
  for (const [label, schema, value] of [
    ['decision', fullDecision, event.decision],
    ['scale', fullScale, event.scale],
  ] as const) {
    if (value === undefined) continue;
    const r = schema.safeParse(value);
    if (r.success) continue;
    const field = r.error.issues[0]!.path.join('.');
    throw new LogError(
      `${where}: kpa.tick event without "explain" lines, and its "${label}" cannot be explained: "${label}.${field}" is missing or not what the decider writes`,
    );
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Folds checked log lines into what explain needs. */
export function explainLogOf(lines: Iterable<LogLineAt>, file: string): ExplainLog {
  const ticks = new Map<string, TickLine[]>();
  const samples = new Map<string, SampleEvent[]>();
  const actions = new Map<string, ActionEvent[]>();
  const revisions = new Set<string>();
  let header: LogHeader | undefined;
  let endMs = 0;
  for (const { line, value } of lines) {
    if (value.type === 'header') {
      header ??= value;
      continue;
    }
    endMs = Math.max(endMs, value.t);
    switch (value.type) {
      case 'kpa.tick':
        checkExplainable(value, `${file}:${line}`);
        revisions.add(value.revision);
        push(ticks, value.revision, { line, event: value });
        break;
      case 'sample':
        revisions.add(value.revision);
        push(samples, value.revision, value);
        break;
      case 'scale':
      case 'sks':
      case 'panic':
        push(actions, value.revision, value);
        break;
      default:
        break;
    }
  }
  // The reader has refused a log without a header.
  return { file, header: header!, ticks, samples, actions, revisions: [...revisions].sort(), endMs };
}

/** A log file for explain (LogError naming `file:line` for a bad line). */
export function readExplainLogFile(file: string, options: ReadLogOptions = {}): ExplainLog {
  return explainLogOf(logLines(file, options), file);
}

/** A log held in memory for explain; `file` names it in errors. */
export function readExplainLog(text: string, file: string): ExplainLog {
  return explainLogOf(textLogLines(text, file), file);
}
