/**
 * The Prometheus text reader and writer: what Knative's autoscaler and queue-proxy serve, the
 * format's corners, and properties (seeded, printed on failure): written text reads back as
 * written, and no input, however broken, makes the reader throw anything but a
 * PrometheusTextError naming the source, line and column.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatPrometheusText,
  PrometheusTextError,
  type PromFamily,
  parsePrometheusText,
  parsePromValue,
} from '../../src/io/prometheus.js';

const SEED = 1_500_015;

/** Lines as Knative 1.17's autoscaler (OpenCensus' Prometheus exporter) writes them. */
const OPENCENSUS = `# HELP autoscaler_desired_pods Number of pods autoscaler wants to allocate
# TYPE autoscaler_desired_pods gauge
autoscaler_desired_pods{configuration_name="hello",namespace_name="default",revision_name="hello-00001",service_name="hello"} 3
# HELP autoscaler_stable_request_concurrency Average of requests count over the stable window
# TYPE autoscaler_stable_request_concurrency gauge
autoscaler_stable_request_concurrency{configuration_name="hello",namespace_name="default",revision_name="hello-00001",service_name="hello"} 152.45
autoscaler_panic_mode{configuration_name="hello",namespace_name="default",revision_name="hello-00001",service_name="hello"} 0
`;

describe('parsePrometheusText', () => {
  it('reads samples, their labels, HELP and TYPE', () => {
    const text = parsePrometheusText(OPENCENSUS, 'autoscaler/metrics');
    expect(text.samples.map((s) => [s.name, s.value, s.line])).toEqual([
      ['autoscaler_desired_pods', 3, 3],
      ['autoscaler_stable_request_concurrency', 152.45, 6],
      ['autoscaler_panic_mode', 0, 7],
    ]);
    expect(text.samples[0]?.labels).toEqual({
      configuration_name: 'hello',
      namespace_name: 'default',
      revision_name: 'hello-00001',
      service_name: 'hello',
    });
    expect(text.types.get('autoscaler_desired_pods')).toBe('gauge');
    expect(text.help.get('autoscaler_desired_pods')).toBe('Number of pods autoscaler wants to allocate');
  });

  it('reads the corners of the format: escapes, blanks, a trailing comma, timestamps, CRLF, special values', () => {
    const text = parsePrometheusText(
      [
        'a{l="x\\"y\\\\z\\nw",} 1',
        '  b   {  l = "v" , m="" }   -2.5e-3   1700000000000',
        'c NaN',
        'd +Inf\r',
        'e -Inf',
        '# a plain comment',
        '',
        '# EOF',
        '{"kn.revision.pods.desired",k8s_namespace_name="default"} 4',
        'g{"odd.label"="v"} 5',
      ].join('\n'),
      't',
    );
    const [a, b, c, d, e, f, g] = text.samples;
    expect(a?.labels).toEqual({ l: 'x"y\\z\nw' });
    expect(b).toMatchObject({ name: 'b', labels: { l: 'v', m: '' }, value: -0.0025, timestampMs: 1_700_000_000_000 });
    expect(Number.isNaN(c?.value)).toBe(true);
    expect(d?.value).toBe(Number.POSITIVE_INFINITY);
    expect(e?.value).toBe(Number.NEGATIVE_INFINITY);
    // Prometheus 3's quoted names: the name inside the braces, and quoted label names.
    expect(f).toMatchObject({ name: 'kn.revision.pods.desired', labels: { k8s_namespace_name: 'default' }, value: 4 });
    expect(g).toMatchObject({ name: 'g', labels: { 'odd.label': 'v' }, value: 5 });
  });

  it.each([
    ['m{l="v"', 'label set not closed by "}"'],
    ['m{l="v} 1', 'value of label "l" not closed by \'"\''],
    ['m{l=v} 1', 'expected the value of label "l" in double quotes'],
    ['m{l="a\\x"} 1', 'unknown escape "\\x"'],
    ['m{l="a",l="b"} 1', 'label "l" given twice'],
    ['m{9l="a"} 1', '"9l" is not a label name'],
    ['m', 'no value after "m"'],
    ['m one', '"one" is not a number'],
    ['m 0x1f', '"0x1f" is not a number'],
    ['9m 1', '"9m" is not a metric name'],
    ['m 1 12.5', '"12.5" is not a timestamp'],
    ['m 1 12 extra', 'unexpected "extra" after the timestamp'],
    ['# TYPE m sometimes', 'unknown metric type "sometimes"'],
    ['m{} 1\n# TYPE m gauge\n# TYPE m counter', 'second TYPE line for "m"'],
    ['<html><body>Forbidden</body></html>', 'is not a metric name'],
  ])('refuses %j: %s', (input, message) => {
    let error: unknown;
    try {
      parsePrometheusText(input, 'pod/metrics');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PrometheusTextError);
    expect((error as Error).message).toMatch(/^pod\/metrics:\d+:\d+: /);
    expect((error as Error).message).toContain(message);
  });

  it('names the line and column of the problem', () => {
    expect(() => parsePrometheusText('ok 1\nok 2\nbad{x="1" 3\n', 's')).toThrow('s:3:11: expected "," or "}"');
  });

  it('reads numbers as Go writes them and nothing else', () => {
    expect(parsePromValue('1e3')).toBe(1000);
    expect(parsePromValue('.5')).toBe(0.5);
    expect(parsePromValue('-0')).toBe(-0);
    for (const bad of ['', ' 1', '1_000', '0x10', 'Infinity', '1e', 'e5', '--1'])
      expect(parsePromValue(bad)).toBe(undefined);
  });
});

