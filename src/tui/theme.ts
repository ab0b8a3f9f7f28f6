/**
 * Semantic colours: named for what they mean, mapped to the terminal's own ANSI palette so they
 * read on dark and light backgrounds alike: no black or white text, muted text is dim, and grey
 * appears only as the background of chart cells that have not happened yet.
 */

import type { Tone } from '../model/narrate/events.js';
import type { ChartRole } from './model/chart.js';

/** An ink colour name, or undefined for the terminal's default foreground. */
export type Colour = 'cyan' | 'green' | 'yellow' | 'red' | 'magenta' | 'gray' | undefined;

export const theme = {
  accent: 'cyan',
  title: 'cyan',
  key: 'cyan',
  status: { ok: 'green', warn: 'yellow', bad: 'red' },
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
  /** Filled chart cells after the cursor (not happened yet at the moment shown). */
  chartFuture: 'gray' as Colour,
} as const;

const FILL_ROLES: ReadonlySet<ChartRole> = new Set(['ready', 'pending', 'terminating', 'rps', 'panic', 'activator']);

/**
 * Roles drawn as coloured background (blank cells) when the terminal has colours: solid areas
 * read better than block glyphs, and ink lays out plain spaces several times faster.
 */
export function isFillRole(role: ChartRole): boolean {
  return FILL_ROLES.has(role);
}

/** Roles drawn dim (structure rather than data). */
export function isMutedRole(role: ChartRole): boolean {
  return role === 'baseline';
}
