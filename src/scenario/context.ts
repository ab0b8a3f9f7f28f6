/**
 * What every part of the scenario parser shares: the file, its YAML document with positions, the
 * problems found so far, and `check`, which validates a value found at a path with a zod schema
 * and records each issue at its line and column.
 */
import type { Document } from 'yaml';
import { isScalar } from 'yaml';
import type { z } from 'zod';
import {
  type ExternalIssue,
  formatPath,
  getAt,
  issueMessage,
  type ScenarioIssue,
  unknownFieldMessage,
} from './issues.js';
import type { ParseOptions } from './options.js';
import type { SourceLocation } from './types.js';
import { type Locator, makeLocator, parseYaml } from './yaml.js';

export interface AddOptions {
  /** Point at the key of the last segment (unknown fields). */
  key?: boolean;
  /** Where to point, when not at the field itself. */
  nodePath?: readonly PropertyKey[];
  /** Offset into a one-line string scalar (an expectation's own column). */
  offset?: number;
}

export class ParseContext {
  readonly issues: ScenarioIssue[] = [];
  readonly main: Locator;
  /** The scenario as plain data; undefined when the YAML could not be read. */
  readonly value: unknown;

  constructor(
    readonly text: string,
    readonly file: string,
    readonly options: ParseOptions,
  ) {
    const { doc, lc, problems } = parseYaml(text);
    this.main = makeLocator(file, doc, lc);
    for (const p of problems)
      this.issues.push({ file, ...this.main.offsetPos(p.offset), field: '(yaml)', message: p.message });
    this.value = problems.length === 0 ? this.toJS(doc, this.main, []) : undefined;
  }

  /** A document as plain data; undefined (with an issue) when its aliases cannot be expanded. */
  toJS(doc: Document, loc: Locator, field: readonly PropertyKey[]): unknown {
    try {
      return doc.toJS({ maxAliasCount: 1000 }) ?? null;
    } catch (e) {
      this.add(loc, field, `YAML error: ${(e as Error).message}`);
      return undefined;
    }
  }

  add(loc: Locator, fieldPath: readonly PropertyKey[], message: string, opts: AddOptions = {}): void {
    const nodePath = opts.nodePath ?? fieldPath;
    let pos = loc.locate(nodePath, opts.key);
    if (opts.offset !== undefined) {
      const n = loc.node(nodePath);
      // Point into a one-line string scalar (the expectation's own column).
      if (isScalar(n) && n.range && (n.type === 'PLAIN' || n.type === 'QUOTE_SINGLE' || n.type === 'QUOTE_DOUBLE')) {
        const start = loc.offsetPos(n.range[0]);
        const end = loc.offsetPos(n.range[1]);
        if (start.line === end.line)
          pos = { line: pos.line, column: pos.column + opts.offset + (n.type === 'PLAIN' ? 0 : 1) };
      }
    }
    this.issues.push({ file: loc.file, ...pos, field: formatPath(fieldPath), message });
  }

  /** Report validator issues found under `base` (issue paths are relative to `base`). */
  addIssues(
    loc: Locator,
    base: readonly PropertyKey[],
    root: unknown,
    issues: readonly ExternalIssue[],
    fieldBase: readonly PropertyKey[] = base,
  ): void {
    for (const iss of issues) {
      const rel = (iss.path ?? []) as readonly PropertyKey[];
      const path = [...base, ...rel];
      const field = [...fieldBase, ...rel];
      const params = (iss.params ?? {}) as Record<string, unknown>;
      if (iss.code === 'unrecognized_keys' && Array.isArray(iss.keys)) {
        for (const k of iss.keys)
          this.add(loc, [...field, k], unknownFieldMessage(k, []), { key: true, nodePath: [...path, k] });
        continue;
      }
      if (params.unknownKey) {
        this.add(loc, field, iss.message, { key: true, nodePath: path });
        continue;
      }
      // A missing field is best shown at the mapping (or the key) that should hold it.
      const at = Array.isArray(params.at) ? [...base, ...(params.at as PropertyKey[])] : path;
      this.add(loc, field, issueMessage(iss, getAt(root, rel)), {
        nodePath: at,
        ...(params.key === true ? { key: true } : {}),
        ...(typeof params.offset === 'number' ? { offset: params.offset } : {}),
      });
    }
  }

  /** Validates `value` (found at `path` in the main document) with a schema. */
  check<S extends z.ZodType>(schema: S, value: unknown, path: readonly PropertyKey[]): z.output<S> | undefined {
    return this.checkIn(this.main, schema, value, path);
  }

  /** `check` in another document (a manifest file), reported under `field`. */
  checkIn<S extends z.ZodType>(
    loc: Locator,
    schema: S,
    value: unknown,
    path: readonly PropertyKey[],
    field: readonly PropertyKey[] = path,
  ): z.output<S> | undefined {
    const r = schema.safeParse(value, { jitless: true }); // parsed once: zod's compiled fast path costs more than it saves
    if (r.success) return r.data;
    this.addIssues(loc, path, value, r.error.issues as unknown as ExternalIssue[], field);
    return undefined;
  }

  loc(path: readonly PropertyKey[]): SourceLocation {
    return { file: this.file, ...this.main.locate(path) };
  }
}
