/**
 * How a scenario's problems are worded: one `<file>:<line>:<column>: <field>: <message>` line per
 * problem, and the words for what was found (`the string "x"`, `a mapping`). Every part of the
 * parser reports through these, whatever validated the value.
 */
import { didYouMean } from './shell.js';

export interface ScenarioIssue {
  file: string;
  line: number;
  column: number;
  /** Field path such as `steps[3].curl` or `files["article.yaml"][0].metadata.name`. */
  field: string;
  message: string;
}

export function formatIssue(i: ScenarioIssue): string {
  return `${i.file}:${i.line}:${i.column}: ${i.field}: ${i.message}`;
}

/**
 * One or more problems in a scenario. `message` is one `file:line:column: field: message` line per
 * problem, sorted by position; `file`/`line`/`column`/`field` are those of the first problem.
 */
export class ScenarioError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly field: string;
  readonly issues: ScenarioIssue[];
  constructor(issues: ScenarioIssue[]) {
    const first = issues[0] ?? { file: '', line: 0, column: 0, field: '', message: 'invalid scenario' };
    super(issues.length > 0 ? issues.map(formatIssue).join('\n') : first.message);
    this.name = 'ScenarioError';
    this.file = first.file;
    this.line = first.line;
    this.column = first.column;
    this.field = first.field;
    this.issues = issues;
  }
}

/** An issue reported by a validator (zod issues fit this shape). */
export interface ExternalIssue {
  readonly path?: readonly PropertyKey[];
  readonly message: string;
  readonly code?: string;
  /** unrecognized_keys */
  readonly keys?: readonly string[];
  /** invalid_type */
  readonly expected?: unknown;
  /** invalid_value */
  readonly values?: readonly unknown[];
  /** too_small / too_big */
  readonly minimum?: unknown;
  readonly maximum?: unknown;
  readonly inclusive?: boolean;
  readonly params?: unknown;
}

/** `['steps', 3, 'curl']` → `steps[3].curl`; keys that are not identifiers are quoted. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(s)) out += out === '' ? s : `.${s}`;
      else out += `[${JSON.stringify(s)}]`;
    }
  }
  return out === '' ? '(document)' : out;
}

/** What a value is, in words: `the string "x"`, `the number 3`, `a list`, `a mapping`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'string':
      return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    case 'number':
      return `the number ${v}`;
    case 'boolean':
      return `the boolean ${v}`;
    case 'object':
      return 'a mapping';
    default:
      return typeof v;
  }
}

const EXPECTED_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

export function unknownFieldMessage(key: string, known: readonly string[]): string {
  const hint = didYouMean(key, known);
  return `unknown field ${JSON.stringify(key)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}`;
}

/** The value at `path` below `value`, or undefined. */
export function getAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let cur = value;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  return cur;
}

/** A validator's issue in the scenario's words, given the value it was about (undefined: missing). */
export function issueMessage(iss: ExternalIssue, value: unknown): string {
  let message = iss.message;
  if (iss.code === 'invalid_type') {
    const expected = EXPECTED_WORDS[String(iss.expected)] ?? String(iss.expected);
    message = value === undefined ? 'missing required field' : `expected ${expected}, got ${describeValue(value)}`;
  } else if ((iss.code === 'too_small' || iss.code === 'too_big') && /^Too (big|small):/.test(message)) {
    // zod's own words are replaced; a schema's own message (a bound that says why) is kept.
    const lim = iss.code === 'too_small' ? iss.minimum : iss.maximum;
    const cmp =
      iss.code === 'too_small' ? (iss.inclusive === false ? '>' : '>=') : iss.inclusive === false ? '<' : '<=';
    message =
      typeof value === 'number' || typeof value === 'bigint'
        ? `must be ${cmp} ${String(lim)}, got ${String(value)}`
        : `${iss.code === 'too_small' ? 'too short' : 'too long'} (${cmp} ${String(lim)})`;
  } else if (iss.code === 'invalid_value' && Array.isArray(iss.values)) {
    const vals = (iss.values as unknown[]).map(String);
    const hint = typeof value === 'string' ? didYouMean(value, vals) : undefined;
    message = `expected one of ${vals.join(', ')}, got ${describeValue(value)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}`;
  } else if (message.startsWith('Invalid input: ')) {
    message = message.slice('Invalid input: '.length);
  }
  return message;
}
