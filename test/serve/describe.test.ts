/**
 * `kubectl describe`: knsim's own (the simulator's `kubectl: describe …` step) prints what the
 * real kubectl prints against `knsim serve`, byte for byte, for Knative's types (the generic
 * describer), pods, Deployments, ReplicaSets, core Services and Endpoints; and the objects
 * Knative creates exist and list (`kubectl get all`, events, endpoints, kingress).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import type { KubeObject, Pod } from '../../src/model/api/types.js';
import { SIM_EPOCH_MS } from '../../src/model/rules/time.js';
import { runKubectl } from '../../src/runner/kubectl.js';
import { parseKubectl } from '../../src/scenario/kubectl.js';
import { quoteWord } from '../../src/scenario/shell.js';
import { present } from '../../src/serve/objects.js';
import { ARTICLE_YAML, api, eventually, HAS_KUBECTL, type Harness, kubectl, startHarness } from './helpers.js';

/**
 * The article's Service kept at one pod (min-scale 1): once Ready, the cluster settles and stays
 * so however slowly the describes run. Without it the KPA scales to zero a minute after Ready,
 * and on a busy machine a describe of the KPA or the pod raced that (the object changed between
 * the real kubectl's read and knsim's).
 */
const SETTLED_YAML = ARTICLE_YAML.replace(
  '  template:\n',
  "  template:\n    metadata:\n      annotations:\n        autoscaling.knative.dev/min-scale: '1'\n",
);

let h: Harness;

/** The events a ready Service has had recorded (kind/reason), the last of them on its way to Ready. */
const EXPECTED_EVENTS = [
  'Pod/Scheduled',
  'Pod/Pulling',
  'Pod/Pulled',
  'Pod/Created',
  'Pod/Started',
  'ReplicaSet/SuccessfulCreate',
  'Deployment/ScalingReplicaSet',
  'Service/Created',
  'Configuration/Created',
  'Configuration/ConfigurationReady',
  'Configuration/LatestReadyUpdate',
  'Route/Created',
];

function eventReasons(): string[] {
  return h.server.cluster.store.list('events', 'default').map((e) => {
    const event = e as unknown as { involvedObject: { kind: string }; reason: string };
    return `${event.involvedObject.kind}/${event.reason}`;
  });
}
let podName = '';
let rsName = '';

/**
 * knsim's kubectl over the server's own cluster. `describe` computes ages on the client, from
 * kubectl's (wall) clock; `get` tables come from the server, whose clock is simulated time.
 */
function ourKubectl(line: string): Promise<{ text: string; ok: boolean }> {
  const store = h.server.cluster.store;
  const clientSide = line.startsWith('kubectl describe');
  const backend = {
    list: async (id: string, ns?: string) => store.list(id, ns).map(present),
    now: () => (clientSide ? Date.now() - SIM_EPOCH_MS : h.server.cluster.now()),
  } as unknown as Backend;
  return runKubectl(parseKubectl(line), backend, 'default');
}

const realKubectl = (...args: string[]) =>
  kubectl(h.kubeconfig, join(h.dir, 'cache'), args).then((r) => ({ ...r, stdout: r.stdout }));

/**
 * The real kubectl's and knsim's output of one command, read from the same state of the cluster:
 * the store's resourceVersion is the same before the first read and after the second (else both
 * are read again). The retries are a guard; with the Service settled the first pair holds.
 */
async function bothReads(args: string[]): Promise<{ real: { stdout: string; stderr: string }; ours: string }> {
  const store = h.server.cluster.store;
  for (let attempt = 1; ; attempt++) {
    const before = store.resourceVersion();
    const real = await realKubectl(...args);
    const ours = await ourKubectl(`kubectl ${args.map(quoteWord).join(' ')}`);
    if (store.resourceVersion() === before || attempt === 5) return { real, ours: ours.text };
  }
}

