/**
 * kubectl's JSONPath (src/model/rules/jsonpath.ts), which `kubectl: get … -o jsonpath=…` and
 * `-o custom-columns=…` steps print with. The oracle is the real kubectl: `kubectl label --local
 * -f FILE -o jsonpath=…` runs kubectl's own printer over a file without a server, so random
 * templates over one object are compared byte for byte. Wildcards over maps and `..` are left out
 * of the random ones: kubectl walks a map in Go's random order (the same template printed in
 * different orders from run to run here); knsim walks keys sorted, one of those orders.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  columnCell,
  columnPath,
  JsonPathError,
  parseCustomColumns,
  parseJsonPath,
  renderJsonPath,
} from '../../src/model/rules/jsonpath.js';
import { sortByJsonPath } from '../../src/model/rules/sortBy.js';

const HAS_KUBECTL = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

/** The object `kubectl label --local … x=y` prints (the label it adds included). */
const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { app: 'web', 'kubernetes.io/hostname': '127.0.0.1', x: 'y' } },
  spec: {
    containers: [
      { name: 'a', image: 'x', args: ['--port', '8080'] },
      { name: 'b', image: 'y', ports: [{ containerPort: 80, name: 'http' }] },
    ],
  },
  status: {
    phase: 'Running',
    capacity: { cpu: '4' },
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'PodScheduled', status: 'False', reason: 'Unschedulable' },
    ],
    n: [1, 2, 3, 4, 5],
    ok: true,
    ratio: 0.7,
  },
};

function realKubectl(template: string): { stdout: string; stderr: string; status: number | null } {
  const dir = mkdtempSync(join(tmpdir(), 'knsim-jsonpath-'));
  const { metadata, ...rest } = POD;
  const { x: _added, ...labels } = metadata.labels;
  const file = join(dir, 'pod.json');
  writeFileSync(file, JSON.stringify({ ...rest, metadata: { ...metadata, labels } }));
  const r = spawnSync('kubectl', ['label', '--local', '-f', file, 'x=y', '-o', `jsonpath=${template}`], {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: join(dir, 'none') },
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe('kubectl JSONPath', () => {
  it('prints text, fields, indexes, slices, filters, unions and ranges', () => {
    const cases: [string, string][] = [
      ['kind is {.kind}', 'kind is Pod'],
      ['{.metadata.name}', 'p'],
      ["{['metadata']['name']}", 'p'],
      ['{.metadata.labels.kubernetes\\.io/hostname}', '127.0.0.1'],
      ["{.metadata.labels['kubernetes.io/hostname']}", ''],
      ["{.metadata.labels['kubernetes\\.io/hostname']}", '127.0.0.1'],
      ['{.spec.containers[*].name}', 'a b'],
      ['{.spec.containers[-1].name}', 'b'],
      ['{.status.n[1:3]}', '2 3'],
      ['{.status.n[::2]}', '1 3 5'],
      ['{.status.n[-2:]}', '4 5'],
      ['{.status.n[0,4]}', '1 5'],
      ['{.status.conditions[?(@.type=="Ready")].status}', 'True'],
      ['{.status.conditions[?(@.status!="True")].reason}', 'Unschedulable'],
      ['{.status.n[?(@>3)]}', '4 5'],
      ['{.status.conditions[?(@.reason)].type}', 'PodScheduled'],
      ['{.status.capacity}', '{"cpu":"4"}'],
      ['{.spec.containers[1].ports}', '[{"containerPort":80,"name":"http"}]'],
      ['{.status.ok} {.status.ratio}', 'true 0.7'],
      ['{range .spec.containers[*]}{.name}={.image}{"\\n"}{end}', 'a=x\nb=y\n'],
      ['{.nothing}x{.metadata.nothing}', 'x'],
      ["{.spec.containers[*]['name','image']}", 'a b x y'],
    ];
    for (const [template, want] of cases) {
      expect(renderJsonPath(template, POD), template).toBe(want);
      // The table itself is kubectl's output (v1.32), checked again wherever kubectl is installed.
      if (HAS_KUBECTL) expect(realKubectl(template).stdout, template).toBe(want);
    }
  });

  it('refuses a template kubectl cannot parse, in its words', () => {
    for (const [template, why] of [
      ['{.x', 'unclosed action'],
      ['{"a}', 'unterminated quoted string'],
      ['{.a[1:2:3:4]}', 'invalid array index 1:2:3:4'],
      ['{.a[x]}', 'invalid array index x'],
    ] as const) {
      expect(() => parseJsonPath(template), template).toThrow(
        new JsonPathError(`error parsing jsonpath ${template}, ${why}`),
      );
    }
  });

  it('reads custom-columns specs, relaxed paths and cells as kubectl does', () => {
    expect(parseCustomColumns('NAME:.metadata.name,IMG:spec.containers[*].image')).toEqual([
      { header: 'NAME', path: '.metadata.name' },
      { header: 'IMG', path: 'spec.containers[*].image' },
    ]);
    expect(() => parseCustomColumns('NAME')).toThrow(
      'unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>',
    );
    expect(columnCell(columnPath('spec.containers[*].image')(POD))).toBe('x,y');
    expect(columnCell(columnPath('{.status.capacity}')(POD))).toBe('map[cpu:4]');
    expect(columnCell(columnPath('.nothing')(POD))).toBe('<none>');
  });

  it.skipIf(!HAS_KUBECTL)(
    'prints what the real kubectl prints for random templates',
    () => {
      const key = (o: Record<string, unknown>) => fc.constantFrom(...Object.keys(o), 'nothing');
      // A path down the object: fields at maps, an index, slice, union, wildcard or filter at lists.
      const pathFrom = (value: unknown, depth: number): fc.Arbitrary<string> => {
        const stop = fc.constant('');
        if (depth === 0 || value === null || typeof value !== 'object') return stop;
        if (Array.isArray(value)) {
          const n = value.length;
          const element = (i: number) => pathFrom(value[Math.min(Math.max(i, 0), n - 1)], depth - 1);
          const filters = value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))
            ? [
                fc
                  .tuple(
                    fc.constantFrom(...Object.keys(value[0] as object)),
                    fc.constantFrom('==', '!='),
                    fc.constantFrom('Ready', 'True', 'a', 'nope'),
                  )
                  .chain(([k, op, v]) => element(0).map((rest) => `[?(@.${k}${op}"${v}")]${rest}`)),
              ]
            : [
                fc
                  .tuple(fc.constantFrom('<', '>', '<=', '>=', '=='), fc.integer({ min: 0, max: 6 }))
                  .map(([op, v]) => `[?(@${op}${v})]`),
              ];
          return fc.oneof(
            stop,
            fc.integer({ min: -n, max: n - 1 }).chain((i) => element(i).map((rest) => `[${i}]${rest}`)),
            fc.constant('[*]').chain((w) => element(0).map((rest) => `${w}${rest}`)),
            fc
              .tuple(fc.integer({ min: -n, max: n }), fc.integer({ min: -n, max: n }), fc.constantFrom('', ':2', ':-1'))
              .map(([a, b, s]) => `[${a}:${b}${s}]`),
            fc.tuple(fc.nat(n - 1), fc.nat(n - 1)).map(([a, b]) => `[${a},${b}]`),
            ...filters,
          );
        }
        const o = value as Record<string, unknown>;
        return fc.oneof(
          stop,
          key(o).chain((k) => pathFrom(o[k], depth - 1).map((rest) => `.${k}${rest}`)),
          key(o).chain((k) => pathFrom(o[k], depth - 1).map((rest) => `['${k}']${rest}`)),
        );
      };
      const expr = pathFrom(POD, 5).map((p) => `{${p === '' ? '.kind' : p}}`);
      const part = fc.oneof(
        expr,
        fc.constantFrom('text ', '-', '{"\\n"}', '{"\\t"}', ' '),
        fc
          .tuple(
            pathFrom(POD.spec.containers, 0),
            fc.constantFrom('{.name}', '{.image}{" "}', '{.ports[0].containerPort}'),
          )
          .map(([, body]) => `{range .spec.containers[*]}${body}{end}`),
      );
      fc.assert(
        fc.property(fc.array(part, { minLength: 1, maxLength: 4 }), (parts) => {
          const template = parts.join('');
          const real = realKubectl(template);
          expect(real.stderr, template).toBe('');
          expect(renderJsonPath(template, POD), template).toBe(real.stdout);
        }),
        { numRuns: 30, seed: 7 },
      );
    },
    120_000,
  );
});

