import { Box, Text } from 'ink';
import { Fragment } from 'react';
import type { ChartRole, ChartRow, ChartSegment, LegendItem } from '../model/chart.js';
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
  /** The legend, packed into lines that fit (model/chart.ts legendLines). */
  readonly legend: readonly (readonly LegendItem[])[];
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
          {props.revision ?? 'no revision'} · {props.fromLabel} → {props.toLabel} ({props.zoomLabel})
        </Text>
      </Text>
      {props.legend.map((line) => (
        <Text key={line.map((i) => i.label).join()} wrap="truncate-end">
          {line.map((item, i) => (
            <Fragment key={item.label}>
              {i > 0 ? '  ' : ''}
              <Swatch kind={item.role} glyph={item.glyph} fills={props.fills} />
              <Text dimColor> {item.label}</Text>
            </Fragment>
          ))}
        </Text>
      ))}
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
