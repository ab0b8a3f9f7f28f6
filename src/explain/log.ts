/**
 * Reading an event log for `knsim explain`: every line is checked, and every problem names the
 * file and the line (`run.jsonl:12: kpa.tick event: "decision" must be an object`).
 */
import type { KpaTickEvent, LogHeader, PanicEvent, SampleEvent, ScaleEvent, SksModeEvent } from '../model/events.js';

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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Parses and checks a JSON Lines event log. Throws {@link ExplainError} naming `file:line`. */
export function readExplainLog(text: string, file: string): ExplainLog {
  const ticks = new Map<string, TickLine[]>();
  const samples = new Map<string, SampleEvent[]>();
  const actions = new Map<string, ActionEvent[]>();
  const revisions = new Set<string>();
  let header: LogHeader | undefined;
  let endMs = 0;
  const rows = text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]?.trim() ?? '';
    if (row === '') continue;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch {
      throw new ExplainError(`${where}: not a JSON object (is this a knsim event log? write one with knsim run --log)`);
    }
    if (!isObject(value) || typeof value.type !== 'string') {
      throw new ExplainError(`${where}: expected an event object with a "type" field`);
    }
    if (value.type === 'header') {
      if (header) throw new ExplainError(`${where}: a second header line`);
      header = value as unknown as LogHeader;
      continue;
    }
    if (!header) throw new ExplainError(`${where}: the first line must be the log header`);
    if (typeof value.t !== 'number' || !Number.isFinite(value.t)) {
      throw new ExplainError(`${where}: ${value.type} event: "t" must be a number (ms of run time)`);
    }
    endMs = Math.max(endMs, value.t);
    switch (value.type) {
      case 'kpa.tick': {
        if (typeof value.revision !== 'string' || value.revision === '') {
          throw new ExplainError(`${where}: kpa.tick event: "revision" must be a revision name`);
        }
        if (!isObject(value.decision)) throw new ExplainError(`${where}: kpa.tick event: "decision" must be an object`);
        if (typeof value.decision.valid !== 'boolean') {
          throw new ExplainError(`${where}: kpa.tick event: "decision.valid" must be true or false`);
        }
        if (value.scale !== undefined && !isObject(value.scale)) {
          throw new ExplainError(`${where}: kpa.tick event: "scale" must be an object`);
        }
        if (
          value.explain !== undefined &&
          (!Array.isArray(value.explain) || value.explain.some((l) => typeof l !== 'string'))
        ) {
          throw new ExplainError(`${where}: kpa.tick event: "explain" must be a list of strings`);
        }
        if (value.context !== undefined && !isObject(value.context)) {
          throw new ExplainError(`${where}: kpa.tick event: "context" must be an object`);
        }
        revisions.add(value.revision);
        push(ticks, value.revision, { line: i + 1, event: value as unknown as TickLine['event'] });
        break;
      }
      case 'sample':
        if (typeof value.revision !== 'string') {
          throw new ExplainError(`${where}: sample event: "revision" must be a revision name`);
        }
        revisions.add(value.revision);
        push(samples, value.revision, value as unknown as SampleEvent);
        break;
      case 'scale':
      case 'sks':
      case 'panic':
        if (typeof value.revision !== 'string') {
          throw new ExplainError(`${where}: ${value.type} event: "revision" must be a revision name`);
        }
        push(actions, value.revision, value as unknown as ActionEvent);
        break;
      default:
        break;
    }
  }
  if (!header) throw new ExplainError(`${file}: empty log (no header line)`);
  return { file, header, ticks, samples, actions, revisions: [...revisions].sort(), endMs };
}
