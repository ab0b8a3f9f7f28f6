import { Box, Text } from 'ink';
import type { HelpItem } from '../keymap.js';
import { theme } from '../theme.js';

/** The keys, as packed by keymap.helpLines: one Text line per packed line. */
export function HelpBar({ lines }: { readonly lines: readonly (readonly HelpItem[])[] }) {
  return (
    <Box flexDirection="column">
      {lines.map((line) => (
        <Text key={line.map((i) => i.keys).join(' ')} wrap="truncate-end">
          {line.map((item, i) => (
            <Text key={item.keys}>
              {i > 0 ? '  ' : ''}
              <Text bold color={theme.key}>
                {item.keys}
              </Text>
              <Text dimColor> {item.label}</Text>
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}
