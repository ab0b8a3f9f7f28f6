/**
 * Runs a scenario's `kn` commands against a backend and prints what kn prints. What kn writes and
 * how it reads a Service's progress are the model's (src/model/rules/knClient.ts); its tables too
 * (knTables.ts). The wait follows the Service's watch events in the run's event log, so a progress
 * line carries the instant its status was written, as kn's watch sees it.
 */
import type { Backend } from '../backends/backend.js';
import { BackendError } from '../backends/backend.js';
import type { KubeObject, Revision, Service } from '../model/api/types.js';
import {
  KnError,
  knBaseRevision,
  knEditService,
  knMakesRevision,
  knNewService,
  knProgressLine,
  knWaitStep,
} from '../model/rules/knClient.js';
import { knRevisionList, knRouteList, knServiceList } from '../model/rules/knTables.js';
import { knComputeTraffic, knTrafficChanged } from '../model/rules/knTraffic.js';
import type { KnCommand, KnWaitFlags } from '../scenario/kn.js';

const SERVICES = 'services.serving.knative.dev';
const REVISIONS = 'revisions.serving.knative.dev';
const ROUTES = 'routes.serving.knative.dev';

export interface KnOutput {
  text: string;
  ok: boolean;
}

export async function runKn(cmd: KnCommand, backend: Backend, defaultNamespace: string): Promise<KnOutput> {
  const namespace = cmd.namespace ?? defaultNamespace;
  try {
    switch (cmd.verb) {
      case 'service list': {
        const all = await backend.list(SERVICES, cmd.allNamespaces ? undefined : namespace);
        const shown = cmd.name === undefined ? all : all.filter((s) => s.metadata.name === cmd.name);
        return { text: knServiceList(shown, backend.now(), cmd.allNamespaces), ok: true };
      }
      case 'revision list': {
        const ns = cmd.allNamespaces ? undefined : namespace;
        const services = await backend.list(SERVICES, ns);
        if (cmd.service !== undefined && !services.some((s) => s.metadata.name === cmd.service)) {
          return notFound(SERVICES, cmd.service);
        }
        const revisions = (await backend.list(REVISIONS, ns)).filter(
          (r) =>
            (cmd.name === undefined || r.metadata.name === cmd.name) &&
            (cmd.service === undefined || r.metadata.labels?.['serving.knative.dev/service'] === cmd.service),
        );
        return { text: knRevisionList(revisions, services, backend.now(), cmd.allNamespaces), ok: true };
      }
      case 'route list': {
        const all = await backend.list(ROUTES, cmd.allNamespaces ? undefined : namespace);
        return {
          text: knRouteList(cmd.name === undefined ? all : all.filter((r) => r.metadata.name === cmd.name)),
          ok: true,
        };
      }
      case 'service create':
        return await create(cmd, backend, namespace);
      case 'service update':
        return await update(cmd, backend, namespace);
      case 'service delete':
        return await remove(cmd, backend, namespace);
      case 'service wait':
        return await waitFor(cmd, backend, namespace);
    }
  } catch (e) {
    if (e instanceof KnError) return { text: `Error: ${e.message}\n`, ok: false };
    if (e instanceof BackendError) return { text: `Error: ${kubectlWordsToKn(e.message)}\n`, ok: false };
    throw e;
  }
}

function notFound(resource: string, name: string): KnOutput {
  return { text: `Error: ${resource} "${name}" not found\n`, ok: false };
}

/** A backend's error is in kubectl's words (`Error from server (X): …`); kn prints the server's message. */
function kubectlWordsToKn(message: string): string {
  return message.replace(/^Error from server \([^)]*\): (?:error when \w+ "[^"]*": )?/, '');
}

async function getService(backend: Backend, namespace: string, name: string): Promise<Service | undefined> {
  return (await backend.list(SERVICES, namespace)).find((s) => s.metadata.name === name) as Service | undefined;
}

/** What kn sends: the object without the status the API server keeps for itself. */
function forWrite(service: Service): KubeObject {
  const { status: _status, ...rest } = service;
  return rest as KubeObject;
}

