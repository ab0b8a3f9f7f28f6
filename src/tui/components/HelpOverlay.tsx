import { Box, Text } from 'ink';
import type { KeyRow } from '../keymap.js';
import { theme } from '../theme.js';

/** Every key and what it does (keymap.keyTable), in place of the screen's body. */
export function HelpOverlay({ rows, height }: { readonly rows: readonly KeyRow[]; readonly height: number }) {
  const width = Math.max(...rows.map((r) => r.keys.length));
  return (
    <Box flexDirection="column" height={height} overflowY="hidden">
      <Text wrap="truncate-end">
        <Text bold color={theme.title}>
          Keys
        </Text>
        <Text dimColor> (? or Esc closes this; every key works here too)</Text>
      </Text>
      {rows.map((r) => (
        <Box key={r.keys}>
          <Box width={width + 2} flexShrink={0}>
            <Text bold color={theme.key}>
              {r.keys}
            </Text>
          </Box>
          <Text wrap="truncate-end">{r.description}</Text>
        </Box>
      ))}
    </Box>
  );
}
