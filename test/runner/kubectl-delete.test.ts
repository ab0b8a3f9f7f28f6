/**
 * `kubectl delete` as a scenario step prints what kubectl prints against a cluster (`route.serving.knative.dev
 * "web" deleted`, where knsim printed `route.serving.knative.dev/web deleted`) and, as
 * kubectl's default `--wait` does, returns once the object is gone: a Route only after Knative's
 * labeler has finalized it (its finalizer `routes.serving.knative.dev`), so the next step finds
 * it gone and its revision no longer routed.
 */
import { describe, expect, it } from 'vitest';
import { runScenarioText } from './runText.js';

const text = `
settings: { podStartup: 2s }
files:
  web.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Configuration
    metadata: { name: web }
    spec:
      template:
        spec:
          containers:
            - image: docker.io/knsim/demo
    ---
    apiVersion: serving.knative.dev/v1
    kind: Route
    metadata: { name: web }
    spec:
      traffic:
        - configurationName: web
          percent: 100
steps:
  - apply: web.yaml
  - at: 20s
    kubectl: get route web -o jsonpath={.metadata.finalizers}
  - kubectl: delete route web
  - kubectl: get routes
  - kubectl: get revision web-00001 -o 'jsonpath={.metadata.labels.serving\\.knative\\.dev/routingState}'
`;

describe('kubectl delete in a scenario', () => {
  it('prints "deleted" and waits until the finalized Route is gone', async () => {
    const outcome = await runScenarioText(text, 3);
    expect(outcome.failures).toEqual([]);
    const t = outcome.transcript;
    expect(t).toContain('["routes.serving.knative.dev"]');
    expect(t).toContain('route.serving.knative.dev "web" deleted\n');
    expect(t).toContain('No resources found in default namespace.\n');
    expect(t).toMatch(/routingState\}'\nreserve/);
  });
});
