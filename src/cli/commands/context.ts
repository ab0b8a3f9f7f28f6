import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What every command module gets: a way to set the process exit code. */
export interface CommandContext {
  setExitCode(code: number): void;
}

/** The scenario `npm start` replays. */
export const SEED_SCENARIO = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../scenarios/seed-walkthrough.yaml',
);
