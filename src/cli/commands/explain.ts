/** `knsim explain <log>`: why the autoscaler did what it did, in plain words, from an event log. */
import type { Command } from 'commander';
import { UserError } from '../../io/errors.js';
import type { CommandContext } from './context.js';

export function registerExplain(program: Command, ctx: CommandContext): void {
  program
    .command('explain')
    .description('explain, in plain words, why the autoscaler did what it did (from a knsim run --log file)')
    .argument('<log>', 'event log (JSON Lines) written by knsim run --log')
    .option('-r, --revision <name>', 'only this revision')
    .option('--at <time>', 'the moment to explain: run time such as 64s, 1m4s, or milliseconds')
    .action(async (file: string, opts: { revision?: string; at?: string }) => {
      const { explainLog, parseAt } = await import('../../explain/explain.js');
      const { ExplainError, readExplainLogFile } = await import('../../explain/log.js');
      try {
        const atMs = opts.at !== undefined ? parseAt(opts.at) : undefined;
        const log = readExplainLogFile(file, { warn: (m) => process.stderr.write(`knsim explain: ${m}\n`) });
        process.stdout.write(
          explainLog(log, {
            ...(opts.revision !== undefined ? { revision: opts.revision } : {}),
            ...(atMs !== undefined ? { atMs } : {}),
          }),
        );
        ctx.setExitCode(0);
      } catch (e) {
        if (e instanceof ExplainError) throw new UserError(e.message, 2);
        throw e;
      }
    });
}