const metricName = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,20}$/);
const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/);
const value = fc.oneof(
  fc.double(),
  fc.integer().map((n) => n),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0),
);
const family: fc.Arbitrary<PromFamily> = fc.record({
  name: metricName,
  type: fc.constantFrom('gauge' as const, 'counter' as const, 'untyped' as const),
  help: fc.string({ unit: 'binary', maxLength: 30 }).map((h) => h.replace(/\r/g, '').trim()),
  samples: fc.array(
    fc.record({
      labels: fc.dictionary(labelName, fc.string({ unit: 'binary', maxLength: 20 }), { maxKeys: 4 }),
      value,
    }),
    { maxLength: 4 },
  ),
});

describe('properties', () => {
  it('text written by formatPrometheusText reads back as written', () => {
    fc.assert(
      fc.property(fc.uniqueArray(family, { selector: (f) => f.name, maxLength: 5 }), (families) => {
        const parsed = parsePrometheusText(formatPrometheusText(families), 'roundtrip');
        const expected = families.flatMap((f) => f.samples.map((s) => ({ name: f.name, ...s })));
        expect(parsed.samples.map(({ name, labels, value: v }) => ({ name, labels, value: v }))).toEqual(expected);
        for (const f of families) if (f.samples.length > 0) expect(parsed.help.get(f.name)).toBe(f.help);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('any text either parses or fails with a PrometheusTextError naming source:line:column', () => {
    const anyText = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc
        .array(
          fc.constantFrom(
            'm',
            '{',
            '}',
            '"',
            '\\',
            '=',
            ',',
            ' ',
            '\n',
            '#',
            '1',
            'e',
            'NaN',
            'l',
            '.',
            '+',
            '-',
            '\t',
            '\r',
          ),
          {
            maxLength: 60,
          },
        )
        .map((a) => a.join('')),
    );
    fc.assert(
      fc.property(anyText, (text) => {
        try {
          parsePrometheusText(text, 'fuzz');
        } catch (e) {
          expect(e).toBeInstanceOf(PrometheusTextError);
          expect((e as Error).message).toMatch(/^fuzz:\d+:\d+: \S/);
        }
      }),
      { seed: SEED + 1, numRuns: 2000 },
    );
  });

  it('a valid text with one character changed still parses or fails cleanly, at the right line', () => {
    fc.assert(
      fc.property(fc.nat(OPENCENSUS.length - 1), fc.string({ unit: 'binary', maxLength: 2 }), (at, insert) => {
        const text = OPENCENSUS.slice(0, at) + insert + OPENCENSUS.slice(at + 1);
        try {
          parsePrometheusText(text, 'mutated');
        } catch (e) {
          expect(e).toBeInstanceOf(PrometheusTextError);
          const line = (e as PrometheusTextError).line;
          expect(line).toBeGreaterThanOrEqual(1);
          expect(line).toBeLessThanOrEqual(text.split('\n').length);
        }
      }),
      { seed: SEED + 2, numRuns: 1500 },
    );
  });
});
