/**
 * The Prometheus text exposition format (version 0.0.4, what client_golang, OpenCensus' and
 * OpenTelemetry's Prometheus exporters serve on `/metrics`): read and written.
 *
 * Reading: an answer from a cluster is input like any other, so every problem is one
 * {@link PrometheusTextError} naming the source, the line and the column (`autoscaler-7d9f…
 * /metrics:12:31: label value not closed by '"'`), never another exception. Lines are
 * `# HELP name text`, `# TYPE name type`, other comments, blank lines, and samples
 * `name{label="value",…} value [timestamp]`. Label values take the escapes `\\`, `\"` and `\n`;
 * values are Go floats (`1`, `-2.5e-3`, `NaN`, `+Inf`, `-Inf`); a trailing comma in a label set is
 * allowed. The quoted names of Prometheus 3 (`{"kn.revision.pods.desired",a="b"}`) are read too.
 *
 * Hand-written rather than taken from npm: the one parser there (`parse-prometheus-text-format`)
 * has no types, skips malformed lines or throws without a line number; both matter here.
 */

/** One sample line. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Milliseconds since the epoch, when the line has a timestamp. */
  readonly timestampMs?: number;
  /** 1-based line number in the text. */
  readonly line: number;
}

export interface PromText {
  readonly samples: readonly PromSample[];
  /** `# TYPE` lines: metric family name → type (`gauge`, `counter`, …). */
  readonly types: ReadonlyMap<string, string>;
  /** `# HELP` lines: metric family name → help text (unescaped). */
  readonly help: ReadonlyMap<string, string>;
}

/** Text that is not the exposition format; the message names source:line:column. */
export class PrometheusTextError extends Error {
  constructor(
    message: string,
    readonly source: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${source}:${line}:${column}: ${message}`);
    this.name = 'PrometheusTextError';
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped', 'unknown', 'info', 'stateset']);

/** The most characters quoted back from a bad line. */
const QUOTE_MAX = 40;

function quote(text: string): string {
  return JSON.stringify(text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}…` : text);
}

