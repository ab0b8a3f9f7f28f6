/** `knsim verify <log>`: replays a simulator log through the model and reports the first disagreement. */
import type { Command } from 'commander';
import { UserError } from '../../io/errors.js';
import type { verifyRows } from '../../verify/replay.js';
import type { CommandContext } from './context.js';

export function registerVerify(program: Command, ctx: CommandContext): void {
  program
    .command('verify')
    .description(
      "replay a simulator log (knsim run --log) through the model's autoscaler: exit 0 when every decision and scale step agrees, 1 at the first that does not",
    )
    .argument('<log>', 'event log (JSON Lines) written by knsim run --log')
    .action(async (file: string) => {
      const { logLines } = await import('../../io/logReader.js');
      const { describeResult, VerifyError, verifyRows } = await import('../../verify/replay.js');
      let result: ReturnType<typeof verifyRows>;
      try {
        result = verifyRows(logLines(file, { warn: (m) => process.stderr.write(`knsim verify: ${m}\n`) }), file);
      } catch (e) {
        if (e instanceof VerifyError) throw new UserError(e.message, 2);
        throw e;
      }
      process.stdout.write(describeResult(result, file));
      ctx.setExitCode(result.ok ? 0 : 1);
    });
}
