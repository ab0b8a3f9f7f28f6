/** The `settings:` section: the simulator's knobs (pod start-up, networking layer, the app). */
import * as z from 'zod';
import { bytesFrom, clusterSchema, imagesSchema } from './cluster.js';
import {
  conv,
  duration,
  durationFrom,
  isPlainObject,
  oneOf,
  PathError,
  PathErrors,
  strict,
  stringFrom,
  unknownKey,
} from './fields.js';
import { describeValue } from './issues.js';
import type { DurationDist, NetworkingLayer, PodStartupPhases, ScenarioSettings } from './types.js';

function spreadFrom(v: unknown, path: (string | number)[]): number {
  if (typeof v !== 'number' || v < 0 || v > 1) {
    throw new PathError(path, `expected a number from 0 to 1 (relative spread), got ${describeValue(v)}`);
  }
  return v;
}

function durationDistFrom(v: unknown): DurationDist {
  if (typeof v === 'string' || typeof v === 'number') return { kind: 'fixed', ms: durationFrom(v) };
  if (!isPlainObject(v)) {
    throw new PathError(
      [],
      `expected a duration ("2s"), { median: 2s, spread: 0.3 } or { min: 1s, max: 3s }, got ${describeValue(v)}`,
    );
  }
  const keys = Object.keys(v);
  const allowed =
    'median' in v
      ? ['median', 'spread']
      : 'min' in v || 'max' in v
        ? ['min', 'max']
        : ['median', 'spread', 'min', 'max'];
  for (const k of keys) if (!allowed.includes(k)) throw unknownKey([k], k, allowed);
  const dur = (k: string) => {
    if (v[k] === undefined) throw new PathError([], `missing required field ${JSON.stringify(k)}`);
    try {
      return durationFrom(v[k]);
    } catch (e) {
      throw new PathError([k], (e as Error).message);
    }
  };
  if ('median' in v) {
    const spread = spreadFrom(v.spread ?? 0, ['spread']);
    return { kind: 'median', medianMs: dur('median'), spread };
  }
  if (keys.length === 0)
    throw new PathError([], 'expected { median: 2s, spread: 0.3 } or { min: 1s, max: 3s }, got an empty mapping');
  const minMs = dur('min');
  const maxMs = dur('max');
  if (maxMs < minMs) throw new PathError(['max'], `max (${v.max}) is less than min (${v.min})`);
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
  if (!isPlainObject(v) || !Object.keys(PHASES).some((k) => k in v)) return durationDistFrom(v);
  const out: PodStartupPhases = { kind: 'phases' };
  const allowed = [...Object.keys(PHASES), 'spread'];
  const errors: PathError[] = [];
  for (const [k, val] of Object.entries(v)) {
    try {
      if (k === 'spread') out.spread = spreadFrom(val, [k]);
      else if (k in PHASES) {
        try {
          out[PHASES[k as keyof typeof PHASES]] = durationFrom(val);
        } catch (e) {
          throw new PathError([k], (e as Error).message);
        }
      } else throw unknownKey([k], k, allowed);
    } catch (e) {
      if (!(e instanceof PathError)) throw e;
      errors.push(e);
    }
  }
  if (errors.length > 0) throw new PathErrors(errors);
  return out;
});

/** An app's `after` (crashImages, hangImages): its median or midpoint, and the spread each pod draws from. */
function afterFields(given: DurationDist | undefined): {
  afterMs: number;
  afterSpread?: { kind: 'median'; spread: number } | { kind: 'range'; minMs: number; maxMs: number };
} {
  const after: DurationDist = given ?? { kind: 'fixed', ms: 0 };
  return {
    afterMs:
      after.kind === 'fixed'
        ? after.ms
        : after.kind === 'median'
          ? after.medianMs
          : Math.round((after.minMs + after.maxMs) / 2),
    ...(after.kind === 'median' ? { afterSpread: { kind: 'median' as const, spread: after.spread } } : {}),
    ...(after.kind === 'range'
      ? { afterSpread: { kind: 'range' as const, minMs: after.minMs, maxMs: after.maxMs } }
      : {}),
  };
}

