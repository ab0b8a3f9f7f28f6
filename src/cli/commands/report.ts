/** `knsim report <run.jsonl> -o report.html`: a run as one HTML page to look at and share. */
import { closeSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { flagFileError } from '../../io/errors.js';
import { openOutputFile } from '../../io/files.js';
import type { CommandContext } from './context.js';

/** run.jsonl → run.html (beside the log). */
export function defaultReportFile(logFile: string): string {
  return /\.jsonl?$/i.test(logFile) ? logFile.replace(/\.jsonl?$/i, '.html') : `${logFile}.html`;
}

export function registerReport(program: Command, ctx: CommandContext): void {
  program
    .command('report')
    .description(
      'write one self-contained HTML page of a run (knsim run --log or knsim live --log): pods, load, panic and activator, latency over time, cold-start phases, the autoscaler on hover, the scenario',
    )
    .argument('<run.jsonl>', 'event log written by knsim run --log or knsim live --log')
    .option('-o, --out <file>', 'the HTML file to write (default: the log name with .html)')
    .action(async (logFile: string, opts: { out?: string }) => {
      const { reportOfLogFile } = await import('../../report/index.js');
      const out = opts.out ?? defaultReportFile(logFile);
      const { html } = reportOfLogFile(logFile, (m) => process.stderr.write(`knsim report: ${m}\n`));
      const fd = openOutputFile(out, '--out');
      try {
        writeSync(fd, html);
      } catch (e) {
        throw flagFileError(e, '--out', out);
      } finally {
        closeSync(fd);
      }
      process.stderr.write(`knsim report: wrote ${out} (${Math.round(html.length / 1024)} KB); open it in a browser\n`);
      ctx.setExitCode(0);
    });
}
