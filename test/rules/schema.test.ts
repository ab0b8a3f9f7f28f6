import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { admit } from '../../src/model/admission.js';
import { defaultAutoscalerConfig } from '../../src/model/kpa/index.js';
import {
  dropUnknownFields,
  strictDecodingError,
  undecodableMessage,
  unknownFields,
} from '../../src/model/rules/schema.js';
import { ksvc } from './fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');

function service(spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'hello' }) {
  return { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata, spec };
}

const template = (spec: Record<string, unknown>, metadata?: Record<string, unknown>) => ({
  template: { ...(metadata ? { metadata } : {}), spec },
});

describe('unknownFields', () => {
  it('finds the typo of the task: imgae for image', () => {
    expect(unknownFields(service(template({ containers: [{ imgae: 'x' }] })))).toEqual([
      'spec.template.spec.containers[0].imgae',
    ]);
  });

  it('finds typos at every depth, in document order, with array indices', () => {
    const svc = service(
      {
        template: {
          spec: {
            containers: [
              { image: 'a' },
              {
                image: 'b',
                ports: [{ containerPort: 8080, protcol: 'TCP' }],
                env: [
                  { name: 'A', value: '1' },
                  { name: 'B', valueFrom: { secretKeyRef: { name: 's', kee: 'k' } } },
                ],
                readinessProbe: { httpGet: { path: '/', prot: 8080 }, periodSecond: 1 },
              },
            ],
            containerConcurency: 1,
          },
          spce: {},
        },
        trafic: [],
        traffic: [{ percent: 100, latestRevision: true, revison: 'x' }],
      },
      { name: 'hello', lables: { a: 'b' } },
    );
    expect(unknownFields(svc)).toEqual([
      'metadata.lables',
      'spec.template.spec.containers[1].ports[0].protcol',
      'spec.template.spec.containers[1].env[1].valueFrom.secretKeyRef.kee',
      'spec.template.spec.containers[1].readinessProbe.httpGet.prot',
      'spec.template.spec.containers[1].readinessProbe.periodSecond',
      'spec.template.spec.containerConcurency',
      'spec.template.spce',
      'spec.trafic',
      'spec.traffic[0].revison',
    ]);
  });

  it('accepts any key under labels, annotations, resource quantities, nodeSelector and other free maps', () => {
    const svc = service(
      template(
        {
          containers: [
            {
              image: 'x',
              resources: { limits: { cpu: '1', 'nvidia.com/gpu': 1 }, requests: { anything: '1Gi' } },
              securityContext: { runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
            },
          ],
          nodeSelector: { 'kubernetes.io/arch': 'amd64' },
          affinity: { nodeAffinity: { whatever: {} } },
          volumes: [{ name: 'v', configMap: { name: 'cm', items: [{ key: 'k', path: 'p' }] } }],
        },
        { labels: { 'any/key': 'v' }, annotations: { 'autoscaling.knative.dev/target': '10' }, extra: 1 },
      ),
      {
        name: 'hello',
        labels: { 'a.b/c': 'd', imgae: 'x' },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      },
    );
    expect(unknownFields(svc)).toEqual([]);
  });

  it('does not look at status, other kinds or other API groups', () => {
    expect(unknownFields({ ...service(template({ containers: [{ image: 'x' }] })), status: { foo: 1 } })).toEqual([]);
    expect(unknownFields({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, dataa: {} })).toEqual([]);
    expect(unknownFields({ apiVersion: 'serving.knative.dev/v1', kind: 'Revision', spec: { foo: 1 } })).toEqual([]);
    expect(unknownFields({ apiVersion: 'serving.knative.dev/v1beta1', kind: 'Service', spec: { foo: 1 } })).toEqual([]);
  });

  it('knows Configuration and Route: a Route has no template, a Configuration no traffic', () => {
    expect(
      unknownFields({
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Configuration',
        metadata: { name: 'c' },
        spec: { template: { spec: { containers: [{ image: 'x' }] } }, traffic: [] },
      }),
    ).toEqual(['spec.traffic']);
    expect(
      unknownFields({
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Route',
        metadata: { name: 'r' },
        spec: { traffic: [{ configurationName: 'c', percent: 100, tag: 't' }], template: {} },
      }),
    ).toEqual(['spec.template']);
  });

  it('leaves wrongly typed values to validation (a string where a list belongs is not an unknown field)', () => {
    expect(unknownFields(service(template({ containers: 'x' })))).toEqual([]);
    expect(unknownFields(service({ template: null }))).toEqual([]);
  });

  it('finds none in the test fixtures of the rules', () => {
    expect(unknownFields(ksvc('hello'))).toEqual([]);
  });
});

describe('the API server text', () => {
  it('lists unknown fields sorted, metadata last, comma-separated', () => {
    expect(strictDecodingError(['spec.b', 'metadata.x', 'spec.a'])).toBe(
      'strict decoding error: unknown field "spec.a", unknown field "spec.b", unknown field "metadata.x"',
    );
    expect(undecodableMessage('Service', 'v1', ['spec.template.spec.containers[0].imgae'])).toBe(
      'Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.template.spec.containers[0].imgae"',
    );
  });
});

describe('admission with unknown fields', () => {
  const typo = service(template({ containers: [{ image: 'docker.io/x/y', imgae: 'x' }] })) as never;
  const ctx = { autoscaler: defaultAutoscalerConfig() };

  it('refuses the object before defaulting and validation when strict (the default)', () => {
    const result = admit(service(template({ containers: [{ imgae: 'x' }] })) as never, ctx);
    expect(result.object).toBeUndefined();
    expect(result.errors).toEqual([]); // the webhook never sees it: no "missing field(s): …image"
    expect(result.unknownFields).toEqual(['spec.template.spec.containers[0].imgae']);
  });

  it('drops unknown fields with Warn and Ignore, and admits the rest', () => {
    for (const fieldValidation of ['Warn', 'Ignore'] as const) {
      const result = admit(typo, { ...ctx, fieldValidation });
      expect(result.errors).toEqual([]);
      expect(result.unknownFields).toEqual(['spec.template.spec.containers[0].imgae']);
      const stored = result.object as unknown as { spec: { template: { spec: { containers: object[] } } } };
      expect(stored.spec.template.spec.containers[0]).not.toHaveProperty('imgae');
      expect(stored.spec.template.spec.containers[0]).toHaveProperty('image', 'docker.io/x/y');
    }
    expect(dropUnknownFields(typo)).not.toBe(typo);
  });

  it('drops exactly the unknown keys, even one whose name looks like a known path', () => {
    const tricky = service({ 'template.spec': 1, template: { spec: { containers: [{ image: 'x' }] } } });
    expect(unknownFields(tricky)).toEqual(['spec.template.spec']);
    expect(dropUnknownFields(tricky)).toEqual(service(template({ containers: [{ image: 'x' }] })));
    expect(tricky.spec).toHaveProperty(['template.spec'], 1); // the input is left alone
  });
});

// ---- every manifest the project ships or tests with has no unknown field ----

/** Every serving.knative.dev object in a YAML text, including manifests inside `files:` strings. */
function manifestsIn(text: string): unknown[] {
  const found: unknown[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (/^\s*apiVersion:\s*serving\.knative\.dev\//m.test(value)) {
        for (const doc of parseAllDocuments(value)) visit(doc.toJS());
      }
    } else if (Array.isArray(value)) {
      for (const v of value) visit(v);
    } else if (typeof value === 'object' && value !== null) {
      const o = value as Record<string, unknown>;
      if (typeof o.apiVersion === 'string' && o.apiVersion.startsWith('serving.knative.dev/')) found.push(o);
      else for (const v of Object.values(o)) visit(v);
    }
  };
  for (const doc of parseAllDocuments(text)) visit(doc.toJS());
  return found;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(path).isDirectory()) out.push(...yamlFiles(path));
    else if (/\.ya?ml$/.test(name)) out.push(path);
  }
  return out;
}

