#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so a clone needs no build step.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// A reader that goes away (`knsim run … | head -1`) ends the command quietly, as a closed pipe
// ends any Unix tool (SIGPIPE: exit 128 + 13), instead of a stack trace and a run nobody reads.
// Node ignores SIGPIPE itself and reports EPIPE as an 'error' event on the stream.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(141);
  throw e;
});
process.stderr.on('error', (e) => {
  if (e.code !== 'EPIPE') throw e;
});

// tsx looks for tsconfig.json from the working directory; knsim's own settings (the react-jsx
// transform of the screen) must apply wherever it is started from. Worker threads inherit this.
process.env.TSX_TSCONFIG_PATH = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
