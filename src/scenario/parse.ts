/**
 * Scenario files: YAML → typed `Scenario`, with every error reported as
 * `<file>:<line>:<column>: <field>: <message>`.
 *
 * The YAML is parsed with `yaml` (keeping nodes and a LineCounter), validated with zod, and every
 * issue path is mapped back to the YAML node it came from. Manifests written as block-scalar text
 * inside `files:` are parsed as YAML of their own, and their line numbers are shifted into the
 * scenario file.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve as resolvePath } from 'node:path';
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  parseDocument,
} from 'yaml';
import { z } from 'zod';
import type { KubeObject } from '../model/api/types.js';
import { ConfigError, parseAutoscalerConfig, parseDefaultsConfig, parseDeploymentConfig } from '../model/kpa/config.js';
import { parseDomainConfig } from '../model/rules/domain.js';
import { CurlParseError, parseCurl } from './curl.js';
import { DurationError, parseDuration } from './duration.js';
import { type Expectation, ExpectationError, parseExpectation } from './expect.js';
import { type KubectlCommand, KubectlParseError, parseKubectl } from './kubectl.js';
import { didYouMean } from './shell.js';
import type {
  ApplySource,
  CurlExpect,
  DurationDist,
  LoadPhase,
  NetworkingLayer,
  PodStartupPhases,
  Scenario,
  ScenarioSettings,
  SourceLocation,
  Step,
  StepKind,
} from './types.js';

// ---------------------------------------------------------------------------------------------
// Errors

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

/** An issue reported by an injected validator (zod issues fit this shape). */
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

export interface ParseOptions {
  /**
   * Validates one load phase (`value` = the phase as plain data, `path` = e.g. ['load', 2]).
   * Returned issue paths are relative to `value`. Zod issues can be returned as they are.
   */
  validateLoad?: (value: unknown, path: (string | number)[]) => readonly ExternalIssue[];
  /**
   * Reads a manifest file referenced by path from a step (absolute path given). Without it only
   * keys of `files:` can be referenced. `loadScenarioFile` passes a reader.
   */
  readFile?: (path: string) => string;
  /** Extra `settings:` keys, validated by the given schemas (their output is kept as is). */
  settingsExtensions?: Record<string, z.ZodType>;
}

// ---------------------------------------------------------------------------------------------
// Paths and positions

type PathSeg = string | number;

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

interface Pos {
  line: number;
  column: number;
}

/** Maps a path inside one YAML document to a position in some file. */
interface Locator {
  file: string;
  /** `key`: point at the key of the last segment (unknown fields). */
  locate(path: readonly PropertyKey[], key?: boolean): Pos;
  /** Node at the path, if it exists. */
  node(path: readonly PropertyKey[]): Node | undefined;
  /** Position of an offset in the document's own text (before any shift). */
  offsetPos(offset: number): Pos;
}

function makeLocator(
  file: string,
  doc: Document,
  lc: LineCounter,
  shift: (p: Pos) => Pos = (p) => p,
  basePos: Pos = { line: 1, column: 1 },
): Locator {
  const posOf = (offset: number): Pos => {
    const lp = lc.linePos(offset);
    return shift({ line: lp.line, column: lp.col });
  };
  const walk = (path: readonly PropertyKey[]) => {
    let node: unknown = doc.contents;
    let keyNode: Node | undefined;
    let last: Node | undefined = (doc.contents as Node | null) ?? undefined;
    let complete = true;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
        if (!pair) {
          complete = false;
          break;
        }
        keyNode = (pair.key as Node | null) ?? undefined;
        last = node as Node;
        node = pair.value;
        if (node === null || node === undefined) {
          node = undefined;
          last = keyNode ?? last;
          // Path continues past a key with no value: stay on the key.
          complete = path[path.length - 1] === seg;
          break;
        }
        last = node as Node;
      } else if (isSeq(node)) {
        const item = node.items[Number(seg)];
        if (item === undefined || item === null) {
          complete = false;
          break;
        }
        keyNode = undefined;
        node = item;
        last = item as Node;
      } else {
        complete = false;
        break;
      }
    }
    return { node: complete ? (node as Node | undefined) : undefined, keyNode, last, complete };
  };
  return {
    file,
    offsetPos: posOf,
    node: (path) => walk(path).node,
    locate(path, key) {
      const w = walk(path);
      if (key && w.complete && w.keyNode?.range) return posOf(w.keyNode.range[0]);
      const target = w.complete ? (w.node ?? w.keyNode ?? w.last) : w.last;
      if (target?.range) return posOf(target.range[0]);
      return shift(basePos);
    },
  };
}

function describeValue(v: unknown): string {
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

function getAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let cur = value;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  return cur;
}

// ---------------------------------------------------------------------------------------------
// zod helpers