beforeAll(async () => {
  // At 1x and min-scale 1 the Service settles once Ready; bothReads checks each pair saw one state.
  h = await startHarness({ speed: 1 });
  expect(SETTLED_YAML).toContain('min-scale');
  const created = await api(h, 'POST', '/apis/serving.knative.dev/v1/namespaces/default/services', SETTLED_YAML, {
    'content-type': 'application/yaml',
  });
  expect(created.status).toBe(201);
  const store = h.server.cluster.store;
  await eventually(async () => {
    const pods = store.list<Pod>('pods', 'default');
    const ready = pods.find((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    const ksvc = store.get('services.serving.knative.dev', 'default', 'knservice') as KubeObject | undefined;
    const ksvcReady = (
      ksvc?.status as { conditions?: { type: string; status: string }[] } | undefined
    )?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (!ready || !ksvcReady) return undefined;
    podName = ready.metadata.name;
    rsName = ready.metadata.ownerReferences?.[0]?.name ?? '';
    return true;
  }, 60_000);
  // The recorder's events of the way to Ready are in (a state, not a quiet spell of wall time).
  await eventually(async () => {
    const seen = eventReasons();
    return EXPECTED_EVENTS.every((r) => seen.includes(r)) ? true : undefined;
  }, 60_000);
});

afterAll(async () => {
  await h?.stop();
});

describe('what a cluster shows, through the API', () => {
  it('the revision has a ReplicaSet that controls its pod, Services, Endpoints; the Route a KIngress and a placeholder', () => {
    const store = h.server.cluster.store;
    const rs = store.get('replicasets.apps', 'default', rsName);
    expect(rsName).toMatch(/^knservice-00001-deployment-[a-z0-9]{10}$/);
    expect(rs?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'knservice-00001-deployment' });
    const pod = store.get('pods', 'default', podName);
    expect(pod?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'ReplicaSet',
      name: rsName,
      uid: rs?.metadata.uid,
    });
    expect(podName.startsWith(`${rsName}-`)).toBe(true);
    for (const name of ['knservice', 'knservice-00001', 'knservice-00001-private', 'kubernetes']) {
      expect(store.get('services', 'default', name), name).toBeDefined();
    }
    expect((store.get('services', 'default', 'knservice')?.spec as { type?: string } | undefined)?.type).toBe(
      'ExternalName',
    );
    expect(store.get('endpoints', 'default', 'knservice-00001-private')).toBeDefined();
    expect(store.get('ingresses.networking.internal.knative.dev', 'default', 'knservice')).toBeDefined();
  });

  it('records the events of the scheduler, the kubelet and the controllers', () => {
    const reasons = eventReasons();
    for (const r of EXPECTED_EVENTS) {
      expect(reasons).toContain(r);
    }
  });
});

