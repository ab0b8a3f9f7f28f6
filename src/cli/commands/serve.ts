/**
 * `knsim serve`: the simulated cluster in scaled real time, reachable with real kubectl (through
 * the kubeconfig it writes) and curl (through the ingress port). See docs/serve.md.
 */
import { closeSync, createWriteStream, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { flagFileError, UserError } from '../../io/errors.js';
import { openOutputFile } from '../../io/files.js';
import type { StopSignal } from '../../io/runLimits.js';
import type { DomainConfig, NetworkConfig } from '../../model/rules/domain.js';
import type { IngressLogEntry } from '../../serve/server.js';
import { MAX_SPEED, parsePort, parseSeed, parseSpeed } from '../args.js';
import { listenForStop } from '../interrupts.js';
import type { CommandContext } from './context.js';

interface ServeFlags {
  port: number;
  ingressPort: number;
  speed: number;
  seed?: number;
  kubeconfigOut?: string;
  scenario?: string;
  insecureHttp?: boolean;
  log?: string;
  verbose?: boolean;
  metricsNames: 'otel' | 'opencensus';
}

export function registerServe(program: Command, ctx: CommandContext): void {
  program
    .command('serve')
    .description('serve the simulated cluster to real kubectl and curl on 127.0.0.1, in scaled real time')
    .option('-p, --port <port>', 'Kubernetes API port (0 = any free port)', parsePort, 0)
    .option('--ingress-port <port>', 'ingress port for curl (0 = any free port)', parsePort, 0)
    .option('--speed <x>', `simulated seconds per real second (at most ${MAX_SPEED})`, parseSpeed, 1)
    .option('-s, --seed <n>', 'random seed (default: the scenario seed, else 1)', parseSeed)
    .option('--kubeconfig-out <file>', 'where to write the kubeconfig (default: a file in the temp directory)')
    .option(
      '--scenario <file>',
      "start with a scenario's settings and knative-serving ConfigMaps (its steps are not run)",
    )
    .option('--insecure-http', 'serve the API over plain http without authentication instead of https')
    .option('-l, --log <file>', 'stream the event log (JSON Lines) to this file, for knsim explain')
    .option('-v, --verbose', 'print every API and ingress request to stderr, with the simulated time')
    .addOption(
      new Option(
        '--metrics-names <naming>',
        "the names of the simulated autoscaler's metrics: otel (Knative 1.19+) or opencensus (up to 1.18)",
      )
        .choices(['otel', 'opencensus'])
        .default('otel'),
    )
    .action(async (opts: ServeFlags) => {
      const { scenarioStartup } = await import('../../serve/scenario.js');
      const { routeHost } = await import('../../model/rules/domain.js');
      // The host a Service gets with the domain in force (svc.cluster.local unless config-domain,
      // from --scenario, says otherwise), with the names left for the user to fill in.
      const hostHint = (config: { domain: DomainConfig; network: NetworkConfig }) =>
        routeHost({ name: '<service>', namespace: '<namespace>' }, config.domain, config.network);
      const startup = opts.scenario ? scenarioStartup(opts.scenario) : undefined;
      // Open the output files before anything listens: a bad path is a plain error, not a server
      // that reports it and then cannot stop.
      const logStream = opts.log ? createWriteStream('', { fd: openOutputFile(opts.log, '--log') }) : undefined;
      const kubeconfigFile = opts.kubeconfigOut !== undefined ? resolve(opts.kubeconfigOut) : undefined;
      if (kubeconfigFile !== undefined) closeSync(openOutputFile(kubeconfigFile, '--kubeconfig-out', 0o600));
      // The simulator and the servers load once the inputs are known to be good.
      const { KnsimServer } = await import('../../serve/server.js');
      const { formatDuration } = await import('../../model/duration.js');
      const stamp = (simMs: number) => `[${formatDuration(Math.round(simMs))}]`.padEnd(12);
      let server: InstanceType<typeof KnsimServer>;
      try {
        server = new KnsimServer({
          port: opts.port,
          ingressPort: opts.ingressPort,
          speed: opts.speed,
          seed: opts.seed ?? startup?.seed ?? 1,
          tls: opts.insecureHttp ? 'off' : 'auto',
          metricsNaming: opts.metricsNames,
          ...(startup?.settings ? { settings: startup.settings } : {}),
          ...(startup?.configMaps ? { configMaps: startup.configMaps } : {}),
          ...(logStream ? { logSink: (text: string) => logStream.write(text) } : {}),
          ...(opts.verbose
            ? {
                onApiRequest: (m: string, p: string, code: number, simMs: number) =>
                  process.stderr.write(`${stamp(simMs)} api     ${code} ${m} ${p}\n`),
                onIngressRequest: (e: IngressLogEntry) =>
                  process.stderr.write(
                    `${stamp(e.simMs)} ingress ${e.status} ${e.host}${e.revision ? ` → ${e.revision}` : ''}${e.pod ? ` (${e.pod})` : ''} ${Math.round(e.latencyMs)} ms${e.cold ? ' cold' : ''}\n`,
                  ),
              }
            : {}),
          onError: (e) => process.stderr.write(`knsim serve: simulation error: ${(e as Error).message}\n`),
        });
      } catch (e) {
        // a bad ConfigMap value in the scenario, or no openssl with --tls on
        throw new UserError((e as Error).message);
      }
      // A teaching server keeps going: the simulation reports its own errors (xstate throws them
      // from a timer) and the API keeps answering.
      process.on('uncaughtException', (e) =>
        process.stderr.write(`knsim serve: simulation error: ${(e as Error).stack ?? String(e)}\n`),
      );
      try {
        await server.start();
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
          throw new UserError(`cannot listen on 127.0.0.1: ${err.message}`);
        }
        throw e;
      }
      if (!server.certificate && !opts.insecureHttp) {
        process.stderr.write(
          'knsim serve: openssl not found, serving the API over plain http without authentication\n',
        );
      }
      const file = kubeconfigFile ?? join(tmpdir(), `knsim-${server.apiPort}.kubeconfig`);
      try {
        writeFileSync(file, server.kubeconfig(), { mode: 0o600 });
      } catch (e) {
        await server.stop();
        logStream?.end();
        throw flagFileError(e, '--kubeconfig-out', file);
      }
      // Ctrl-C or SIGTERM: the log gets its `end` line, the servers close, and the command exits
      // with 130 or 143 (a second signal exits at once). Heard from before the first line says so.
      const signals = listenForStop();
      process.stdout.write(
        [
          `knsim serve: Kubernetes API on ${server.apiUrl}, ingress on ${server.ingressUrl}`,
          `  speed ${opts.speed}x (1 real second = ${opts.speed} simulated second${opts.speed === 1 ? '' : 's'}), seed ${opts.seed ?? startup?.seed ?? 1}`,
          `  kubeconfig written to ${file}`,
          '',
          'Use it with:',
          `  export KUBECONFIG=${file}`,
          '  kubectl get ksvc',
          `  curl -H 'Host: ${hostHint(server.cluster.config)}' ${server.ingressUrl}/`,
          '',
          'Press Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
      const signal = await new Promise<StopSignal>((done) =>
        signals.stop.addEventListener('abort', () => done(signals.received() ?? 'SIGINT'), { once: true }),
      );
      process.stderr.write('knsim serve: stopping\n');
      server.catchUp();
      server.cluster.log.event({ t: server.cluster.now(), type: 'end', ok: true, interrupted: signal });
      await server.stop();
      await new Promise<void>((done) => (logStream ? logStream.end(done) : done()));
      signals.dispose();
      ctx.setExitCode(signals.exitCode() ?? 0);
    });
}
