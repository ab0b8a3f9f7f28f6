import { Box, Text } from 'ink';
import { theme } from '../theme.js';

export function TooSmall(props: {
  readonly columns: number;
  readonly rows: number;
  readonly minColumns: number;
  readonly minRows: number;
}) {
  return (
    <Box flexDirection="column">
      <Text color={theme.status.warn}>
        terminal too small ({props.columns}x{props.rows})
      </Text>
      <Text>
        knsim needs at least {props.minColumns}x{props.minRows}; make the window larger.
      </Text>
      <Text dimColor>q quits</Text>
    </Box>
  );
}
