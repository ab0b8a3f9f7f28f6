/**
 * The expectation language used by `wait:`, `expect:` steps and the final `expect:` list.
 *
 *   expectation := clause ('and' clause)* [('by' | 'after') duration]*
 *   clause      := [state] 'pods' [ '(' rev ')' | 'of' [kind] name ] op number
 *                | ['metric'] metric [ '(' rev ')' | 'of' name ] op (number | duration)
 *                | resource name ( Cond [ ('=' | '==' | '!=') status ] | field op value | 'exists' | 'absent' )
 *                | 'curl' ( 'answered' ['within' duration] | 'status' op number | 'latency' op duration )
 *
 * Keywords are case-insensitive. Tokenizer + recursive descent; errors carry a 1-based column.
 * The evaluator is in evaluate.ts.
 */
import { RESOURCE_TYPES, resolveResourceName } from '../model/rules/resources.js';
import { formatDuration, MAX_SCENARIO_MS, parseDuration, tooLongMessage } from './duration.js';
import { didYouMean } from './shell.js';

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type PodState = 'all' | 'ready' | 'terminating' | 'pending';
export type ConditionValue = 'True' | 'False' | 'Unknown';

interface ClauseBase {
  /** The clause as written. */
  text: string;
}

export interface PodsClause extends ClauseBase {
  type: 'pods';
  state: PodState;
  revision?: string;
  service?: string;
  op: CompareOp;
  value: number;
}

export interface MetricClause extends ClauseBase {
  type: 'metric';
  name: string;
  revision?: string;
  op: CompareOp;
  /** Latencies are in ms. */
  value: number;
  latency: boolean;
}

export interface ConditionClause extends ClauseBase {
  type: 'condition';
  resource: string;
  name: string;
  /** Condition type as written (matched case-insensitively). */
  condition: string;
  op: '==' | '!=';
  status: ConditionValue;
}

export interface FieldClause extends ClauseBase {
  type: 'field';
  resource: string;
  name: string;
  /** `reason`, `message` (of the Ready condition), `mode`, `Ready.reason`, `status.actualReplicas`, … */
  field: string;
  op: CompareOp;
  value: string | number;
}

export interface ExistsClause extends ClauseBase {
  type: 'exists';
  resource: string;
  name: string;
  exists: boolean;
}

export interface CurlAnsweredClause extends ClauseBase {
  type: 'curl-answered';
  withinMs?: number;
}

export type Clause = PodsClause | MetricClause | ConditionClause | FieldClause | ExistsClause | CurlAnsweredClause;

type ClauseBody = Clause extends infer C ? (C extends Clause ? Omit<C, 'text'> : never) : never;

export interface Expectation {
  /** The expectation as written. */
  text: string;
  /** All must hold. */
  clauses: Clause[];
  /** `by <duration>`: must hold at some moment up to this simulated time. */
  byMs?: number;
  /** `after <duration>`: only checked from this simulated time on. */
  afterMs?: number;
  /** Where it was written, when it comes from a scenario file. */
  location?: { file: string; line: number; column: number };
}

export class ExpectationError extends Error {
  /** 1-based column in the expectation text. */
  readonly column: number;
  constructor(message: string, column: number) {
    super(message);
    this.name = 'ExpectationError';
    this.column = column;
  }
}

// ---- vocabulary ----

export const KNOWN_METRICS = [
  'desired',
  'actual',
  'activator-queue',
  'panic',
  'rps',
  'concurrency',
  'requests',
  'answered',
  'unanswered',
  'errors',
  '503',
  '504',
  'cold-starts',
  'p50',
  'p95',
  'p99',
  'last-curl-latency',
  'last-curl-status',
] as const;

export function isLatencyMetric(name: string): boolean {
  return /^p\d+(\.\d+)?$/.test(name) || name.endsWith('latency');
}

/**
 * Words that name a resource type in an expectation (`ksvc`, `revision`, `kpa`, `deploy` …):
 * whatever kubectl resolves among the types the model knows (src/model/rules/resources.ts), so a
 * word is accepted exactly when the cluster view can find objects of that type.
 */
export function isResourceWord(word: string): boolean {
  return resolveResourceName(word).ok;
}

