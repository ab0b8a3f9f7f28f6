import { isAbsolute, resolve } from 'node:path';
import * as z from 'zod';
import type { Random } from '../../model/random.js';
import { MAX_SCENARIO_MS, tooLongMessage } from '../../scenario/duration.js';
import { ClosedLoopClients } from './closedLoop.js';
import { parseDuration } from './duration.js';
import { cloudEventsSource, PingSourceArrivals, parseSchedule } from './eventing.js';
import {
  BurstSource,
  ConstantRateSource,
  MergeSource,
  type PhaseOptions,
  PoissonSource,
  RampSource,
  SineSource,
  StepsSource,
} from './openLoop.js';
import { forkRandom } from './rng.js';
import { DEFAULT_SERVICE_TIME, makeServiceTime, ServiceTimeError, type ServiceTimeSpec } from './serviceTime.js';
import {
  Azure2019Source,
  durationSampler,
  readAzure2019Durations,
  readAzure2019Invocations,
} from './traces/azure2019.js';
import { Azure2021Source } from './traces/azure2021.js';
import { type ArrivalSource, EMPTY_SOURCE, type Sampler, WithClientTimeout, WithHeaders } from './types.js';

/**
 * The scenario `load:` section: a list of phases. Each phase has exactly one generator key
 * (`poisson`, `constant`, `ramp`, `steps`, `bursts`, `sine`, `hey`, `trace`, `ping`, `cloudevents`),
 * optional `at` / `for` / `target` / `service`. Durations use `parseDuration` (Go syntax, units
 * required); rates are requests per second. See docs/load.md.
 */

// ---------- building blocks ----------

/** hey's `-t` default: each request is given up after 20 s (github.com/rakyll/hey, its usage text). */
export const HEY_TIMEOUT_MS = 20_000;

/**
 * A duration in ms; at most as long as a scenario can run (366 days): a longer one is a typo, and
 * a phase or a service time that long would keep a run going for ever.
 */
