import { Box, Text } from 'ink';
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
}

function latency(ms: number | undefined, approximate: boolean): string {
  if (ms === undefined) return '–';
  return `${approximate ? '≈' : ''}${formatSeconds(ms)}`;
}

/** Where requests are right now, and how the finished ones went. */
export function RequestsPane({ revision, sample, stats, height }: RequestsPaneProps) {
  const held = sample?.activatorQueue ?? 0;
  const failed = stats.status503 + stats.status504 + stats.errors;
  const sampled = stats.arrivalsLogged < stats.arrivalsFromSamples;
  // Logs written with request events off still have the per-second samples.
  const unrecorded = stats.arrivalsLogged === 0 && stats.answered === 0 && stats.arrivalsFromSamples > 0;
  return (
    <Box flexDirection="column" height={height} overflowY="hidden">
      <Box flexDirection="column" flexShrink={0}>
        <Text wrap="truncate-end">
          <Text bold color={theme.title}>
            Requests
          </Text>
          <Text dimColor> {revision ?? ''}</Text>
        </Text>
        <Text wrap="truncate-end">
          held by the activator <Text color={held > 0 ? theme.status.warn : undefined}>{held}</Text>
          {' · '}in queue-proxies {sample?.queueProxyQueue ?? 0}
        </Text>
        <Text wrap="truncate-end">
          in flight {sample?.inFlight ?? 0} · {sample?.rps ?? 0} req/s · concurrency {sample?.concurrency ?? 0}
        </Text>
        {unrecorded ? (
          <Text wrap="truncate-end" dimColor>
            answered, latency: not in this log (it has no request events)
          </Text>
        ) : (
          <>
            <Text wrap="truncate-end">
              answered <Text bold>{stats.answered}</Text>: <Text color={theme.status.ok}>{stats.ok} ok</Text>
              {' · '}
              <Text color={stats.status503 > 0 ? theme.status.bad : undefined}>{stats.status503} × 503</Text>
              {' · '}
              <Text color={stats.status504 > 0 ? theme.status.bad : undefined}>{stats.status504} × 504</Text>
              {stats.errors > 0 && <Text color={theme.status.bad}> · {stats.errors} errors</Text>}
            </Text>
            <Text wrap="truncate-end">
              latency p50 {latency(stats.p50, stats.approximate)} · p95 {latency(stats.p95, stats.approximate)} · p99{' '}
              {latency(stats.p99, stats.approximate)}
            </Text>
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
          </>
        )}
        <Text wrap="truncate-end" dimColor>
          {stats.arrivalsFromSamples} arrived so far
          {sampled && !unrecorded ? ` (the log keeps ${stats.arrivalsLogged} as request events)` : ''}
        </Text>
      </Box>
    </Box>
  );
}
