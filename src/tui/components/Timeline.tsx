import { Box, Text } from 'ink';
import { Fragment } from 'react';
import type { ChartRole, ChartRow, ChartSegment } from '../model/chart.js';
import { isFillRole, isMutedRole, theme } from '../theme.js';

export interface TimelineProps {
  readonly rows: readonly ChartRow[];
  readonly labelWidth: number;
  readonly fromLabel: string;
  readonly toLabel: string;
  readonly zoomLabel: string;
  readonly revision: string | undefined;
  /** Draw bars as coloured background (colour terminals) instead of block glyphs. */
  readonly fills: boolean;
}

function Segment({ segment, fills }: { readonly segment: ChartSegment; readonly fills: boolean }) {
  if (fills && isFillRole(segment.role)) {
    const bg = segment.future ? theme.chartFuture : theme.chart[segment.role];
    return <Text backgroundColor={bg}>{' '.repeat(segment.text.length)}</Text>;
  }
  return (
    <Text color={theme.chart[segment.role]} dimColor={segment.future || isMutedRole(segment.role)}>
      {segment.text}
    </Text>
  );
}

function Swatch({ kind, glyph, fills }: { readonly kind: ChartRole; readonly glyph: string; readonly fills: boolean }) {
  return <Segment segment={{ text: glyph, role: kind, future: false }} fills={fills} />;
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
        <Swatch kind="ready" glyph="█" fills={props.fills} /> ready{' '}
        <Swatch kind="pending" glyph="▒" fills={props.fills} /> starting{' '}
        <Swatch kind="terminating" glyph="░" fills={props.fills} /> terminating{' '}
        <Swatch kind="desired" glyph="─" fills={props.fills} /> desired{' '}
        <Swatch kind="rps" glyph="█" fills={props.fills} /> req/s{' '}
        <Swatch kind="concurrency" glyph="•" fills={props.fills} /> concurrency{' '}
        <Swatch kind="panic" glyph="█" fills={props.fills} /> panic{' '}
        <Swatch kind="activator" glyph="█" fills={props.fills} /> activator in path
      </Text>
      {/* The plot is one Text (rows joined by newlines): ink's cost grows with the number of nodes. */}
      <Text wrap="truncate-end">
        {props.rows.map((row, r) => (
          // Rows have a fixed order and count for a layout; the index is their identity.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <Fragment key={r}>
            {r > 0 ? '\n' : ''}
            <Text dimColor>{row.label.padEnd(props.labelWidth).slice(0, props.labelWidth)}</Text>
            {row.segments.map((s, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional
              <Segment key={i} segment={s} fills={props.fills} />
            ))}
          </Fragment>
        ))}
      </Text>
    </Box>
  );
}
