/**
 * A live run (`knsim live <scenario>`): the same scenario on a real cluster. Checks the cluster first (one
 * clear message and a non-zero exit for each problem), runs the steps in real time, writes the
 * same event log as `knsim run`, and deletes what it created on exit or Ctrl-C (unless --keep).
 */

import type { EventEmitter } from 'node:events';
import { closeSync, writeSync } from 'node:fs';

// The live backend (and @kubernetes/client-node, ~0.7 s to import) loads only when a live run starts.
type LiveModules = [
  typeof import('../backends/live/ingress.js'),
  typeof import('../backends/live/kube.js'),
  typeof import('../backends/live/preflight.js'),
  typeof import('../backends/live.js'),
];

async function liveModules(): Promise<LiveModules> {
  return Promise.all([
    import('../backends/live/ingress.js'),
    import('../backends/live/kube.js'),
    import('../backends/live/preflight.js'),
    import('../backends/live.js'),
  ]);
}

import { openOutputFile } from '../io/files.js';
import { parseScenarioFile } from '../scenario/file.js';
import { EventLog } from '../sim/log.js';
import { ScenarioRunner } from './runner.js';

export interface LiveOptions {
  file: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  keep?: boolean;
  target?: string;
  log?: string;
  image?: string;
  env?: Record<string, string>;
  seed?: number;
  /** Transcript (stdout). */
  write: (text: string) => void;
  /** Progress and problems (stderr). */
  note: (text: string) => void;
  /** Where SIGINT/SIGTERM come from (default: the process). */
  signals?: EventEmitter;
  /** A second Ctrl-C: give up on cleanup (default: exit the process). */
  forceExit?: () => void;
  runId?: string;
  preflightTimeoutMs?: number;
  watchBackoffMs?: number;
  /** How long an applied Knative object may stay without a status (default 30 s). */
  controllerTimeoutMs?: number;
  /** The shadow autoscaler (the cluster's metrics and the model beside them): on unless false. */
  shadow?: boolean;
  /** The cluster's autoscaler pods in knative-serving (else listed by their label). */
  autoscalerPods?: readonly string[];
}

export interface LiveOutcome {
  ok: boolean;
  exitCode: number;
  interrupted: boolean;
  runId: string;
  log: EventLog;
  cleaned: string[];
}