/** A Go `strconv.ParseFloat` value as Prometheus writes it. Undefined when it is not one. */
export function parsePromValue(text: string): number | undefined {
  switch (text.toLowerCase()) {
    case 'nan':
      return Number.NaN;
    case '+inf':
    case 'inf':
      return Number.POSITIVE_INFINITY;
    case '-inf':
      return Number.NEGATIVE_INFINITY;
  }
  // Decimal floats only: Number() would also take "0x1f", "", " 1" and "1_000".
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Reads one line at a time; `pos` is the index into `text` (the line without its newline). */
class LineReader {
  pos = 0;
  constructor(
    readonly text: string,
    readonly source: string,
    readonly line: number,
  ) {}

  fail(message: string, at = this.pos): never {
    throw new PrometheusTextError(message, this.source, this.line, at + 1);
  }

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  skipBlanks(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  /** A run of characters up to a blank, `{`, `}`, `,` or `=`. */
  word(): string {
    const start = this.pos;
    while (!this.done && !' \t{},="'.includes(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** A double-quoted string with the format's escapes, the opening quote at `pos`. */
  quoted(what: string): string {
    const start = this.pos;
    this.pos++; // the opening quote
    let out = '';
    for (;;) {
      if (this.done) this.fail(`${what} not closed by '"'`, start);
      const c = this.text[this.pos++]!;
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[this.pos++];
      if (e === '\\') out += '\\';
      else if (e === '"') out += '"';
      else if (e === 'n') out += '\n';
      else if (e === undefined) this.fail(`${what} not closed by '"'`, start);
      else this.fail(`unknown escape "\\${e}" in ${what} (only \\\\, \\" and \\n)`, this.pos - 2);
    }
  }
}

function checkMetricName(r: LineReader, name: string, at: number): void {
  if (name === '') r.fail('expected a metric name', at);
  if (!METRIC_NAME.test(name)) {
    r.fail(`${quote(name)} is not a metric name (letters, digits, _ and :, not starting with a digit)`, at);
  }
}

/** `{a="b",c="d"}` from the `{`; the metric name when the set holds a quoted one (Prometheus 3). */
function labelSet(r: LineReader, labels: Record<string, string>): string | undefined {
  r.pos++; // {
  let quotedName: string | undefined;
  for (;;) {
    r.skipBlanks();
    if (r.peek() === '}') {
      r.pos++;
      return quotedName;
    }
    const at = r.pos;
    let name: string;
    if (r.peek() === '"') {
      name = r.quoted('quoted name');
      r.skipBlanks();
      // A quoted string on its own is the metric's name (only one, before its labels' values).
      if (r.peek() === ',' || r.peek() === '}') {
        if (quotedName !== undefined || Object.keys(labels).length > 0) {
          r.fail('a quoted metric name must come first in the label set', at);
        }
        if (name === '') r.fail('empty metric name', at);
        quotedName = name;
        if (r.peek() === ',') r.pos++;
        continue;
      }
    } else {
      name = r.word();
      if (name === '') r.fail(r.done ? 'label set not closed by "}"' : `expected a label name, got ${quote(r.peek())}`);
      if (!LABEL_NAME.test(name)) r.fail(`${quote(name)} is not a label name`, at);
    }
    r.skipBlanks();
    if (r.peek() !== '=') r.fail(`expected "=" after label ${quote(name)}`);
    r.pos++;
    r.skipBlanks();
    if (r.peek() !== '"') r.fail(`expected the value of label ${quote(name)} in double quotes`);
    const value = r.quoted(`value of label ${quote(name)}`);
    if (Object.hasOwn(labels, name)) r.fail(`label ${quote(name)} given twice`, at);
    labels[name] = value;
    r.skipBlanks();
    if (r.peek() === ',') {
      r.pos++;
      continue;
    }
    if (r.peek() !== '}')
      r.fail(r.done ? 'label set not closed by "}"' : `expected "," or "}" after label ${quote(name)}`);
  }
}

function sampleLine(r: LineReader, lineNo: number): PromSample {
  const nameAt = r.pos;
  let name = r.word();
  const labels: Record<string, string> = Object.create(null);
  // Blanks may stand between the name and its label set (as Prometheus' own parser allows).
  const afterName = r.pos;
  r.skipBlanks();
  if (r.peek() !== '{') r.pos = afterName;
  if (r.peek() === '{') {
    const quotedName = labelSet(r, labels);
    if (quotedName !== undefined) {
      if (name !== '') r.fail('a metric with a name before "{" cannot have a quoted name too', nameAt);
      name = quotedName;
    } else {
      checkMetricName(r, name, nameAt);
    }
  } else {
    checkMetricName(r, name, nameAt);
  }
  const hadLabels = r.text[r.pos - 1] === '}';
  if (!hadLabels && r.peek() !== ' ' && r.peek() !== '\t' && !r.done) {
    r.fail(`expected a blank before the value, got ${quote(r.peek())}`);
  }
  r.skipBlanks();
  if (r.done) r.fail(`no value after ${quote(name)}`);
  const valueAt = r.pos;
  const valueText = r.word();
  const value = parsePromValue(valueText);
  if (value === undefined)
    r.fail(`${quote(valueText || r.peek())} is not a number (the value of ${quote(name)})`, valueAt);
  r.skipBlanks();
  let timestampMs: number | undefined;
  if (!r.done) {
    const tsAt = r.pos;
    const ts = r.word();
    if (!/^-?\d+$/.test(ts) || !Number.isSafeInteger(Number(ts))) {
      r.fail(`${quote(ts || r.peek())} is not a timestamp (whole milliseconds)`, tsAt);
    }
    timestampMs = Number(ts);
    r.skipBlanks();
    if (!r.done) r.fail(`unexpected ${quote(r.text.slice(r.pos))} after the timestamp`);
  }
  return {
    name,
    labels: { ...labels },
    value,
    ...(timestampMs !== undefined ? { timestampMs } : {}),
    line: lineNo,
  };
}

/** `# HELP` and `# TYPE` lines; other comments are skipped. */
function commentLine(r: LineReader, types: Map<string, string>, help: Map<string, string>): void {
  const m = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(r.text);
  if (!m) return;
  const [, keyword, name = '', rest = ''] = m;
  const nameAt = r.text.indexOf(name, 1);
  checkMetricName(r, name, nameAt);
  if (keyword === 'TYPE') {
    const type = rest.trim();
    if (!TYPES.has(type)) {
      r.fail(`unknown metric type ${quote(type)} for ${quote(name)} (counter, gauge, histogram, summary, untyped)`);
    }
    if (types.has(name)) r.fail(`second TYPE line for ${quote(name)}`);
    types.set(name, type);
  } else {
    help.set(
      name,
      rest.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\')),
    );
  }
}

/**
 * Parses exposition text. Throws {@link PrometheusTextError} (naming `source`, the line and the
 * column) for anything that is not the format; nothing else.
 */
export function parsePrometheusText(text: string, source: string): PromText {
  const samples: PromSample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let raw = lines[i]!;
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    const r = new LineReader(raw, source, i + 1);
    r.skipBlanks();
    if (r.done) continue;
    if (r.peek() === '#') {
      commentLine(new LineReader(raw.slice(r.pos), source, i + 1), types, help);
      continue;
    }
    samples.push(sampleLine(r, i + 1));
  }
  return { samples, types, help };
}

// ---- writing ----

/** One metric family to write: its name, type, help and samples. */
export interface PromFamily {
  readonly name: string;
  readonly type: 'gauge' | 'counter' | 'untyped';
  readonly help: string;
  readonly samples: readonly { readonly labels: Readonly<Record<string, string>>; readonly value: number }[];
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A value as Go's `strconv.FormatFloat(v, 'g', -1, 64)` writes it for Prometheus (`NaN`, `+Inf`). */
export function formatPromValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

/** Exposition text (version 0.0.4) for the families, in the order given; families without samples are left out. */
export function formatPrometheusText(families: readonly PromFamily[]): string {
  let out = '';
  for (const f of families) {
    if (f.samples.length === 0) continue;
    out += `# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`;
    out += `# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
        .join(',');
      out += `${f.name}${labels ? `{${labels}}` : ''} ${formatPromValue(s.value)}\n`;
    }
  }
  return out;
}

/** The content type of exposition text version 0.0.4. */
export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
