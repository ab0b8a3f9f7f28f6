/**
 * A status write that would change nothing, known without building it.
 *
 * A controller's status is made by the model's rules from a few inputs and the stored status it
 * read (its conditions, fields it keeps). When one write of it left the stored status as it was
 * (the store's own compare said so: it handed back the very status the rule read), the rule's
 * status from that stored status is that stored status; the same inputs over the same stored
 * status (the same object: the store never changes one in place, and a write that changes
 * anything stores a new one) make it again, and the write would again change nothing. So the
 * controller asks `unchanged` first and builds and writes only when an input or the stored status
 * moved. Conditions keep their lastTransitionTime when set as they were, so the time a rule is
 * given does not enter: a status equal to the stored one took no time from it.
 */
export class UnchangedStatus {
  /**
   * The stored status the last write left as it was, or that an idempotent write left; undefined
   * when the last write changed it otherwise.
   */
  private status: unknown;
  private inputs: readonly unknown[] = [];

  /**
   * Tests: when set, called for each write left out with the kind, the stored status and a
   * function that makes the status the write would have written, to compare.
   */
  static verify: ((kind: string, stored: unknown, made: () => unknown) => void) | undefined;

  /**
   * Whether writing the status made from `inputs` over `read` (the status the rule reads) would
   * change nothing, where `stored` is the status in the store now.
   */
  unchanged(stored: unknown, read: unknown, inputs: readonly unknown[]): boolean {
    return (
      this.status !== undefined && stored === this.status && read === this.status && sameInputs(this.inputs, inputs)
    );
  }

  /**
   * After a write of the status made from `inputs` over `read`: `after` is the stored status.
   *
   * `idempotent`: the rule made over its own status with the same inputs gives that status again,
   * whatever the time (conditions: `conditionsIdempotent` in src/model/rules/conditions.ts). Then
   * a write that changed the status left one to compare with as well: the next reconcile with the
   * same inputs over it would write it again unchanged. In a fleet that is the common case: a
   * status write's own watch event queues the next reconcile, which finds the inputs as they were
   * (a PodAutoscaler's and its SKS's 8,339 writes of 200 Services × 2 h that changed nothing all
   * came right after a write from the same inputs that did).
   */
  wrote(read: unknown, after: unknown, inputs: readonly unknown[], idempotent = false): void {
    if (after !== undefined && (idempotent || after === read)) {
      this.status = after;
      this.inputs = inputs;
    } else {
      this.status = undefined;
      this.inputs = [];
    }
  }
}

/**
 * Stored objects (or statuses) a controller wrote, each with the inputs it was made from alone.
 * When what the controller writes is made from those inputs and nothing else, a stored object
 * made from equal inputs is the one a new write would make; a change by anyone else stores a new
 * object, which is not here.
 */
export class MadeFrom {
  private readonly made = new WeakMap<object, readonly unknown[]>();

  /** Whether `stored` is one this controller wrote from inputs equal to `inputs`. */
  same(stored: unknown, inputs: readonly unknown[]): boolean {
    if (typeof stored !== 'object' || stored === null) return false;
    const made = this.made.get(stored);
    return made !== undefined && sameInputs(made, inputs);
  }

  /** `stored` was just written from `inputs`. */
  wrote(stored: unknown, inputs: readonly unknown[]): void {
    if (typeof stored === 'object' && stored !== null) this.made.set(stored, inputs);
  }
}

/**
 * Inputs are numbers, strings, booleans, undefined, or flat records of them (a rule's
 * ConditionUpdate, built afresh each time): compared by value, one level deep.
 */
export function sameInputs(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    const kx = Object.keys(x);
    if (kx.length !== Object.keys(y).length) return false;
    for (const k of kx) {
      if ((x as Record<string, unknown>)[k] !== (y as Record<string, unknown>)[k]) return false;
    }
  }
  return true;
}
