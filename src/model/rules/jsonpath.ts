/**
 * kubectl's JSONPath templates (`kubectl get -o jsonpath=…`, and the paths of `-o custom-columns`):
 * the syntax of k8s.io/client-go/util/jsonpath as kubectl documents it (kubernetes.io/docs/reference/
 * kubectl/jsonpath): text outside braces printed as is, `{.a.b}`, `{['a.b']}`, `{..name}`, `[*]`,
 * `[i]`, `[start:end:step]` (negative from the end), unions `[a,b]` and `['a','b']`, filters
 * `[?(@.type=="Ready")]` (==, !=, <, <=, >, >=, or a path that exists), `{range …}…{end}`, `{"\n"}`.
 * As kubectl runs it: a missing key prints nothing; several results of one expression are joined
 * by a space; maps and lists print as compact JSON with their keys sorted (Go's json.Marshal of
 * an unstructured object), other values as text.
 */

type Value = unknown;

/** A template that does not parse, in kubectl's words (`error parsing jsonpath …`). */
export class JsonPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPathError';
  }
}

/** One step of a path. */
type Step =
  | { kind: 'field'; name: string }
  | { kind: 'recursive'; name: string | undefined }
  | { kind: 'wildcard' }
  | { kind: 'index'; start: number | undefined; end: number | undefined; step: number | undefined; single: boolean }
  | { kind: 'union'; paths: Step[][] }
  | { kind: 'filter'; left: Path; op: string | undefined; right: Path | Literal | undefined };

interface Path {
  kind: 'path';
  /** `@` (the current value) or `$` (the root): only filters tell them apart. */
  from: '@' | '$';
  steps: Step[];
}

interface Literal {
  kind: 'literal';
  value: string | number | boolean | null;
}

type Node = { kind: 'text'; text: string } | { kind: 'expr'; path: Path } | { kind: 'range'; path: Path; body: Node[] };

/** Parses a template; throws JsonPathError with kubectl's message when it does not. */
export function parseJsonPath(template: string): Node[] {
  const tokens: ({ kind: 'text'; text: string } | { kind: 'action'; text: string })[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      tokens.push({ kind: 'text', text: template.slice(i) });
      break;
    }
    if (open > i) tokens.push({ kind: 'text', text: template.slice(i, open) });
    const close = closingBrace(template, open + 1);
    if (close === UNTERMINATED_QUOTE) {
      throw new JsonPathError(`error parsing jsonpath ${template}, unterminated quoted string`);
    }
    if (close < 0) throw new JsonPathError(`error parsing jsonpath ${template}, unclosed action`);
    tokens.push({ kind: 'action', text: template.slice(open + 1, close) });
    i = close + 1;
  }
  const stack: Node[][] = [[]];
  const ranges: Extract<Node, { kind: 'range' }>[] = [];
  for (const t of tokens) {
    const into = stack[stack.length - 1]!;
    if (t.kind === 'text') {
      into.push({ kind: 'text', text: t.text });
      continue;
    }
    const action = t.text.trim();
    if (action === 'end') {
      if (ranges.length === 0)
        throw new JsonPathError(`error parsing jsonpath ${template}, not in range, nothing to end`);
      ranges.pop();
      stack.pop();
      continue;
    }
    if (action.startsWith('range ') || action === 'range') {
      const node: Extract<Node, { kind: 'range' }> = {
        kind: 'range',
        path: parsePath(action.slice('range'.length).trim(), template),
        body: [],
      };
      into.push(node);
      ranges.push(node);
      stack.push(node.body);
      continue;
    }
    if (action.startsWith('"')) {
      into.push({ kind: 'text', text: unquote(action, template) });
      continue;
    }
    into.push({ kind: 'expr', path: parsePath(action, template) });
  }
  // A range left open runs to the template's end, as kubectl lets it.
  return stack[0]!;
}

const UNTERMINATED_QUOTE = -2;

