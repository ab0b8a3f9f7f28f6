/** `knsim live <scenario>`: the flags of a live run (src/runner/live.ts runs it). */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { LiveOptions } from '../../runner/live.js';
import { parseNamespace, parseSeed } from '../args.js';
import type { CommandContext } from './context.js';

/** What the command line can set (commander's parsed options). */
type LiveFlags = Pick<
  LiveOptions,
  'kubeconfig' | 'context' | 'namespace' | 'keep' | 'target' | 'log' | 'image' | 'env' | 'seed' | 'shadow'
> & { autoscalerPod?: string[] };

/** A pod name (a DNS-1123 subdomain, as the API server checks it). */
function collectPod(value: string, previous: string[] = []): string[] {
  if (value.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(value)) {
    throw new InvalidArgumentError(`"${value}" is not a pod name (lowercase letters, digits, '-' and '.')`);
  }
  return [...previous, value];
}

function collectEnv(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected NAME=VALUE, got "${value}"`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

function parseUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    return value.replace(/\/+$/, '');
  } catch {
    throw new InvalidArgumentError(`expected an http:// or https:// URL, got "${value}"`);
  }
}

export function registerLive(program: Command, ctx: CommandContext): void {
  program
    .command('live')
    .description('run a scenario on a real cluster with Knative Serving, writing the same event log as the simulator')
    .argument('<scenario>', 'scenario YAML file')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current context)')
    .option('-n, --namespace <ns>', 'namespace to run in (default: the scenario namespace)', parseNamespace)
    .option('--keep', 'leave the created objects in place at the end')
    .option(
      '--target <url>',
      'send requests here instead of the gateway found in config-network (e.g. http://127.0.0.1 with `minikube tunnel`)',
      parseUrl,
    )
    .option('-l, --log <file>', 'write the event log (JSON Lines) to this file as it happens')
    .option('--image <ref>', 'use this image for every Knative Service container (the scenarios name stand-in images)')
    .option(
      '--env <NAME=VALUE>',
      'add an environment variable to every Knative Service container (repeatable)',
      collectEnv,
    )
    .option('-s, --seed <n>', 'random seed for the load (default: the scenario seed, else 1)', parseSeed)
    .option(
      '--autoscaler-pod <name>',
      "the cluster's autoscaler pod in knative-serving (repeatable): its metrics are read without listing pods there",
      collectPod,
    )
    .option('--no-shadow', "neither read the cluster's autoscaler metrics nor run the model's KPA beside it")
    .action(async (file: string, opts: LiveFlags) => {
      // The live run (and the backend behind it) loads only when a live run starts.
      const { runLive } = await import('../../runner/live.js');
      const { autoscalerPod, ...rest } = opts;
      const outcome = await runLive({
        file,
        ...rest,
        ...(autoscalerPod ? { autoscalerPods: autoscalerPod } : {}),
        write: (s) => process.stdout.write(s),
        note: (s) => process.stderr.write(s),
      });
      ctx.setExitCode(outcome.exitCode);
    });
}
