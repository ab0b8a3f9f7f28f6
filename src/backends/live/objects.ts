/**
 * The objects of a live run, from apply to cleanup: server-side apply with the run label, the
 * knative-serving ConfigMaps the scenario changes (their data kept to put back), deletes and
 * lists, and `cleanup()`, which deletes exactly what the run created (checked by the run label),
 * newest first, and restores the ConfigMaps.
 */
import * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../../model/api/types.js';
import { type ResourceType, resourceById } from '../../model/rules/resources.js';
import { type ApplyResult, BackendError } from '../backend.js';
import { shiftTimes, stripManagedFields } from './derive.js';
import { describeKubeError, KubeClient, LiveError, serverOf, statusMessage, statusOf } from './kube.js';

/** The label on every object knsim creates: `knsim.dev/run=<run id>`. */
export const RUN_LABEL = 'knsim.dev/run';
export const FIELD_MANAGER = 'knsim';

export interface Created {
  resource: ResourceType;
  namespace: string | undefined;
  name: string;
}

const CONFIGMAPS = resourceById('configmaps')!;
const NAMESPACES = resourceById('namespaces')!;

export interface LiveObjectsOptions {
  kc: k8s.KubeConfig;
  namespace: string;
  runId: string;
  /** Replace the image of every Knative Service container (the seed's image is a stand-in). */
  image?: string;
  /** Extra environment for every Knative Service container. */
  env?: Record<string, string>;
  /** The namespace the scenario was written for, when the run goes elsewhere (`--namespace`). */
  scenarioNamespace?: string;
  /** Called with each object this run created or changed by apply (the controller check). */
  onApplied?: (resource: ResourceType, object: KubeObject) => void;
}

export class LiveObjects {
  /** Objects created by this run, in creation order. */
  readonly created: Created[] = [];
  /** Server clock minus local clock, when they differ by more than 2 s. */
  serverOffsetMs = 0;
  private readonly kc: k8s.KubeConfig;
  private readonly api: KubeClient;
  private readonly namespace: string;
  private readonly runId: string;
  private readonly listed = new Map<string, KubeObject[]>();
  private readonly configBackup = new Map<string, Record<string, string> | null>();
  private createdNamespace = false;

  constructor(private readonly options: LiveObjectsOptions) {
    this.kc = options.kc;
    this.api = new KubeClient(options.kc);
    this.namespace = options.namespace;
    this.runId = options.runId;
  }

  async ensureNamespace(): Promise<void> {
    const core = this.kc.makeApiClient(k8s.CoreV1Api);
    try {
      await core.readNamespace({ name: this.namespace });
    } catch (e) {
      if (statusOf(e) === 403) return; // may not read namespaces; the namespace checks already passed
      if (statusOf(e) !== 404)
        throw new LiveError(describeKubeError(e, serverOf(this.kc), `reading namespace ${this.namespace}`));
      try {
        await core.createNamespace({
          body: { metadata: { name: this.namespace, labels: { [RUN_LABEL]: this.runId } } },
          fieldManager: FIELD_MANAGER,
        });
      } catch (err) {
        throw new LiveError(
          `namespace "${this.namespace}" does not exist and cannot be created: ${describeKubeError(err, serverOf(this.kc), `creating namespace ${this.namespace}`)}`,
        );
      }
      this.createdNamespace = true;
    }
  }

  async configure(configMaps: Record<string, Record<string, string>>): Promise<void> {
    const core = this.kc.makeApiClient(k8s.CoreV1Api);
    for (const [name, data] of Object.entries(configMaps)) {
      let before: Record<string, string> | null = null;
      let exists = true;
      try {
        before = (await core.readNamespacedConfigMap({ name, namespace: 'knative-serving' })).data ?? {};
      } catch (e) {
        if (statusOf(e) !== 404) {
          throw new BackendError(
            `configmap "${name}": ${describeKubeError(e, serverOf(this.kc), `reading knative-serving/${name}`)}`,
          );
        }
        exists = false;
      }
      if (!this.configBackup.has(name)) this.configBackup.set(name, before);
      // The scenario's data replaces the map's (what the simulator does), keeping `_example`.
      const patch: Record<string, string | null> = {};
      for (const key of Object.keys(before ?? {})) if (key !== '_example') patch[key] = null;
      Object.assign(patch, data);
      try {
        if (exists) {
          await this.api.mergePatch(CONFIGMAPS, 'knative-serving', name, { data: patch }, FIELD_MANAGER);
        } else {
          await core.createNamespacedConfigMap({
            namespace: 'knative-serving',
            body: { metadata: { name, labels: { [RUN_LABEL]: this.runId } }, data },
            fieldManager: FIELD_MANAGER,
          });
          this.created.push({ resource: CONFIGMAPS, namespace: 'knative-serving', name });
        }
      } catch (e) {
        throw new BackendError(
          `configmap "${name}": ${describeKubeError(e, serverOf(this.kc), `updating knative-serving/${name}`)}`,
        );
      }
    }
  }

