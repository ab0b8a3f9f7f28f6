/**
 * The scenario steps `kubectl: describe …`, `kubectl: get events` and `kubectl: get all` in the
 * simulator: kubectl's layouts with the simulated cluster's objects and events (the byte-for-byte
 * comparison with real kubectl is in test/serve/describe.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { runScenarioText } from './runText.js';

const run = (text: string) => runScenarioText(text, 1);

/** What one `kubectl …` step printed. */
function outputOf(transcript: string, command: string): string {
  const start = transcript.indexOf(`$ ${command}\n`);
  expect(start, command).toBeGreaterThanOrEqual(0);
  const rest = transcript.slice(start + command.length + 3);
  const end = rest.search(/\n\[\d\d:\d\d\.\d{3}\] /);
  return end < 0 ? rest : rest.slice(0, end + 1);
}

const SCENARIO = `
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: hello }
    spec:
      template:
        spec:
          containers:
            - image: docker.io/knsim/demo
steps:
  - apply: svc.yaml
  - wait: ksvc hello Ready
  - sleep: 2s
  - kubectl: describe ksvc hello
  - kubectl: describe configuration hello
  - kubectl: describe pod hello
  - kubectl: describe deployment hello-00001-deployment
  - kubectl: describe kpa hello-00001
  - kubectl: get events
  - kubectl: get all
  - kubectl: describe ksvc nothing
  - curl: http://hello.default.svc.cluster.local
  - kubectl: logs deployment/hello-00001-deployment
  - kubectl: logs deployment/hello-00001-deployment -c queue-proxy --tail 1
`;

