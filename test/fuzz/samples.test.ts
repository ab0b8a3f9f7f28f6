/**
 * Inputs the fuzzer (npm run fuzz) found crashing knsim, one per class, each now a clean error
 * or a run; docs/reliability.md lists the classes and their fixes.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../src/scenario/parse.js';
import { knsimInProcess, scratch } from '../cli/helpers.js';

const SERVICE = `files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: demo }
    spec:
      template:
        spec:
          containers: [{ image: docker.io/knsim/demo }]
steps:
  - apply: svc.yaml
  - wait: { until: ksvc demo Ready, timeout: 2m }
`;

function errorOf(text: string): string {
  try {
    parseScenario(text, 's.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  return '';
}

describe('config-network values that made no URL ("Invalid URL" in the route controller)', () => {
  it('default-external-scheme must be http or https (seed 12012, cases 369, 1085, 1427)', () => {
    expect(errorOf(`${SERVICE}config:\n  config-network: { default-external-scheme: "10" }\n`)).toBe(
      's.yaml:14:46: config.config-network.default-external-scheme: default-external-scheme "10" should be either "http" or "https"',
    );
  });

  it('a domain template must make a host, with no path and no unknown field', () => {
    expect(errorOf(`${SERVICE}config:\n  config-network: { domain-template: "{{.Name}}/x" }\n`)).toContain(
      'config.config-network.domain-template: domain-template: domain template has url path: /x',
    );
    expect(errorOf(`${SERVICE}config:\n  config-network: { domain-template: "{{.Bad}}.{{.Domain}}" }\n`)).toContain(
      'names a field the template does not have',
    );
  });

  it('an odd but valid template (a bare number, 812) runs', async () => {
    const dir = scratch({ 's.yaml': `${SERVICE}config:\n  config-network: { domain-template: "812" }\n` });
    const r = await knsimInProcess(['run', `${dir}/s.yaml`]);
    expect(r.stderr).not.toContain('internal error');
    expect(r.status).toBe(0);
  });
});
