#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so a clone needs no build step.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// tsx looks for tsconfig.json from the working directory; knsim's own settings (the react-jsx
// transform of the screen) must apply wherever it is started from. Worker threads inherit this.
process.env.TSX_TSCONFIG_PATH = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