describe('kubectl describe, get events, get all and logs in a scenario', () => {
  it('describes Knative objects with the generic layout and their controllers’ events', async () => {
    const { transcript } = await run(SCENARIO);
    const ksvc = outputOf(transcript, 'kubectl describe ksvc hello');
    expect(ksvc).toMatch(/^Name: {9}hello\nNamespace: {4}default\n/);
    expect(ksvc).toContain('API Version:  serving.knative.dev/v1\nKind:         Service\n');
    expect(ksvc).toContain('    Type:                        Ready\n');
    expect(ksvc).toMatch(
      /Events:\n {2}Type {4}Reason {3}Age {3}From {16}Message\n {2}---- {4}------ {3}---- {2}---- {16}-------\n {2}Normal {2}Created {2}\d+s +service-controller {2}Created Configuration "hello"\n/,
    );
    const config = outputOf(transcript, 'kubectl describe configuration hello');
    expect(config).toContain('configuration-controller  Created Revision "hello-00001"');
    expect(config).toContain('configuration-controller  Configuration becomes ready');
    expect(config).toContain('configuration-controller  LatestReadyRevisionName updated to "hello-00001"');
    expect(outputOf(transcript, 'kubectl describe kpa hello-00001')).toContain('Kind:         PodAutoscaler\n');
  });

  it('describes the pod (by name prefix) with its containers, conditions and the kubelet’s events', async () => {
    const { transcript } = await run(SCENARIO);
    const pod = outputOf(transcript, 'kubectl describe pod hello');
    expect(pod).toMatch(/^Name: +hello-00001-deployment-[a-z0-9]{10}-[a-z0-9]{5}\n/);
    expect(pod).toContain('Node:             knsim/192.168.49.2\n');
    expect(pod).toMatch(/Controlled By: +ReplicaSet\/hello-00001-deployment-[a-z0-9]{10}\n/);
    expect(pod).toMatch(/ {2}user-container:\n {4}Container ID: +containerd:\/\/[0-9a-f]{64}\n/);
    expect(pod).toContain('Readiness:  http-get http://:8012/ delay=0s timeout=1s period=10s #success=1 #failure=3');
    expect(pod).toMatch(/ {2}Ready +True \n/);
    for (const line of [
      /default-scheduler {2}Successfully assigned default\/hello-00001-deployment-\S+ to knsim/,
      /kubelet +Pulling image "docker.io\/knsim\/demo"/,
      /kubelet +Successfully pulled image "docker.io\/knsim\/demo" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: \d+ bytes\./,
      /kubelet +Created container: user-container/,
      /kubelet +Started container user-container/,
      /kubelet +Started container queue-proxy/,
    ]) {
      expect(pod).toMatch(line);
    }
    const deployment = outputOf(transcript, 'kubectl describe deployment hello-00001-deployment');
    expect(deployment).toMatch(/NewReplicaSet: +hello-00001-deployment-[a-z0-9]{10} \(1\/1 replicas created\)\n/);
    expect(deployment).toMatch(
      /deployment-controller {2}Scaled up replica set hello-00001-deployment-[a-z0-9]{10} from 0 to 1\n/,
    );
  });

  it('lists events and everything `get all` shows on a cluster; a missing object is kubectl’s NotFound', async () => {
    const { transcript } = await run(SCENARIO);
    const events = outputOf(transcript, 'kubectl get events');
    expect(events.split('\n')[0]).toMatch(/^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$/);
    expect(events).toMatch(/Normal +ScalingReplicaSet +deployment\/hello-00001-deployment /);
    const all = outputOf(transcript, 'kubectl get all');
    const heads = all
      .split('\n\n')
      .map((section) => section.trim().split('\n')[1]?.split('/')[0])
      .filter((head) => head !== undefined);
    expect(heads).toEqual([
      'pod',
      'service',
      'deployment.apps',
      'replicaset.apps',
      'configuration.serving.knative.dev',
      'revision.serving.knative.dev',
      'route.serving.knative.dev',
      'service.serving.knative.dev',
    ]);
    expect(all).toContain('service/hello-00001-private   ClusterIP');
    expect(all).toMatch(
      /service\/hello +ExternalName +<none> +kourier-internal\.kourier-system\.svc\.cluster\.local +80\/TCP/,
    );
    expect(outputOf(transcript, 'kubectl describe ksvc nothing')).toMatch(
      /^Error from server \(NotFound\): services\.serving\.knative\.dev "nothing" not found\n/,
    );
  });

  it('prints the app’s access lines and queue-proxy’s lines with kubectl logs', async () => {
    const { transcript } = await run(SCENARIO);
    const app = outputOf(transcript, 'kubectl logs deployment/hello-00001-deployment');
    expect(app).toMatch(
      /^Defaulted container "user-container" out of: user-container, queue-proxy\nStarting server on port 8080\nListening on :8080\n127\.0\.0\.1 - - \[01\/Jan\/2026:00:00:\d\d \+0000\] "GET \/ HTTP\/1\.1" 200 \d+\n/,
    );
    const queue = outputOf(transcript, 'kubectl logs deployment/hello-00001-deployment -c queue-proxy --tail 1');
    const line = JSON.parse(queue.split('\n')[0] ?? '{}');
    expect(line).toMatchObject({ severity: 'INFO', logger: 'queueproxy', 'knative.dev/key': 'default/hello-00001' });
  });

  it('shows the KIngress of a Route, and its Certificate when external-domain-tls is enabled', async () => {
    const { transcript, ok, failures } = await run(`
config:
  config-domain: { example.com: "" }
  config-network: { external-domain-tls: Enabled }
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: hello }
    spec:
      template:
        spec:
          containers:
            - image: docker.io/knsim/demo
steps:
  - apply: svc.yaml
  - wait: ksvc hello Ready
  - kubectl: get kingress
  - kubectl: get kcert
  - kubectl: describe route hello
  - expect: kingress hello exists and king hello exists and ingresses.networking.internal.knative.dev hello exists
  - expect: kingress nothing absent
`);
    // Expectations take their resource words from the model's list: a KIngress check can pass.
    expect(failures).toEqual([]);
    expect(ok).toBe(true);
    expect(transcript).toContain('# ✓ expect kingress hello exists (exists) and king hello exists (exists)');
    expect(outputOf(transcript, 'kubectl get kingress')).toMatch(/^NAME {4}READY {3}REASON\nhello {3}True {4}\n/);
    expect(outputOf(transcript, 'kubectl get kcert')).toMatch(/^NAME +READY +REASON\nroute-[0-9a-f-]{36} +True +\n/);
    const route = outputOf(transcript, 'kubectl describe route hello');
    expect(route).toMatch(/route-controller {2}Created placeholder service "hello"\n/);
    expect(route).toMatch(/route-controller {2}Created Ingress "hello"\n/);
    expect(route).toMatch(/route-controller {2}Created Certificate default\/route-[0-9a-f-]{36}\n/);
  });
});
