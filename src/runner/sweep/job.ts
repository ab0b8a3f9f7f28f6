/**
 * `knsim sweep --cluster`: the shards of a grid as a Kubernetes Indexed Job. This module builds
 * the objects (cluster.ts sends them and reads the results back; `--dry-run` prints them):
 *
 * - a ConfigMap holding the scenario and the files it names (manifests, traces), mounted as the
 *   container's working directory with each file at its path relative to the scenario;
 * - a Job with `completionMode: Indexed`, one completion per shard: the pod with completion
 *   index i runs `knsim sweep … --shard $((i + 1))/N` and prints its shard file on stdout, its log.
 *
 * Names are made from the grid's hash, so the same grid gives the same manifest.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, normalize, relative, resolve, sep } from 'node:path';
import type { V1ConfigMap, V1Job } from '@kubernetes/client-node';
import type { Scenario } from '../../scenario/types.js';
import type { SweepAxis } from './grid.js';
import { type GridIdentity, gridHash, loadFiles } from './shard.js';

export class JobManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** The most a ConfigMap may hold (the API server refuses more: 1 MiB in all). */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;
/** Where the ConfigMap is mounted and the container starts. */
export const SCENARIO_DIR = '/scenario';
export const CONTAINER_NAME = 'knsim';
/** Labels of the objects knsim makes, and the selector of the Job's pods. */
export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_GRID = 'knsim.dev/grid';
export const POD_JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const POD_INDEX_LABEL = 'batch.kubernetes.io/job-completion-index';

export interface JobOptions {
  scenario: Scenario;
  /** The scenario file as named on the command line. */
  file: string;
  axes: readonly SweepAxis[];
  identity: GridIdentity;
  /** `--seed`, when given (else the pods use the scenario's, as one machine would). */
  seed?: number;
  /** The limit flags as typed (`--max-time 2h`), passed on to every pod. */
  limitArgs: readonly string[];
  shards: number;
  parallelism: number;
  image: string;
  /** CPU and memory of each pod (requests = limits): `1`, `500m`; `1Gi`. */
  cpu: string;
  memory: string;
  /** Worker threads in each pod: one per whole CPU (Node counts the node's cores, not the pod's). */
  threads: number;
  /** Left out, the objects go to the namespace kubectl (or cluster.ts) gives them. */
  namespace?: string;
}

/** A word for `sh -c`: bare when it is safe, else in single quotes. */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_.,=/:@%+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `knsim-sweep-<12 hex>`: the grid's hash names its Job and ConfigMap. */
export function jobName(identity: GridIdentity): string {
  return `knsim-sweep-${gridHash(identity).slice(0, 12)}`;
}

interface MountedFile {
  /** Path under the mount, relative to the scenario's directory. */
  path: string;
  /** ConfigMap key (`[-._a-zA-Z0-9]+`). */
  key: string;
  text: string;
}

/** A path relative to the scenario's directory, refused when it leaves it (a ConfigMap cannot). */
function mountPath(file: string, named: string): string {
  const abs = isAbsolute(named) ? named : resolve(dirname(file), named);
  const rel = relative(resolve(dirname(file)), abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new JobManifestError(
      `--cluster: the scenario names ${named}, outside its directory: a ConfigMap holds only files beside the scenario or below it; copy it there`,
    );
  }
  return normalize(rel).split(sep).join('/');
}

/**
 * The scenario and every file it names that is on disk (step manifests, the load's traces),
 * each with its path below the scenario's directory.
 */
function mountedFiles(scenario: Scenario, file: string): MountedFile[] {
  const paths = new Map<string, string>(); // mount path -> absolute path
  paths.set(basename(file), resolve(file));
  const consider = (named: string) => {
    if (named === '' || /[\n\r]/.test(named)) return;
    const abs = isAbsolute(named) ? named : resolve(dirname(file), named);
    try {
      if (!statSync(abs).isFile()) return;
    } catch {
      return; // not a file: an inline name or a plain string
    }
    paths.set(mountPath(file, named), abs);
  };
  for (const name of Object.keys(scenario.files)) consider(name);
  for (const named of loadFiles(scenario, file).keys()) consider(named);
  return [...paths].map(([path, abs], i) => ({
    path,
    key: `${i}-${basename(path).replace(/[^-._a-zA-Z0-9]/g, '_')}`,
    text: readFileSync(abs, 'utf8'),
  }));
}

/** The container's command line (for `sh -c`): the sweep, with this pod's shard. */
export function podScript(o: JobOptions, scenarioPath: string): string {
  const words = [
    'knsim',
    'sweep',
    scenarioPath,
    ...o.axes.flatMap((a) => ['--set', `${a.key}=${a.values.join(',')}`]),
    ...(o.seed !== undefined ? ['--seed', String(o.seed)] : []),
    ...o.limitArgs,
    '--jobs',
    String(o.threads),
  ];
  return `exec ${words.map(shellWord).join(' ')} --shard "$((JOB_COMPLETION_INDEX + 1))/${o.shards}"`;
}

/** The ConfigMap and the Job of a sweep on a cluster, in the order they are created (Job first). */
export function sweepJobObjects(o: JobOptions): { job: V1Job; configMap: V1ConfigMap } {
  const name = jobName(o.identity);
  const labels = {
    [LABEL_NAME]: 'knsim-sweep',
    [LABEL_MANAGED_BY]: 'knsim',
    [LABEL_GRID]: gridHash(o.identity).slice(0, 40),
  };
  const files = mountedFiles(o.scenario, o.file);
  const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.text) + f.key.length, 0);
  if (bytes > CONFIGMAP_MAX_BYTES) {
    throw new JobManifestError(
      `--cluster: the scenario and its files hold ${bytes} bytes; a ConfigMap holds at most ${CONFIGMAP_MAX_BYTES} (1 MiB): build them into the image and run the shards as docs/sweep.md shows`,
    );
  }
  const metadata = { name, ...(o.namespace !== undefined ? { namespace: o.namespace } : {}), labels };
  const configMap: V1ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata,
    data: Object.fromEntries(files.map((f) => [f.key, f.text])),
  };
  const job: V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata,
    spec: {
      completionMode: 'Indexed',
      completions: o.shards,
      parallelism: o.parallelism,
      backoffLimitPerIndex: 2,
      ttlSecondsAfterFinished: 86_400,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: CONTAINER_NAME,
              image: o.image,
              imagePullPolicy: 'IfNotPresent',
              workingDir: SCENARIO_DIR,
              command: ['/bin/sh', '-c', podScript(o, files[0]!.path)],
              resources: {
                requests: { cpu: o.cpu, memory: o.memory },
                limits: { cpu: o.cpu, memory: o.memory },
              },
              volumeMounts: [{ name: 'scenario', mountPath: SCENARIO_DIR, readOnly: true }],
            },
          ],
          volumes: [
            {
              name: 'scenario',
              configMap: { name, items: files.map((f) => ({ key: f.key, path: f.path })) },
            },
          ],
        },
      },
    },
  };
  return { job, configMap };
}
