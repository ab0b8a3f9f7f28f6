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

describe('a log line whose time is far in the future (compare sized its per-second series by it: heap blow-up)', () => {
  it('is refused at its line (seed 31337, case 4729)', async () => {
    const dir = scratch();
    const log = `${dir}/run.jsonl`;
    const run = await knsimInProcess(['run', 'scenarios/idle-to-zero.yaml', '--log', log]);
    expect(run.status).toBe(0);
    const { readFileSync, writeFileSync } = await import('node:fs');
    const lines = readFileSync(log, 'utf8').split('\n');
    lines.splice(5, 0, '{"t":40940067014.72,"type":"request","phase":"arrived","id":1,"serviceMs":100}');
    writeFileSync(log, lines.join('\n'));
    const r = await knsimInProcess(['compare', log, log]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${log}:6: request event: "t": a run time beyond 366 days (no run gets there)`);
  });
});
