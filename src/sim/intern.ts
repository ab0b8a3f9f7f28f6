/**
 * Identical parts of stored objects, held once. A fleet's objects repeat each other below their
 * spec and status: every Deployment's queue-proxy has the same ports, probes and most of its 28
 * environment variables, every Kubernetes Service the same ports, every Ready condition written
 * in the same second the same fields (200 quiet Services: 55 % of the store's small objects and
 * arrays had an equal twin). The store hands its own fresh copies to {@link Interner.internParts},
 * which puts an equal part met before in place of each (the same values, one object), and freezes
 * the parts it keeps: a stored object is never changed in place, and now cannot be.
 *
 * Equality is `dataEqual`'s, field by field: the same keys in the same order, primitives by
 * `Object.is`, and parts within by identity (they were swapped for their kept equals first; a
 * frozen part, which cannot be changed, by a copy holding them). A
 * part is looked up by a 32-bit FNV-1a hash of the same, checked field by field on a hit. Only
 * plain objects and arrays are held (anything else is left as it is, and so is what holds it).
 *
 * The table forgets: when it holds {@link TABLE_LIMIT} parts it starts afresh. A part kept before
 * stays shared by the objects that have it; a part met afterwards is kept anew. So the table
 * costs at most a few hundred kilobytes whatever the fleet, and a part common to a fleet is held
 * once per table, not once per object. Which object is kept never shows: the values are the same.
 */

/** How many parts the table holds before it starts afresh. */
export const TABLE_LIMIT = 8_192;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function mixString(h: number, s: string): number {
  let x = Math.imul(h ^ s.length, FNV_PRIME);
  for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), FNV_PRIME);
  return x;
}

export class Interner {
  /** Hash → the part kept for it (the first one; parts of a hash held already go to `more`). */
  private readonly byHash = new Map<number, object>();
  /** Further parts whose hash another kept part has (rare). */
  private readonly more = new Map<number, object[]>();
  /** A kept part (or a frozen part met) → its hash. */
  private readonly hashes = new Map<object, number>();

  constructor(private readonly limit = TABLE_LIMIT) {}

  /** How many parts the table holds (tests). */
  get size(): number {
    return this.hashes.size;
  }

  /**
   * The parts of `v` (its fields' objects and arrays, at any depth), each swapped for an equal
   * one kept before, or kept and frozen. `v` itself is left unfrozen and unshared (a stored
   * object's spec, status and metadata stay its own), and must be the store's own fresh copy
   * (never one anyone else holds); a frozen part is not changed, only looked up.
   *
   * `walkFrozen`: a frozen part the table does not know is walked (and copied to hold the kept
   * equals within it) only when set, as for a new object, whose frozen parts come from its
   * writer (a pod template). In a later version of an object a frozen part is one it kept (the
   * table forgot it when it started afresh): walking it again on every write would cost each
   * write the whole object, so it is left as it is (and whatever holds it is not held).
   */
  internParts(v: object, walkFrozen = true): void {
    if (!plain(v) || Object.isFrozen(v)) return;
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const x = o[k];
      if (typeof x === 'object' && x !== null) {
        const kept = this.intern(x, walkFrozen);
        if (kept !== x) o[k] = kept;
      }
    }
  }

  /**
   * `x` or the equal part kept before; `x` itself, kept, when it is new, or left as it is when it
   * cannot be held. A frozen `x` is never changed: when a part within it has a kept equal, a copy
   * of it holding that equal is what is kept (a revision's frozen pod template, its 28
   * environment variables each one the whole fleet shares).
   */
  private intern(x: object, walkFrozen: boolean): object {
    if (this.hashes.has(x)) return x;
    const frozen = Object.isFrozen(x);
    if (frozen && !walkFrozen) return x;
    // `plain(x)`, with the keys it takes kept for the walk and the compare below.
    const proto = Object.getPrototypeOf(x);
    const array = proto === Array.prototype;
    if (!array && proto !== Object.prototype) return x;
    const keys = Object.keys(x);
    if ((array && keys.length !== (x as unknown[]).length) || Object.getOwnPropertySymbols(x).length > 0) return x;
    /** Where the kept parts go: `x`, or its copy once a frozen `x` needs one. */
    let target = x as Record<string, unknown>;
    let h = array ? FNV_OFFSET : Math.imul(FNV_OFFSET ^ 1, FNV_PRIME);
    for (const k of keys) {
      if (!array) h = mixString(h, k);
      let y = target[k];
      switch (typeof y) {
        case 'string':
          h = mixString(Math.imul(h ^ 2, FNV_PRIME), y);
          break;
        case 'number':
          h = mixString(Math.imul(h ^ 3, FNV_PRIME), Object.is(y, -0) ? '-0' : String(y));
          break;
        case 'boolean':
          h = Math.imul(h ^ (y ? 4 : 5), FNV_PRIME);
          break;
        case 'undefined':
          h = Math.imul(h ^ 6, FNV_PRIME);
          break;
        case 'object': {
          if (y === null) {
            h = Math.imul(h ^ 7, FNV_PRIME);
            break;
          }
          const kept = this.intern(y, walkFrozen);
          if (kept !== y) {
            if (frozen && target === x)
              target = (array ? (x as unknown[]).slice() : { ...x }) as Record<string, unknown>;
            target[k] = y = kept;
          }
          const child = this.hashes.get(y as object);
          // A part within that cannot be held: neither can this one.
          if (child === undefined) return x;
          h = Math.imul(h ^ 8, FNV_PRIME);
          h = Math.imul(h ^ (child & 0xffff), FNV_PRIME);
          h = Math.imul(h ^ (child >>> 16), FNV_PRIME);
          break;
        }
        default:
          return x;
      }
    }
    h >>>= 0;
    const first = this.byHash.get(h);
    if (first !== undefined) {
      if (sameFields(first, target, keys, array)) return first;
      for (const other of this.more.get(h) ?? []) if (sameFields(other, target, keys, array)) return other;
    }
    if (this.hashes.size >= this.limit) {
      this.byHash.clear();
      this.more.clear();
      this.hashes.clear();
    }
    if (!Object.isFrozen(target)) Object.freeze(target);
    if (this.byHash.has(h)) {
      const others = this.more.get(h);
      if (others) others.push(target);
      else this.more.set(h, [target]);
    } else this.byHash.set(h, target);
    this.hashes.set(target, h);
    return target;
  }
}

/**
 * Whether a kept part `a` has the keys `keys` of `b` (an array when `array`), in that order, with
 * the same values (parts within: the same objects). `a` is plain, so a `for…in` walks its own keys
 * in the order `Object.keys` gives them, without making their array (a key some prototype added
 * only makes the two differ).
 */
export function sameFields(a: object, b: Record<string, unknown>, keys: readonly string[], array: boolean): boolean {
  if (Array.isArray(a) !== array) return false;
  const x = a as Record<string, unknown>;
  let i = 0;
  for (const k in x) {
    if (i >= keys.length || k !== keys[i] || !Object.is(x[k], b[k])) return false;
    i++;
  }
  return i === keys.length;
}

/** A plain object or a plain array (no holes, no extra keys), with no symbol keys. */
function plain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  if (proto === Array.prototype) {
    const a = v as unknown[];
    if (Object.keys(a).length !== a.length) return false;
  } else if (proto !== Object.prototype) return false;
  return Object.getOwnPropertySymbols(v).length === 0;
}
