import { Box, Text } from 'ink';
import { Fragment, type ReactNode, useEffect } from 'react';
import type { SampleEvent } from '../../model/events.js';
import { formatSeconds } from '../../runner/transcript.js';
import type { RequestStats } from '../model/replay.js';
import { theme } from '../theme.js';

export interface RequestsPaneProps {
  readonly revision: string | undefined;
  /** The revision's latest per-second sample at this moment. */
  readonly sample: SampleEvent | undefined;
  readonly stats: RequestStats;
  readonly height: number;
  /** Lines scrolled down (clamped to what there is to see). */
  readonly scroll?: number;
  /** Hears how many lines the pane can scroll (0: everything fits). */
  readonly onScrollLimit?: (max: number) => void;
}

function latency(ms: number | undefined, approximate: boolean): string {
  if (ms === undefined) return '–';
  return `${approximate ? '≈' : ''}${formatSeconds(ms)}`;
}

/** `↕ 3–7 of 8`: which of the pane's lines show, when they do not all fit. */
export function scrollHint(first: number, shown: number, total: number): string {
  return shown < total ? ` ↕ ${first + 1}–${first + shown} of ${total}` : '';
}

/**
 * Where requests are right now, and how the finished ones went. Lines that do not fit scroll
 * (`scroll` lines down); `onScrollLimit` hears how far they can.
 */
export function RequestsPane({ revision, sample, stats, height, scroll = 0, onScrollLimit }: RequestsPaneProps) {
  const held = sample?.activatorQueue ?? 0;
  const failed = stats.status503 + stats.status504 + stats.errors;
  const sampled = stats.arrivalsLogged < stats.arrivalsFromSamples;
  // Logs written with request events off still have the per-second samples.
  const unrecorded = stats.arrivalsLogged === 0 && stats.answered === 0 && stats.arrivalsFromSamples > 0;
  const lines: { key: string; line: ReactNode }[] = [
    {
      key: 'held',
      line: (
        <Text wrap="truncate-end">
          held by the activator <Text color={held > 0 ? theme.status.warn : undefined}>{held}</Text>
          {' · '}in queue-proxies {sample?.queueProxyQueue ?? 0}
        </Text>
      ),
    },
    {
      key: 'flight',
      line: (
        <Text wrap="truncate-end">
          in flight {sample?.inFlight ?? 0} · {sample?.rps ?? 0} req/s · concurrency {sample?.concurrency ?? 0}
        </Text>
      ),
    },
  ];
  if (unrecorded) {
    lines.push({
      key: 'unrecorded',
      line: (
        <Text wrap="truncate-end" dimColor>
          answered, latency: not in this log (it has no request events)
        </Text>
      ),
    });
  } else {
    lines.push(
      {
        key: 'answered',
        line: (
          <Text wrap="truncate-end">
            answered <Text bold>{stats.answered}</Text>: <Text color={theme.status.ok}>{stats.ok} ok</Text>
            {' · '}
            <Text color={stats.status503 > 0 ? theme.status.bad : undefined}>{stats.status503} × 503</Text>
            {' · '}
            <Text color={stats.status504 > 0 ? theme.status.bad : undefined}>{stats.status504} × 504</Text>
            {stats.errors > 0 && <Text color={theme.status.bad}> · {stats.errors} errors</Text>}
          </Text>
        ),
      },
      {
        key: 'latency',
        line: (
          <Text wrap="truncate-end">
            latency p50 {latency(stats.p50, stats.approximate)} · p95 {latency(stats.p95, stats.approximate)} · p99{' '}
            {latency(stats.p99, stats.approximate)}
          </Text>
        ),
      },
      {
        key: 'cold',
        line: (
          <Text wrap="truncate-end">
            cold starts {stats.cold}
            {stats.coldMaxMs !== undefined && <Text dimColor> (slowest {formatSeconds(stats.coldMaxMs)})</Text>}
            {failed > 0 && (
              <Text color={theme.status.bad}>
                {' '}
                · {((failed / Math.max(1, stats.answered)) * 100).toFixed(1)} % failed
              </Text>
            )}
          </Text>
        ),
      },
    );
  }
  lines.push({
    key: 'arrived',
    line: (
      <Text wrap="truncate-end" dimColor>
        {stats.arrivalsFromSamples} arrived so far
        {sampled && !unrecorded ? ` (the log keeps ${stats.arrivalsLogged} as request events)` : ''}
      </Text>
    ),
  });
  const room = Math.max(0, height - 1);
  const limit = Math.max(0, lines.length - room);
  const first = Math.min(scroll, limit);
  const visible = lines.slice(first, first + room);
  // biome-ignore lint/correctness/useExhaustiveDependencies: also after each scroll, so one past the end is taken back
  useEffect(() => onScrollLimit?.(limit), [onScrollLimit, limit, scroll]);
  return (
    <Box flexDirection="column" height={height} overflowY="hidden">
      <Box flexDirection="column" flexShrink={0}>
        <Text wrap="truncate-end">
          <Text bold color={theme.title}>
            Requests
          </Text>
          <Text dimColor>
            {' '}
            {revision ?? ''}
            {scrollHint(first, visible.length, lines.length)}
          </Text>
        </Text>
        {visible.map((l) => (
          <Fragment key={l.key}>{l.line}</Fragment>
        ))}
      </Box>
    </Box>
  );
}
