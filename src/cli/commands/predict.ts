/** `knsim predict <live.jsonl>`: the flags; src/compare/predict.ts runs the scenario and compares. */
import type { Command } from 'commander';
import { listenForStop } from '../interrupts.js';
import { addLimitFlags, type LimitFlags, limitsFrom } from '../limitFlags.js';
import type { CommandContext } from './context.js';

export function registerPredict(program: Command, ctx: CommandContext): void {
  const command = program
    .command('predict')
    .description("re-run a live log's scenario in the simulator (same file, same seed, same load) and compare the two")
    .argument('<live.jsonl>', 'event log written by knsim live --log')
    .option('--scenario <file>', 'the scenario file (default: the one named in the log header)')
    .option('--arrivals', "replay the requests the live run sent (their arrival times) instead of the scenario's load")
    .option('-o, --out <file>', 'also write the simulated event log here')
    .option('--json', 'print the comparison rows as JSON');
  addLimitFlags(command).action(
    async (
      liveFile: string,
      opts: { scenario?: string; arrivals?: boolean; out?: string; json?: boolean } & LimitFlags,
    ) => {
      const { predict } = await import('../../compare/predict.js');
      // Ctrl-C or SIGTERM stops the simulated run; --out then holds the log up to there, with its
      // `end` line, and the command exits with 130 or 143.
      const signals = listenForStop();
      let r: Awaited<ReturnType<typeof predict>>;
      try {
        r = await predict(liveFile, {
          ...(opts.scenario ? { scenario: opts.scenario } : {}),
          ...(opts.arrivals ? { arrivals: true } : {}),
          warn: (m) => process.stderr.write(`knsim predict: ${m}\n`),
          run: { limits: await limitsFrom(opts), stop: signals.stop },
          ...(opts.out ? { logFile: opts.out } : {}),
        });
      } finally {
        signals.dispose();
      }
      if (r.stopped) {
        process.stderr.write(
          `knsim predict: the simulated run ${r.stopped.signal ? `was ${r.stopped.message}` : r.stopped.message.replace(/^the run /, '')}\n`,
        );
        ctx.setExitCode(r.stopped.exitCode);
        return;
      }
      if (opts.json)
        process.stdout.write(`${JSON.stringify({ scenarioFile: r.scenarioFile, rows: r.rows }, null, 2)}\n`);
      else process.stdout.write(r.report);
      ctx.setExitCode(0);
    },
  );
}
