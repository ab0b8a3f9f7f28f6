/**
 * How many pods the scraper samples each second, and how it turns the sample into a
 * revision-wide total (reference §2 item 2).
 */

/** z² · σ² / ε² for 95 % confidence (z = 1.96), σ = 10, ε = 5: 15.3664. */
const SAMPLE_X = (1.96 * 1.96 * 100) / (5 * 5);

/**
 * Pods to scrape out of `readyPods`: all of them up to 3, otherwise
 * ceil(N·X / (N + X − 1)) with X = 15.3664 (5 → 4, 10 → 7, 100 → 14, 1000 → 16).
 */
export function scrapeSampleSize(readyPods: number): number {
  if (readyPods <= 0) return 0;
  if (readyPods <= 3) return readyPods;
  return Math.ceil((readyPods * SAMPLE_X) / (readyPods + SAMPLE_X - 1));
}

/**
 * The revision-wide total estimated from a sample: sum / sample × ready pods (a sampled pod
 * stands in for the unsampled ones). 0 when nothing was sampled.
 */
export function scaleSampledTotal(sampleSum: number, sampleSize: number, readyPods: number): number {
  if (sampleSize <= 0) return 0;
  return (sampleSum / sampleSize) * readyPods;
}
