import { Box, Text } from 'ink';
import type { ChartRow } from '../model/chart.js';
import { isMutedRole, theme } from '../theme.js';

export interface TimelineProps {
  readonly rows: readonly ChartRow[];
  readonly labelWidth: number;
  readonly fromLabel: string;
  readonly toLabel: string;
  readonly zoomLabel: string;
  readonly revision: string | undefined;
}

/** The pods and load chart with panic / activator strips and the cursor: rows drawn as given. */
export function Timeline(props: TimelineProps) {
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold color={theme.title}>
          Timeline
        </Text>
        <Text dimColor>
          {' '}
          {props.revision ?? 'no revision'} · {props.fromLabel} → {props.toLabel} ({props.zoomLabel}) ·{' '}
        </Text>
        <Text color={theme.chart.ready}>█</Text> ready <Text color={theme.chart.pending}>▒</Text> starting{' '}
        <Text color={theme.chart.terminating}>░</Text> terminating <Text color={theme.chart.desired}>─</Text> desired{' '}
        <Text color={theme.chart.rps}>█</Text> req/s <Text color={theme.chart.concurrency}>•</Text> concurrency
      </Text>
      {props.rows.map((row, r) => (
        // Rows have a fixed order and count for a layout; the index is their identity.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <Text key={r} wrap="truncate-end">
          <Text dimColor>{row.label.padEnd(props.labelWidth).slice(0, props.labelWidth)}</Text>
          {row.segments.map((s, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional
            <Text key={i} color={theme.chart[s.role]} dimColor={s.future || isMutedRole(s.role)}>
              {s.text}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}
