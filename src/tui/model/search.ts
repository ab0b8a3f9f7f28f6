/** Binary searches over sorted numeric arrays (times, event positions). */

export type NumberArray = ArrayLike<number>;

/** The number of values <= x (the index of the first value > x). */
export function upperBound(values: NumberArray, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The number of values < x (the index of the first value >= x). */
export function lowerBound(values: NumberArray, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
