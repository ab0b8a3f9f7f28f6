/**
 * `knsim sweep --cluster`: creates the Job and ConfigMap of job.ts on the cluster of the
 * kubeconfig, waits for the Job, reads each completion index's shard from the log of the pod
 * that succeeded, and deletes what it created (at the end, on a failure, and on Ctrl-C). It
 * deletes nothing it did not create: each delete names the object's uid as a precondition.
 */
import * as k8s from '@kubernetes/client-node';
import {
  describeKubeError,
  LiveError,
  loadKubeConfig,
  serverOf,
  statusOf,
  withTimeout,
} from '../../backends/live/kube.js';
import { CONTAINER_NAME, POD_INDEX_LABEL, POD_JOB_NAME_LABEL } from './job.js';
import { readShardText, type ShardFile } from './merge.js';

export interface ClusterSweepOptions {
  job: k8s.V1Job;
  configMap: k8s.V1ConfigMap;
  kubeconfig?: string;
  context?: string;
  /** `-n`; else the context's namespace, else `default`. */
  namespace?: string;
  /** Leave the Job and ConfigMap in place at the end. */
  keep?: boolean;
  /** Aborted (reason SIGINT or SIGTERM) by Ctrl-C: the Job is deleted and the run ends. */
  stop: AbortSignal;
  /** How often the Job's status is read. */
  pollMs?: number;
  /** A deadline for each call to the API server. */
  requestTimeoutMs?: number;
  note: (line: string) => void;
  /** Shards succeeded so far, as the Job counts them. */
  progress?: (succeeded: number, total: number) => void;
}

export interface ClusterSweepOutcome {
  shards: ShardFile[];
  /** The signal that ended the run early (the Job was deleted). */
  interrupted?: string;
  namespace: string;
  name: string;
}

interface JobStatus {
  succeeded?: number;
  failed?: number;
  failedIndexes?: string;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

const sleep = (ms: number, stop: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (stop.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      stop.removeEventListener('abort', done);
      resolve();
    }
    stop.addEventListener('abort', done, { once: true });
  });

