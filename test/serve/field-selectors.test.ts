/**
 * Field selectors per kind, as the API server's registries declare them: Events by reason, type,
 * source and reporting component (`kubectl get events --field-selector type=Warning`), Pods by
 * their spec and status fields, Namespaces by phase, everything by name and namespace, and
 * nothing else (400 `field label not supported`).
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, HAS_KUBECTL, type Harness, kubectl, startHarness } from './helpers.js';

let h: Harness;
const EVENTS = '/api/v1/namespaces/default/events';

const names = async (path: string): Promise<string[]> =>
  (await api(h, 'GET', path)).json().items.map((o: { reason?: string; metadata: { name: string } }) => o.reason ?? '');

beforeAll(async () => {
  h = await startHarness();
  const made = await api(h, 'POST', '/apis/serving.knative.dev/v1/namespaces/default/services', {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'seen' },
    spec: { template: { spec: { containers: [{ image: 'docker.io/knsim/demo' }] } } },
  });
  expect(made.status, made.body).toBe(201);
  // The scheduler's event and the kubelet's Started: a pod was placed and runs.
  await eventually(async () => ((await names(EVENTS)).includes('Started') ? true : undefined), 20_000);
});

afterAll(async () => {
  await h?.stop();
});

describe('field selectors', () => {
  it('select Events by reason, type, source and reporting component', async () => {
    const all = await names(EVENTS);
    const scheduled = await names(`${EVENTS}?fieldSelector=reason%3DScheduled`);
    expect(scheduled.length).toBeGreaterThan(0);
    expect(scheduled.every((r) => r === 'Scheduled')).toBe(true);
    expect(await names(`${EVENTS}?fieldSelector=type%3DNormal`)).toEqual(all);
    expect(await names(`${EVENTS}?fieldSelector=type%3DWarning`)).toEqual([]);
    expect(await names(`${EVENTS}?fieldSelector=type!%3DNormal`)).toEqual([]);
    // The scheduler reports through events.k8s.io: no core source, so `source` is its reporting controller.
    expect(await names(`${EVENTS}?fieldSelector=source%3Ddefault-scheduler`)).toEqual(scheduled);
    expect(await names(`${EVENTS}?fieldSelector=reportingComponent%3Ddefault-scheduler`)).toEqual(scheduled);
  });

  it('select Pods by phase and node, and refuse those fields on other kinds', async () => {
    const pods = (await api(h, 'GET', '/api/v1/namespaces/default/pods?fieldSelector=spec.nodeName%3Dknsim')).json();
    expect(pods.items.length).toBeGreaterThan(0);
    const ksvc = await api(
      h,
      'GET',
      '/apis/serving.knative.dev/v1/namespaces/default/services?fieldSelector=status.phase%3DRunning',
    );
    expect(ksvc.status).toBe(400);
    expect(ksvc.json().message).toContain('field label not supported: status.phase');
    const events = await api(h, 'GET', `${EVENTS}?fieldSelector=count%3D1`);
    expect(events.status).toBe(400);
    expect(events.json().message).toContain('field label not supported: count');
  });
});

describe.skipIf(!HAS_KUBECTL)('kubectl get events --field-selector', () => {
  it('type=Warning finds none, type=Normal lists them', async () => {
    const cache = mkdtempSync(join(h.dir, 'cache-'));
    const warn = await kubectl(h.kubeconfig, cache, ['get', 'events', '--field-selector', 'type=Warning']);
    expect(warn.code, warn.stderr).toBe(0);
    expect(warn.stderr).toBe('No resources found in default namespace.\n');
    const normal = await kubectl(h.kubeconfig, cache, [
      'get',
      'events',
      '--field-selector',
      'type=Normal,reason=Scheduled',
      '-o',
      'name',
    ]);
    expect(normal.code, normal.stderr).toBe(0);
    expect(normal.stdout).toMatch(/^event\/seen-00001-deployment-/);
  });
});