const durationMs = z
  .union([z.string(), z.number()], {
    error: 'expected a duration such as 500ms, 30s, 2m, 1h30m (a bare number is seconds)',
  })
  .transform((v, ctx) => {
    try {
      const ms = parseDuration(v);
      if (ms < 0) {
        ctx.addIssue({ code: 'custom', message: `duration must not be negative, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      if (ms > MAX_SCENARIO_MS) {
        ctx.addIssue({ code: 'custom', message: tooLongMessage(String(v)) });
        return z.NEVER;
      }
      return ms;
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });
const positiveDurationMs = durationMs.refine((ms) => ms > 0, { message: 'duration must be > 0' });

// ---------- bounds: what no run could do is refused here, saying what was refused ----------

/**
 * The most requests per second one phase may send. A large Knative deployment serves tens of
 * thousands; the simulator does about 2 M requests per wall second, so 1 M RPS already takes a
 * wall second per simulated second, and 1e9 RPS would never finish.
 */
export const MAX_RPS = 1_000_000;
/** The most closed-loop clients of a `hey` phase (hey's own default is 50). */
export const MAX_HEY_CLIENTS = 10_000;
/** The most requests of one burst. */
export const MAX_BURST = 1_000_000;
/** The most a trace's per-minute counts may be multiplied by. */
export const MAX_RATE_SCALE = 10_000;
/** The most requests a `hey -n` phase may ask for. */
export const MAX_HEY_REQUESTS = 1_000_000_000;

/**
 * A scenario's load is parsed once per run: zod's compiled fast path for objects (`new Function`
 * per object schema on its first parse) would cost more start-up CPU than it saves.
 */
const ONCE = { jitless: true } as const;
const n = (x: number) => x.toLocaleString('en-US');
const tooFast = (what: string) => `${what} is more than a simulation can do (at most ${n(MAX_RPS)} per second)`;

const rps = z
  .number()
  .finite()
  .nonnegative()
  .max(MAX_RPS, { error: (iss) => tooFast(`${n(Number(iss.input))} requests per second`) });
const count = z.number().int().nonnegative();

/**
 * A phase's request headers (`headers: { Knative-Serving-Tag: canary }`, as curl's and hey's
 * `-H`): names are HTTP tokens, values one line. The host is the phase's `target`, not a header.
 */
const headersSchema = z
  .record(z.string(), z.union([z.string(), z.number()], { error: 'a header value is a string' }).transform(String))
  .superRefine((h, ctx) => {
    for (const [name, value] of Object.entries(h)) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'a header name is letters, digits and - (an HTTP token)',
        });
      } else if (name.toLowerCase() === 'host') {
        ctx.addIssue({ code: 'custom', path: [name], message: "the host is the phase's `target`, not a header" });
      } else if (/[\r\n]/.test(value)) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'a header value is one line' });
      }
    }
  });
const processKind = z.enum(['poisson', 'constant']);

/** One object with exactly one of the given keys (clear paths for errors inside the chosen key). */
function exactlyOne<T extends z.ZodRawShape>(what: string, shape: T) {
  const keys = Object.keys(shape);
  return z
    .strictObject(shape)
    .partial()
    .superRefine((obj, ctx) => {
      const present = keys.filter((k) => (obj as Record<string, unknown>)[k] !== undefined);
      if (present.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message:
            present.length === 0
              ? `${what} needs one of: ${keys.join(', ')}`
              : `${what} takes only one of ${keys.join(', ')}, got ${present.join(' and ')}`,
        });
      }
    });
}

const PERCENTILE_KEY = /^p(100|\d{1,2})(\.\d+)?$/;
const percentiles = z.record(z.string(), durationMs).superRefine((rec, ctx) => {
  for (const k of Object.keys(rec)) {
    if (!PERCENTILE_KEY.test(k)) ctx.addIssue({ code: 'custom', path: [k], message: 'expected a key p0 … p100' });
  }
  if (Object.keys(rec).length === 0) ctx.addIssue({ code: 'custom', message: 'needs at least one percentile' });
});

const SERVICE_KEYS = ['constant', 'exponential', 'lognormal', 'uniform', 'empirical'] as const;

export const serviceSchema = z.preprocess(
  (v) => (typeof v === 'string' || typeof v === 'number' ? { constant: v } : v),
  exactlyOne('service', {
    constant: durationMs,
    exponential: z.strictObject({ mean: durationMs }),
    lognormal: z.union([
      z.strictObject({ median: positiveDurationMs, p99: positiveDurationMs }),
      z.strictObject({ mu: z.number().finite(), sigma: z.number().finite().nonnegative() }),
    ]),
    uniform: z.strictObject({ min: durationMs, max: durationMs }),
    empirical: percentiles,
  }).superRefine((s, ctx) => {
    // The distribution is built here, where the file is read, by the code the run uses: a p99
    // below its median, a max below its min or decreasing percentiles are the file's errors, at
    // their field, not a failure in the middle of a run.
    const present = SERVICE_KEYS.filter((k) => s[k] !== undefined);
    if (present.length !== 1) return;
    try {
      makeServiceTime(toServiceTimeSpec(s));
    } catch (e) {
      if (!(e instanceof ServiceTimeError)) throw e;
      ctx.addIssue({ code: 'custom', message: e.message, path: e.field ? [present[0]!, e.field] : [present[0]!] });
    }
  }),
);

const azure2019 = z.strictObject({
  format: z.literal('azure2019'),
  invocations: z.string().min(1),
  durations: z.string().min(1).optional(),
  /** How the durations row becomes a distribution: through its percentiles, or a lognormal fit. */
  durationModel: z.enum(['empirical', 'lognormal']).default('empirical'),
  /** HashFunction, or 0-based row index in the invocations file. */
  function: z.union([z.string().min(1), z.number().int().nonnegative()], {
    error: 'expected a HashFunction (string) or a 0-based row index',
  }),
  spread: z.enum(['uniform', 'poisson', 'equidistant']).default('uniform'),
  fromMinute: z.number().int().nonnegative().optional(),
  minutes: z.number().int().positive().optional(),
  rateScale: z
    .number()
    .finite()
    .nonnegative()
    .max(MAX_RATE_SCALE, { error: (iss) => `rateScale ${n(Number(iss.input))} is more than ${n(MAX_RATE_SCALE)}` })
    .optional(),
});
const azure2021 = z.strictObject({
  format: z.literal('azure2021'),
  file: z.string().min(1),
  function: z.string().min(1).optional(),
  app: z.string().min(1).optional(),
  /** Trace time → simulated time: below 1/1000 a day of trace would arrive within 90 s. */
  timeScale: z.number().finite().min(0.001, { error: 'timeScale must be at least 0.001' }).optional(),
  origin: durationMs.optional(),
  reorderWindow: durationMs.optional(),
  /** Use the phase's `service` instead of the trace's durations. */
  useTraceDurations: z.boolean().default(true),
});

const cronSchedule = z.string().superRefine((s, ctx) => {
  try {
    parseSchedule(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

const generators = {
  poisson: z.strictObject({ rps }),
  constant: z.strictObject({ rps }),
  ramp: z.strictObject({ from: rps, to: rps }),
  steps: z.array(z.strictObject({ for: durationMs, rps })).min(1),
  bursts: z
    .strictObject({
      every: positiveDurationMs,
      count: count.max(MAX_BURST, {
        error: (iss) => `a burst of ${n(Number(iss.input))} requests is more than ${n(MAX_BURST)}`,
      }),
      within: durationMs.default(0),
    })
    .refine((b) => b.within <= b.every, { message: 'within must not be longer than every', path: ['within'] })
    .superRefine((b, ctx) => {
      const perSecond = (b.count * 1000) / b.every;
      if (b.count <= MAX_BURST && perSecond > MAX_RPS) {
        ctx.addIssue({
          code: 'custom',
          path: ['count'],
          message: tooFast(`${n(Math.round(perSecond))} requests per second`),
        });
      }
    }),
  sine: z
    .strictObject({
      mean: rps,
      amplitude: z.number().finite(),
      period: positiveDurationMs,
      phase: durationMs.optional(),
    })
    .superRefine((s, ctx) => {
      if (s.mean + Math.abs(s.amplitude) > MAX_RPS) {
        ctx.addIssue({
          code: 'custom',
          path: ['amplitude'],
          message: tooFast(`a peak of ${n(s.mean + Math.abs(s.amplitude))} requests per second`),
        });
      }
    }),
  hey: z.strictObject({
    concurrency: z
      .number()
      .int()
      .positive()
      .max(MAX_HEY_CLIENTS, {
        error: (iss) =>
          `${n(Number(iss.input))} clients is more than a simulation can do (at most ${n(MAX_HEY_CLIENTS)})`,
      }),
    /** `hey -t`: the per-request timeout; hey's default is 20 s, 0 waits for ever. */
    timeout: durationMs.optional(),
    think: serviceSchema.optional(),
    qps: z
      .number()
      .finite()
      .positive()
      .max(MAX_RPS, { error: (iss) => tooFast(`qps ${n(Number(iss.input))}`) })
      .optional(),
    requests: z
      .number()
      .int()
      .positive()
      .max(MAX_HEY_REQUESTS, { error: (iss) => `${n(Number(iss.input))} requests is more than ${n(MAX_HEY_REQUESTS)}` })
      .optional(),
  }),
  trace: z.discriminatedUnion('format', [azure2019, azure2021]),
  ping: z.strictObject({ schedule: cronSchedule }),
  cloudevents: z.strictObject({ rps, process: processKind.default('poisson') }),
} as const;
type GeneratorKey = keyof typeof generators;
const GENERATOR_KEYS = Object.keys(generators) as GeneratorKey[];
/** Generators whose length is known without `for`. */
const SELF_TIMED: readonly GeneratorKey[] = ['steps', 'trace', 'hey'];

export const phaseSchema = z
  .strictObject({
    name: z.string().optional(),
    at: durationMs.optional(),
    for: durationMs.optional(),
    target: z.string().min(1).optional(),
    service: serviceSchema.optional(),
    /** The clients give up on a request after this long (default: they wait; `hey` has its own `timeout`). */
    timeout: durationMs.optional(),
    /** Headers every request of the phase carries (the simulated ingress reads `Knative-Serving-Tag`). */
    headers: headersSchema.optional(),
    /** `steps` only: Poisson (default) or equidistant arrivals within each step. */
    process: processKind.optional(),
    ...Object.fromEntries(GENERATOR_KEYS.map((k) => [k, generators[k].optional()])),
  } as { [K in GeneratorKey]: z.ZodOptional<(typeof generators)[K]> } & {
    name: z.ZodOptional<z.ZodString>;
    at: z.ZodOptional<typeof durationMs>;
    for: z.ZodOptional<typeof durationMs>;
    target: z.ZodOptional<z.ZodString>;
    service: z.ZodOptional<typeof serviceSchema>;
    timeout: z.ZodOptional<typeof durationMs>;
    headers: z.ZodOptional<typeof headersSchema>;
    process: z.ZodOptional<typeof processKind>;
  })
  .superRefine((p, ctx) => {
    const present = GENERATOR_KEYS.filter((k) => p[k] !== undefined);
    if (present.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          present.length === 0
            ? `a load phase needs one of: ${GENERATOR_KEYS.join(', ')}`
            : `a load phase takes one generator, got ${present.join(' and ')}`,
      });
      return;
    }
    const key = present[0] as GeneratorKey;
    if (p.for === undefined && !SELF_TIMED.includes(key)) {
      ctx.addIssue({ code: 'custom', path: ['for'], message: `a ${key} phase needs \`for\` (how long it lasts)` });
    }
    if (key === 'hey' && p.for === undefined && p.hey?.requests === undefined) {
      ctx.addIssue({ code: 'custom', path: ['for'], message: 'a hey phase needs `for` (-z) or `hey.requests` (-n)' });
    }
    if (p.timeout !== undefined && key === 'hey') {
      ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'a hey phase takes its timeout as hey.timeout (-t)' });
    }
    if (p.process !== undefined && key !== 'steps') {
      ctx.addIssue({ code: 'custom', path: ['process'], message: '`process` applies to steps only' });
    }
  });

