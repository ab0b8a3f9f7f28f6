/** The one event-log reader: every event type checked, errors naming file and line, bounded reads. */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { LogError, parseEventLog, readEventLog } from '../../src/io/logReader.js';
import { EVENT_SCHEMAS, EVENT_TYPES } from '../../src/model/eventSchema.js';
import type { LogLine } from '../../src/model/events.js';
import { runScenarioFile } from '../../src/runner/simulate.js';

const dir = mkdtempSync(join(tmpdir(), 'knsim-log-'));
const HEADER =
  '{"type":"header","format":1,"knsim":"0.1.0","backend":"sim","scenario":"s","seed":1,"namespace":"default","epoch":"2024-01-01T00:00:00.000Z"}';

/** One real line of each event type (the seed walk-through), plus the types it does not write. */
const examples = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  const outcome = await runScenarioFile(resolve('scenarios/seed-walkthrough.yaml'));
  for (const row of outcome.log.split('\n')) {
    if (row === '') continue;
    const line = JSON.parse(row) as LogLine;
    if (line.type !== 'header' && !examples.has(line.type)) examples.set(line.type, line as never);
  }
  // A revision of the HPA class writes HPA syncs.
  const hpa = await runScenarioFile(resolve('scenarios/hpa-cpu.yaml'));
  const sync = hpa.log.split('\n').find((row) => row.includes('"type":"hpa.sync"'));
  if (sync) examples.set('hpa.sync', JSON.parse(sync));
  examples.set('sks', { t: 5, type: 'sks', revision: 'r-00001', mode: 'Proxy', activators: 2 });
  examples.set('panic', { t: 5, type: 'panic', revision: 'r-00001', panicking: true });
  // Only live runs write divergences (a move the cluster made that the model forbids).
  examples.set('divergence', {
    t: 5,
    type: 'divergence',
    kind: 'Revision',
    namespace: 'default',
    name: 'r-00001',
    from: 'Ready',
    to: 'Deploying',
    rule: 'ScaleTargetInitialized never goes back',
  });
}, 60_000);

function logOf(...events: unknown[]): string {
  return `${[HEADER, ...events.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))].join('\n')}\n`;
}

function problem(text: string): string {
  try {
    parseEventLog(text, 'run.jsonl');
  } catch (e) {
    expect(e).toBeInstanceOf(LogError);
    return (e as Error).message;
  }
  return 'no problem';
}

