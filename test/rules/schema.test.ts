import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { admit } from '../../src/model/admission.js';
import { defaultAutoscalerConfig } from '../../src/model/kpa/index.js';
import {
  dropNulls,
  dropUnknownFields,
  kubectlInvalidMessage,
  schemaErrors,
  schemaInvalidMessage,
  strictDecodingError,
  undecodableMessage,
  unknownFields,
} from '../../src/model/rules/schema.js';
import { crdSchemas } from '../../src/serve/openapi.js';
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
    // Every shipped scenario has Knative manifests (a ConfigMap-only file has none, and one that
    // makes its Services with `kn service create` writes them through kn's flags).
    const text = readFileSync(file, 'utf8');
    const configMapOnly = /^kind: ConfigMap$/m.test(text);
    const byKn = /^\s*- kn: (?:kn )?service create /m.test(text);
    if (file.startsWith(join(ROOT, 'scenarios')) && !configMapOnly && !byKn) expect(objects.length).toBeGreaterThan(0);
    for (const obj of objects) expect(unknownFields(obj)).toEqual([]);
    for (const obj of objects) expect(schemaErrors(obj)).toEqual([]);
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
      for (const obj of objects) expect(schemaErrors(obj), name).toEqual([]);
    }
  });
});

// ---- types and required fields, as the API server validates a CRD's structural schema ----

describe('schemaErrors', () => {
  const detail = (obj: unknown) => schemaErrors(obj).map((e) => `${e.field}: ${e.detail}`);

  it('refuses containers as a mapping and env as a mapping, in the API server words', () => {
    expect(detail(service(template({ containers: { image: 'x' } })))).toEqual([
      'spec.template.spec.containers: Invalid value: "object": spec.template.spec.containers in body must be of type array: "object"',
    ]);
    expect(detail(service(template({ containers: [{ image: 'x', env: { A: 'b' } }] })))).toEqual([
      'spec.template.spec.containers[0].env: Invalid value: "object": spec.template.spec.containers[0].env in body must be of type array: "object"',
    ]);
  });

  it('names the JSON type found: string, integer, number, boolean, array, null (in a list); keys in sorted order', () => {
    const svc = service({
      template: {
        spec: {
          containerConcurrency: '10',
          timeoutSeconds: 1.5,
          enableServiceLinks: 'yes',
          containers: [{ image: ['x'], ports: [{ containerPort: true }] }, null],
        },
      },
      traffic: [{ percent: 100, latestRevision: 1 }],
    });
    expect(detail(svc)).toEqual([
      'spec.template.spec.containerConcurrency: Invalid value: "string": spec.template.spec.containerConcurrency in body must be of type integer: "string"',
      'spec.template.spec.containers[0].image: Invalid value: "array": spec.template.spec.containers[0].image in body must be of type string: "array"',
      'spec.template.spec.containers[0].ports[0].containerPort: Invalid value: "boolean": spec.template.spec.containers[0].ports[0].containerPort in body must be of type integer: "boolean"',
      'spec.template.spec.containers[1]: Invalid value: "null": spec.template.spec.containers[1] in body must be of type object: "null"',
      'spec.template.spec.enableServiceLinks: Invalid value: "string": spec.template.spec.enableServiceLinks in body must be of type boolean: "string"',
      'spec.template.spec.timeoutSeconds: Invalid value: "number": spec.template.spec.timeoutSeconds in body must be of type integer: "number"',
      'spec.traffic[0].latestRevision: Invalid value: "integer": spec.traffic[0].latestRevision in body must be of type boolean: "integer"',
    ]);
  });

  it('reports required fields left out: containers, a port without containerPort, an env var without name', () => {
    expect(detail(service({ template: { spec: {} } }))).toEqual(['spec.template.spec.containers: Required value']);
    expect(
      detail(service(template({ containers: [{ image: 'x', ports: [{ name: 'http1' }], env: [{ value: 'v' }] }] }))),
    ).toEqual([
      'spec.template.spec.containers[0].env[0].name: Required value',
      'spec.template.spec.containers[0].ports[0].containerPort: Required value',
    ]);
  });

  it('reads a null field as absent (pruned), and refuses it where the field is required', () => {
    expect(schemaErrors(service({ template: { metadata: null, spec: { containers: [{ image: 'x' }] } } }))).toEqual([]);
    expect(
      schemaErrors({
        ...service(template({ containers: [{ image: 'x' }] })),
        metadata: { name: 'a', creationTimestamp: null },
      }),
    ).toEqual([]);
    expect(detail(service(template({ containers: null })))).toEqual(['spec.template.spec.containers: Required value']);
    const pruned = dropNulls(
      service({ template: { metadata: null, spec: { containers: [{ image: 'x', env: null }] } } }),
    );
    expect(pruned).toEqual(service({ template: { spec: { containers: [{ image: 'x' }] } } }));
  });

  it('a quantity takes an integer or a string; a float gets the three errors of an anyOf', () => {
    const ok = service(
      template({ containers: [{ image: 'x', resources: { limits: { cpu: '500m', 'nvidia.com/gpu': 1 } } }] }),
    );
    expect(schemaErrors(ok)).toEqual([]);
    const bad = service(template({ containers: [{ image: 'x', resources: { limits: { cpu: 0.5 } } }] }));
    const p = 'spec.template.spec.containers[0].resources.limits.cpu';
    expect(detail(bad)).toEqual([
      `${p}: Invalid value: "number": ${p} in body must be of type integer,string: "number"`,
      `<nil>: Invalid value: "": "${p}" must validate at least one schema (anyOf)`,
      `${p}: Invalid value: "number": ${p} in body must be of type integer: "number"`,
    ]);
  });

  it('the whole object and its spec must be mappings', () => {
    expect(detail({ apiVersion: 'serving.knative.dev/v1', kind: 'Route', metadata: { name: 'r' }, spec: [] })).toEqual([
      'spec: Invalid value: "array": spec in body must be of type object: "array"',
    ]);
    expect(detail({ ...service({}), metadata: { name: 'a', labels: { app: 1 } } })).toEqual([
      'metadata.labels.app: Invalid value: "integer": metadata.labels.app in body must be of type string: "integer"',
    ]);
  });

  it('the API server and kubectl texts', () => {
    const errors = schemaErrors(service(template({ containers: { image: 'x' } })));
    expect(schemaInvalidMessage('Service', 'x', errors)).toBe(
      'Service.serving.knative.dev "x" is invalid: spec.template.spec.containers: Invalid value: "object": spec.template.spec.containers in body must be of type array: "object"',
    );
    expect(kubectlInvalidMessage('Service', 'x', errors)).toBe(
      'The Service "x" is invalid: spec.template.spec.containers: Invalid value: "object": spec.template.spec.containers in body must be of type array: "object"',
    );
    const two = schemaErrors(service(template({ containers: [{ ports: [{}], env: [{}] }] })));
    expect(schemaInvalidMessage('Service', 'x', two)).toBe(
      'Service.serving.knative.dev "x" is invalid: [spec.template.spec.containers[0].env[0].name: Required value, spec.template.spec.containers[0].ports[0].containerPort: Required value]',
    );
    expect(kubectlInvalidMessage('Service', 'x', two)).toBe(
      'The Service "x" is invalid: \n* spec.template.spec.containers[0].env[0].name: Required value\n* spec.template.spec.containers[0].ports[0].containerPort: Required value',
    );
  });

  it('is the schema kubectl explain reads (one source): types and required lists in the OpenAPI', () => {
    const ksvc = crdSchemas('serving.knative.dev', 'v1', ['Service'])!['dev.knative.serving.v1.Service'] as never as {
      properties: { spec: { properties: { template: { properties: { spec: Record<string, never> } } } } };
    };
    const spec = ksvc.properties.spec.properties.template.properties.spec as unknown as {
      required: string[];
      properties: Record<
        string,
        {
          type?: string;
          items?: { required?: string[]; properties: Record<string, { items?: { required?: string[] } }> };
        }
      >;
    };
    expect(spec.required).toEqual(['containers']);
    expect(spec.properties.containers?.type).toBe('array');
    expect(spec.properties.containers?.items?.properties.ports?.items?.required).toEqual(['containerPort']);
    expect(spec.properties.nodeSelector).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
  });
});

