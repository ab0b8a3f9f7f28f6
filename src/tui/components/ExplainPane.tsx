import { Box, Text } from 'ink';
import type { KpaTickEvent } from '../../model/events.js';
import { formatRunTime, formatSeconds } from '../../runner/transcript.js';
import { theme } from '../theme.js';

export interface ExplainPaneProps {
  readonly revision: string | undefined;
  /** The revision's latest autoscaler tick at this moment. */
  readonly tick: KpaTickEvent | undefined;
  readonly t: number;
  readonly height: number;
}

/** Why the autoscaler decided what it did: the explanation lines of its latest tick. */
export function ExplainPane({ revision, tick, t, height }: ExplainPaneProps) {
  const lines = tick?.explain ?? [];
  return (
    <Box flexDirection="column" height={height} overflowY="hidden">
      <Box flexDirection="column" flexShrink={0}>
        <Text wrap="truncate-end">
          <Text bold color={theme.title}>
            Why
          </Text>
          <Text dimColor>
            {' '}
            {tick
              ? `autoscaler at ${formatRunTime(tick.t)} (${formatSeconds(t - tick.t)} ago)`
              : `no autoscaler tick yet${revision ? '' : ' (no revision)'}`}
          </Text>
        </Text>
        {lines.map((line, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: explanation lines are positional
          <Text key={i} wrap="wrap">
            <Text color={theme.accent}>› </Text>
            {line}
          </Text>
        ))}
        {tick && lines.length === 0 && <Text dimColor>this tick carries no explanation</Text>}
      </Box>
    </Box>
  );
}