/** Every plain name of the model's resource types, for did-you-mean hints. */
export const RESOURCE_WORDS: readonly string[] = RESOURCE_TYPES.flatMap((r) => [r.plural, r.singular, ...r.shortNames]);

const POD_STATES: readonly PodState[] = ['all', 'ready', 'terminating', 'pending'];
const FINAL_KEYWORDS = ['by', 'after', 'and'];

// ---- tokenizer ----

type TokKind = 'word' | 'string' | 'op' | 'lparen' | 'rparen' | 'eq' | 'end';
interface Token {
  kind: TokKind;
  text: string;
  /** 0-based offset. */
  pos: number;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      out.push({ kind: c === '(' ? 'lparen' : 'rparen', text: c, pos: i });
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
      out.push({ kind: 'op', text: two, pos: i });
      i += 2;
      continue;
    }
    if (c === '<' || c === '>') {
      out.push({ kind: 'op', text: c, pos: i });
      i++;
      continue;
    }
    if (c === '=') {
      out.push({ kind: 'eq', text: c, pos: i });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new ExpectationError('unterminated string', i + 1);
      out.push({ kind: 'string', text: src.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    const m = /^[A-Za-z0-9_.\-/:\u00b5]+/.exec(src.slice(i));
    if (!m) throw new ExpectationError(`unexpected character "${c}"`, i + 1);
    out.push({ kind: 'word', text: m[0], pos: i });
    i += m[0].length;
  }
  out.push({ kind: 'end', text: '', pos: src.length });
  return out;
}

// ---- parser ----

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly toks: Token[],
  ) {}

  private peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.i++;
    return t;
  }
  private isWord(t: Token, ...words: string[]): boolean {
    return t.kind === 'word' && words.includes(t.text.toLowerCase());
  }
  private describe(t: Token): string {
    return t.kind === 'end' ? 'end of expectation' : `"${t.text}"`;
  }
  private err(t: Token, msg: string): never {
    throw new ExpectationError(msg, t.pos + 1);
  }

  parse(): Expectation {
    const clauses: Clause[] = [];
    if (this.peek().kind === 'end') this.err(this.peek(), 'empty expectation');
    clauses.push(this.clause());
    while (this.isWord(this.peek(), 'and')) {
      this.next();
      clauses.push(this.clause());
    }
    let byMs: number | undefined;
    let afterMs: number | undefined;
    while (this.isWord(this.peek(), 'by', 'after')) {
      const kw = this.next();
      const which = kw.text.toLowerCase();
      if ((which === 'by' && byMs !== undefined) || (which === 'after' && afterMs !== undefined)) {
        this.err(kw, `"${which}" given twice`);
      }
      const ms = this.duration(`a duration after "${which}" (e.g. ${which} 5m)`);
      if (which === 'by') byMs = ms;
      else afterMs = ms;
    }
    const t = this.peek();
    if (t.kind !== 'end') {
      this.err(t, `unexpected ${this.describe(t)}; expected "and", "by <duration>", "after <duration>" or the end`);
    }
    if (byMs !== undefined && afterMs !== undefined && afterMs > byMs) {
      this.err(t, `"after ${formatDuration(afterMs)}" is later than "by ${formatDuration(byMs)}"`);
    }
    return {
      text: this.src.trim(),
      clauses,
      ...(byMs !== undefined ? { byMs } : {}),
      ...(afterMs !== undefined ? { afterMs } : {}),
    };
  }

  private clauseText(startTok: Token): string {
    const endPos = this.i > 0 ? this.toks[this.i - 1]! : startTok;
    const end = endPos.kind === 'string' ? endPos.pos + endPos.text.length + 2 : endPos.pos + endPos.text.length;
    return this.src.slice(startTok.pos, end).trim();
  }

  private clause(): Clause {
    const start = this.peek();
    if (start.kind !== 'word') {
      this.err(start, `expected an expectation such as "pods == 0", got ${this.describe(start)}`);
    }
    const w = start.text.toLowerCase();
    const after = this.peek(1);
    let c: ClauseBody;
    if ((POD_STATES as readonly string[]).includes(w) && this.isWord(after, 'pods', 'pod')) {
      this.next();
      c = this.podsClause(w as PodState);
    } else if (
      w === 'pods' &&
      (after.kind === 'op' ||
        after.kind === 'eq' ||
        after.kind === 'lparen' ||
        after.kind === 'end' ||
        this.isWord(after, 'of') ||
        (after.kind === 'word' && /^\d/.test(after.text)))
    ) {
      c = this.podsClause('all');
    } else if (w === 'curl') {
      c = this.curlClause();
    } else if (w === 'metric') {
      this.next();
      const nameTok = this.next();
      if (nameTok.kind !== 'word')
        this.err(nameTok, `expected a metric name after "metric", got ${this.describe(nameTok)}`);
      c = this.metricRest(nameTok.text.toLowerCase());
    } else if ((KNOWN_METRICS as readonly string[]).includes(w)) {
      this.next();
      c = this.metricRest(w);
    } else if (isResourceWord(w)) {
      c = this.objectClause();
    } else {
      const hint = didYouMean(w, ['pods', 'curl', 'metric', ...POD_STATES, ...KNOWN_METRICS, ...RESOURCE_WORDS]);
      this.err(
        start,
        `unknown expectation subject "${start.text}"${hint ? ` (did you mean "${hint}"?)` : ''}; expected pods, a metric, curl, or a resource such as ksvc or revision`,
      );
    }
    return { ...c, text: this.clauseText(start) } as Clause;
  }

  private compareOp(what: string): CompareOp {
    const t = this.next();
    if (t.kind === 'op') return t.text as CompareOp;
    if (t.kind === 'eq') this.err(t, `use "==" to compare ${what}`);
    this.err(t, `expected a comparison (== != < <= > >=) after ${what}, got ${this.describe(t)}`);
  }

  private number(what: string): number {
    const t = this.next();
    if (t.kind === 'word') {
      const lw = t.text.toLowerCase();
      if (lw === 'true') return 1;
      if (lw === 'false') return 0;
      if (/^\d+(\.\d+)?$/.test(t.text)) return Number(t.text);
    }
    this.err(t, `expected a number for ${what}, got ${this.describe(t)}`);
  }

  private duration(what: string): number {
    const t = this.next();
    if (t.kind !== 'word') this.err(t, `expected ${what}, got ${this.describe(t)}`);
    let ms: number;
    try {
      ms = parseDuration(t.text);
    } catch (e) {
      this.err(t, (e as Error).message);
    }
    if (ms > MAX_SCENARIO_MS) this.err(t, tooLongMessage(t.text));
    return ms;
  }

  /** `(name)` or `of name`, or nothing. */
  private target(): { name: string; kind?: string; via: 'paren' | 'of' } | undefined {
    const t = this.peek();
    if (t.kind === 'lparen') {
      this.next();
      const n = this.next();
      if (n.kind !== 'word' && n.kind !== 'string') this.err(n, `expected a name inside ( ), got ${this.describe(n)}`);
      const close = this.next();
      if (close.kind !== 'rparen') this.err(close, `expected ")", got ${this.describe(close)}`);
      return { name: n.text, via: 'paren' };
    }
    if (this.isWord(t, 'of')) {
      this.next();
      let kind: string | undefined;
      if (this.isWord(this.peek(), 'revision', 'rev', 'ksvc', 'service', 'kservice') && this.peek(1).kind === 'word') {
        kind = this.next().text.toLowerCase();
      }
      const n = this.next();
      if (n.kind !== 'word' && n.kind !== 'string') this.err(n, `expected a name after "of", got ${this.describe(n)}`);
      return { name: n.text, via: 'of', ...(kind !== undefined ? { kind } : {}) };
    }
    return undefined;
  }

  private podsClause(state: PodState): Omit<PodsClause, 'text'> {
    this.next(); // pods
    const tgt = this.target();
    const op = this.compareOp('pods');
    const value = this.number('the number of pods');
    const out: Omit<PodsClause, 'text'> = { type: 'pods', state, op, value };
    if (tgt) {
      // pods(x) and "pods of revision x" name a revision; "pods of x" / "pods of ksvc x" a service.
      const isRevision =
        tgt.kind === 'revision' || tgt.kind === 'rev' || (tgt.kind === undefined && tgt.via === 'paren');
      if (isRevision) out.revision = tgt.name;
      else out.service = tgt.name;
    }
    return out;
  }

  private metricRest(name: string): Omit<MetricClause, 'text'> {
    const tgt = this.target();
    const latency = isLatencyMetric(name);
    const op = this.compareOp(name);
    const value = latency ? this.latencyValue(name) : this.number(name);
    return { type: 'metric', name, op, value, latency, ...(tgt ? { revision: tgt.name } : {}) };
  }

  private latencyValue(name: string): number {
    const t = this.peek();
    if (t.kind === 'word' && /^\d+(\.\d+)?$/.test(t.text)) {
      this.next();
      return Number(t.text);
    }
    return this.duration(`a duration for ${name} (e.g. 2s or 500ms)`);
  }

  private curlClause(): ClauseBody {
    this.next(); // curl
    const t = this.next();
    const w = t.kind === 'word' ? t.text.toLowerCase() : '';
    if (w === 'answered') {
      if (this.isWord(this.peek(), 'within')) {
        this.next();
        return { type: 'curl-answered', withinMs: this.duration('a duration after "within" (e.g. within 10s)') };
      }
      return { type: 'curl-answered' };
    }
    if (w === 'status') return this.metricRest('last-curl-status');
    if (w === 'latency') return this.metricRest('last-curl-latency');
    this.err(t, `expected "answered", "status" or "latency" after "curl", got ${this.describe(t)}`);
  }

  private objectClause(): ClauseBody {
    const resource = this.next().text.toLowerCase();
    const nameTok = this.next();
    if (nameTok.kind !== 'word' && nameTok.kind !== 'string') {
      this.err(nameTok, `expected the name of the ${resource} after "${resource}", got ${this.describe(nameTok)}`);
    }
    const name = nameTok.text;
    const what = this.next();
    if (what.kind !== 'word') {
      this.err(
        what,
        `expected a condition (e.g. Ready), a field comparison (e.g. reason == X), "exists" or "absent" after "${resource} ${name}", got ${this.describe(what)}`,
      );
    }
    const ww = what.text.toLowerCase();
    if (ww === 'exists') return { type: 'exists', resource, name, exists: true };
    if (ww === 'absent' || ww === 'gone' || ww === 'missing') return { type: 'exists', resource, name, exists: false };
    const nt = this.peek();
    const endOfClause = nt.kind === 'end' || (nt.kind === 'word' && FINAL_KEYWORDS.includes(nt.text.toLowerCase()));
    if (endOfClause) return { type: 'condition', resource, name, condition: what.text, op: '==', status: 'True' };
    if (nt.kind === 'eq' && !this.isConditionValue(this.peek(1))) {
      this.err(nt, `use "==" to compare ${what.text} (Cond=True|False|Unknown is for conditions)`);
    }
    if (nt.kind === 'eq' || ((nt.text === '==' || nt.text === '!=') && this.isConditionValue(this.peek(1)))) {
      this.next();
      const v = this.next();
      const status = this.conditionValue(v);
      return {
        type: 'condition',
        resource,
        name,
        condition: what.text,
        op: nt.text === '!=' ? '!=' : '==',
        status,
      };
    }
    if (nt.kind !== 'op') {
      this.err(nt, `expected "=", a comparison or the end after "${what.text}", got ${this.describe(nt)}`);
    }
    const op = this.compareOp(what.text);
    const v = this.next();
    if (v.kind !== 'word' && v.kind !== 'string')
      this.err(v, `expected a value after "${op}", got ${this.describe(v)}`);
    const value = v.kind === 'word' && /^\d+(\.\d+)?$/.test(v.text) ? Number(v.text) : v.text;
    return { type: 'field', resource, name, field: what.text, op, value };
  }

  private isConditionValue(t: Token): boolean {
    return t.kind === 'word' && ['true', 'false', 'unknown'].includes(t.text.toLowerCase());
  }
  private conditionValue(t: Token): ConditionValue {
    if (!this.isConditionValue(t)) this.err(t, `expected True, False or Unknown, got ${this.describe(t)}`);
    const l = t.text.toLowerCase();
    return l === 'true' ? 'True' : l === 'false' ? 'False' : 'Unknown';
  }
}

/** Parse an expectation; throws ExpectationError (with a 1-based column). */
export function parseExpectation(text: string): Expectation {
  if (typeof text !== 'string') throw new ExpectationError('an expectation must be a string', 1);
  return new Parser(text, tokenize(text)).parse();
}