  async apply(objects: KubeObject[], fileLabel: string): Promise<ApplyResult[]> {
    const results: ApplyResult[] = [];
    for (const obj of objects) results.push(await this.applyOne(obj, fileLabel));
    return results;
  }

  private async applyOne(input: KubeObject, fileLabel: string): Promise<ApplyResult> {
    let resource: ResourceType | undefined;
    try {
      resource = await this.api.resourceFor(input.apiVersion, input.kind);
    } catch (e) {
      throw this.applyError(e, 'creating', fileLabel, input);
    }
    if (!resource) throw this.applyError({ code: 404 }, 'creating', fileLabel, input);
    const namespaced = resource.namespaced;
    const moved = this.options.scenarioNamespace;
    const own = input.metadata.namespace;
    const namespace = namespaced ? (own === undefined || own === moved ? this.namespace : own) : undefined;
    const group = input.apiVersion.includes('/') ? input.apiVersion.split('/')[0] : '';
    const reference = `${input.kind.toLowerCase()}${group ? `.${group}` : ''}/${input.metadata.name}`;
    if (input.kind === 'ConfigMap' && namespace === 'knative-serving') {
      await this.configure({ [input.metadata.name]: (input as { data?: Record<string, string> }).data ?? {} });
      return { reference, outcome: 'configured' };
    }
    let existing: KubeObject | undefined;
    try {
      existing = await this.api.get(resource, namespace, input.metadata.name);
    } catch (e) {
      if (statusOf(e) !== 404) throw this.applyError(e, existing ? 'patching' : 'creating', fileLabel, input);
    }
    // Label what this run creates, and keep the label on what it created earlier: server-side apply
    // would drop a field this manager set before and leaves out now.
    const ours = existing === undefined || existing.metadata.labels?.[RUN_LABEL] === this.runId;
    const body = this.prepare(input, namespace, ours);
    let applied: KubeObject;
    try {
      applied = await this.api.apply(resource, namespace, body, FIELD_MANAGER);
    } catch (e) {
      throw this.applyError(e, existing ? 'patching' : 'creating', fileLabel, input);
    }
    this.options.onApplied?.(resource, applied);
    if (!existing) {
      this.calibrate(applied);
      this.created.push({ resource, namespace, name: input.metadata.name });
      return { reference, outcome: 'created' };
    }
    return {
      reference,
      outcome: applied.metadata?.resourceVersion === existing.metadata.resourceVersion ? 'unchanged' : 'configured',
    };
  }

  /**
   * The server's clock against ours, from the creation time of an object just created (1 s
   * resolution, so offsets under 2 s are ignored): a cluster with a skewed clock, or knsim serve
   * whose clock is simulated, still gets the right AGE in kubectl tables.
   */
  private calibrate(created: KubeObject): void {
    if (this.serverOffsetMs !== 0) return;
    const at = Date.parse(created.metadata?.creationTimestamp ?? '');
    if (!Number.isFinite(at)) return;
    const offset = at - Date.now();
    if (Math.abs(offset) > 2_000) this.serverOffsetMs = offset;
  }