async function create(
  cmd: Extract<KnCommand, { verb: 'service create' }>,
  backend: Backend,
  namespace: string,
): Promise<KnOutput> {
  const existing = await getService(backend, namespace, cmd.name);
  if (existing && !cmd.force) {
    throw new KnError(
      `cannot create service '${cmd.name}' in namespace '${namespace}' because the service already exists and no --force option was given`,
    );
  }
  let service = knNewService(cmd.name, namespace, cmd.edits, backend.now());
  if (cmd.traffic.tags.length > 0) {
    service.spec.traffic = knComputeTraffic(service, [], cmd.traffic, knMakesRevision(cmd.edits), true);
  }
  if (existing) {
    // --force replaces the Service, keeping only its creator and updater annotations.
    const kept: Record<string, string> = {};
    for (const k of ['serving.knative.dev/creator', 'serving.knative.dev/lastModifier']) {
      const v = existing.metadata.annotations?.[k];
      if (v !== undefined) kept[k] = v;
    }
    service = {
      ...service,
      metadata: { ...service.metadata, annotations: { ...(service.metadata.annotations ?? {}), ...kept } },
    };
  }
  const events = followService(backend, namespace, cmd.name);
  try {
    const [result] = await backend.apply([forWrite(service)], '-', { client: 'kn' });
    if (existing && result?.outcome === 'unchanged') {
      return { text: `Service '${cmd.name}' replaced in namespace '${namespace}' (unchanged).\n`, ok: true };
    }
    const [doing, done] = existing ? ['Replacing', 'replaced'] : ['Creating', 'created'];
    if (!cmd.wait) return { text: `Service '${cmd.name}' ${done} in namespace '${namespace}'.\n`, ok: true };
    const head = `${doing} service '${cmd.name}' in namespace '${namespace}':\n\n`;
    const waited = await events.wait(cmd);
    if (!waited.ok) return { text: `${head}${waited.text}`, ok: false };
    return { text: `${head}${waited.text}\n${await showUrl(backend, namespace, cmd.name, undefined, done)}`, ok: true };
  } finally {
    events.stop();
  }
}

async function update(
  cmd: Extract<KnCommand, { verb: 'service update' }>,
  backend: Backend,
  namespace: string,
): Promise<KnOutput> {
  const existing = await getService(backend, namespace, cmd.name);
  if (!existing) return notFound(SERVICES, cmd.name);
  const latestBefore = existing.status?.latestReadyRevisionName;
  let warning = '';
  let digest: string | undefined;
  // Without --image, kn pins the image to the digest its base revision resolved (lock-to-digest).
  if (cmd.edits.image === undefined && cmd.edits.lockToDigest) {
    const base = knBaseRevision(existing, (await backend.list(REVISIONS, namespace)) as Revision[]);
    if (base) digest = base.status?.containerStatuses?.[0]?.imageDigest;
    else warning = 'Warning: No revision found to update image digest';
  }
  const edited = knEditService(existing, cmd.edits, backend.now(), digest);
  if (knTrafficChanged(cmd.traffic)) {
    const revisions = (await backend.list(REVISIONS, namespace)).filter(
      (r) => r.metadata.labels?.['serving.knative.dev/service'] === cmd.name,
    );
    edited.spec.traffic = knComputeTraffic(edited, revisions, cmd.traffic, knMakesRevision(cmd.edits));
  }
  if (JSON.stringify(forWrite(edited)) === JSON.stringify(forWrite(existing))) {
    return {
      text: `${warning}Service '${cmd.name}' updated in namespace '${namespace}'.\nNo new revision has been created.\n`,
      ok: true,
    };
  }
  const events = followService(backend, namespace, cmd.name);
  try {
    await backend.apply([forWrite(edited)], '-', { client: 'kn' });
    if (!cmd.wait) return { text: `${warning}Service '${cmd.name}' updated in namespace '${namespace}'.\n`, ok: true };
    const head = `${warning}Updating Service '${cmd.name}' in namespace '${namespace}':\n\n`;
    const waited = await events.wait(cmd);
    if (!waited.ok) return { text: `${head}${waited.text}`, ok: false };
    return {
      text: `${head}${waited.text}\n${await showUrl(backend, namespace, cmd.name, latestBefore, 'updated')}`,
      ok: true,
    };
  } finally {
    events.stop();
  }
}

async function showUrl(
  backend: Backend,
  namespace: string,
  name: string,
  latestBefore: string | undefined,
  done: string,
): Promise<string> {
  const service = await getService(backend, namespace, name);
  const url = service?.status?.url ?? '';
  const latest = service?.status?.latestReadyRevisionName ?? '';
  return latestBefore !== undefined && latestBefore === latest
    ? `Service '${name}' with latest revision '${latest}' (unchanged) is available at URL:\n${url}\n`
    : `Service '${name}' ${done} to latest revision '${latest}' is available at URL:\n${url}\n`;
}