/** The ```yaml blocks of the docs. */
function docBlocks(): [string, string][] {
  const dir = join(ROOT, 'docs');
  return readdirSync(dir)
    .filter((n) => n.endsWith('.md'))
    .flatMap((n) =>
      [...readFileSync(join(dir, n), 'utf8').matchAll(/```ya?ml\n([\s\S]*?)```/g)].map(
        (m, i) => [`docs/${n} block ${i}`, m[1] ?? ''] as [string, string],
      ),
    );
}

describe('the shipped and tested manifests', () => {
  const files = [...yamlFiles(join(ROOT, 'scenarios')), ...yamlFiles(join(ROOT, 'test'))];

  it('include the seed article and the scenarios', () => {
    expect(files.some((f) => f.endsWith('seed.yaml'))).toBe(true);
    expect(files.filter((f) => f.includes('/scenarios/')).length).toBeGreaterThan(5);
    const seed = manifestsIn(readFileSync(join(ROOT, 'test/scenario/fixtures/seed.yaml'), 'utf8'));
    expect(seed).toHaveLength(1);
  });

  it.each(files.map((f) => [f.slice(ROOT.length + 1), f]))('%s has no unknown field', (_name, file) => {
    const objects = manifestsIn(readFileSync(file, 'utf8'));
    // Every shipped scenario has Knative manifests (a ConfigMap-only file has none).
    const configMapOnly = /^kind: ConfigMap$/m.test(readFileSync(file, 'utf8'));
    if (file.startsWith(join(ROOT, 'scenarios')) && !configMapOnly) expect(objects.length).toBeGreaterThan(0);
    for (const obj of objects) expect(unknownFields(obj)).toEqual([]);
  });

  it('nor do the manifests in the docs', () => {
    for (const [name, text] of docBlocks()) {
      let objects: unknown[] = [];
      try {
        objects = manifestsIn(text);
      } catch {
        continue; // a fragment, not a manifest
      }
      for (const obj of objects) expect(unknownFields(obj), name).toEqual([]);
    }
  });
});
