/** How a run is printed: each step with its run time, then its output as the real tool prints it. */

/** `00:04.512`, or `1:02:03.000` past an hour. */
export function formatRunTime(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = Math.floor((total % 60_000) / 1000);
  const milli = total % 1000;
  const mm = String(m).padStart(2, '0');
  const ss = `${String(s).padStart(2, '0')}.${String(milli).padStart(3, '0')}`;
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** `4.5 s`, `63.0 s`, `2 min 3 s`: a duration for prose. */
export function formatSeconds(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s === 0 ? `${m} min` : `${m} min ${s} s`;
}

export function commandLine(at: number, command: string): string {
  return `[${formatRunTime(at)}] $ ${command}\n`;
}

export function commentLine(at: number, text: string): string {
  return `[${formatRunTime(at)}] # ${text}\n`;
}

/** A tiny bar chart of a series, one character per value. */
export function sparkline(values: readonly number[], width = 60): string {
  if (values.length === 0) return '';
  const bars = '▁▂▃▄▅▆▇█';
  const step = Math.max(1, Math.ceil(values.length / width));
  const points: number[] = [];
  for (let i = 0; i < values.length; i += step) {
    let m = 0;
    for (let j = i; j < Math.min(values.length, i + step); j++) if (values[j]! > m) m = values[j]!;
    points.push(m);
  }
  const max = points.reduce((a, b) => Math.max(a, b), 0);
  return points
    .map((v) => (v === 0 ? ' ' : bars[Math.min(bars.length - 1, Math.ceil((v / max) * bars.length) - 1)]))
    .join('');
}
