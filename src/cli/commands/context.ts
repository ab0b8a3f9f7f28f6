import { ownFile } from '../../io/ownFiles.js';

/** What every command module gets: a way to set the process exit code. */
export interface CommandContext {
  setExitCode(code: number): void;
}

/** The scenario `npm start` replays. */
export const SEED_SCENARIO = ownFile('scenarios/seed-walkthrough.yaml');
