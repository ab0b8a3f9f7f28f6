/**
 * Go's strconv parsing, which Knative applies to ConfigMap values and annotations: what text
 * counts as a float, an int32 or a bool.
 */

const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Decimal integer text (no range check). */
export const INT = /^[+-]?\d+$/;

/** Go `strconv.ParseFloat` for decimal text (plus `Inf`/`NaN` like Go); undefined if invalid. */
export function parseGoFloat(text: string): number | undefined {
  if (FLOAT.test(text)) return Number(text);
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (lower === 'nan') return Number.NaN;
  return undefined;
}

/** Go `strconv.ParseInt(text, 10, 32)`; undefined if invalid or outside int32. */
export function parseGoInt32(text: string): number | undefined {
  if (!INT.test(text)) return undefined;
  const n = Number(text);
  if (n < -2147483648 || n > 2147483647) return undefined;
  return n;
}

/** Go `strconv.ParseBool`. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}
