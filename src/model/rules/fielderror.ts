/**
 * Validation errors as Knative reports them (knative.dev/pkg apis.FieldError) and as kubectl
 * prints a webhook's rejection.
 *
 * Text form: one line per distinct (message, details) pair — `<message>: <path>, <path>` followed
 * by `\n<details>` when there are details. Errors with the same message and details are merged
 * into one line with their paths de-duplicated and sorted; lines are sorted by message, then
 * details (byte order, like Go's sort). Lines are joined with '\n'.
 */

export interface FieldError {
  /** Dotted field path, indices in brackets: `spec.template.spec.containers[0].image`. */
  readonly path: string;
  readonly message: string;
  readonly details?: string;
  /**
   * An error Knative raises with no path (`multi-container is off, …`): ViaField leaves it
   * without one, and it prints as `<message>: `.
   */
  readonly pathless?: true;
}

// ---- constructors with Knative's wording ----

export function missingField(path: string): FieldError {
  return { path, message: 'missing field(s)' };
}

export function disallowedField(path: string): FieldError {
  return { path, message: 'must not set the field(s)' };
}

/** `invalid value: <value>`; Go prints the value with %v (strings unquoted). */
export function invalidValue(value: string | number, path: string, details?: string): FieldError {
  return { path, message: `invalid value: ${value}`, ...(details ? { details } : {}) };
}

/** An error with a message only (Knative's `&apis.FieldError{Message: …}`). */
export function pathlessError(message: string): FieldError {
  return { path: '', message, pathless: true };
}

/** `expected <lower> <= <value> <= <upper>`. */
export function outOfBounds(value: number, lower: number, upper: number, path: string): FieldError {
  return { path, message: `expected ${lower} <= ${value} <= ${upper}` };
}

/** Both of mutually exclusive fields set: one error per path, merged into one line when printed. */
export function multipleOneOf(...paths: string[]): FieldError[] {
  return paths.map((path) => ({ path, message: 'expected exactly one, got both' }));
}

export function missingOneOf(...paths: string[]): FieldError[] {
  return paths.map((path) => ({ path, message: 'expected exactly one, got neither' }));
}

export function invalidKeyName(key: string, path: string, details?: string): FieldError {
  return { path, message: `invalid key name "${key}"`, ...(details ? { details } : {}) };
}

/**
 * Join path segments the way FieldError.ViaField does: dots between fields, indices glued to the
 * preceding field (`spec`, `traffic`, `[0]`, `tag` → `spec.traffic[0].tag`), empty segments dropped.
 */
function joinPath(...segments: string[]): string {
  const out: string[] = [];
  for (const segment of segments) {
    for (const part of segment.split('.')) {
      if (part === '') continue;
      if (out.length > 0 && part.startsWith('[') && part.endsWith(']')) out[out.length - 1] += part;
      else out.push(part);
    }
  }
  return out.join('.');
}

/** Prefix every error's path (ViaField). */
export function via(prefix: string, errors: readonly FieldError[]): FieldError[] {
  return errors.map((e) => (e.pathless ? e : { ...e, path: joinPath(prefix, e.path) }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Knative's FieldError.Error() text for these errors; '' when there are none. */
export function formatFieldErrors(errors: readonly FieldError[]): string {
  const merged = new Map<string, { message: string; details: string; paths: string[] }>();
  for (const e of errors) {
    const details = e.details ?? '';
    const key = `${e.message}\u0000${details}`;
    const entry = merged.get(key);
    if (entry) {
      if (!entry.paths.includes(e.path)) entry.paths.push(e.path);
    } else {
      merged.set(key, { message: e.message, details, paths: [e.path] });
    }
  }
  return [...merged.values()]
    .sort((a, b) => compare(a.message, b.message) || compare(a.details, b.details))
    .map((e) => {
      const line = `${e.message}: ${[...e.paths].sort(compare).join(', ')}`;
      return e.details === '' ? line : `${line}\n${e.details}`;
    })
    .join('\n');
}

/** The admission webhook that validates serving.knative.dev objects. */
export const SERVING_VALIDATION_WEBHOOK = 'validation.webhook.serving.knative.dev';

/**
 * The verb kubectl uses in "error when <verb> "<file>"": `creating` (create, or apply of a new
 * object), `replacing` (replace), `patching` (part of apply's longer message for an existing
 * object). Other words are printed as given.
 */
export type KubectlVerb = 'creating' | 'replacing' | 'patching' | 'updating' | 'applying';

/**
 * What kubectl prints when the Knative webhook rejects an object from a file:
 * `Error from server (BadRequest): error when creating "article.yaml": admission webhook
 * "validation.webhook.serving.knative.dev" denied the request: validation failed: <errors>`.
 */
export function webhookDeniedMessage(verb: KubectlVerb, fileName: string, errors: readonly FieldError[]): string {
  return (
    `Error from server (BadRequest): error when ${verb} "${fileName}": admission webhook ` +
    `"${SERVING_VALIDATION_WEBHOOK}" denied the request: validation failed: ${formatFieldErrors(errors)}`
  );
}