/** Any JSON value, a few levels deep (what a manifest's field may be by mistake). */
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 6 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('image', 'name', 'env', 'ports', 'containers', 'spec', 'x'), tie('value'), {
      maxKeys: 3,
    }),
  ),
})).value;

/** The paths of every node of a value (keys and indices). */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(value)) for (const [i, v] of value.entries()) out.push(...paths(v, [...at, i]));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}

function replaced(value: unknown, at: (string | number)[], by: unknown): unknown {
  if (at.length === 0) return by;
  const [head, ...rest] = at;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaced(v, rest, by) : v));
  const o = value as Record<string, unknown>;
  return { ...o, [head as string]: replaced(o[head as string], rest, by) };
}

describe('admission of any manifest shape', () => {
  const base = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'hello', labels: { app: 'a' } },
    spec: {
      template: {
        metadata: { annotations: { 'autoscaling.knative.dev/target': '10' } },
        spec: {
          containerConcurrency: 2,
          containers: [{ image: 'docker.io/x/y', env: [{ name: 'A', value: 'b' }], ports: [{ containerPort: 8080 }] }],
        },
      },
      traffic: [{ latestRevision: true, percent: 100 }],
    },
  };
  const nodes = paths(base).filter((p) => p.length > 0 && p[0] !== 'apiVersion' && p[0] !== 'kind');

  it('answers (admits, or says why not) for any value put anywhere in a Service: never a crash', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...nodes),
        jsonValue,
        fc.constantFrom('Service', 'Configuration', 'Route'),
        (at, by, kind) => {
          const obj = { ...(replaced(base, at, by) as object), kind } as never;
          const result = admit(obj, { autoscaler: defaultAutoscalerConfig() });
          const refused =
            (result.errors.length > 0 ? 1 : 0) +
            (result.schemaErrors?.length ? 1 : 0) +
            (result.unknownFields?.length ? 1 : 0);
          expect(result.object !== undefined || refused > 0).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
