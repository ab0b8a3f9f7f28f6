/**
 * Semantic colours: named for what they mean, mapped to the terminal's own ANSI palette so they
 * read on dark and light backgrounds alike (no black or white text; "muted" is dim, not grey).
 */

import type { ChartRole } from './model/chart.js';
import type { Tone } from './narrate.js';

/** An ink colour name, or undefined for the terminal's default foreground. */
export type Colour = 'cyan' | 'green' | 'yellow' | 'red' | 'magenta' | 'blue' | undefined;

export const theme = {
  accent: 'cyan',
  title: 'cyan',
  key: 'cyan',
  status: { ok: 'green', warn: 'yellow', bad: 'red', info: undefined as Colour },
  tone: {
    info: undefined,
    good: 'green',
    warn: 'yellow',
    bad: 'red',
    step: 'cyan',
  } satisfies Record<Tone, Colour>,
  chart: {
    ready: 'green',
    pending: 'yellow',
    terminating: 'red',
    desired: 'cyan',
    rps: 'cyan',
    concurrency: 'magenta',
    panic: 'red',
    activator: 'magenta',
    baseline: undefined,
    cursor: 'yellow',
    empty: undefined,
  } satisfies Record<ChartRole, Colour>,
} as const;

/** Roles drawn dim (structure rather than data). */
export function isMutedRole(role: ChartRole): boolean {
  return role === 'baseline';
}
