/**
 * Manifests in a scenario: the `files:` section (YAML text, a list of objects or one object), inline
 * manifests of `apply:` steps, and files next to the scenario that steps name by path. Each manifest
 * needs apiVersion, kind and metadata.name, and Knative's kinds must fit their CRD's schema (types
 * and required fields, src/model/rules/schema.ts); what else the API server and Knative's
 * webhooks judge (unknown fields, values) is theirs to refuse when the manifest is applied.
 */
import { dirname, resolve as resolvePath } from 'node:path';
import { isScalar } from 'yaml';
import type { KubeObject } from '../model/api/types.js';
import { schemaErrors } from '../model/rules/schema.js';
import type { ParseContext } from './context.js';
import { conv, isPlainObject, PathError, PathErrors, type PathSeg } from './fields.js';
import { describeValue, formatPath, getAt } from './issues.js';
import { FileTooLargeError } from './read.js';
import { didYouMean } from './shell.js';
import { type Locator, makeLocator, type Pos, parseYamlDocuments } from './yaml.js';

/** apimachinery's words for a name that is not a DNS-1123 label (a namespace's name must be one). */
const DNS1123_LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

function isNamespaceName(s: string): boolean {
  return s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);
}

/** A manifest needs apiVersion, kind and metadata.name (strings); says which is missing and where. */
const manifestEnvelope = conv((value): KubeObject => {
  if (!isPlainObject(value)) {
    throw new PathError(
      [],
      `a manifest must be a mapping with apiVersion, kind and metadata, got ${describeValue(value)}`,
    );
  }
  const errors: PathError[] = [];
  const needString = (key: string[], example: string) => {
    const v = getAt(value, key);
    if (v === undefined || v === null || v === '') {
      // Missing: point at the key that should hold it (metadata:), else at the document's first line.
      const hasParent = key.length > 1 && getAt(value, key.slice(0, -1)) !== undefined;
      errors.push(
        new PathError(key, `manifest is missing ${key.join('.')} (e.g. ${example})`, {
          at: hasParent ? key.slice(0, -1) : [],
          key: hasParent,
        }),
      );
    } else if (typeof v !== 'string') {
      errors.push(new PathError(key, `expected a string, got ${describeValue(v)}`));
    }
  };
  needString(['apiVersion'], 'apiVersion: serving.knative.dev/v1');
  needString(['kind'], 'kind: Service');
  const meta = value.metadata;
  if (meta !== undefined && meta !== null && !isPlainObject(meta)) {
    errors.push(new PathError(['metadata'], `expected a mapping, got ${describeValue(meta)}`));
  } else {
    needString(['metadata', 'name'], 'metadata: { name: knservice }');
    const ns = isPlainObject(meta) ? meta.namespace : undefined;
    if (ns !== undefined && typeof ns !== 'string') {
      errors.push(new PathError(['metadata', 'namespace'], `expected a string, got ${describeValue(ns)}`));
    } else if (typeof ns === 'string' && ns !== '' && !isNamespaceName(ns)) {
      errors.push(
        new PathError(
          ['metadata', 'namespace'],
          `metadata.namespace: Invalid value: ${JSON.stringify(ns)}: ${DNS1123_LABEL_MESSAGE}`,
        ),
      );
    }
  }
  if (errors.length > 0) throw new PathErrors(errors);
  if (isPlainObject(meta) && meta.namespace === '') {
    // kubectl reads an empty namespace as none: the object goes to the scenario's namespace.
    const { namespace: _, ...rest } = meta;
    return { ...value, metadata: rest } as KubeObject;
  }
  return value as KubeObject;
});

export class Manifests {
  /** Named manifests: the keys of `files:` plus every file referenced by path from a step. */
  readonly files: Record<string, KubeObject[]> = {};
  private readonly fileKeys: string[] = [];
  private readonly external = new Map<string, KubeObject[] | null>();

  constructor(private readonly ctx: ParseContext) {}

  /** The `files:` section. */
  parseFiles(files: unknown): void {
    if (files === undefined || files === null) return;
    if (!isPlainObject(files)) {
      this.ctx.add(
        this.ctx.main,
        ['files'],
        `expected a mapping of file names to manifests, got ${describeValue(files)}`,
      );
      return;
    }
    for (const [name, content] of Object.entries(files)) {
      this.fileKeys.push(name);
      const manifests = this.fromValue(content, ['files', name]);
      if (manifests) this.files[name] = manifests;
    }
  }

  /** Manifests from a `files:` value or an inline apply: YAML text, a list of objects, or one object. */
  fromValue(content: unknown, path: PathSeg[]): KubeObject[] | undefined {
    if (typeof content === 'string') return this.fromText(content, path);
    if (Array.isArray(content)) {
      const out: KubeObject[] = [];
      let ok = true;
      content.forEach((m, i) => {
        const obj = this.checked(this.ctx.main, m, [...path, i], [...path, i]);
        if (obj) out.push(obj);
        else ok = false;
      });
      return ok ? out : undefined;
    }
    if (isPlainObject(content)) {
      const obj = this.checked(this.ctx.main, content, path, path);
      return obj ? [obj] : undefined;
    }
    this.ctx.add(
      this.ctx.main,
      path,
      `expected manifests as YAML text (use "|"), a list of objects or one object, got ${describeValue(content)}`,
    );
    return undefined;
  }