/**
 * The index of the `}` closing an action opened before `from`, skipping quoted text; -1 if none,
 * UNTERMINATED_QUOTE if a quote is still open at the end (or at a line break, as in Go).
 */
function closingBrace(s: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      else if (c === '\n') return UNTERMINATED_QUOTE;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '}') return i;
  }
  return quote ? UNTERMINATED_QUOTE : -1;
}

function unquote(text: string, template: string): string {
  if (text.length < 2 || !text.endsWith('"'))
    throw new JsonPathError(`error parsing jsonpath ${template}, unclosed quote`);
  return text
    .slice(1, -1)
    .replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c));
}

function parsePath(text: string, template: string): Path {
  let s = text.trim();
  let from: '@' | '$' = '@';
  if (s.startsWith('$')) {
    from = '$';
    s = s.slice(1);
  } else if (s.startsWith('@')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new JsonPathError(`error parsing jsonpath ${template}, ${why}`);
  };
  // A field name runs to the next delimiter; `\.` is a dot inside it (`labels.kubernetes\.io/os`).
  const ident = () => {
    const m = /^(?:\\.|[^.[\]\s(){}=!<>,'"\\])*/.exec(s.slice(i))!;
    i += m[0].length;
    return m[0].replace(/\\(.)/g, '$1');
  };
  while (i < s.length) {
    const c = s[i]!;
    if (c === '.') {
      if (s[i + 1] === '.') {
        i += 2;
        const name = ident();
        steps.push({ kind: 'recursive', name: name === '' || name === '*' ? undefined : name });
        continue;
      }
      i++;
      const name = ident();
      if (name === '*') steps.push({ kind: 'wildcard' });
      else if (name !== '') steps.push({ kind: 'field', name });
      continue;
    }
    if (c === '[') {
      const close = matchingBracket(s, i);
      if (close < 0) fail('unterminated array');
      steps.push(...parseBracket(s.slice(i + 1, close).trim(), template));
      i = close + 1;
      continue;
    }
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    fail(`unrecognized identifier ${ident() || c}`);
  }
  return { kind: 'path', from, steps };
}

function matchingBracket(s: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  return -1;
}

/**
 * A bracket's steps, as client-go's parser reads it: `[a,b]` is a union of `[a]` and `[b]`, each
 * taken over every value before the next; `['x.y']` is the path `.x.y` (a dot in a key is `\.`).
 */
function parseBracket(inner: string, template: string): Step[] {
  if (inner.startsWith('?(') && inner.endsWith(')')) return [parseFilter(inner.slice(2, -1).trim(), template)];
  const parts = splitTopLevel(inner, ',');
  if (parts.length > 1) {
    return [{ kind: 'union', paths: parts.map((part) => parseBracket(part.trim(), template)) }];
  }
  if (inner === '*') return [{ kind: 'wildcard' }];
  if (inner.startsWith("'") || inner.startsWith('"')) {
    if (inner.length < 2 || inner[inner.length - 1] !== inner[0]) {
      throw new JsonPathError(`error parsing jsonpath ${template}, unclosed quote`);
    }
    return parsePath(`.${inner.slice(1, -1)}`, template).steps;
  }
  const bounds = inner.split(':');
  if (bounds.length > 3) throw new JsonPathError(`error parsing jsonpath ${template}, invalid array index ${inner}`);
  const num = (p: string | undefined) => (p === undefined || p.trim() === '' ? undefined : integer(p.trim(), template));
  if (bounds.length === 1) {
    const at = integer(inner, template);
    return [{ kind: 'index', start: at, end: at + 1 === 0 ? undefined : at + 1, step: undefined, single: true }];
  }
  return [{ kind: 'index', start: num(bounds[0]), end: num(bounds[1]), step: num(bounds[2]), single: false }];
}

function integer(text: string, template: string): number {
  if (!/^-?\d+$/.test(text)) throw new JsonPathError(`error parsing jsonpath ${template}, invalid array index ${text}`);
  return Number(text);
}

function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === sep) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

function parseFilter(expr: string, template: string): Step {
  const m = /^(.*?)\s*(==|!=|<=|>=|<|>)\s*(.*)$/.exec(expr);
  if (!m) return { kind: 'filter', left: parsePath(expr, template), op: undefined, right: undefined };
  const [, l, op, r] = m;
  return { kind: 'filter', left: parsePath(l!, template), op, right: operand(r!.trim(), template) };
}

function operand(text: string, template: string): Path | Literal {
  if (text.startsWith('@') || text.startsWith('$')) return parsePath(text, template);
  if ((text.startsWith('"') && text.endsWith('"')) || (text.startsWith("'") && text.endsWith("'"))) {
    return { kind: 'literal', value: text.slice(1, -1) };
  }
  if (text === 'true' || text === 'false') return { kind: 'literal', value: text === 'true' };
  if (text === 'nil' || text === 'null') return { kind: 'literal', value: null };
  const n = Number(text);
  if (text !== '' && Number.isFinite(n)) return { kind: 'literal', value: n };
  throw new JsonPathError(`error parsing jsonpath ${template}, unrecognized identifier ${text}`);
}

// ---- evaluation ----

const isObject = (v: Value): v is Record<string, Value> => typeof v === 'object' && v !== null && !Array.isArray(v);
const sortedKeys = (o: Record<string, Value>) => Object.keys(o).sort();

function walk(values: Value[], steps: readonly Step[], root: Value): Value[] {
  let current = values;
  for (const step of steps) {
    const next: Value[] = [];
    if (step.kind === 'union') {
      // Each path of a union over all the values before the next path (client-go's evalUnion).
      for (const path of step.paths) next.push(...walk(current, path, root));
    } else {
      for (const v of current) applyStep(v, step, root, next);
    }
    current = next;
  }
  return current;
}

function applyStep(v: Value, step: Step, root: Value, out: Value[]): void {
  switch (step.kind) {
    case 'field':
      if (isObject(v) && step.name in v) out.push(v[step.name]);
      return;
    case 'wildcard':
      if (Array.isArray(v)) out.push(...v);
      else if (isObject(v)) for (const k of sortedKeys(v)) out.push(v[k]);
      return;
    case 'recursive':
      descend(v, step.name, out);
      return;
    case 'union':
      return;
    case 'index': {
      if (!Array.isArray(v)) return;
      if (step.single) {
        pushIndex(v, step.start!, out);
        return;
      }
      const len = v.length;
      const clamp = (x: number) => Math.min(Math.max(x < 0 ? x + len : x, 0), len);
      const start = step.start === undefined ? 0 : clamp(step.start);
      const end = step.end === undefined ? len : clamp(step.end);
      const by = step.step === undefined || step.step === 0 ? 1 : step.step;
      if (by > 0) for (let i = start; i < end; i += by) out.push(v[i]);
      else for (let i = end - 1; i >= start; i += by) out.push(v[i]);
      return;
    }
    case 'filter': {
      const items = Array.isArray(v) ? v : isObject(v) ? sortedKeys(v).map((k) => v[k]) : [];
      for (const item of items) if (holds(step, item, root)) out.push(item);
      return;
    }
  }
}

function pushIndex(v: Value[], i: number, out: Value[]): void {
  const at = i < 0 ? v.length + i : i;
  if (at >= 0 && at < v.length) out.push(v[at]);
}

function descend(v: Value, name: string | undefined, out: Value[]): void {
  if (isObject(v)) {
    for (const k of sortedKeys(v)) {
      if (name === undefined || k === name) out.push(v[k]);
    }
    for (const k of sortedKeys(v)) descend(v[k], name, out);
  } else if (Array.isArray(v)) {
    for (const item of v) {
      if (name === undefined) out.push(item);
      descend(item, name, out);
    }
  }
}

function holds(step: Extract<Step, { kind: 'filter' }>, item: Value, root: Value): boolean {
  const resolve = (p: Path) => walk([p.from === '$' ? root : item], p.steps, root);
  const left = resolve(step.left);
  if (step.op === undefined) return left.length > 0;
  if (left.length === 0) return false;
  const right = step.right!.kind === 'literal' ? [step.right!.value] : resolve(step.right as Path);
  if (right.length === 0) return false;
  return compare(left[0], step.op, right[0]);
}

function compare(a: Value, op: string, b: Value): boolean {
  switch (op) {
    case '==':
      return a === b || (typeof a === 'number' && typeof b === 'number' && a === b);
    case '!=':
      return a !== b;
  }
  if (typeof a !== 'number' || typeof b !== 'number') return false;
  return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
}

/** A result as kubectl prints it: text for scalars, compact JSON with sorted keys for maps and lists. */
function printValue(v: Value): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return v === null ? '<nil>' : '';
  if (typeof v === 'object') return JSON.stringify(sortDeep(v));
  return String(v);
}

