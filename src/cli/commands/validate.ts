/**
 * `knsim validate <scenario>...`: checks scenario files without running them, with the same
 * parser `knsim run` and `knsim live` use, so a file that validates is one they accept.
 */
import type { Command } from 'commander';
import { isUserError } from '../../io/errors.js';
import type { Scenario } from '../../scenario/types.js';
import { describeError } from '../errors.js';
import type { CommandContext } from './context.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `seed-walkthrough: 15 steps, 1 manifest, 1 ConfigMap, 2 final expectations` (counts of 0 left out) */
export function describeScenario(s: Scenario): string {
  const manifests = Object.values(s.files).reduce((n, objects) => n + objects.length, 0);
  const counts: [number, string][] = [
    [s.steps.length, 'step'],
    [s.load.length, 'load phase'],
    [manifests, 'manifest'],
    [Object.keys(s.config).length, 'ConfigMap'],
    [s.expect.length, 'final expectation'],
  ];
  const parts = counts.filter(([n], i) => i === 0 || n > 0).map(([n, word]) => plural(n, word));
  return `${s.name}: ${parts.join(', ')}`;
}

export function registerValidate(program: Command, ctx: CommandContext): void {
  program
    .command('validate')
    .description('check scenario files without running them (exit 0 when all are valid, 2 otherwise)')
    .argument('<scenario...>', 'scenario YAML files')
    .option('-q, --quiet', 'print only the problems')
    .action(async (files: string[], opts: { quiet?: boolean }) => {
      // The scenario parser's one entry point, as every command that reads a scenario uses it.
      const { parseScenarioFile } = await import('../../scenario/file.js');
      let invalid = 0;
      for (const file of files) {
        try {
          const scenario = parseScenarioFile(file);
          if (!opts.quiet) process.stdout.write(`${file}: valid (${describeScenario(scenario)})\n`);
        } catch (e) {
          // Anything but bad input is a bug: let it reach the command line's handler.
          if (!isUserError(e)) throw e;
          invalid++;
          // Scenario errors name file, line and field on each line already.
          process.stderr.write(`${describeError(e).replace(/^knsim: /, '')}\n`);
        }
      }
      if (files.length > 1 && invalid > 0) {
        process.stderr.write(`${plural(invalid, 'file')} of ${files.length} not valid\n`);
      }
      ctx.setExitCode(invalid > 0 ? 2 : 0);
    });
}