  /**
   * A manifest with its envelope (apiVersion, kind, metadata.name) checked, then, for Knative's
   * kinds, its fields against the CRD's schema (src/model/rules/schema.ts): a value of the wrong
   * type or a required field left out is what the API server would refuse at apply time, so it is
   * reported here, at its line, in the API server's words.
   */
  private checked(loc: Locator, value: unknown, path: PathSeg[], field: PathSeg[]): KubeObject | undefined {
    const obj = this.ctx.checkIn(loc, manifestEnvelope, value, path, field);
    if (!obj) return undefined;
    const errors = schemaErrors(obj).filter((e) => e.field !== '<nil>');
    for (const e of errors) {
      this.ctx.add(
        loc,
        [...field, ...e.at],
        `${obj.kind}.serving.knative.dev "${obj.metadata.name}" is invalid: ${e.field}: ${e.detail}`,
        {
          nodePath: [...path, ...e.at],
        },
      );
    }
    if (errors.length > 0) return undefined;
    // What the backend cannot run as written (ParseOptions.validateManifest).
    const unrunnable = this.ctx.options.validateManifest?.(obj) ?? [];
    if (unrunnable.length > 0) {
      this.ctx.addIssues(loc, path, obj, unrunnable, field);
      return undefined;
    }
    return obj;
  }

  /** Multi-document YAML text written inside the scenario (usually a `|` block scalar). */
  private fromText(content: string, path: PathSeg[]): KubeObject[] | undefined {
    const { main, text } = this.ctx;
    const node = main.node(path);
    const outerPos = main.locate(path);
    let shift: (p: Pos) => Pos = () => outerPos;
    if (isScalar(node) && node.range && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED')) {
      // Lines of a `|` block are lines of the scenario file.
      const header = main.offsetPos(node.range[0]);
      const firstLine = header.line + 1;
      const lines = text.split(/\r?\n/);
      let indent = 0;
      for (let l = firstLine - 1; l < lines.length; l++) {
        const s = lines[l]!;
        if (s.trim() === '') continue;
        indent = s.length - s.trimStart().length;
        break;
      }
      shift = (p) => ({ line: firstLine + p.line - 1, column: p.column + indent });
    }
    return this.fromYaml(content, this.ctx.file, shift, (i) => [...path, i]);
  }

  private fromYaml(
    text: string,
    file: string,
    shift: (p: Pos) => Pos,
    fieldOf: (docIndex: number) => PathSeg[],
  ): KubeObject[] | undefined {
    const out: KubeObject[] = [];
    let ok = true;
    let index = 0;
    for (const { doc, lc, problems } of parseYamlDocuments(text)) {
      const loc: Locator = makeLocator(file, doc, lc, shift);
      if (problems.length > 0) {
        for (const p of problems) {
          this.ctx.issues.push({
            file,
            ...loc.offsetPos(p.offset),
            field: formatPath(fieldOf(index)),
            message: p.message,
          });
        }
        ok = false;
        index++;
        continue;
      }
      const value = doc.contents === null ? null : this.ctx.toJS(doc, loc, fieldOf(index));
      if (value === undefined) {
        ok = false;
        index++;
        continue;
      }
      if (value === null) continue; // an empty document (e.g. a trailing ---), as kubectl
      const obj = this.checked(loc, value, [], fieldOf(index));
      if (obj) out.push(obj);
      else ok = false;
      index++;
    }
    if (ok && out.length === 0) {
      this.ctx.issues.push({
        file,
        ...shift({ line: 1, column: 1 }),
        field: formatPath(fieldOf(0).slice(0, -1)),
        message: 'no manifests found',
      });
      return undefined;
    }
    return ok ? out : undefined;
  }

  /** A file referenced from a step: a key of `files:` or a path relative to the scenario file. */
  resolve(ref: string, path: PathSeg[]): KubeObject[] | undefined {
    const { ctx } = this;
    if (ref in this.files) return this.files[ref];
    if (this.fileKeys.includes(ref)) return undefined; // it had errors, already reported
    const hint = didYouMean(ref, this.fileKeys);
    const hintText = hint ? ` (did you mean ${JSON.stringify(hint)}?)` : '';
    if (!ctx.options.readFile) {
      ctx.add(ctx.main, path, `no file ${JSON.stringify(ref)} in files:${hintText}`);
      return undefined;
    }
    const abs = resolvePath(dirname(ctx.file), ref);
    if (this.external.has(abs)) {
      const m = this.external.get(abs);
      if (m) this.files[ref] = m;
      return m ?? undefined;
    }
    let text: string;
    try {
      text = ctx.options.readFile(abs);
    } catch (e) {
      const code = (e as { code?: string }).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'it is a directory'
            : e instanceof FileTooLargeError
              ? e.message
              : (e as Error).message;
      ctx.add(ctx.main, path, `no file ${JSON.stringify(ref)} in files:${hintText}, and cannot read ${abs}: ${why}`);
      this.external.set(abs, null);
      return undefined;
    }
    const m = this.fromYaml(
      text,
      abs,
      (p) => p,
      (i) => ['documents', i],
    );
    this.external.set(abs, m ?? null);
    if (m) this.files[ref] = m;
    return m;
  }
}