export function settingsSchema(ext: Record<string, z.ZodType> = {}) {
  return strict({
    podStartup: podStartup.optional(),
    drain: duration.optional(),
    ingressProgramming: duration.optional(),
    reconcileDelay: duration.optional(),
    activatorProbePeriod: duration.optional(),
    // The activator's HPA (config/core/deployments/activator-hpa.yaml) scales it from 1 to 20.
    activators: z.number().int().min(1).max(20).optional(),
    missingImages: z.array(z.string()).optional(),
    crashImages: z
      .array(
        strict({
          image: z.string(),
          exitCode: z.number().int().min(0).max(255).optional(),
          message: z.string().optional(),
          after: durationDist.optional(),
          unlessEnv: z.string().optional(),
        }),
      )
      .transform((list) =>
        list.map((c) => ({
          image: c.image,
          exitCode: c.exitCode ?? 1,
          message: c.message ?? '',
          ...afterFields(c.after),
          ...(c.unlessEnv !== undefined ? { unlessEnv: c.unlessEnv } : {}),
        })),
      )
      .optional(),
    // Apps that stop answering (docs/conformance.md "Liveness kills and the progress deadline").
    hangImages: z
      .array(
        strict({
          image: z.string(),
          after: durationDist.optional(),
          unlessEnv: z.string().optional(),
          onSigterm: oneOf(['exit', 'ignore'] as const).optional(),
        }),
      )
      .transform((list) =>
        list.map((h) => ({
          image: h.image,
          ...afterFields(h.after),
          ...(h.unlessEnv !== undefined ? { unlessEnv: h.unlessEnv } : {}),
          onSigterm: h.onSigterm ?? ('exit' as const),
        })),
      )
      .optional(),
    cluster: clusterSchema.optional(),
    images: imagesSchema.optional(),
    networking: oneOf(NETWORKING).optional(),
    app: strict({
      response: conv(stringFrom('a string')).optional(),
      status: z.number().int().min(100).max(599).optional(),
      serviceTime: durationDist.optional(),
      workers: z.number().int().min(0).optional(),
      responseStart: duration.optional(),
      cpu: conv((v) => {
        if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
          throw new PathError(
            [],
            `expected the share of a request's time spent on the CPU, from 0 to 1, got ${describeValue(v)}`,
          );
        }
        return v;
      }).optional(),
      memory: conv((v) => {
        if (!isPlainObject(v)) {
          throw new PathError([], `expected { base: 64Mi, perRequest: 1Mi }, got ${describeValue(v)}`);
        }
        const errors: PathError[] = [];
        const read = (k: string) => {
          if (v[k] === undefined) return 0;
          try {
            return bytesFrom(v[k], 'a memory size such as "64Mi"');
          } catch (e) {
            if (!(e instanceof PathError)) throw e;
            errors.push(new PathError([k], e.message));
            return 0;
          }
        };
        for (const k of Object.keys(v))
          if (k !== 'base' && k !== 'perRequest') errors.push(unknownKey([k], k, ['base', 'perRequest']));
        const out = { baseBytes: read('base'), perRequestBytes: read('perRequest') };
        if (errors.length > 0) throw new PathErrors(errors);
        return out;
      }).optional(),
    }).optional(),
    ...ext,
  });
}

const SETTINGS_RENAMES: Record<string, string> = {
  drain: 'drainMs',
  ingressProgramming: 'ingressProgrammingMs',
  reconcileDelay: 'reconcileDelayMs',
  activatorProbePeriod: 'activatorProbePeriodMs',
};

/** The validated `settings:` as the simulator reads them (durations in ms). */
export function settingsOut(raw: Record<string, unknown> | undefined): ScenarioSettings {
  const out: ScenarioSettings = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (v === undefined) continue;
    if (k === 'app' && isPlainObject(v)) {
      const { serviceTime, responseStart, ...rest } = v;
      out.app = {
        ...rest,
        ...(serviceTime !== undefined ? { serviceTime: serviceTime as DurationDist } : {}),
        ...(responseStart !== undefined ? { responseStartMs: responseStart as number } : {}),
      };
    } else out[SETTINGS_RENAMES[k] ?? k] = v;
  }
  return out;
}
