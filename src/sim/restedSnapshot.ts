/**
 * What a resting machine keeps (src/sim/machineHost.ts `RestingMachine`, src/sim/controllers/
 * lifecycle.ts `MachinesByObject`). XState's `getPersistedSnapshot` makes a fresh object each time
 * (by a rest spread, so with a hidden class of its own, ≈ 260 bytes) holding fresh `value`,
 * `historyValue` and `children` objects: ≈ 500 bytes a resting machine before its context. Of a
 * resting machine only the context is its own; the rest (its status, its state value, no history,
 * no children, no error or output) is the same for every machine resting in that state, so it is
 * kept once, frozen, and shared; so are the parts of its context equal to another's.
 */
import type { Snapshot } from 'xstate';
import { Interner } from './intern.js';

/**
 * Equal parts of resting machines' contexts, held once (a fleet's machines hold equal conditions:
 * the same types, statuses and reasons, often written in the same second). A context is only
 * replaced, never changed in place (XState's `assign`), so its parts can be frozen and shared.
 */
const contexts = new Interner();

/** A persisted snapshot without its context. */
type Shell = Readonly<Record<string, unknown>> & { readonly status: string; readonly value: unknown };

/** The persisted snapshot's fields when there is nothing but a state and a context to keep. */
const FIELDS = ['status', 'output', 'error', 'value', 'historyValue', 'context', 'children'];

/** Shared shells by status and state value. Bounded: a machine has finitely many states, a run few machines. */
const shells = new Map<string, Shell>();
const MAX_SHELLS = 4096;
const NOTHING = Object.freeze({});

/**
 * A resting machine's persisted snapshot as its context and the rest of it (shared when it is
 * the same as another's). Answers what a snapshot's readers ask of a resting machine (status,
 * state value, context) and gives XState a persisted snapshot to start it again from.
 */
export class RestedSnapshot {
  constructor(
    private readonly shell: Shell,
    readonly context: unknown,
  ) {}

  get status(): string {
    return this.shell.status;
  }

  get value(): unknown {
    return this.shell.value;
  }

  /** A persisted snapshot equal to the one kept (a fresh object; its parts are the kept ones). */
  persisted(): Snapshot<unknown> {
    return { ...this.shell, context: this.context } as unknown as Snapshot<unknown>;
  }
}

/** `persisted` (an actor's `getPersistedSnapshot()`, not used afterwards) as a {@link RestedSnapshot}. */
export function rested(persisted: Snapshot<unknown>): RestedSnapshot {
  const p = persisted as unknown as Record<string, unknown>;
  // The context is the stopped actor's, held by nobody else: its parts may be swapped for equals.
  if (typeof p.context === 'object' && p.context !== null) contexts.internParts(p.context);
  const key = shareable(p) ? `${p.status as string}\0${JSON.stringify(p.value)}` : undefined;
  let shell = key === undefined ? undefined : shells.get(key);
  if (!shell) {
    const { context: _, ...rest } = p;
    if (key === undefined || shells.size >= MAX_SHELLS) return new RestedSnapshot(rest as Shell, p.context);
    // A copy of the state value: the one kept is frozen, and the caller's object is left as it is.
    shell = Object.freeze({
      status: p.status as string,
      output: undefined,
      error: undefined,
      value: frozenCopy(p.value),
      historyValue: NOTHING,
      children: NOTHING,
    });
    shells.set(key, shell);
  }
  return new RestedSnapshot(shell, p.context);
}

/**
 * Whether the snapshot holds nothing but its status, a state value made of strings, and its
 * context: no error or output, no history, no children, no field XState might add later. Then
 * the status and the state value's JSON name what the rest of it is.
 */
function shareable(p: Record<string, unknown>): boolean {
  let n = 0;
  for (const k in p) {
    if (!FIELDS.includes(k)) return false;
    n++;
  }
  return (
    n === FIELDS.length &&
    typeof p.status === 'string' &&
    p.error === undefined &&
    p.output === undefined &&
    isEmpty(p.historyValue) &&
    isEmpty(p.children) &&
    isStateValue(p.value)
  );
}

function isEmpty(o: unknown): boolean {
  if (typeof o !== 'object' || o === null) return false;
  for (const _ in o) return false;
  return true;
}

/** A string, or a plain object of state values (what XState's state values are). */
function isStateValue(v: unknown): boolean {
  if (typeof v === 'string') return true;
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const k in v) if (!isStateValue((v as Record<string, unknown>)[k])) return false;
  return true;
}

function frozenCopy(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const copy: Record<string, unknown> = {};
  for (const k in v) copy[k] = frozenCopy((v as Record<string, unknown>)[k]);
  return Object.freeze(copy);
}
