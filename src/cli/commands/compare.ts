/** `knsim compare <a.jsonl> <b.jsonl>`: two runs side by side (usually sim and live). */
import type { Command } from 'commander';
import type { CommandContext } from './context.js';

export function registerCompare(program: Command, ctx: CommandContext): void {
  program
    .command('compare')
    .description(
      'compare two event logs side by side (e.g. knsim run --log and knsim live --log): pods, scale to zero, cold starts, errors',
    )
    .argument('<first.jsonl>', 'event log, usually the simulation')
    .argument('<second.jsonl>', 'event log, usually the live run')
    .option('--json', 'print the summaries and the comparison rows as JSON')
    .action(async (first: string, second: string, opts: { json?: boolean }) => {
      const { readLog, renderComparison, summarize, summaryJSON } = await import('../../compare/index.js');
      const warn = (m: string) => process.stderr.write(`knsim compare: ${m}\n`);
      const a = summarize(readLog(first, warn));
      const b = summarize(readLog(second, warn));
      const report = renderComparison(a, b);
      if (opts.json)
        process.stdout.write(
          `${JSON.stringify({ first: summaryJSON(a), second: summaryJSON(b), rows: report.rows }, null, 2)}\n`,
        );
      else process.stdout.write(report.text);
      ctx.setExitCode(0);
    });
}