describe.skipIf(!HAS_KUBECTL)('kubectl describe: knsim prints what real kubectl prints against knsim serve', () => {
  const targets = () => [
    'ksvc knservice',
    'configuration knservice',
    'route knservice',
    'revision knservice-00001',
    'kpa knservice-00001',
    `pod ${podName}`,
    'deployment knservice-00001-deployment',
    `replicaset ${rsName}`,
    'service knservice-00001-private',
    'service knservice',
    'endpoints knservice-00001-private',
    'kingress knservice',
    'sks knservice-00001',
    'namespace default',
  ];

  it('for each of Knative’s and Kubernetes’ objects of a ready Service', async () => {
    for (const target of targets()) {
      const { real, ours } = await bothReads(['describe', ...target.split(' ')]);
      expect(real.stderr, target).toBe('');
      expect(ours, target).toBe(real.stdout);
    }
  });

  it('kubectl get all, get events and get endpoints list what knsim lists', async () => {
    for (const line of ['get all', 'get events', 'get endpoints', 'get kingress', 'get rs']) {
      const { real, ours } = await bothReads(line.split(' '));
      // AGE and LAST SEEN come from the server at the time asked: compare the rest.
      const strip = (t: string) => t.replace(/\b\d+(s|m|h|d)\d*[smhd]?\b/g, '<age>');
      expect(strip(ours), line).toBe(strip(real.stdout));
    }
  });

  it('kubectl get -o wide prints the wide columns as the real kubectl does', async () => {
    for (const line of [
      'get pods -o wide',
      'get nodes -o wide',
      'get deploy -o wide',
      'get rs -o wide',
      'get svc -o wide',
      'get events -o wide',
      'get ksvc -o wide',
    ]) {
      const { real, ours } = await bothReads(line.split(' '));
      const strip = (t: string) => t.replace(/\b\d+(s|m|h|d)\d*[smhd]?\b/g, '<age>');
      expect(strip(ours), line).toBe(strip(real.stdout));
    }
    const { ours } = await bothReads(['get', 'pods', '-o', 'wide']);
    expect(ours.split('\n')[0]).toMatch(/ IP +NODE +NOMINATED NODE +READINESS GATES$/);
  });

  it('kubectl get -o jsonpath, -o custom-columns, --show-labels and --no-headers print what the real kubectl prints', async () => {
    const cases: string[][] = [
      ['get', 'ksvc', 'knservice', '-o', 'jsonpath={.status.url}'],
      ['get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}'],
      [
        'get',
        'ksvc',
        '-o',
        'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
      ],
      ['get', 'revisions', '-o', 'jsonpath={.items[0].metadata.labels}'],
      ['get', 'revision', 'knservice-00001', '-o', 'jsonpath={.status.conditions[*].type} {.spec}'],
      ['get', 'pods', '-o', 'jsonpath={.items[*].spec.containers[*].image}'],
      ['get', 'pods', '-o', "jsonpath={.items[-1:].spec.containers[*]['name','image']}"],
      ['get', 'ksvc', 'knservice', '-o', 'jsonpath=url={.status.url} gen={.metadata.generation} none={.spec.nothing}.'],
      [
        'get',
        'configmaps',
        '-n',
        'knative-serving',
        '-o',
        'jsonpath={.items[?(@.metadata.name=="config-autoscaler")].data.stable-window}',
      ],
      [
        'get',
        'ksvc',
        '-o',
        'custom-columns=NAME:.metadata.name,URL:.status.url,GEN:metadata.generation,NONE:.spec.nothing',
      ],
      [
        'get',
        'pods',
        '-o',
        'custom-columns=POD:.metadata.name,CONTAINERS:.spec.containers[*].name,LIMITS:.spec.containers[0].resources',
      ],
      ['get', 'ksvc', '-o', 'custom-columns=NAME:.metadata.name', '--no-headers'],
      ['get', 'pods', '--show-labels'],
      ['get', 'ksvc', '--no-headers', '--show-labels'],
      ['get', 'revisions', '-A', '--show-labels'],
      // Keys without ties: with more than 12 equal keys Go's sort (unstable) may order them otherwise.
      ['get', 'events', '--sort-by=.metadata.uid', '-o', 'custom-columns=UID:.metadata.uid,R:.reason'],
      ['get', 'configmaps', '-n', 'knative-serving', '--sort-by=.metadata.uid', '-o', 'name'],
      ['get', 'events', '--sort-by=.metadata.uid'],
      ['get', 'events', '--sort-by', '.metadata.uid', '-o', 'custom-columns=REASON:.reason,KIND:.involvedObject.kind'],
      ['get', 'pods', '-A', '--sort-by=.metadata.creationTimestamp'],
      ['get', 'configmaps', '-n', 'knative-serving', '--sort-by=.metadata.resourceVersion', '-o', 'name'],
      ['get', 'ksvc', '--sort-by=.status.url', '-o', 'jsonpath={.items[*].metadata.name}'],
      ['get', 'events', '--field-selector', 'type=Normal,reason=Created'],
      ['get', 'events', '--field-selector=involvedObject.kind=Pod,reason!=Pulled', '--sort-by=.metadata.uid'],
      ['get', 'pods', '-A', '--field-selector', 'status.phase=Running', '-o', 'name'],
      ['get', 'pods', '-l', 'serving.knative.dev/service in (knservice,other),!nothing', '-o', 'name'],
    ];
    for (const args of cases) {
      const { real, ours } = await bothReads(args);
      const strip = (t: string) => t.replace(/\b\d+(s|m|h|d)\d*[smhd]?\b/g, '<age>');
      expect(real.stderr, args.join(' ')).toBe('');
      expect(strip(ours), args.join(' ')).toBe(strip(real.stdout));
    }
    // A field the kind cannot be selected by: the API server's 400, as kubectl prints it.
    const { real, ours } = await bothReads(['get', 'ksvc', '--field-selector', 'status.phase=Ready']);
    expect(real.stdout).toBe('');
    expect(`${ours}\n`).toBe(real.stderr);
  });
});
