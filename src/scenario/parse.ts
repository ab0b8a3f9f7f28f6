/**
 * Scenario files: YAML → typed `Scenario`, with every error reported as
 * `<file>:<line>:<column>: <field>: <message>`.
 *
 * The parts, one job each: yaml.ts (documents and positions), issues.ts (the wording), fields.ts
 * (the zod building blocks), settings.ts, config.ts, manifests.ts, steps.ts, load.ts and
 * expect.ts (the expectation language). This module puts them together: it checks the top level,
 * hands each section to its part, and throws one ScenarioError listing every problem found.
 */
import { basename, extname } from 'node:path';
import * as z from 'zod';
import { configSchema } from './config.js';
import { ParseContext } from './context.js';
import type { Expectation } from './expect.js';
import { conv, dns1123Label, expectation, isPlainObject, PathError, strict, stringFrom } from './fields.js';
import { describeValue, formatIssue, ScenarioError, type ScenarioIssue } from './issues.js';
import { parseLoad } from './load.js';
import { Manifests } from './manifests.js';
import type { ParseOptions } from './options.js';
import { readTextFile } from './read.js';
import { settingsOut, settingsSchema } from './settings.js';
import { Steps } from './steps.js';
import type { Scenario } from './types.js';
import { isBlankYaml } from './yaml.js';

export { KNOWN_CONFIGMAPS } from './config.js';
export { type ExternalIssue, formatIssue, formatPath, ScenarioError, type ScenarioIssue } from './issues.js';
export type { ParseOptions } from './options.js';

const topSchema = (ext?: Record<string, z.ZodType>) =>
  strict({
    name: conv(stringFrom('a name')).optional(),
    description: conv(stringFrom('a string')).optional(),
    seed: conv((v) => {
      if (typeof v !== 'number' || !Number.isInteger(v))
        throw new PathError([], `expected an integer, got ${describeValue(v)}`);
      return v;
    }).optional(),
    namespace: dns1123Label.optional(),
    settings: settingsSchema(ext).optional(),
    files: z.unknown().optional(),
    config: configSchema.optional(),
    steps: z.array(z.unknown()).optional(),
    load: z.array(z.unknown()).optional(),
    expect: z
      .unknown()
      .transform((v) => (typeof v === 'string' ? [v] : v))
      .pipe(z.array(expectation))
      .optional(),
  });

function parseIn(ctx: ParseContext): Scenario | undefined {
  if (ctx.issues.length > 0) return undefined;
  const root = ctx.value;
  if (!isPlainObject(root)) {
    ctx.add(
      ctx.main,
      [],
      `a scenario must be a YAML mapping (name:, steps:, …), got ${root == null && isBlankYaml(ctx.text) ? 'an empty file' : describeValue(root)}`,
    );
    return undefined;
  }
  const top = ctx.check(topSchema(ctx.options.settingsExtensions), root, []);
  const manifests = new Manifests(ctx);
  manifests.parseFiles(root.files);
  const steps = Array.isArray(root.steps) ? new Steps(ctx, manifests).parse(root.steps) : [];
  const load = Array.isArray(root.load) ? parseLoad(ctx, root.load) : [];
  const expect: Expectation[] = (top?.expect ?? []).map((e, i) => ({ ...e, location: ctx.loc(['expect', i]) }));
  if (!top || ctx.issues.length > 0) return undefined;
  return {
    name: top.name ?? basename(ctx.file, extname(ctx.file)),
    description: top.description ?? '',
    ...(top.seed !== undefined ? { seed: top.seed } : {}),
    namespace: top.namespace ?? 'default',
    settings: settingsOut(top.settings),
    config: top.config ?? {},
    files: manifests.files,
    steps,
    load,
    expect,
    source: { file: ctx.file },
  };
}

// ---------------------------------------------------------------------------------------------
// Entry points

/** Parse scenario text. Throws ScenarioError listing every problem found. */
export function parseScenario(text: string, file: string, options: ParseOptions = {}): Scenario {
  const ctx = new ParseContext(text, file, options);
  const scenario = parseIn(ctx);
  if (!scenario || ctx.issues.length > 0) {
    const issues = dedupe(ctx.issues).sort(
      (a, b) =>
        Number(a.file !== file) - Number(b.file !== file) ||
        a.file.localeCompare(b.file) ||
        a.line - b.line ||
        a.column - b.column,
    );
    throw new ScenarioError(
      issues.length > 0 ? issues : [{ file, line: 1, column: 1, field: '(document)', message: 'invalid scenario' }],
    );
  }
  return scenario;
}

function dedupe(issues: ScenarioIssue[]): ScenarioIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = formatIssue(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Read and parse a scenario file; manifest files referenced by path are read relative to it.
 * Files are read with a size bound (`/dev/zero` is refused, not read forever).
 */
export function loadScenarioFile(path: string, options: ParseOptions = {}): Scenario {
  let text: string;
  try {
    text = readTextFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    const err = new ScenarioError([
      { file: path, line: 0, column: 0, field: '(file)', message: `cannot read the scenario file: ${why}` },
    ]);
    err.message = `${path}: cannot read the scenario file: ${why}`;
    throw err;
  }
  return parseScenario(text, path, { readFile: (p) => readTextFile(p), ...options });
}
