/** `knsim run <scenario>`: the scenario in the simulator at full speed, with its transcript. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseSeed } from '../args.js';
import { runScenarioFile } from '../run.js';
import type { CommandContext } from './context.js';

export function registerRun(program: Command, ctx: CommandContext): void {
  program
    .command('run')
    .description('run a scenario in the simulator at full speed and print its transcript')
    .argument('<scenario>', 'scenario YAML file')
    .option('-s, --seed <n>', 'random seed (default: the scenario seed, else 1)', parseSeed)
    .option('-l, --log <file>', 'write the event log (JSON Lines) to this file')
    .option('--json', 'print the results as JSON instead of the transcript')
    .action(async (file: string, opts: { seed?: number; log?: string; json?: boolean }) => {
      const outcome = await runScenarioFile(file, {
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        write: opts.json ? undefined : (s) => process.stdout.write(s),
      });
      if (opts.log) writeFileSync(opts.log, outcome.log);
      if (opts.json) process.stdout.write(`${JSON.stringify(outcome.results, null, 2)}\n`);
      ctx.setExitCode(outcome.ok ? 0 : 1);
    });
}