/** `kn service wait NAME`: the wait of create and update, for a Service as it is. */
async function waitFor(
  cmd: Extract<KnCommand, { verb: 'service wait' }>,
  backend: Backend,
  namespace: string,
): Promise<KnOutput> {
  const service = await getService(backend, namespace, cmd.name);
  if (!service) return notFound(SERVICES, cmd.name);
  const events = followService(backend, namespace, cmd.name, service);
  try {
    const head = `Waiting for Service '${cmd.name}' in namespace '${namespace}':\n\n`;
    const waited = await events.wait(cmd);
    if (!waited.ok) return { text: `${head}${waited.text}`, ok: false };
    return { text: `${head}${waited.text}\nService '${cmd.name}' in namespace '${namespace}' is ready.\n`, ok: true };
  } finally {
    events.stop();
  }
}

async function remove(
  cmd: Extract<KnCommand, { verb: 'service delete' }>,
  backend: Backend,
  namespace: string,
): Promise<KnOutput> {
  let names = cmd.names;
  if (cmd.all) {
    names = (await backend.list(SERVICES, namespace)).map((s) => s.metadata.name);
    if (names.length === 0) return { text: 'No services found.\n', ok: true };
  }
  const out: string[] = [];
  const errors: string[] = [];
  for (const name of names) {
    try {
      await backend.delete(SERVICES, namespace, name);
    } catch (e) {
      if (!(e instanceof BackendError)) throw e;
      errors.push(e.code === 404 ? `${SERVICES} "${name}" not found` : kubectlWordsToKn(e.message));
      continue;
    }
    if (cmd.wait) {
      const deadline = backend.now() + cmd.waitTimeoutS * 1000;
      const gone = await backend.waitUntil(
        () => !backend.snapshot(SERVICES, namespace).some((s) => s.metadata.name === name),
        deadline,
      );
      if (!gone) {
        errors.push(`timeout: service '${name}' not deleted after ${cmd.waitTimeoutS} seconds`);
        continue;
      }
    }
    out.push(`Service '${name}' successfully deleted in namespace '${namespace}'.\n`);
  }
  const failed = errors.length > 0 ? `Error: ${errors.join('\nError: ')}\n` : '';
  return { text: `${out.join('')}${failed}`, ok: errors.length === 0 };
}

/**
 * kn's watch of one Service, from before the write: each event it would act on, with its instant.
 * `wait` then lets run time pass until Ready is True, stays False for the error window, or the
 * timeout; the progress lines are timed from the wait's start, as kn times them.
 */
function followService(backend: Backend, namespace: string, name: string, current?: KubeObject) {
  const start = backend.now();
  const lines: string[] = [];
  let previous = '';
  let readyAt: number | undefined;
  let failedAt: number | undefined;
  let failure = '';
  const see = (object: KubeObject, t: number) => {
    if (readyAt !== undefined) return;
    const step = knWaitStep(object);
    if (step.kind === 'skip') return;
    if (step.kind === 'ready') {
      readyAt = t;
      return;
    }
    if (step.failed && failedAt === undefined) {
      failedAt = t;
      failure = `${step.failed.reason}: ${step.failed.message}`;
    }
    if (step.message === '') return;
    lines.push(`${knProgressLine(t - start, step.message === previous ? '...' : step.message)}\n`);
    previous = step.message;
  };
  // A watch begins with the object as it is (its ADDED event): a Service already Ready ends the
  // wait at once.
  if (current) see(current, start);
  const unsubscribe = backend.log.subscribe(
    (line) => {
      if (line.type !== 'object' || line.kind !== 'Service' || line.name !== name || line.namespace !== namespace)
        return;
      if (line.op !== 'deleted') see(line.object, line.t);
    },
    ['object'],
  );
  return {
    stop: unsubscribe,
    async wait(flags: KnWaitFlags): Promise<{ ok: boolean; text: string }> {
      const windowMs = flags.waitWindowS * 1000;
      const deadline = start + flags.waitTimeoutS * 1000;
      // A False that turns True within the window is not an error; one that stays is.
      const over = () => readyAt !== undefined || (failedAt !== undefined && backend.now() >= failedAt + windowMs);
      await backend.waitUntil(over, deadline);
      if (readyAt !== undefined) {
        return { ok: true, text: `${lines.join('')}${knProgressLine(readyAt - start, 'Ready to serve.')}\n` };
      }
      const error =
        failedAt !== undefined && backend.now() >= failedAt + windowMs
          ? failure
          : `timeout: service '${name}' not ready after ${flags.waitTimeoutS} seconds`;
      return { ok: false, text: `${lines.join('')}Error: ${error}\n` };
    },
  };
}
