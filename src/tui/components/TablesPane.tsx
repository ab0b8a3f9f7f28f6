import { Box, Text } from 'ink';
import type { KubectlTable } from '../model/tables.js';
import { theme } from '../theme.js';

/** kubectl's tables as they are at the moment shown, already cut to fit. */
export function TablesPane({ tables, height }: { readonly tables: readonly KubectlTable[]; readonly height: number }) {
  return (
    <Box flexDirection="column" height={height} overflow="hidden">
      <Box flexDirection="column" flexShrink={0}>
        {tables.map((table, i) => (
          <Box key={table.command} flexDirection="column" marginTop={i > 0 ? 1 : 0}>
            <Text wrap="truncate-end">
              <Text color={theme.accent}>$ </Text>
              <Text bold>{table.command}</Text>
            </Text>
            {table.lines.map((line, j) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: table lines are positional
              <Text key={j} wrap="truncate-end" bold={j === 0 && table.lines.length > 1}>
                {line === '' ? ' ' : line}
              </Text>
            ))}
            {table.hidden > 0 && (
              <Text dimColor>
                … and {table.hidden} more {table.noun}
              </Text>
            )}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