describe('kubectl get --sort-by', () => {
  const named = (names: string[], cpu?: string[]) =>
    names.map((name, i) => ({
      metadata: { name },
      spec: { containers: [{ resources: cpu ? { requests: { cpu: cpu[i] } } : {} }] },
    }));
  const names = (objects: { metadata: { name: string } }[]) => objects.map((o) => o.metadata.name);

  // Seen with kubectl v1.32.4 against knsim serve: ConfigMaps a10 a100 a9 b2 by name, and pods
  // whose cpu requests were 100m, 250m, 1 and 2 in that order.
  it('orders strings byte by byte and resource quantities by their value, as kubectl v1.32', () => {
    expect(names(sortByJsonPath(named(['b2', 'a9', 'a100', 'a10']), '.metadata.name'))).toEqual([
      'a10',
      'a100',
      'a9',
      'b2',
    ]);
    const pods = named(['qa', 'qb', 'qc', 'qd'], ['1', '100m', '250m', '2']);
    expect(names(sortByJsonPath(pods, '.spec.containers[0].resources.requests.cpu'))).toEqual(['qb', 'qc', 'qa', 'qd']);
  });

  it('puts objects without the field first, keeps ties in list order, and refuses a field no object has', () => {
    const objects = [
      { metadata: { name: 'a' }, n: 2 },
      { metadata: { name: 'b' } },
      { metadata: { name: 'c' }, n: 1 },
      { metadata: { name: 'd' }, n: 1 },
    ];
    expect(names(sortByJsonPath(objects, 'n'))).toEqual(['b', 'c', 'd', 'a']);
    expect(() => sortByJsonPath(objects, '.nothing')).toThrow(
      'couldn\'t find any field with path "{.nothing}" in the list of objects',
    );
  });

  it('is a stable order of the key for any list (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }), { maxLength: 30 }),
        (keys) => {
          const objects = keys.map((k, i) => ({ metadata: { name: String(i) }, ...(k === undefined ? {} : { k }) }));
          if (!keys.some((k) => k !== undefined)) return;
          const sorted = sortByJsonPath(objects, '.k');
          const rank = (o: { k?: number }) => (o.k === undefined ? Number.NEGATIVE_INFINITY : o.k);
          for (let i = 1; i < sorted.length; i++) {
            const [a, b] = [sorted[i - 1]!, sorted[i]!];
            expect(
              rank(a) < rank(b) || (rank(a) === rank(b) && Number(a.metadata.name) < Number(b.metadata.name)),
            ).toBe(true);
          }
        },
      ),
    );
  });
});