export async function runSweepOnCluster(o: ClusterSweepOptions): Promise<ClusterSweepOutcome> {
  const kc = loadKubeConfig({
    ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}),
    ...(o.context ? { context: o.context } : {}),
  });
  const server = serverOf(kc);
  const namespace = o.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const timeoutMs = o.requestTimeoutMs ?? 30_000;
  const name = o.job.metadata?.name ?? 'knsim-sweep';
  const where = `job ${namespace}/${name}`;
  const call = async <T>(what: string, request: () => Promise<T>): Promise<T> => {
    try {
      return await withTimeout(request(), timeoutMs);
    } catch (e) {
      if (statusOf(e) === 409) {
        throw new LiveError(
          `${what}: ${where} already exists: a sweep of this grid runs there, or one ended without deleting it (kubectl delete job ${name} -n ${namespace})`,
        );
      }
      throw new LiveError(describeKubeError(e, server, what));
    }
  };
  const withNamespace = <T extends k8s.V1Job | k8s.V1ConfigMap>(obj: T): T => ({
    ...obj,
    metadata: { ...obj.metadata, namespace },
  });

  const job = (await call(`creating ${where}`, () =>
    batch.createNamespacedJob({ namespace, body: withNamespace(o.job) }),
  )) as k8s.V1Job;
  const uid = job.metadata?.uid;
  const created: { kind: string; name: string; uid: string | undefined; remove: () => Promise<unknown> }[] = [
    {
      kind: 'job',
      name,
      uid,
      remove: () =>
        batch.deleteNamespacedJob({
          name,
          namespace,
          body: { propagationPolicy: 'Background', ...(uid ? { preconditions: { uid } } : {}) },
        }),
    },
  ];
  const cleanup = async () => {
    if (o.keep) {
      o.note(`knsim sweep: kept ${where} and its ConfigMap (--keep)`);
      return;
    }
    for (const c of created.reverse()) {
      try {
        await withTimeout(c.remove(), timeoutMs);
      } catch (e) {
        if (statusOf(e) === 404) continue;
        o.note(`knsim sweep: could not delete ${c.kind} ${namespace}/${c.name}: ${describeKubeError(e, server)}`);
      }
    }
    o.note(`knsim sweep: deleted ${where} and its ConfigMap`);
  };
  try {
    // The ConfigMap belongs to the Job: the cluster's garbage collector deletes it with the Job.
    const configMap = withNamespace(o.configMap);
    configMap.metadata = {
      ...configMap.metadata,
      ...(uid
        ? { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid, blockOwnerDeletion: true }] }
        : {}),
    };
    const cm = (await call(`creating ConfigMap ${namespace}/${name}`, () =>
      core.createNamespacedConfigMap({ namespace, body: configMap }),
    )) as k8s.V1ConfigMap;
    const cmUid = cm.metadata?.uid;
    created.push({
      kind: 'configmap',
      name,
      uid: cmUid,
      remove: () =>
        core.deleteNamespacedConfigMap({
          name,
          namespace,
          body: cmUid ? { preconditions: { uid: cmUid } } : {},
        }),
    });
    const completions = o.job.spec?.completions ?? 1;
    const image = o.job.spec?.template.spec?.containers[0]?.image;
    o.note(
      `knsim sweep: ${where} on ${server}: ${completions} shards, ${o.job.spec?.parallelism ?? completions} at a time, image ${image}; Ctrl-C deletes it`,
    );

    for (;;) {
      if (o.stop.aborted) return { shards: [], interrupted: String(o.stop.reason), namespace, name };
      const status = ((await call(`reading ${where}`, () => batch.readNamespacedJob({ name, namespace }))) as k8s.V1Job)
        .status as JobStatus | undefined;
      o.progress?.(status?.succeeded ?? 0, completions);
      const condition = (type: string) => status?.conditions?.find((c) => c.type === type && c.status === 'True');
      const failed = condition('Failed');
      if (failed) throw new LiveError(await failure(failed, status));
      if (condition('Complete')) break;
      await sleep(o.pollMs ?? 2000, o.stop);
    }
    if (o.stop.aborted) return { shards: [], interrupted: String(o.stop.reason), namespace, name };
    return { shards: await shardsOf(completions), namespace, name };
  } finally {
    await cleanup();
  }

  /** The pods of the Job in `phase`, by completion index. */
  async function podsByIndex(phase: string): Promise<Map<number, string>> {
    const list = (await call(`listing the pods of ${where}`, () =>
      core.listNamespacedPod({
        namespace,
        labelSelector: `${POD_JOB_NAME_LABEL}=${name}`,
        fieldSelector: `status.phase=${phase}`,
      }),
    )) as k8s.V1PodList;
    const out = new Map<number, string>();
    for (const pod of list.items ?? []) {
      // The annotation is there since Indexed Jobs are (the label since Kubernetes 1.28).
      const index = Number(
        pod.metadata?.annotations?.[POD_INDEX_LABEL] ?? pod.metadata?.labels?.[POD_INDEX_LABEL] ?? Number.NaN,
      );
      if (Number.isSafeInteger(index) && pod.metadata?.name && !out.has(index)) out.set(index, pod.metadata.name);
    }
    return out;
  }

  async function logOf(pod: string): Promise<string> {
    return (await call(`reading the log of pod ${namespace}/${pod}`, () =>
      core.readNamespacedPodLog({ name: pod, namespace, container: CONTAINER_NAME }),
    )) as string;
  }

  async function shardsOf(count: number): Promise<ShardFile[]> {
    const pods = await podsByIndex('Succeeded');
    const shards: ShardFile[] = [];
    for (let index = 0; index < count; index++) {
      const pod = pods.get(index);
      if (!pod) throw new LiveError(`${where} completed, but no pod of completion index ${index} is left to read`);
      shards.push(readShardText(`pod ${namespace}/${pod} (shard ${index + 1}/${count})`, await logOf(pod)));
    }
    return shards;
  }

  /** Why the Job failed, with the last line a failed pod printed (knsim's error). */
  async function failure(condition: { reason?: string; message?: string }, status: JobStatus | undefined) {
    const why = [condition.reason, condition.message].filter(Boolean).join(': ');
    let detail = '';
    try {
      const [first] = await podsByIndex('Failed');
      if (first) {
        const last = (await logOf(first[1]))
          .split('\n')
          .filter((l) => l.trim() !== '')
          .at(-1);
        if (last) detail = `; shard ${first[0] + 1} (pod ${first[1]}) said: ${last}`;
      }
    } catch {
      // The reason alone then.
    }
    const indexes = status?.failedIndexes ? ` (failed completion indexes ${status.failedIndexes})` : '';
    return `${where} failed${why ? `: ${why}` : ''}${indexes}${detail}`;
  }
}
