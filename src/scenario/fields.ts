/**
 * The scenario's validation style: zod schemas whose issues carry a path relative to the value
 * checked, which the parser maps back to a line and column. Values that need more than zod's
 * built-in checks (durations, expectations, command lines) go through `conv`: a function that
 * converts the value or throws a PathError naming the path below it and the problem.
 */
import * as z from 'zod';
import { CurlParseError } from './curl.js';
import { DurationError, MAX_SCENARIO_MS, parseDuration, tooLongMessage } from './duration.js';
import { type Expectation, ExpectationError, parseExpectation } from './expect.js';
import { describeValue, unknownFieldMessage } from './issues.js';
import { KnParseError } from './kn.js';
import { KubectlParseError } from './kubectl.js';
import { didYouMean } from './shell.js';

export type PathSeg = string | number;

/** Thrown inside `conv` functions to report an issue below the converted value. */
export class PathError extends Error {
  constructor(
    readonly path: PathSeg[],
    message: string,
    /**
     * `unknownKey: true` points at the key, not the value; `offset` into a one-line string;
     * `at` (a path relative to the value checked) and `key` point elsewhere than the path.
     */
    readonly params: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Several PathErrors at once. */
export class PathErrors extends Error {
  constructor(readonly errors: PathError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

const KNOWN_ERRORS = [
  DurationError,
  ExpectationError,
  KubectlParseError,
  KnParseError,
  CurlParseError,
  PathError,
  PathErrors,
];

/** A zod schema that converts any input with `fn`; the errors above become issues. */
export function conv<T>(fn: (v: unknown) => T) {
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
        message: (e as Error).message,
        path: e instanceof PathError ? e.path : [],
        params,
      });
      return z.NEVER;
    }
  });
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** An unknown key as an issue at the key: `unknown field "x" (did you mean "y"?)`. */
export function unknownKey(path: PathSeg[], key: string, known: readonly string[]): PathError {
  return new PathError(path, unknownFieldMessage(key, known), { unknownKey: true });
}

/**
 * An object schema that reports unknown keys one by one, at the key, with a did-you-mean.
 * Written as a transform so that unknown keys are reported even when a field fails.
 */
export function strict<S extends z.ZodRawShape>(shape: S) {
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
    const r = inner.safeParse(v, { jitless: true }); // parsed once (see context.ts)
    if (r.success) return r.data;
    for (const iss of r.error.issues) ctx.addIssue({ ...(iss as z.core.$ZodRawIssue), input: undefined });
    return z.NEVER;
  });
}

export function durationFrom(v: unknown): number {
  if (typeof v === 'number') {
    if (v === 0) return 0;
    throw new PathError([], `invalid duration ${v}: missing unit (write e.g. "${v}s" or "${v}ms")`);
  }
  if (typeof v !== 'string') throw new PathError([], `expected a duration such as "30s", got ${describeValue(v)}`);
  const ms = parseDuration(v);
  if (ms > MAX_SCENARIO_MS) {
    throw new PathError([], tooLongMessage(v));
  }
  return ms;
}

export const duration = conv(durationFrom);
export const requiredDuration = conv((v) => {
  if (v === undefined) throw new PathError([], 'missing required duration');
  return durationFrom(v);
});

export function stringFrom(what: string) {
  return (v: unknown): string => {
    if (typeof v !== 'string') throw new PathError([], `expected ${what}, got ${describeValue(v)}`);
    return v;
  };
}

export function oneOf<T extends string>(values: readonly T[]) {
  return conv((v): T => {
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    const hint = typeof v === 'string' ? didYouMean(v, values) : undefined;
    throw new PathError(
      [],
      `expected one of ${values.join(', ')}, got ${describeValue(v)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}`,
    );
  });
}

export const dns1123Label = conv((v) => {
  const s = stringFrom('a namespace name')(v);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s) || s.length > 63) {
    throw new PathError(
      [],
      `${JSON.stringify(s)} is not a valid namespace name (lowercase letters, digits and "-", at most 63 characters)`,
    );
  }
  return s;
});

export function expectationFrom(v: unknown): Expectation {
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
export const expectation = conv(expectationFrom);
