/**
 * The knsim command line. Every command returns an exit code; user errors (bad files, flags,
 * scenarios) are printed as one clear message, never as a stack trace. Each command lives in
 * its own module under ./commands and registers itself here. A command module imports only
 * commander and small helpers at the top; its action loads what it runs (the simulator, the
 * screen, the live backend), so `--help`, `--version` and input errors start fast.
 */
import { Command, CommanderError } from 'commander';
import { isUserError } from '../io/errors.js';
import { registerCompare } from './commands/compare.js';
import type { CommandContext } from './commands/context.js';
import { registerExplain } from './commands/explain.js';
import { registerLive } from './commands/live.js';
import { registerPredict } from './commands/predict.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import { registerStart } from './commands/start.js';
import { registerSweep } from './commands/sweep.js';
import { registerTui } from './commands/tui.js';
import { registerValidate } from './commands/validate.js';
import { registerVerify } from './commands/verify.js';
import { describeError, EXIT_INTERNAL_ERROR } from './errors.js';

/** Each command by its name (the name it registers: `knsim NAME`). */
const COMMANDS: [name: string, register: (program: Command, ctx: CommandContext) => void][] = [
  ['start', registerStart],
  ['run', registerRun],
  ['validate', registerValidate],
  ['explain', registerExplain],
  ['serve', registerServe],
  ['tui', registerTui],
  ['sweep', registerSweep],
  ['live', registerLive],
  ['compare', registerCompare],
  ['predict', registerPredict],
  ['report', registerReport],
  ['verify', registerVerify],
];

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const ctx: CommandContext = { setExitCode: (code) => (exitCode = code) };
  const program = new Command();
  program
    .name('knsim')
    .description('Simulate Knative Serving: scale to zero, scale from zero, and why.')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run knsim --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  // `knsim NAME …` builds only NAME's command: commander parses a command without looking at
  // its siblings, and building all twelve is ≈ 2 % of a short run's CPU. The program's own help
  // and the suggestion for a mistyped name list them all, so anything else builds them all.
  const named = COMMANDS.find(([name]) => name === argv[0]);
  for (const [, register] of named ? [named] : COMMANDS) register(program, ctx);
  for (const command of program.commands) command.exitOverride();

  if (argv.length === 0) {
    // Like kubectl: the bare command prints its help and succeeds.
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    process.stderr.write(`${describeError(e)}\n`);
    if (e instanceof Error && 'exitCode' in e && typeof e.exitCode === 'number') return e.exitCode;
    return isUserError(e) ? 2 : EXIT_INTERNAL_ERROR;
  }
  return exitCode;
}
