/**
 * Deleting a Route: Knative's labeler holds it with the finalizer `routes.serving.knative.dev`
 * until its FinalizeKind (labeler v2 ClearRoutingMeta) has taken the Route's name out of the
 * `serving.knative.dev/routes` annotation of the revisions and configurations it named; a revision
 * that no Route names then turns `routingState: reserve` (and may scale to zero). knsim has no
 * finalizers; the same clearing runs once the Route is gone.
 */
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject } from '../../src/model/api/types.js';

const configuration: KubeObject = {
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Configuration',
  metadata: { name: 'api', namespace: 'default' },
  spec: { template: { spec: { containers: [{ image: 'docker.io/knsim/demo' }] } } },
};
const route = (name: string): KubeObject => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Route',
  metadata: { name, namespace: 'default' },
  spec: { traffic: [{ configurationName: 'api', percent: 100 }] },
});

const meta = (b: SimBackend, type: string, name: string) => {
  const o = b.snapshot(type, 'default').find((x) => x.metadata.name === name)!;
  return {
    routes: o.metadata.annotations?.['serving.knative.dev/routes'],
    state: o.metadata.labels?.['serving.knative.dev/routingState'],
  };
};

describe('deleting a Route clears its routing metadata (the labeler finalizer)', () => {
  it('a revision no other Route names turns reserve; one still named stays active', async () => {
    const b = new SimBackend({ seed: 2, namespace: 'default' });
    await b.start({ scenario: 'test', seed: 2, namespace: 'default' });
    await b.apply([configuration, route('one'), route('two')], 'x.yaml');
    await b.sleepUntil(15_000);
    expect(meta(b, 'revisions.serving.knative.dev', 'api-00001')).toEqual({ routes: 'one,two', state: 'active' });
    expect(meta(b, 'configurations.serving.knative.dev', 'api').routes).toBe('one,two');

    await b.delete('routes.serving.knative.dev', 'default', 'one');
    await b.sleepUntil(20_000);
    expect(meta(b, 'revisions.serving.knative.dev', 'api-00001')).toEqual({ routes: 'two', state: 'active' });
    expect(meta(b, 'configurations.serving.knative.dev', 'api').routes).toBe('two');

    await b.delete('routes.serving.knative.dev', 'default', 'two');
    await b.sleepUntil(25_000);
    expect(meta(b, 'revisions.serving.knative.dev', 'api-00001')).toEqual({ routes: undefined, state: 'reserve' });
    expect(meta(b, 'configurations.serving.knative.dev', 'api').routes).toBeUndefined();
  });
});