describe('the event-log reader checks every event type', () => {
  it('has a real example of every event type, and reads each as written', () => {
    expect([...examples.keys()].sort()).toEqual([...EVENT_TYPES].sort());
    for (const e of examples.values()) expect(parseEventLog(logOf(e), 'run.jsonl').events).toEqual([e]);
  });

  it('names the line and the field when a required field is missing or of the wrong type', () => {
    let checked = 0;
    for (const [type, example] of examples) {
      const shape = (EVENT_SCHEMAS as unknown as Record<string, z.ZodObject>)[type]!.shape;
      for (const [key, field] of Object.entries(shape)) {
        if (key === 'type' || field.safeParse(undefined).success) continue;
        const { [key]: _gone, ...without } = example;
        expect(problem(logOf(example, without)), `${type} without ${key}`).toMatch(
          new RegExp(
            `^run\\.jsonl:3: ${type.replace('.', '\\.')} event without "${key}" \\((an?|one of|true or false).*\\)$`,
          ),
        );
        expect(problem(logOf({ ...example, [key]: null }))).toMatch(
          new RegExp(`^run\\.jsonl:2: ${type.replace('.', '\\.')} event: "${key}" must be .*, got null$`),
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('reads an HPA sync whose pod has a container without a request (JSON leaves the value out)', () => {
    const sync = structuredClone(examples.get('hpa.sync')!) as { inputs: { pods: { requests: object[] }[] } };
    sync.inputs.pods[0]!.requests = [{ container: 'user-container' }];
    const [read] = parseEventLog(logOf(sync), 'run.jsonl').events as unknown as (typeof sync)[];
    expect(read!.inputs.pods[0]!.requests).toEqual([{ container: 'user-container' }]);
    sync.inputs.pods[0]!.requests = [{ container: 'user-container', value: '200m' }];
    expect(problem(logOf(sync))).toMatch(/^run\.jsonl:2: hpa\.sync event: "inputs\.pods\[0\]\.requests\[0\]\.value"/);
  });

  it('refuses what crashed `knsim tui`: a kpa.tick without a decision, an object event with object null', () => {
    expect(problem(logOf({ t: 2000, type: 'kpa.tick', revision: 'r-00001' }))).toBe(
      'run.jsonl:2: kpa.tick event without "decision" (an object)',
    );
    const object = examples.get('object')!;
    expect(problem(logOf({ ...object, object: null }))).toBe(
      'run.jsonl:2: object event: "object" must be an object, got null',
    );
    expect(problem(logOf({ ...object, object: { kind: 'Pod', apiVersion: 'v1', metadata: {} } }))).toBe(
      'run.jsonl:2: object event without "object.metadata.name" (a string)',
    );
    expect(problem(logOf({ t: 2000, type: 'kpa.tick', revision: 'r', decision: { valid: 'yes' } }))).toBe(
      'run.jsonl:2: kpa.tick event: "decision.valid" must be true or false, got "yes"',
    );
  });

  it('names unknown types, bad JSON, a missing or second header and a log from a newer knsim', () => {
    expect(problem(logOf({ t: 1, type: 'kpa.tock' }))).toMatch(
      /^run\.jsonl:2: unknown event type "kpa\.tock" \(known: object, pod, kpa\.tick/,
    );
    expect(problem(logOf('{"t":1,'))).toMatch(/^run\.jsonl:2: not a JSON object/);
    expect(problem(logOf('[1,2]'))).toBe('run.jsonl:2: expected an event object ({"type": …, "t": …})');
    expect(problem('{"t":1,"type":"end","ok":true}\n')).toBe('run.jsonl:1: the first line must be the log header');
    expect(problem(logOf(HEADER))).toBe('run.jsonl:2: a second header line');
    expect(problem('\n\n')).toBe('run.jsonl: empty log (no header line)');
    expect(problem(HEADER.replace('"format":1', '"format":7'))).toBe(
      'run.jsonl:1: written by a newer knsim (log format 7; this one reads format 1)',
    );
    expect(problem(HEADER.replace('"backend":"sim"', '"backend":"k8s"'))).toBe(
      'run.jsonl:1: header: "backend" must be "sim", "live", got "k8s"',
    );
  });
});

describe('reading a log file', () => {
  it('reads up to a last line cut short, saying so', () => {
    const file = join(dir, 'cut.jsonl');
    writeFileSync(file, `${logOf({ t: 1, type: 'end', ok: true })}{"t":2,"type":"narra`);
    const warnings: string[] = [];
    const log = readEventLog(file, { warn: (m) => warnings.push(m) });
    expect(log.events).toEqual([{ t: 1, type: 'end', ok: true }]);
    expect(warnings).toEqual([
      `${file}:3: the last line is cut short (the run stopped while writing it?); read the 2 lines before it`,
    ]);
  });

  it('takes a whole last line without its newline', () => {
    const file = join(dir, 'nonl.jsonl');
    writeFileSync(file, logOf({ t: 1, type: 'end', ok: true }).trimEnd());
    expect(readEventLog(file).events).toEqual([{ t: 1, type: 'end', ok: true }]);
  });

  it('refuses a 10 MB line, naming the line and the limit', () => {
    const file = join(dir, 'long.jsonl');
    writeFileSync(file, logOf({ t: 1, type: 'narration', text: 'x'.repeat(10_000_000) }));
    expect(() => readEventLog(file)).toThrow(
      `${file}:2: refused: a line longer than 4 MiB (an event log's lines are at most a few hundred KB; is this a knsim event log?)`,
    );
  });

  it.runIf(existsSync('/dev/zero'))('refuses /dev/zero after one line bound, not after memory runs out', () => {
    expect(() => readEventLog('/dev/zero')).toThrow(/^\/dev\/zero:1: refused: a line longer than 4 MiB/);
  });

  it('refuses a file larger than the bound it is read with', () => {
    const file = join(dir, 'big.jsonl');
    writeFileSync(file, logOf(...Array.from({ length: 2000 }, (_, i) => ({ t: i, type: 'end', ok: true }))));
    expect(() => readEventLog(file, { bounds: { maxLineBytes: 1024, maxBytes: 64 * 1024 } })).toThrow(
      new RegExp(`^${file}: refused: longer than 64 KiB \\(read stopped at line \\d+\\)$`),
    );
  });

  it('names a file that cannot be read', () => {
    expect(() => readEventLog(join(dir, 'missing.jsonl'))).toThrow(
      `${join(dir, 'missing.jsonl')}: cannot open: no such file or directory`,
    );
    expect(() => readEventLog(dir)).toThrow(`${dir}: cannot read: it is a directory`);
  });
});
