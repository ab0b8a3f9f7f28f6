/**
 * How explanations write numbers: averages, counts, durations.
 */

/**
 * An average with one decimal (`19.9`, `0.0`), or two significant digits when it is small but
 * not zero (`0.017`), so a tiny load that still needs a pod does not read as 0.0.
 */
export function formatAverage(x: number): string {
  if (x !== 0 && Math.abs(x) < 0.05) return String(Number(x.toPrecision(2)));
  return x.toFixed(1);
}

/** A number with at most one decimal, trailing zero dropped (`100`, `19.9`, `2`). */
export function formatCompact(x: number): string {
  const r = Math.round(x * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}

/** `1 pod`, `3 pods`. */
export function pods(n: number, noun = 'pod'): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Milliseconds as seconds: `12 s`, `2.5 s`. */
export function formatSeconds(ms: number): string {
  return `${formatCompact(ms / 1000)} s`;
}
