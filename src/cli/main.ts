/**
 * The knsim command line. Every command returns an exit code; user errors (bad files, flags,
 * scenarios) are printed as one clear message, never as a stack trace.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { runScenarioFile } from './run.js';

export const SEED_SCENARIO = resolve(dirname(fileURLToPath(import.meta.url)), '../../scenarios/seed-walkthrough.yaml');

/** An error meant for the user: printed without a stack trace. */
export class UserError extends Error {}

function parseSeed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32) {
    throw new InvalidArgumentError(`expected a whole number from 0 to ${2 ** 32}, got "${value}"`);
  }
  return n;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command();
  program
    .name('knsim')
    .description('Simulate Knative Serving: scale to zero, scale from zero, and why.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });

  program
    .command('run')
    .description('run a scenario in the simulator at full speed and print its transcript')
    .argument('<scenario>', 'scenario YAML file')
    .option('-s, --seed <n>', 'random seed (default: the scenario seed, else 1)', parseSeed)
    .option('-l, --log <file>', 'write the event log (JSON Lines) to this file')
    .option('--json', 'print the results as JSON after the run')
    .action(async (file: string, opts: { seed?: number; log?: string; json?: boolean }) => {
      const outcome = await runScenarioFile(file, {
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        write: opts.json ? undefined : (s) => process.stdout.write(s),
      });
      if (opts.log) writeFileSync(opts.log, outcome.log);
      if (opts.json) process.stdout.write(`${JSON.stringify(outcome.results, null, 2)}\n`);
      exitCode = outcome.ok ? 0 : 1;
    });

  program
    .command('start')
    .description('replay the seed walk-through (an interactive screen on a terminal, a transcript otherwise)')
    .option('-s, --seed <n>', 'random seed', parseSeed)
    .action(async (opts: { seed?: number }) => {
      const outcome = await runScenarioFile(SEED_SCENARIO, {
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        write: (s) => process.stdout.write(s),
      });
      exitCode = outcome.ok ? 0 : 1;
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`knsim: ${(e as Error).message}\n`);
    return 2;
  }
  return exitCode;
}
