/** `knsim start` (what `npm start` runs): the seed walk-through. */
import type { Command } from 'commander';
import { parseSeed } from '../args.js';
import { listenForStop } from '../interrupts.js';
import type { CommandContext } from './context.js';
import { SEED_SCENARIO } from './context.js';
import { isInteractiveTerminal, openTui } from './tui.js';

export function registerStart(program: Command, ctx: CommandContext): void {
  program
    .command('start')
    .description('replay the seed walk-through (an interactive screen on a terminal, a transcript otherwise)')
    .option('-s, --seed <n>', 'random seed', parseSeed)
    .action(async (opts: { seed?: number }) => {
      if (isInteractiveTerminal()) {
        ctx.setExitCode(await openTui(SEED_SCENARIO, opts.seed !== undefined ? { seed: opts.seed } : {}));
        return;
      }
      const { runScenarioFile } = await import('../../runner/simulate.js');
      const signals = listenForStop();
      try {
        const outcome = await runScenarioFile(SEED_SCENARIO, {
          ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
          write: (s) => process.stdout.write(s),
          stop: signals.stop,
        });
        if (outcome.stopped) process.stderr.write(`knsim: ${outcome.stopped.message}\n`);
        ctx.setExitCode(outcome.stopped?.exitCode ?? (outcome.ok ? 0 : 1));
      } finally {
        signals.dispose();
      }
    });
}