export async function runLive(o: LiveOptions): Promise<LiveOutcome> {
  const [{ resolveGateway }, { loadKubeConfig }, { preflight }, { Interrupted, LiveBackend, RUN_LABEL }] =
    await liveModules();
  // A live cluster runs whatever autoscaler classes it has: only the simulator refuses others.
  const parsed = parseScenarioFile(o.file, { validateManifest: undefined });
  const namespace = o.namespace ?? parsed.namespace;
  const scenario = { ...parsed, namespace };
  const seed = o.seed ?? scenario.seed ?? 1;
  const kc = loadKubeConfig({
    ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}),
    ...(o.context ? { context: o.context } : {}),
  });
  // The log file is opened before the cluster is asked anything: a bad path is an input error
  // (exit 2) that names the flag, not a failure after the checks.
  const fd = o.log ? openOutputFile(o.log, '--log') : undefined;
  let target = o.target;
  try {
    // The scenario's `config:` changes ConfigMaps in knative-serving: check that too.
    const configAccess =
      Object.keys(scenario.config).length > 0
        ? ([
            ['get', '', 'configmaps', 'knative-serving'],
            ['patch', '', 'configmaps', 'knative-serving'],
          ] as const)
        : [];
    const checked = await preflight(kc, namespace, o.preflightTimeoutMs, configAccess);
    o.note(
      `knsim live: cluster ${checked.server}${checked.version ? ` (Kubernetes ${checked.version})` : ''}, namespace ${namespace}\n`,
    );

    // Requests go through the cluster's ingress: find it before anything is created.
    if (scenario.load.length > 0 || scenario.steps.some((s) => s.kind === 'curl')) {
      if (target) o.note(`knsim live: sending requests to ${target} (--target)\n`);
      else {
        const found = await resolveGateway(kc);
        target = found.url;
        o.note(`knsim live: sending requests to ${found.url} (${found.ingressClass}, ${found.how})\n`);
      }
    }
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    throw e;
  }

  const log = new EventLog(fd !== undefined ? { sink: (text) => writeSync(fd, text) } : {});
  const backend = new LiveBackend({
    kc,
    namespace,
    seed,
    log,
    ...(o.namespace && o.namespace !== parsed.namespace ? { scenarioNamespace: parsed.namespace } : {}),
    ...(target ? { target } : {}),
    ...(o.runId ? { runId: o.runId } : {}),
    ...(o.image ? { image: o.image } : {}),
    ...(o.env ? { env: o.env } : {}),
    ...(o.watchBackoffMs !== undefined ? { watchBackoffMs: o.watchBackoffMs } : {}),
    ...(o.controllerTimeoutMs !== undefined ? { controllerTimeoutMs: o.controllerTimeoutMs } : {}),
    ...(o.shadow === false ? { shadow: false } : {}),
    ...(o.autoscalerPods ? { autoscalerPods: o.autoscalerPods } : {}),
    info: (m) => o.note(`knsim live: ${m}\n`),
  });
  o.note(`knsim live: run ${backend.runId}: every object created carries the label ${RUN_LABEL}=${backend.runId}\n`);

  const signals = o.signals ?? process;
  let interrupts = 0;
  let signalled = 'SIGINT';
  const onSignal = (name: string) => {
    interrupts++;
    if (interrupts === 1) signalled = name;
    if (interrupts === 1) {
      o.note(
        `\nknsim live: ${name}: stopping and deleting what this run created${o.keep ? ' (--keep: nothing is deleted)' : ''}; press Ctrl-C again to leave it\n`,
      );
      backend.interrupt();
    } else {
      o.note(`knsim live: leaving objects labelled ${RUN_LABEL}=${backend.runId} behind\n`);
      (o.forceExit ?? (() => process.exit(130)))();
    }
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  signals.on('SIGINT', onInt);
  signals.on('SIGTERM', onTerm);

  let ok = false;
  let interrupted = false;
  let failure: unknown;
  let cleaned: string[] = [];
  try {
    await backend.start({ scenario: scenario.name, scenarioFile: o.file, seed, namespace });
    const runner = new ScenarioRunner(scenario, backend, { write: o.write });
    const outcome = await runner.run();
    backend.checkFailed();
    ok = outcome.ok;
  } catch (e) {
    if (e instanceof Interrupted) interrupted = true;
    else failure = e;
  } finally {
    log.event({
      t: backend.now(),
      type: 'end',
      ok: ok && !interrupted && failure === undefined,
      ...(interrupted ? { interrupted: signalled === 'SIGTERM' ? 'SIGTERM' : 'SIGINT' } : {}),
    });
    await backend.close();
    if (o.keep) {
      o.note(
        `knsim live: --keep: left the objects of this run in place; remove them with\n  kubectl delete ksvc -n ${namespace} -l ${RUN_LABEL}=${backend.runId}\n`,
      );
    } else {
      try {
        cleaned = await backend.cleanup();
        for (const line of cleaned) o.note(`knsim live: ${line}\n`);
      } catch (e) {
        failure ??= e;
      }
    }
    signals.off('SIGINT', onInt);
    signals.off('SIGTERM', onTerm);
    if (fd !== undefined) closeSync(fd);
  }
  if (failure !== undefined) throw failure;
  // 128 + the signal number, as a shell reports a process ended by it.
  const exitCode = interrupted ? (signalled === 'SIGTERM' ? 143 : 130) : ok ? 0 : 1;
  return { ok, exitCode, interrupted, runId: backend.runId, log, cleaned };
}