function sortDeep(v: Value): Value {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (isObject(v)) {
    const out: Record<string, Value> = {};
    for (const k of sortedKeys(v)) out[k] = sortDeep(v[k]);
    return out;
  }
  return v;
}

function execute(nodes: readonly Node[], current: Value, root: Value): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'expr') out += results(node.path, current, root).map(printValue).join(' ');
    else for (const item of results(node.path, current, root)) out += execute(node.body, item, root);
  }
  return out;
}

function results(path: Path, current: Value, root: Value): Value[] {
  return walk([path.from === '$' ? root : current], path.steps, root);
}

/** `kubectl get -o jsonpath=TEMPLATE`: the template run over the object (or the List) kubectl prints. */
export function renderJsonPath(template: string, data: Value): string {
  return execute(parseJsonPath(template), data, data);
}

/**
 * What one `-o custom-columns` or `--sort-by` path finds in an object, the path parsed once
 * (kubectl's RelaxedJSONPathExpression: `metadata.name`, `.metadata.name` and `{.metadata.name}`
 * are the same path).
 */
export function columnPath(path: string): (obj: Value) => Value[] {
  const exprs = parseJsonPath(relaxedJsonPath(path)).filter(
    (n): n is Extract<Node, { kind: 'expr' }> => n.kind === 'expr',
  );
  return (obj) => exprs.flatMap((n) => results(n.path, obj, obj));
}