export const loadSchema = z.array(phaseSchema);

export type LoadPhase = z.output<typeof phaseSchema>;
export type LoadSpec = z.output<typeof loadSchema>;
export type ServiceSpecInput = z.input<typeof serviceSchema>;

export class LoadSpecError extends Error {
  constructor(readonly issues: readonly { path: string; message: string }[]) {
    super(`invalid load spec:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'LoadSpecError';
  }
}

/** `['load', 0, 'poisson', 'rps']` → `load[0].poisson.rps`. */
export function formatPath(path: readonly PropertyKey[], root = 'load'): string {
  let out = root;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}

/**
 * Validates one phase, for the scenario parser's `validateLoad` hook: zod issues with paths
 * relative to the phase (empty when valid).
 */
export function validateLoadPhase(value: unknown): readonly z.core.$ZodIssue[] {
  const r = phaseSchema.safeParse(value, ONCE);
  return r.success ? [] : r.error.issues;
}

/** Validates a raw `load:` value (parsed YAML); throws `LoadSpecError` listing every issue with its path. */
export function parseLoadSpec(raw: unknown, root = 'load'): LoadSpec {
  const r = loadSchema.safeParse(raw, ONCE);
  if (r.success) return r.data;
  throw new LoadSpecError(r.error.issues.map((i) => ({ path: formatPath(i.path, root), message: i.message })));
}

// ---------- building sources ----------

/** Converts a parsed service spec (ms numbers) into the `serviceTime` spec type. */
export function toServiceTimeSpec(s: z.output<typeof serviceSchema>): ServiceTimeSpec {
  if (s.constant !== undefined) return { constant: s.constant };
  if (s.exponential !== undefined) return { exponential: s.exponential };
  if (s.lognormal !== undefined) return { lognormal: s.lognormal };
  if (s.uniform !== undefined) return { uniform: s.uniform };
  return { empirical: s.empirical ?? {} };
}

export interface BuildOptions {
  /** Parent stream; every phase forks two child streams (arrivals, service times) from it, in order. */
  random: Random;
  /** Directory that relative trace paths are resolved against (the scenario file's directory). */
  baseDir: string;
  /** Target for phases without one (e.g. the scenario's first service URL). */
  defaultTarget?: string;
  /** Simulated time that `at: 0` maps to (when the load starts after some scenario steps). Default 0. */
  originMs?: number;
}

export interface BuiltLoad {
  /** All open-loop phases (requests, traces, events) merged in time order. */
  source: ArrivalSource;
  /** One per `hey` phase; the simulator drives them (see ClosedLoopClients). */
  closedLoop: ClosedLoopClients[];
  /** When each phase starts and ends (ms; `end` may be Infinity for a trace of unknown length). */
  phases: { name: string; startMs: number; endMs: number; kind: GeneratorKey }[];
}

/**
 * Builds the arrival sources of a raw `load:` value (plain data from YAML, durations as strings):
 * validates it with `parseLoadSpec`, then `buildParsedLoad`. Phases without `at` start where the
 * previous phase ended (a sequence); phases with `at` overlay (merge).
 */
export function buildLoad(raw: unknown, o: BuildOptions): BuiltLoad {
  return buildParsedLoad(parseLoadSpec(raw), o);
}

/** `buildLoad` for a spec already validated by `parseLoadSpec` (durations in ms). */
export function buildParsedLoad(phases: LoadSpec, o: BuildOptions): BuiltLoad {
  const sources: ArrivalSource[] = [];
  /** The client timeout of each source's phase (0: none). */
  const timeouts: number[] = [];
  /** The headers of each source's phase (undefined: none). */
  const headers: (Readonly<Record<string, string>> | undefined)[] = [];
  const closedLoop: ClosedLoopClients[] = [];
  const table: BuiltLoad['phases'] = [];
  const origin = o.originMs ?? 0;
  let prevEnd = origin;
  // A fleet replays the same few trace functions in thousands of phases: each function is read
  // (and its durations made a sampler) once, and its counts shared (sources only read them).
  const invocations = new Map<string, ReturnType<typeof readAzure2019Invocations>>();
  const durations = new Map<string, Sampler>();
  phases.forEach((p, i) => {
    const key = GENERATOR_KEYS.find((k) => p[k] !== undefined) as GeneratorKey;
    const name = p.name ?? `load[${i}] ${key}`;
    const random = forkRandom(o.random);
    const serviceRandom = forkRandom(o.random);
    const startMs = p.at !== undefined ? origin + p.at : prevEnd;
    if (!Number.isFinite(startMs)) {
      throw new LoadSpecError([
        { path: `load[${i}].at`, message: 'the previous phase has no known end; give this phase an `at`' },
      ]);
    }
    const service: Sampler = makeServiceTime(p.service ? toServiceTimeSpec(p.service) : DEFAULT_SERVICE_TIME);
    const target = p.target ?? o.defaultTarget;
    const base: PhaseOptions = {
      startMs,
      durationMs: p.for ?? Number.POSITIVE_INFINITY,
      random,
      serviceRandom,
      service,
      ...(target !== undefined ? { target } : {}),
    };
    let endMs = startMs + (p.for ?? Number.POSITIVE_INFINITY);
    const file = (f: string) => ({ path: isAbsolute(f) ? f : resolve(o.baseDir, f), file: f });
    const at = (path: string) => `load[${i}].${path}`;
    const sourcesBefore = sources.length;
    try {
      switch (key) {
        case 'poisson':
          sources.push(new PoissonSource(base, p.poisson!.rps));
          break;
        case 'constant':
          sources.push(new ConstantRateSource(base, p.constant!.rps));
          break;
        case 'ramp':
          sources.push(new RampSource(base, p.ramp!.from, p.ramp!.to));
          break;
        case 'steps': {
          const steps = p.steps!.map((s) => ({ durationMs: s.for, rps: s.rps }));
          const total = steps.reduce((a, s) => a + s.durationMs, 0);
          if (p.for === undefined) endMs = startMs + total;
          sources.push(new StepsSource({ ...base, durationMs: endMs - startMs }, steps, p.process ?? 'poisson'));
          break;
        }
        case 'bursts':
          sources.push(new BurstSource(base, p.bursts!.every, p.bursts!.count, p.bursts!.within));
          break;
        case 'sine': {
          const s = p.sine!;
          sources.push(
            new SineSource(base, {
              meanRps: s.mean,
              amplitudeRps: s.amplitude,
              periodMs: s.period,
              ...(s.phase !== undefined ? { phaseMs: s.phase } : {}),
            }),
          );
          break;
        }
        case 'hey': {
          const h = p.hey!;
          closedLoop.push(
            new ClosedLoopClients({
              concurrency: h.concurrency,
              startMs,
              ...(p.for !== undefined ? { durationMs: p.for } : {}),
              ...(h.requests !== undefined ? { maxRequests: h.requests } : {}),
              ...(h.qps !== undefined ? { qpsPerClient: h.qps } : {}),
              ...(h.think !== undefined ? { think: makeServiceTime(toServiceTimeSpec(h.think)) } : {}),
              random,
              serviceRandom,
              service,
              ...(target !== undefined ? { target } : {}),
              timeoutMs: h.timeout ?? HEY_TIMEOUT_MS,
              ...(p.headers !== undefined ? { headers: p.headers } : {}),
            }),
          );
          break;
        }
        case 'trace': {
          const t = p.trace!;
          if (t.format === 'azure2019') {
            const fnKey = `${file(t.invocations).path}\u0000${JSON.stringify(t.function)}`;
            let fn = invocations.get(fnKey);
            if (!fn) {
              fn = readAzure2019Invocations(file(t.invocations), t.function);
              invocations.set(fnKey, fn);
            }
            let svc = service;
            if (t.durations !== undefined) {
              const dKey = [file(t.durations).path, fn.func, fn.app, fn.owner, t.durationModel].join('\u0000');
              let sampler = durations.get(dKey);
              if (!sampler) {
                sampler = durationSampler(
                  readAzure2019Durations(file(t.durations), { func: fn.func, app: fn.app, owner: fn.owner }),
                  t.durationModel,
                );
                durations.set(dKey, sampler);
              }
              svc = sampler;
            }
            const from = t.fromMinute ?? 0;
            const minutes = Math.max(0, Math.min(t.minutes ?? fn.counts.length - from, fn.counts.length - from));
            const scale = t.rateScale ?? 1;
            for (let m = from; m < from + minutes; m++) {
              const perSecond = ((fn.counts[m] ?? 0) * scale) / 60;
              if (perSecond > MAX_RPS) {
                throw new LoadSpecError([
                  {
                    path: at('trace'),
                    message: tooFast(
                      `minute ${m + 1} of ${t.invocations}: ${n(fn.counts[m] ?? 0)} invocations × rateScale ${scale} = ${n(Math.round(perSecond))} requests per second`,
                    ),
                  },
                ]);
              }
            }
            if (p.for === undefined) endMs = startMs + minutes * 60_000;
            sources.push(
              new Azure2019Source({ ...base, durationMs: endMs - startMs, service: svc }, fn.counts, {
                spread: t.spread,
                fromMinute: from,
                minutes,
                ...(t.rateScale !== undefined ? { rateScale: t.rateScale } : {}),
              }),
            );
          } else {
            sources.push(
              new Azure2021Source(file(t.file), {
                startMs,
                ...(p.for !== undefined ? { durationMs: p.for } : {}),
                ...(t.function !== undefined ? { func: t.function } : {}),
                ...(t.app !== undefined ? { app: t.app } : {}),
                ...(t.timeScale !== undefined ? { timeScale: t.timeScale } : {}),
                ...(t.origin !== undefined ? { originS: t.origin / 1000 } : {}),
                ...(t.reorderWindow !== undefined ? { reorderWindowS: t.reorderWindow / 1000 } : {}),
                ...(target !== undefined ? { target } : {}),
                ...(t.useTraceDurations ? {} : { service, serviceRandom }),
              }),
            );
          }
          break;
        }
        case 'ping':
          sources.push(new PingSourceArrivals(base, p.ping!.schedule));
          break;
        case 'cloudevents':
          sources.push(cloudEventsSource(base, p.cloudevents!.rps, p.cloudevents!.process));
          break;
      }
    } catch (e) {
      if (e instanceof LoadSpecError) throw e;
      if (e instanceof Error && e.name === 'TraceError') throw e;
      throw new LoadSpecError([{ path: at(key), message: (e as Error).message }]);
    }
    if (sources.length > sourcesBefore) {
      timeouts.push(p.timeout ?? 0);
      headers.push(p.headers);
    }
    table.push({ name, startMs, endMs, kind: key });
    prevEnd = endMs;
  });
  // A phase's client timeout rides on its arrivals; every source sets it when one phase has one
  // (a source that writes into a reused arrival would otherwise pass another phase's on).
  if (timeouts.some((t) => t > 0)) {
    for (let i = 0; i < sources.length; i++) sources[i] = new WithClientTimeout(sources[i]!, timeouts[i]!);
  }
  // The same for a phase's headers.
  if (headers.some((h) => h !== undefined)) {
    for (let i = 0; i < sources.length; i++) sources[i] = new WithHeaders(sources[i]!, headers[i]);
  }
  const source = sources.length === 0 ? EMPTY_SOURCE : sources.length === 1 ? sources[0]! : new MergeSource(sources);
  return { source, closedLoop, phases: table };
}