  /** The object as applied: namespace set, the run label on what this run owns, image and env overrides. */
  private prepare(input: KubeObject, namespace: string | undefined, ours: boolean): KubeObject {
    const obj = structuredClone(input);
    obj.metadata = { ...obj.metadata, ...(namespace ? { namespace } : {}) };
    if (ours) obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [RUN_LABEL]: this.runId };
    if (input.apiVersion === 'serving.knative.dev/v1' && (input.kind === 'Service' || input.kind === 'Configuration')) {
      const spec = (obj as { spec?: { template?: { spec?: { containers?: Record<string, unknown>[] } } } }).spec;
      for (const c of spec?.template?.spec?.containers ?? []) {
        if (this.options.image) c.image = this.options.image;
        if (this.options.env && Object.keys(this.options.env).length > 0) {
          const env = ((c.env as { name: string; value?: string }[] | undefined) ?? []).filter(
            (e) => !(e.name in (this.options.env ?? {})),
          );
          for (const [name, value] of Object.entries(this.options.env)) env.push({ name, value });
          c.env = env;
        }
      }
    }
    return obj;
  }

  private applyError(e: unknown, verb: 'creating' | 'patching', fileLabel: string, input: KubeObject): Error {
    const status = statusOf(e);
    if (status === undefined)
      return new LiveError(describeKubeError(e, serverOf(this.kc), `applying ${input.kind} ${input.metadata.name}`));
    if (status === 404) {
      return new BackendError(
        `error: resource mapping not found for name: "${input.metadata.name}" namespace: "${input.metadata.namespace ?? ''}" from "${fileLabel}": no matches for kind "${input.kind}" in version "${input.apiVersion}"\nensure CRDs are installed first`,
        404,
      );
    }
    const reason = statusReason(e) ?? (status === 403 ? 'Forbidden' : status === 409 ? 'Conflict' : 'BadRequest');
    return new BackendError(
      `Error from server (${reason}): error when ${verb} "${fileLabel}": ${statusMessage(e) ?? `HTTP ${status}`}`,
      status,
    );
  }

  async delete(resourceId: string, namespace: string, name: string): Promise<string> {
    const r = resourceById(resourceId);
    if (!r) throw new BackendError(`error: the server doesn't have a resource type "${resourceId}"`);
    try {
      await this.api.delete(r, r.namespaced ? namespace : undefined, name);
    } catch (e) {
      if (statusOf(e) === 404)
        throw new BackendError(`Error from server (NotFound): ${resourceId} "${name}" not found`, 404);
      throw new BackendError(
        `Error from server: ${describeKubeError(e, serverOf(this.kc), `deleting ${resourceId} ${name}`)}`,
        statusOf(e) ?? 500,
      );
    }
    return name;
  }

  /** Objects of a type not watched, listed now (times shifted by `shiftMs` for the runner's tables). */
  async list(resourceId: string, namespace: string | undefined, shiftMs: number): Promise<KubeObject[]> {
    const r = resourceById(resourceId);
    if (!r) return [];
    try {
      const body = await this.api.list(r, r.namespaced ? namespace : undefined);
      const items = (body.items ?? []).map((o) => shiftTimes(stripManagedFields(o), shiftMs));
      this.listed.set(`${resourceId}/${namespace ?? ''}`, items);
      return items;
    } catch (e) {
      if (statusOf(e) === 404) return [];
      throw new BackendError(
        `Error from server: ${describeKubeError(e, serverOf(this.kc), `listing ${resourceId}`)}`,
        statusOf(e) ?? 500,
      );
    }
  }

  /** What the last `list` of a type not watched returned. */
  lastListed(resourceId: string, namespace?: string): KubeObject[] {
    return this.listed.get(`${resourceId}/${namespace ?? ''}`) ?? [];
  }

  /**
   * Deletes what this run created, newest first, each only if it still carries this run's label;
   * then anything else of the same types that carries the label and has no owner (an apply whose
   * answer was lost); then restores the knative-serving ConfigMaps it changed.
   * Returns one line per deleted or restored object.
   */
  async cleanup(): Promise<string[]> {
    const done: string[] = [];
    const problems: string[] = [];
    const selector = `${RUN_LABEL}=${this.runId}`;
    const describe = (c: Created) => `${c.resource.singular} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`;
    const deleteOne = async (c: Created) => {
      try {
        const current = await this.api.get(c.resource, c.namespace, c.name);
        if (current.metadata.labels?.[RUN_LABEL] !== this.runId) return;
        await this.api.delete(c.resource, c.namespace, c.name);
        done.push(`deleted ${describe(c)}`);
      } catch (e) {
        if (statusOf(e) === 404) return;
        problems.push(`${describe(c)}: ${describeKubeError(e, serverOf(this.kc))}`);
      }
    };
    const toDelete = [...this.created].reverse();
    for (const c of toDelete) await deleteOne(c);
    // Anything else of those types with this run's label and no owner (an apply whose answer was lost).
    const scopes = new Map<string, Created>();
    for (const c of toDelete) scopes.set(`${c.resource.id}/${c.namespace ?? ''}`, c);
    for (const scope of scopes.values()) {
      try {
        const body = await this.api.list(scope.resource, scope.namespace, { labelSelector: selector });
        for (const item of body.items ?? []) {
          if ((item.metadata.ownerReferences ?? []).length > 0) continue;
          if (item.metadata.labels?.[RUN_LABEL] !== this.runId) continue;
          await deleteOne({ ...scope, name: item.metadata.name });
        }
      } catch (e) {
        if (statusOf(e) !== 404)
          problems.push(`listing ${scope.resource.id}: ${describeKubeError(e, serverOf(this.kc))}`);
      }
    }
    for (const [name, before] of [...this.configBackup].reverse()) {
      if (before === null) continue; // created by this run: deleted above
      try {
        const now =
          ((await this.api.get(CONFIGMAPS, 'knative-serving', name)) as { data?: Record<string, string> }).data ?? {};
        const patch: Record<string, string | null> = {};
        for (const key of Object.keys(now)) if (!(key in before)) patch[key] = null;
        Object.assign(patch, before);
        await this.api.mergePatch(CONFIGMAPS, 'knative-serving', name, { data: patch }, FIELD_MANAGER);
        done.push(`restored configmap knative-serving/${name}`);
      } catch (e) {
        problems.push(`restoring configmap knative-serving/${name}: ${describeKubeError(e, serverOf(this.kc))}`);
      }
    }
    if (this.createdNamespace) {
      await deleteOne({ resource: NAMESPACES, namespace: undefined, name: this.namespace });
    }
    if (problems.length > 0) {
      throw new LiveError(`cleanup left objects behind (label ${selector}):\n  ${problems.join('\n  ')}`);
    }
    return done;
  }
}

function statusReason(e: unknown): string | undefined {
  const body = (e as { body?: unknown })?.body;
  if (typeof body !== 'string') return undefined;
  try {
    const r = (JSON.parse(body) as { reason?: unknown }).reason;
    return typeof r === 'string' && r !== '' ? r : undefined;
  } catch {
    return undefined;
  }
}
