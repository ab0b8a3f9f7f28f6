/**
 * The flags that raise a simulated run's limits on its work (src/backends/limits.ts), shared by
 * the commands that simulate (run, tui, predict, sweep).
 */
import type { Command } from 'commander';
import { UserError } from '../io/errors.js';
import { DEFAULT_RUN_LIMITS, type RunLimits } from '../io/runLimits.js';
import { parseCount } from './args.js';

export interface LimitFlags {
  /** As typed: parsed when the command runs (the duration parser is not part of start-up). */
  maxTime?: string;
  maxEvents?: number;
  maxRequests?: number;
  maxInFlight?: number;
}

/**
 * An integer with thousands separators, as `toLocaleString('en-US')` writes it (1,000,000), without
 * it: the first locale call loads ICU's number data, ≈ 30 ms of CPU in every command's start-up
 * (these defaults are formatted when the commands are registered, for `--help`).
 */
export const groupThousands = (x: number): string => String(x).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const n = groupThousands;

export function addLimitFlags(command: Command): Command {
  return command
    .option(
      '--max-time <duration>',
      `stop the run at this simulated time (default: ${DEFAULT_RUN_LIMITS.maxTimeMs / 3_600_000}h)`,
    )
    .option(
      '--max-events <n>',
      `stop the run after this many simulated events (default: ${n(DEFAULT_RUN_LIMITS.maxEvents)})`,
      parseCount,
    )
    .option(
      '--max-requests <n>',
      `stop the run after this many requests (default: ${n(DEFAULT_RUN_LIMITS.maxRequests)})`,
      parseCount,
    )
    .option(
      '--max-in-flight <n>',
      `stop the run when this many requests wait for an answer at once (default: ${n(DEFAULT_RUN_LIMITS.maxInFlight)})`,
      parseCount,
    );
}

export async function limitsFrom(flags: LimitFlags): Promise<Partial<RunLimits>> {
  let maxTimeMs: number | undefined;
  if (flags.maxTime !== undefined) {
    const { parseDuration } = await import('../model/duration.js');
    const why = (detail: string) =>
      new UserError(`option '--max-time <duration>' argument '${flags.maxTime}' is invalid. ${detail}`);
    try {
      maxTimeMs = parseDuration(flags.maxTime.trim());
    } catch (e) {
      throw why((e as Error).message);
    }
    if (!(maxTimeMs > 0)) throw why('expected a duration above 0 such as 48h');
  }
  return {
    ...(maxTimeMs !== undefined ? { maxTimeMs } : {}),
    ...(flags.maxEvents !== undefined ? { maxEvents: flags.maxEvents } : {}),
    ...(flags.maxRequests !== undefined ? { maxRequests: flags.maxRequests } : {}),
    ...(flags.maxInFlight !== undefined ? { maxInFlight: flags.maxInFlight } : {}),
  };
}
