/** `knsim verify <log>`: replays a simulator log through the model and reports the first disagreement. */
import type { Command } from 'commander';
import { readLogFile, VerifyError } from '../../verify/read.js';
import { describeResult, verifyRows } from '../../verify/replay.js';
import { fileErrorMessage, UserError } from '../errors.js';
import type { CommandContext } from './context.js';

export function registerVerify(program: Command, ctx: CommandContext): void {
  program
    .command('verify')
    .description(
      "replay a simulator log (knsim run --log) through the model's autoscaler: exit 0 when every decision and scale step agrees, 1 at the first that does not",
    )
    .argument('<log>', 'event log (JSON Lines) written by knsim run --log')
    .action(async (file: string) => {
      let result: Awaited<ReturnType<typeof verifyRows>>;
      try {
        result = await verifyRows(readLogFile(file), file);
      } catch (e) {
        if (e instanceof VerifyError) throw new UserError(e.message, 2);
        const problem = fileErrorMessage(e, file);
        if (problem !== undefined) throw new UserError(problem, 2);
        throw e;
      }
      process.stdout.write(describeResult(result, file));
      ctx.setExitCode(result.ok ? 0 : 1);
    });
}