/** Thrown inside `conv` functions to report an issue below the converted value. */
class PathError extends Error {
  constructor(
    readonly path: PathSeg[],
    message: string,
    readonly params: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Several PathErrors at once. */
class PathErrors extends Error {
  constructor(readonly errors: PathError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

const KNOWN_ERRORS = [DurationError, ExpectationError, KubectlParseError, CurlParseError, PathError, PathErrors];

/** A zod schema that converts any input with `fn`; thrown errors become issues. */
function conv<T>(fn: (v: unknown) => T) {
  return z.unknown().transform((v, ctx): T => {
    try {
      return fn(v);
    } catch (e) {
      if (!KNOWN_ERRORS.some((k) => e instanceof k)) throw e;
      if (e instanceof PathErrors) {
        for (const pe of e.errors)
          ctx.addIssue({ code: 'custom', message: pe.message, path: pe.path, params: { ...pe.params } });
        return z.NEVER;
      }
      const params: Record<string, unknown> = e instanceof PathError ? { ...e.params } : {};
      if (e instanceof ExpectationError) params.offset = e.column - 1;
      ctx.addIssue({
        code: 'custom',
        message: e instanceof DurationError ? e.message : (e as Error).message,
        path: e instanceof PathError ? e.path : [],
        params,
      });
      return z.NEVER;
    }
  });
}

function unknownFieldMessage(key: string, known: readonly string[]): string {
  const hint = didYouMean(key, known);
  return `unknown field ${JSON.stringify(key)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}`;
}

/**
 * An object schema that reports unknown keys one by one, at the key, with a did-you-mean.
 * Written as a transform so that unknown keys are reported even when a field fails.
 */
function strict<S extends z.ZodRawShape>(shape: S) {
  const known = Object.keys(shape);
  const inner = z.object(shape);
  return z.unknown().transform((v, ctx): z.output<typeof inner> => {
    if (isPlainObject(v)) {
      for (const k of Object.keys(v)) {
        if (!known.includes(k)) {
          ctx.addIssue({
            code: 'custom',
            path: [k],
            message: unknownFieldMessage(k, known),
            params: { unknownKey: true },
          });
        }
      }
    }
    const r = inner.safeParse(v);
    if (r.success) return r.data;
    for (const iss of r.error.issues) ctx.addIssue({ ...(iss as z.core.$ZodRawIssue), input: undefined });
    return z.NEVER;
  });
}

function durationFrom(v: unknown): number {
  if (typeof v === 'number') {
    if (v === 0) return 0;
    throw new PathError([], `invalid duration ${v}: missing unit (write e.g. "${v}s" or "${v}ms")`);
  }
  if (typeof v !== 'string') throw new PathError([], `expected a duration such as "30s", got ${describeValue(v)}`);
  return parseDuration(v);
}
const duration = conv(durationFrom);
const requiredDuration = conv((v) => {
  if (v === undefined) throw new PathError([], 'missing required duration');
  return durationFrom(v);
});

function stringFrom(what: string) {
  return (v: unknown): string => {
    if (typeof v !== 'string') throw new PathError([], `expected ${what}, got ${describeValue(v)}`);
    return v;
  };
}

function oneOf<T extends string>(values: readonly T[]) {
  return conv((v): T => {
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    const hint = typeof v === 'string' ? didYouMean(v, values) : undefined;
    throw new PathError(
      [],
      `expected one of ${values.join(', ')}, got ${describeValue(v)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}`,
    );
  });
}

const dns1123Label = conv((v) => {
  const s = stringFrom('a namespace name')(v);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s) || s.length > 63) {
    throw new PathError(
      [],
      `${JSON.stringify(s)} is not a valid namespace name (lowercase letters, digits and "-", at most 63 characters)`,
    );
  }
  return s;
});

function expectationFrom(v: unknown): Expectation {
  if (typeof v !== 'string') {
    throw new PathError([], `expected an expectation such as "pods == 0", got ${describeValue(v)}`);
  }
  try {
    return parseExpectation(v);
  } catch (e) {
    if (e instanceof ExpectationError) {
      throw new ExpectationError(`${e.message} (in ${JSON.stringify(v)} at column ${e.column})`, e.column);
    }
    throw e;
  }
}
const expectation = conv(expectationFrom);

function durationDistFrom(v: unknown): DurationDist {
  if (typeof v === 'string' || typeof v === 'number') return { kind: 'fixed', ms: durationFrom(v) };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new PathError(
      [],
      `expected a duration ("2s"), { median: 2s, spread: 0.3 } or { min: 1s, max: 3s }, got ${describeValue(v)}`,
    );
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  const allowed =
    'median' in o
      ? ['median', 'spread']
      : 'min' in o || 'max' in o
        ? ['min', 'max']
        : ['median', 'spread', 'min', 'max'];
  for (const k of keys) {
    if (!allowed.includes(k)) {
      throw new PathError([k], unknownFieldMessage(k, allowed), { unknownKey: true });
    }
  }
  const dur = (k: string) => {
    if (o[k] === undefined) throw new PathError([], `missing required field ${JSON.stringify(k)}`);
    try {
      return durationFrom(o[k]);
    } catch (e) {
      throw new PathError([k], (e as Error).message);
    }
  };
  if ('median' in o) {
    const spread = o.spread ?? 0;
    if (typeof spread !== 'number' || spread < 0 || spread > 1) {
      throw new PathError(['spread'], `expected a number from 0 to 1 (relative spread), got ${describeValue(spread)}`);
    }
    return { kind: 'median', medianMs: dur('median'), spread };
  }
  if (keys.length === 0)
    throw new PathError([], 'expected { median: 2s, spread: 0.3 } or { min: 1s, max: 3s }, got an empty mapping');
  const minMs = dur('min');
  const maxMs = dur('max');
  if (maxMs < minMs) throw new PathError(['max'], `max (${o.max}) is less than min (${o.min})`);
  return { kind: 'range', minMs, maxMs };
}
const durationDist = conv(durationDistFrom);

const NETWORKING: readonly NetworkingLayer[] = ['kourier', 'istio', 'contour', 'gloo', 'ambassador'];

const PHASES = {
  scheduling: 'schedulingMs',
  creating: 'creatingMs',
  imagePull: 'imagePullMs',
  appStart: 'appStartMs',
} as const;

const podStartup = conv((v): DurationDist | PodStartupPhases => {
  if (!isPlainObject(v) || !Object.keys(PHASES).some((k) => k in v)) {
    return durationDistFrom(v);
  }
  const out: PodStartupPhases = { kind: 'phases' };
  const allowed = [...Object.keys(PHASES), 'spread'];
  const errors: PathError[] = [];
  for (const [k, val] of Object.entries(v)) {
    if (k === 'spread') {
      if (typeof val !== 'number' || val < 0 || val > 1) {
        errors.push(new PathError([k], `expected a number from 0 to 1 (relative spread), got ${describeValue(val)}`));
      } else out.spread = val;
    } else if (k in PHASES) {
      try {
        out[PHASES[k as keyof typeof PHASES]] = durationFrom(val);
      } catch (e) {
        errors.push(new PathError([k], (e as Error).message));
      }
    } else errors.push(new PathError([k], unknownFieldMessage(k, allowed), { unknownKey: true }));
  }
  if (errors.length > 0) throw new PathErrors(errors);
  return out;
});

function settingsSchema(ext: Record<string, z.ZodType> = {}) {
  return strict({
    podStartup: podStartup.optional(),
    drain: duration.optional(),
    ingressProgramming: duration.optional(),
    reconcileDelay: duration.optional(),
    activatorProbePeriod: duration.optional(),
    missingImages: z.array(z.string()).optional(),
    networking: oneOf(NETWORKING).optional(),
    app: strict({
      response: conv(stringFrom('a string')).optional(),
      status: z.number().int().min(100).max(599).optional(),
      serviceTime: durationDist.optional(),
      workers: z.number().int().min(0).optional(),
    }).optional(),
    ...ext,
  });
}

export const KNOWN_CONFIGMAPS = [
  'config-autoscaler',
  'config-defaults',
  'config-deployment',
  'config-domain',
  'config-features',
  'config-gc',
  'config-network',
  'config-observability',
  'config-logging',
  'config-tracing',
  'config-leader-election',
  'config-certmanager',
] as const;

const AUTOSCALER_DURATIONS = [
  'stable-window',
  'scale-to-zero-grace-period',
  'scale-to-zero-pod-retention-period',
  'scale-down-delay',
];

/** The ConfigMaps whose data the simulator parses (the same functions the run uses). */
const CONFIG_PARSERS: Record<string, (data: Record<string, string>) => unknown> = {
  'config-autoscaler': parseAutoscalerConfig,
  'config-defaults': parseDefaultsConfig,
  'config-deployment': parseDeploymentConfig,
  'config-domain': parseDomainConfig,
};

const configSchema = conv((v): Record<string, Record<string, string>> => {
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new PathError([], `expected a mapping of ConfigMap names to data, got ${describeValue(v)}`);
  }
  const out: Record<string, Record<string, string>> = {};
  const errors: PathError[] = [];
  for (const [name, data] of Object.entries(v as Record<string, unknown>)) {
    if (!(KNOWN_CONFIGMAPS as readonly string[]).includes(name)) {
      const hint = didYouMean(name, KNOWN_CONFIGMAPS);
      errors.push(
        new PathError(
          [name],
          `unknown ConfigMap ${JSON.stringify(name)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ` (known: ${KNOWN_CONFIGMAPS.join(', ')})`}`,
          { unknownKey: true },
        ),
      );
      continue;
    }
    if (data === null) {
      out[name] = {};
      continue;
    }
    if (typeof data !== 'object' || Array.isArray(data)) {
      errors.push(
        new PathError(
          [name],
          `expected the ConfigMap's data as a mapping of keys to strings, got ${describeValue(data)}`,
        ),
      );
      continue;
    }
    const d: Record<string, string> = {};
    for (const [k, val] of Object.entries(data as Record<string, unknown>)) {
      if (val === null) d[k] = '';
      else if (typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean') d[k] = String(val);
      else {
        errors.push(new PathError([name, k], `ConfigMap values must be strings, got ${describeValue(val)}`));
        continue;
      }
      if (name === 'config-autoscaler' && AUTOSCALER_DURATIONS.includes(k)) {
        try {
          parseDuration(d[k]!);
        } catch (e) {
          errors.push(new PathError([name, k], (e as Error).message));
        }
      }
    }
    const parse = CONFIG_PARSERS[name];
    if (parse !== undefined && !errors.some((e) => e.path[0] === name)) {
      // Knative's own parser, as its config webhook runs it: a bad value is caught here, with
      // its line, rather than when the run applies the ConfigMap.
      try {
        parse(d);
      } catch (e) {
        const key = e instanceof ConfigError && e.key in d ? [e.key] : [];
        errors.push(new PathError([name, ...key], (e as Error).message));
      }
    }
    out[name] = d;
  }
  if (errors.length > 0) throw new PathErrors(errors);
  return out;
});

const curlExpectSchema = strict({
  status: z.number().int().min(100).max(599).optional(),
  body: conv(stringFrom('a string')).optional(),
  bodyContains: conv(stringFrom('a string')).optional(),
  within: duration.optional(),
});

const topSchema = (ext?: Record<string, z.ZodType>) =>
  strict({
    name: conv(stringFrom('a name')).optional(),
    description: conv(stringFrom('a string')).optional(),
    seed: conv((v) => {
      if (typeof v !== 'number' || !Number.isInteger(v))
        throw new PathError([], `expected an integer, got ${describeValue(v)}`);
      return v;
    }).optional(),
    namespace: dns1123Label.optional(),
    settings: settingsSchema(ext).optional(),
    files: z.unknown().optional(),
    config: configSchema.optional(),
    steps: z.array(z.unknown()).optional(),
    load: z.array(z.unknown()).optional(),
    expect: z
      .unknown()
      .transform((v) => (typeof v === 'string' ? [v] : v))
      .pipe(z.array(expectation))
      .optional(),
  });

// ---------------------------------------------------------------------------------------------
// The parser

const STEP_KINDS: readonly StepKind[] = ['apply', 'kubectl', 'curl', 'wait', 'sleep', 'expect', 'note'];
const DEFAULT_WAIT_TIMEOUT_MS = 10 * 60_000;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

class ScenarioParser {
  readonly issues: ScenarioIssue[] = [];
  readonly main: Locator;
  readonly value: unknown;
  readonly files: Record<string, KubeObject[]> = {};
  private readonly fileKeys: string[] = [];
  private readonly external = new Map<string, KubeObject[] | null>();

  constructor(
    readonly text: string,
    readonly file: string,
    readonly options: ParseOptions,
  ) {
    const lc = new LineCounter();
    const doc = parseDocument(text, yamlOptions(lc));
    this.main = makeLocator(file, doc, lc);
    for (const e of doc.errors) {
      const p = this.main.offsetPos(e.pos[0]);
      this.issues.push({ file, ...p, field: '(yaml)', message: yamlMessage(e.message) });
    }
    this.value = doc.errors.length === 0 ? this.toJS(doc, this.main, []) : undefined;
  }

  /** The document as plain data; undefined (with an issue) when aliases cannot be expanded. */
  private toJS(doc: Document, loc: Locator, field: PathSeg[]): unknown {
    try {
      return doc.toJS({ maxAliasCount: 1000 }) ?? null;
    } catch (e) {
      this.add(loc, field, `YAML error: ${(e as Error).message}`);
      return undefined;
    }
  }

  add(
    loc: Locator,
    fieldPath: readonly PropertyKey[],
    message: string,
    opts: { key?: boolean; nodePath?: readonly PropertyKey[]; offset?: number } = {},
  ) {
    const nodePath = opts.nodePath ?? fieldPath;
    let pos = loc.locate(nodePath, opts.key);
    if (opts.offset !== undefined) {
      const n = loc.node(nodePath);
      // Point into a one-line string scalar (the expectation's own column).
      if (isScalar(n) && n.range && (n.type === 'PLAIN' || n.type === 'QUOTE_SINGLE' || n.type === 'QUOTE_DOUBLE')) {
        const start = loc.offsetPos(n.range[0]);
        const end = loc.offsetPos(n.range[1]);
        if (start.line === end.line)
          pos = { line: pos.line, column: pos.column + opts.offset + (n.type === 'PLAIN' ? 0 : 1) };
      }
    }
    this.issues.push({ file: loc.file, ...pos, field: formatPath(fieldPath), message });
  }

  /** Report zod-shaped issues found under `base` (issue paths are relative to `base`). */
  addIssues(
    loc: Locator,
    base: readonly PropertyKey[],
    root: unknown,
    issues: readonly ExternalIssue[],
    fieldBase = base,
  ) {
    for (const iss of issues) {
      const rel = (iss.path ?? []) as readonly PropertyKey[];
      const path = [...base, ...rel];
      const field = [...fieldBase, ...rel];
      const params = (iss.params ?? {}) as Record<string, unknown>;
      const value = getAt(root, rel);
      if (iss.code === 'unrecognized_keys' && Array.isArray(iss.keys)) {
        for (const k of iss.keys)
          this.add(loc, [...field, k], `unknown field ${JSON.stringify(k)}`, { key: true, nodePath: [...path, k] });
        continue;
      }
      if (params.unknownKey) {
        this.add(loc, field, iss.message, { key: true, nodePath: path });
        continue;
      }
      let message = iss.message;
      if (iss.code === 'invalid_type') {
        const expected = EXPECTED_WORDS[String(iss.expected)] ?? String(iss.expected);
        message = value === undefined ? 'missing required field' : `expected ${expected}, got ${describeValue(value)}`;
      } else if (iss.code === 'too_small' || iss.code === 'too_big') {
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
      this.add(loc, field, message, {
        nodePath: path,
        ...(typeof params.offset === 'number' ? { offset: params.offset } : {}),
      });
    }
  }

  /** Validate `value` (found at `path` in the main document) with a schema. */
  check<S extends z.ZodType>(schema: S, value: unknown, path: readonly PropertyKey[]): z.output<S> | undefined {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    this.addIssues(this.main, path, value, r.error.issues as unknown as ExternalIssue[]);
    return undefined;
  }

  parse(): Scenario | undefined {
    if (this.issues.length > 0) return undefined;
    const root = this.value;
    if (!isPlainObject(root)) {
      this.add(
        this.main,
        [],
        `a scenario must be a YAML mapping (name:, steps:, …), got ${root == null && isBlankYaml(this.text) ? 'an empty file' : describeValue(root)}`,
      );
      return undefined;
    }
    const top = this.check(topSchema(this.options.settingsExtensions), root, []);
    this.parseFiles(root.files);
    const namespace = top?.namespace ?? 'default';
    const steps = Array.isArray(root.steps) ? this.parseSteps(root.steps) : [];
    const load = Array.isArray(root.load) ? this.parseLoad(root.load) : [];
    const expect: Expectation[] = [];
    if (top?.expect) {
      top.expect.forEach((e, i) => {
        expect.push({ ...e, location: this.loc(['expect', i]) });
      });
    }
    if (!top || this.issues.length > 0) return undefined;
    const name = top.name ?? basename(this.file, extname(this.file));
    return {
      name,
      description: top.description ?? '',
      ...(top.seed !== undefined ? { seed: top.seed } : {}),
      namespace,
      settings: settingsOut(top.settings),
      config: top.config ?? {},
      files: this.files,
      steps,
      load,
      expect,
      source: { file: this.file },
    };
  }

  loc(path: readonly PropertyKey[]): SourceLocation {
    return { file: this.file, ...this.main.locate(path) };
  }

  // ---- files and manifests ----

  private parseFiles(files: unknown) {
    if (files === undefined || files === null) return;
    if (!isPlainObject(files)) {
      this.add(this.main, ['files'], `expected a mapping of file names to manifests, got ${describeValue(files)}`);
      return;
    }
    for (const [name, content] of Object.entries(files)) {
      this.fileKeys.push(name);
      const path = ['files', name];
      const manifests = this.manifestsFromValue(content, path);
      if (manifests) this.files[name] = manifests;
    }
  }

  /** Manifests from a `files:` value or an inline apply: YAML text, a list of objects, or one object. */
  private manifestsFromValue(content: unknown, path: PathSeg[]): KubeObject[] | undefined {
    if (typeof content === 'string') return this.manifestsFromText(content, path);
    if (Array.isArray(content)) {
      const out: KubeObject[] = [];
      let ok = true;
      content.forEach((m, i) => {
        const obj = this.checkManifest(m, this.main, [...path, i], [...path, i]);
        if (obj) out.push(obj);
        else ok = false;
      });
      return ok ? out : undefined;
    }
    if (isPlainObject(content)) {
      const obj = this.checkManifest(content, this.main, path, path);
      return obj ? [obj] : undefined;
    }
    this.add(
      this.main,
      path,
      `expected manifests as YAML text (use "|"), a list of objects or one object, got ${describeValue(content)}`,
    );
    return undefined;
  }

  /** Multi-document YAML text written inside the scenario (usually a `|` block scalar). */
  private manifestsFromText(content: string, path: PathSeg[]): KubeObject[] | undefined {
    const node = this.main.node(path);
    const outerPos = this.main.locate(path);
    let shift: (p: Pos) => Pos = () => outerPos;
    if (isScalar(node) && node.range && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED')) {
      const header = this.main.offsetPos(node.range[0]);
      const firstLine = header.line + 1;
      const lines = this.text.split(/\r?\n/);
      let indent = 0;
      for (let l = firstLine - 1; l < lines.length; l++) {
        const s = lines[l]!;
        if (s.trim() === '') continue;
        indent = s.length - s.trimStart().length;
        break;
      }
      shift = (p) => ({ line: firstLine + p.line - 1, column: p.column + indent });
    }
    return this.manifestsFromYaml(content, this.file, shift, (i) => [...path, i]);
  }

  private manifestsFromYaml(
    text: string,
    file: string,
    shift: (p: Pos) => Pos,
    fieldOf: (docIndex: number) => PathSeg[],
  ): KubeObject[] | undefined {
    const lc = new LineCounter();
    const docs = parseAllDocuments(text, yamlOptions(lc));
    const list = Array.isArray(docs) ? docs : [];
    const out: KubeObject[] = [];
    let ok = true;
    let index = 0;
    for (const doc of list) {
      const loc = makeLocator(file, doc, lc, shift);
      if (doc.errors.length > 0) {
        for (const e of doc.errors) {
          const p = loc.offsetPos(e.pos[0]);
          this.issues.push({ file, ...p, field: formatPath(fieldOf(index)), message: yamlMessage(e.message) });
        }
        ok = false;
        index++;
        continue;
      }
      const value = doc.contents === null ? null : this.toJS(doc, loc, fieldOf(index));
      if (value === undefined) {
        ok = false;
        index++;
        continue;
      }
      if (value === null || value === undefined) continue; // empty document (e.g. a trailing ---), as kubectl
      const obj = this.checkManifest(value, loc, [], fieldOf(index));
      if (obj) out.push(obj);
      else ok = false;
      index++;
    }
    if (ok && out.length === 0) {
      this.issues.push({
        file,
        ...shift({ line: 1, column: 1 }),
        field: formatPath(fieldOf(0).slice(0, -1)),
        message: 'no manifests found',
      });
      return undefined;
    }
    return ok ? out : undefined;
  }

  /** A manifest needs apiVersion, kind and metadata.name; say which is missing and where. */
  private checkManifest(value: unknown, loc: Locator, nodePath: PathSeg[], field: PathSeg[]): KubeObject | undefined {
    if (!isPlainObject(value)) {
      this.add(
        loc,
        field,
        `a manifest must be a mapping with apiVersion, kind and metadata, got ${describeValue(value)}`,
        { nodePath },
      );
      return undefined;
    }
    let ok = true;
    const needString = (key: string[], example: string) => {
      const v = getAt(value, key);
      if (v === undefined || v === null || v === '') {
        // Missing: point at the mapping that should hold it (the document's first line).
        // Missing: point at the key that should hold it (metadata:), else at the document's first line.
        const hasParent = key.length > 1 && getAt(value, key.slice(0, -1)) !== undefined;
        const parentPath = hasParent ? [...nodePath, ...key.slice(0, -1)] : nodePath;
        this.add(loc, [...field, ...key], `manifest is missing ${key.join('.')} (e.g. ${example})`, {
          nodePath: parentPath,
          key: hasParent,
        });
        ok = false;
      } else if (typeof v !== 'string') {
        this.add(loc, [...field, ...key], `expected a string, got ${describeValue(v)}`, {
          nodePath: [...nodePath, ...key],
        });
        ok = false;
      }
    };
    needString(['apiVersion'], 'apiVersion: serving.knative.dev/v1');
    needString(['kind'], 'kind: Service');
    const meta = value.metadata;
    if (meta !== undefined && meta !== null && !isPlainObject(meta)) {
      this.add(loc, [...field, 'metadata'], `expected a mapping, got ${describeValue(meta)}`, {
        nodePath: [...nodePath, 'metadata'],
      });
      ok = false;
    } else {
      needString(['metadata', 'name'], 'metadata: { name: knservice }');
      const ns = isPlainObject(meta) ? meta.namespace : undefined;
      if (ns !== undefined && typeof ns !== 'string') {
        this.add(loc, [...field, 'metadata', 'namespace'], `expected a string, got ${describeValue(ns)}`, {
          nodePath: [...nodePath, 'metadata', 'namespace'],
        });
        ok = false;
      }
    }
    return ok ? (value as KubeObject) : undefined;
  }

  /** A file referenced from a step: a key of `files:` or a path relative to the scenario file. */
  private resolveFile(ref: string, path: PathSeg[]): KubeObject[] | undefined {
    if (ref in this.files) return this.files[ref];
    if (this.fileKeys.includes(ref)) return undefined; // it had errors, already reported
    const hint = didYouMean(ref, this.fileKeys);
    const hintText = hint ? ` (did you mean ${JSON.stringify(hint)}?)` : '';
    if (!this.options.readFile) {
      this.add(this.main, path, `no file ${JSON.stringify(ref)} in files:${hintText}`);
      return undefined;
    }
    const abs = resolvePath(dirname(this.file), ref);
    if (this.external.has(abs)) {
      const m = this.external.get(abs);
      if (m) this.files[ref] = m;
      return m ?? undefined;
    }
    let text: string;
    try {
      text = this.options.readFile(abs);
    } catch (e) {
      const code = (e as { code?: string }).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
      this.add(this.main, path, `no file ${JSON.stringify(ref)} in files:${hintText}, and cannot read ${abs}: ${why}`);
      this.external.set(abs, null);
      return undefined;
    }
    const m = this.manifestsFromYaml(
      text,
      abs,
      (p) => p,
      (i) => ['documents', i],
    );
    this.external.set(abs, m ?? null);
    if (m) this.files[ref] = m;
    return m;
  }

  // ---- steps ----

  private parseSteps(raw: unknown[]): Step[] {
    const steps: Step[] = [];
    let lastAt: { ms: number; text: string } | undefined;
    raw.forEach((s, index) => {
      const path: PathSeg[] = ['steps', index];
      const location = this.loc(path);
      if (!isPlainObject(s)) {
        const example = typeof s === 'string' ? ` (write e.g. "- kubectl: ${s}" or "- note: ${s}")` : '';
        this.add(
          this.main,
          path,
          `a step must be a mapping such as "- kubectl: get ksvc", got ${describeValue(s)}${example}`,
        );
        return;
      }
      const keys = Object.keys(s);
      const actions = keys.filter(
        (k) => (STEP_KINDS as readonly string[]).includes(k) && !(k === 'expect' && 'curl' in s),
      );
      const allowed = ['at', ...STEP_KINDS];
      let bad = false;
      for (const k of keys) {
        if (!allowed.includes(k)) {
          this.add(this.main, [...path, k], unknownFieldMessage(k, allowed), { key: true });
          bad = true;
        }
      }
      if (actions.length === 0) {
        if (!bad) this.add(this.main, path, `a step needs one of ${STEP_KINDS.join(', ')}`);
        return;
      }
      if (actions.length > 1) {
        this.add(
          this.main,
          [...path, actions[1]!],
          `a step does one thing; found both ${JSON.stringify(actions[0])} and ${JSON.stringify(actions[1])} (split them into two steps)`,
          { key: true },
        );
        return;
      }
      const kind = actions[0] as StepKind;
      let atMs: number | undefined;
      if (s.at !== undefined) {
        atMs = this.check(duration, s.at, [...path, 'at']);
        if (atMs !== undefined) {
          if (lastAt && atMs < lastAt.ms) {
            this.add(
              this.main,
              [...path, 'at'],
              `at ${String(s.at)} is earlier than a previous step's at ${lastAt.text} (steps run in order)`,
            );
          }
          lastAt = { ms: atMs, text: String(s.at) };
        }
      }
      const base = { index, location, ...(atMs !== undefined ? { atMs } : {}) };
      const step = this.parseStep(kind, s, path, base);
      if (step && !bad) steps.push(step);
    });
    return steps;
  }

  private parseStep(
    kind: StepKind,
    s: Record<string, unknown>,
    path: PathSeg[],
    base: { index: number; location: SourceLocation; atMs?: number },
  ): Step | undefined {
    const v = s[kind];
    const vp = [...path, kind];
    switch (kind) {
      case 'apply': {
        const sources = this.applySources(v, vp);
        if (!sources) return undefined;
        return { kind, ...base, ...applyFields(sources) };
      }
      case 'kubectl': {
        const cmd = this.check(conv(commandFrom('kubectl', parseKubectl)), v, vp);
        if (!cmd) return undefined;
        return this.kubectlStep(cmd, vp, base);
      }
      case 'curl': {
        const command = this.check(conv(commandFrom('curl', parseCurl)), v, vp);
        let expect: CurlExpect | undefined;
        if (s.expect !== undefined) {
          const e = this.check(curlExpectSchema, s.expect, [...path, 'expect']);
          if (!e) return undefined;
          const { within, ...rest } = e;
          expect = { ...(rest as CurlExpect), ...(within !== undefined ? { withinMs: within } : {}) };
        }
        if (!command) return undefined;
        return { kind, ...base, command, ...(expect ? { expect } : {}) };
      }
      case 'wait': {
        if (typeof v === 'string' || !isPlainObject(v)) {
          const until = this.check(expectation, v, vp);
          if (until && !this.noDeadline(until, vp)) return undefined;
          return until
            ? { kind, ...base, until: { ...until, location: this.loc(vp) }, timeoutMs: DEFAULT_WAIT_TIMEOUT_MS }
            : undefined;
        }
        const w = this.check(
          strict({
            until: conv((x) => {
              if (x === undefined) throw new PathError([], 'missing required field (e.g. until: "pods == 0")');
              return expectationFrom(x);
            }),
            timeout: duration.optional(),
          }),
          v,
          vp,
        );
        if (!w || !this.noDeadline(w.until, [...vp, 'until'])) return undefined;
        return {
          kind,
          ...base,
          until: { ...w.until, location: this.loc([...vp, 'until']) },
          timeoutMs: w.timeout ?? DEFAULT_WAIT_TIMEOUT_MS,
        };
      }
      case 'sleep': {
        const ms = this.check(requiredDuration, v, vp);
        return ms === undefined ? undefined : { kind, ...base, ms };
      }
      case 'expect': {
        const e = this.check(expectation, v, vp);
        return e ? { kind, ...base, expectation: { ...e, location: this.loc(vp) } } : undefined;
      }
      case 'note': {
        const text = this.check(
          conv((x) => {
            if (typeof x === 'string') return x;
            if (typeof x === 'number' || typeof x === 'boolean') return String(x);
            throw new PathError([], `expected text, got ${describeValue(x)}`);
          }),
          v,
          vp,
        );
        return text === undefined ? undefined : { kind, ...base, text };
      }
    }
  }

  /** `by`/`after` make no sense in a wait (it has a timeout); say so. */
  private noDeadline(e: Expectation, path: PathSeg[]): boolean {
    if (e.byMs === undefined && e.afterMs === undefined) return true;
    this.add(
      this.main,
      path,
      `a wait step cannot use "by" or "after"; write { until: "${e.clauses.map((c) => c.text).join(' and ')}", timeout: 5m } (timeout is counted from the start of the step)`,
    );
    return false;
  }

  private kubectlStep(
    cmd: KubectlCommand,
    vp: PathSeg[],
    base: { index: number; location: SourceLocation; atMs?: number },
  ): Step | undefined {
    if (cmd.verb === 'apply') {
      const sources: ApplySource[] = [];
      for (const f of cmd.files) {
        if (f === '-') {
          this.add(this.main, vp, 'apply -f - (stdin) is not available in a scenario; use "apply: { manifest: … }"');
          return undefined;
        }
        const m = this.resolveFile(f, vp);
        if (!m) return undefined;
        sources.push({ label: f, manifests: m });
      }
      return { kind: 'apply', ...base, ...applyFields(sources) };
    }
    if (cmd.verb === 'delete' && cmd.files.length > 0) {
      const manifests: KubeObject[] = [];
      for (const f of cmd.files) {
        const m = this.resolveFile(f, vp);
        if (!m) return undefined;
        manifests.push(...m);
      }
      return { kind: 'kubectl', ...base, command: cmd, manifests };
    }
    return { kind: 'kubectl', ...base, command: cmd };
  }

  /** `apply:` value: a file reference, `{ manifest: … }` / `{ manifests: [...] }`, a manifest, or a list of these. */
  private applySources(v: unknown, vp: PathSeg[]): ApplySource[] | undefined {
    if (typeof v === 'string') {
      const ref = v.trim();
      if (ref === '') {
        this.add(this.main, vp, 'expected a file name (a key of files: or a path)');
        return undefined;
      }
      const m = this.resolveFile(ref, vp);
      return m ? [{ label: ref, manifests: m }] : undefined;
    }
    if (Array.isArray(v)) {
      const out: ApplySource[] = [];
      let ok = true;
      v.forEach((item, i) => {
        const r = this.applySources(item, [...vp, i]);
        if (r) out.push(...r);
        else ok = false;
      });
      if (ok && out.length === 0) {
        this.add(this.main, vp, 'nothing to apply (empty list)');
        return undefined;
      }
      return ok ? out : undefined;
    }
    if (isPlainObject(v)) {
      if ('apiVersion' in v || 'kind' in v) {
        const m = this.manifestsFromValue(v, vp);
        return m ? [{ label: '-', manifests: m }] : undefined;
      }
      const keys = Object.keys(v);
      for (const k of keys) {
        if (k !== 'manifest' && k !== 'manifests' && k !== 'file') {
          this.add(this.main, [...vp, k], unknownFieldMessage(k, ['manifest', 'manifests', 'file']), { key: true });
          return undefined;
        }
      }
      if (keys.length !== 1) {
        this.add(this.main, vp, 'expected exactly one of manifest, manifests or file');
        return undefined;
      }
      if (typeof v.file === 'string') return this.applySources(v.file, [...vp, 'file']);
      if ('file' in v) {
        this.add(this.main, [...vp, 'file'], `expected a file name, got ${describeValue(v.file)}`);
        return undefined;
      }
      const key = 'manifest' in v ? 'manifest' : 'manifests';
      const m = this.manifestsFromValue(v[key], [...vp, key]);
      return m ? [{ label: '-', manifests: m }] : undefined;
    }
    this.add(this.main, vp, `expected a file name, { manifest: … } or a list, got ${describeValue(v)}`);
    return undefined;
  }

  // ---- load ----

  private parseLoad(raw: unknown[]): LoadPhase[] {
    const out: LoadPhase[] = [];
    raw.forEach((spec, index) => {
      const path: PathSeg[] = ['load', index];
      if (!isPlainObject(spec)) {
        this.add(
          this.main,
          path,
          `a load phase must be a mapping such as { at: 2m, for: 30s, poisson: { rps: 50 } }, got ${describeValue(spec)}`,
        );
        return;
      }
      if (this.options.validateLoad) {
        const issues = this.options.validateLoad(spec, [...path]);
        if (issues.length > 0) {
          this.addIssues(this.main, path, spec, issues);
          return;
        }
      }
      out.push({ index, spec, location: this.loc(path) });
    });
    return out;
  }
}

const SETTINGS_RENAMES: Record<string, string> = {
  drain: 'drainMs',
  ingressProgramming: 'ingressProgrammingMs',
  reconcileDelay: 'reconcileDelayMs',
  activatorProbePeriod: 'activatorProbePeriodMs',
};

function settingsOut(raw: Record<string, unknown> | undefined): ScenarioSettings {
  const out: ScenarioSettings = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (v === undefined) continue;
    if (k === 'app' && isPlainObject(v)) {
      const { serviceTime, ...rest } = v;
      out.app = { ...rest, ...(serviceTime !== undefined ? { serviceTime: serviceTime as DurationDist } : {}) };
    } else out[SETTINGS_RENAMES[k] ?? k] = v;
  }
  return out;
}

function applyFields(sources: ApplySource[]) {
  return {
    manifests: sources.flatMap((s) => s.manifests),
    label: sources.map((s) => s.label).join(', '),
    sources,
  };
}

function commandFrom<T>(program: string, parse: (line: string) => T) {
  return (v: unknown): T => {
    if (typeof v !== 'string') throw new PathError([], `expected a ${program} command line, got ${describeValue(v)}`);
    if (v.trim() === '') throw new PathError([], `empty ${program} command`);
    return parse(v);
  };
}

/** True when YAML text has nothing but blank lines, comments and document markers. */
function isBlankYaml(text: string): boolean {
  return text.split('\n').every((l) => /^\s*(#.*)?$/.test(l) || /^(---|\.\.\.)\s*$/.test(l));
}

function yamlOptions(lineCounter: LineCounter) {
  return { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true } as const;
}

function yamlMessage(m: string): string {
  // yaml's messages end with " at line X, column Y" plus a snippet when prettified; keep the first sentence.
  const first = m.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return `YAML syntax error: ${first}`;
}

// ---------------------------------------------------------------------------------------------
// Entry points

/** Parse scenario text. Throws ScenarioError listing every problem found. */
export function parseScenario(text: string, file: string, options: ParseOptions = {}): Scenario {
  const p = new ScenarioParser(text, file, options);
  const scenario = p.parse();
  if (!scenario || p.issues.length > 0) {
    const issues = dedupe(p.issues).sort(
      (a, b) =>
        Number(a.file !== file) - Number(b.file !== file) ||
        a.file.localeCompare(b.file) ||
        a.line - b.line ||
        a.column - b.column,
    );
    throw new ScenarioError(
      issues.length > 0 ? issues : [{ file, line: 1, column: 1, field: '(document)', message: 'invalid scenario' }],
    );
  }
  return scenario;
}

function dedupe(issues: ScenarioIssue[]): ScenarioIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = formatIssue(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Read and parse a scenario file; manifest files referenced by path are read relative to it. */
export function loadScenarioFile(path: string, options: ParseOptions = {}): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    const err = new ScenarioError([
      { file: path, line: 0, column: 0, field: '(file)', message: `cannot read the scenario file: ${why}` },
    ]);
    err.message = `${path}: cannot read the scenario file: ${why}`;
    throw err;
  }
  return parseScenario(text, path, { readFile: (p) => readFileSync(p, 'utf8'), ...options });
}
