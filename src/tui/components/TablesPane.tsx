import { Box, Text } from 'ink';
import type { KubectlTable } from '../model/tables.js';
import { theme } from '../theme.js';

/** `… and 12 more pods (↓)`, or with rows scrolled away: `12 above, 8 below (↑/↓)`. */
function moreLine(table: KubectlTable): string {
  const above = table.above ?? 0;
  if (above === 0) return `… and ${table.hidden} more ${table.noun}${table.noun === 'pods' ? ' (↓ to scroll)' : ''}`;
  return `… ${above} ${table.noun} above, ${table.hidden} below (↑/↓ to scroll)`;
}

/** kubectl's tables as they are at the moment shown, already cut to fit. */
export function TablesPane({ tables, height }: { readonly tables: readonly KubectlTable[]; readonly height: number }) {
  return (
    <Box flexDirection="column" height={height} overflowY="hidden">
      <Box flexDirection="column" flexShrink={0}>
        {tables.map((table, i) => (
          <Box key={table.command} flexDirection="column" marginTop={i > 0 ? 1 : 0}>
            <Text wrap="truncate-end">
              <Text color={theme.accent}>$ </Text>
              <Text bold>{table.command}</Text>
            </Text>
            {/* One Text per table: ink's cost grows with the number of nodes, not lines. */}
            <Text bold wrap="truncate-end">
              {table.lines[0] ?? ''}
            </Text>
            {table.lines.length > 1 && <Text wrap="truncate-end">{table.lines.slice(1).join('\n')}</Text>}
            {(table.hidden > 0 || (table.above ?? 0) > 0) && (
              <Text dimColor wrap="truncate-end">
                {moreLine(table)}
                {table.summary
                  ? ` (${table.lines.length - 1 + table.hidden + (table.above ?? 0)} in all: ${table.summary})`
                  : ''}
              </Text>
            )}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