/** kubectl's RelaxedJSONPathExpression: `metadata.name` → `{.metadata.name}`. */
export function relaxedJsonPath(path: string): string {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1);
  if (!p.startsWith('.') && !p.startsWith('[') && !p.startsWith('$') && !p.startsWith('@')) p = `.${p}`;
  return `{${p}}`;
}

/** A custom-columns cell as kubectl prints it: `<none>` when the path finds nothing, values joined by commas. */
export function columnCell(values: readonly Value[]): string {
  if (values.length === 0) return '<none>';
  return values.map((v) => (typeof v === 'object' && v !== null ? goValueText(v) : printValue(v))).join(',');
}

/** Go's `%v` of an unstructured value: `map[a:1 b:x]`, `[a b]`. */
function goValueText(v: Value): string {
  if (Array.isArray(v)) return `[${v.map(goValueText).join(' ')}]`;
  if (isObject(v))
    return `map[${sortedKeys(v)
      .map((k) => `${k}:${goValueText(v[k])}`)
      .join(' ')}]`;
  return printValue(v);
}

/** One column of `-o custom-columns=HEADER:PATH,…`. */
export interface CustomColumn {
  readonly header: string;
  readonly path: string;
}

/** Parses `-o custom-columns`' spec, checking each path; throws JsonPathError in kubectl's words. */
export function parseCustomColumns(spec: string): CustomColumn[] {
  return spec.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon <= 0 || colon === part.length - 1) {
      throw new JsonPathError(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    }
    const column = { header: part.slice(0, colon), path: part.slice(colon + 1) };
    parseJsonPath(relaxedJsonPath(column.path));
    return column;
  });
}
