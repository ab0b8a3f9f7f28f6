/**
 * The pod status the kubelet reports (`podStatus`), against one built from scratch with each
 * field spelled out: the same text as JSON (so the same key order, which `kubectl get -o yaml`
 * and the logs show), for every phase and any times, containers and addresses.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../src/model/api/types.js';
import type { PodPhase } from '../../src/model/events.js';
import { podStatus } from '../../src/sim/controllers/deployment.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

interface Case {
  phase: PodPhase;
  names: string[];
  scheduledAt?: string;
  startedAt?: string;
  readyAt?: string;
  address?: string;
  ip: string;
}

function fromScratch(c: Case, images: string[]): unknown {
  const order = c.names.map((name, i) => ({ name, image: images[i]! })).sort((a, b) => (a.name < b.name ? -1 : 1));
  const scheduled = c.scheduledAt ?? '';
  const ready = c.phase === 'Ready';
  const running = c.phase === 'Running' || ready;
  const unready = order.filter((o) => !(ready || (running && o.name !== 'queue-proxy'))).map((o) => o.name);
  const message = `containers with unready status: [${unready.join(' ')}]`;
  const condition = (type: string, ok: boolean, since: string, reason?: string) => {
    const out: Record<string, unknown> = { type, status: ok ? 'True' : 'False', lastProbeTime: null };
    out.lastTransitionTime = since;
    if (!ok && reason) {
      out.reason = reason;
      out.message = message;
    }
    return out;
  };
  const readySince = (ready ? c.readyAt : scheduled) ?? scheduled;
  const status: Record<string, unknown> = {
    phase: running ? 'Running' : 'Pending',
    conditions: [
      condition('PodReadyToStartContainers', running, c.startedAt ?? scheduled),
      condition('Initialized', true, scheduled),
      condition('Ready', ready, readySince, 'ContainersNotReady'),
      condition('ContainersReady', ready, readySince, 'ContainersNotReady'),
      condition('PodScheduled', true, scheduled),
    ],
    hostIP: c.address ?? '',
    hostIPs: [{ ip: c.address ?? '' }],
  };
  if (running) {
    status.podIP = c.ip;
    status.podIPs = [{ ip: c.ip }];
  }
  status.startTime = scheduled;
  status.qosClass = 'Burstable';
  status.containerStatuses = order.map(({ name, image }) => {
    const s: Record<string, unknown> = {
      image,
      imageID: running ? `${image.split('@')[0]}@sha256:${sha256(image)}` : '',
      lastState: {},
      name,
      restartCount: 0,
    };
    if (!running) {
      s.ready = false;
      s.started = false;
      s.state = { waiting: { reason: 'ContainerCreating' } };
      return s;
    }
    s.containerID = `containerd://${sha256(`p-1/${name}`)}`;
    s.ready = ready || name !== 'queue-proxy';
    s.started = true;
    s.state = { running: { startedAt: c.startedAt } };
    return s;
  });
  return status;
}

const time = fc.option(fc.constantFrom('2026-01-01T00:00:01Z', '2026-01-01T00:00:09Z'), { nil: undefined });

describe('podStatus', () => {
  it('is the status built from scratch, field for field and in order (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.record({
          phase: fc.constantFrom<PodPhase>('Pending', 'ContainerCreating', 'Running', 'Ready', 'Terminating'),
          names: fc.uniqueArray(fc.constantFrom('user-container', 'queue-proxy', 'side-1', 'a'), {
            minLength: 1,
            maxLength: 3,
          }),
          scheduledAt: time,
          startedAt: time,
          readyAt: time,
          address: fc.option(fc.constantFrom('10.0.0.1', '10.0.0.2'), { nil: undefined }),
          ip: fc.constantFrom('10.1.0.3', '10.1.0.4'),
        }),
        (c) => {
          const images = c.names.map((n) => `docker.io/knsim/${n}@sha256:abc`);
          const pod = {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'p-1', namespace: 'default' },
            spec: { containers: c.names.map((name, i) => ({ name, image: images[i] })) },
          } as unknown as Pod;
          const rt = {
            ip: c.ip,
            scheduledAt: c.scheduledAt,
            startedAt: c.startedAt,
            readyAt: c.readyAt,
            ...(c.address !== undefined ? { node: { address: c.address, name: 'n' } } : {}),
          } as unknown as Parameters<typeof podStatus>[2];
          expect(JSON.stringify(podStatus(pod, c.phase, rt))).toBe(JSON.stringify(fromScratch(c, images)));
          // Twice for the same pod: the same ids (kept with the pod).
          expect(JSON.stringify(podStatus(pod, c.phase, rt))).toBe(JSON.stringify(fromScratch(c, images)));
        },
      ),
      { numRuns: 500 },
    );
  });
});
