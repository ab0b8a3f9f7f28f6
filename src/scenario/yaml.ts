/**
 * YAML with positions: documents parsed with `yaml` (nodes and a LineCounter kept), and a Locator
 * that maps a path inside a document (`['steps', 3, 'curl']`) back to a line and column of the
 * file, shifted when the document is a `|` block inside the scenario.
 */
import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  parseDocument,
} from 'yaml';

export interface Pos {
  line: number;
  column: number;
}

/** Maps a path inside one YAML document to a position in some file. */
export interface Locator {
  file: string;
  /** `key`: point at the key of the last segment (unknown fields). */
  locate(path: readonly PropertyKey[], key?: boolean): Pos;
  /** Node at the path, if it exists. */
  node(path: readonly PropertyKey[]): Node | undefined;
  /** Position of an offset in the document's own text (before any shift). */
  offsetPos(offset: number): Pos;
}

export function makeLocator(
  file: string,
  doc: Document,
  lc: LineCounter,
  shift: (p: Pos) => Pos = (p) => p,
  basePos: Pos = { line: 1, column: 1 },
): Locator {
  const posOf = (offset: number): Pos => {
    const lp = lc.linePos(offset);
    return shift({ line: lp.line, column: lp.col });
  };
  const walk = (path: readonly PropertyKey[]) => {
    let node: unknown = doc.contents;
    let keyNode: Node | undefined;
    let last: Node | undefined = (doc.contents as Node | null) ?? undefined;
    let complete = true;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
        if (!pair) {
          complete = false;
          break;
        }
        keyNode = (pair.key as Node | null) ?? undefined;
        last = node as Node;
        node = pair.value;
        if (node === null || node === undefined) {
          node = undefined;
          last = keyNode ?? last;
          // Path continues past a key with no value: stay on the key.
          complete = path[path.length - 1] === seg;
          break;
        }
        last = node as Node;
      } else if (isSeq(node)) {
        const item = node.items[Number(seg)];
        if (item === undefined || item === null) {
          complete = false;
          break;
        }
        keyNode = undefined;
        node = item;
        last = item as Node;
      } else {
        complete = false;
        break;
      }
    }
    return { node: complete ? (node as Node | undefined) : undefined, keyNode, last, complete };
  };
  return {
    file,
    offsetPos: posOf,
    node: (path) => walk(path).node,
    locate(path, key) {
      const w = walk(path);
      if (key && w.complete && w.keyNode?.range) return posOf(w.keyNode.range[0]);
      const target = w.complete ? (w.node ?? w.keyNode ?? w.last) : w.last;
      if (target?.range) return posOf(target.range[0]);
      return shift(basePos);
    },
  };
}

/**
 * How deep lists and mappings may nest. Real scenarios and manifests stay under 20 levels; the
 * limit is far above that, and far below what overflows the stack of yaml's own parser (about
 * 1,000) or of the code that walks the values (structuredClone, zod, JSON).
 */
export const MAX_YAML_DEPTH = 100;

function yamlOptions(lineCounter: LineCounter) {
  return { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true } as const;
}

/** A problem found while reading YAML text, at an offset of that text. */
export interface YamlProblem {
  offset: number;
  message: string;
}

export interface ParsedYaml {
  doc: Document;
  lc: LineCounter;
  /** Syntax errors and refusals (too deep), in the scenario's words. */
  problems: YamlProblem[];
}

/** One YAML document (the scenario file itself). */
export function parseYaml(text: string): ParsedYaml {
  const lc = new LineCounter();
  return checked(parseDocument(text, yamlOptions(lc)), lc);
}

/** Every document of multi-document YAML text (manifests), each with its problems. */
export function parseYamlDocuments(text: string): ParsedYaml[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, yamlOptions(lc));
  return (Array.isArray(docs) ? docs : []).map((doc) => checked(doc, lc));
}

/** A parsed document's problems: yaml's errors in the scenario's words, or nesting too deep (exported for its test). */
export function checked(doc: Document, lc: LineCounter): ParsedYaml {
  // yaml's parser recurses per level and reports a stack overflow as a syntax error at the
  // place it happened; say what it means, once: depending on the stack left and on what V8 has
  // compiled, yaml reports it once or at two places, and what follows is a parse cut short.
  const overflow = doc.errors.find((e) => /Maximum call stack size exceeded/.test(e.message));
  if (overflow) return { doc, lc, problems: [{ offset: overflow.pos[0], message: nestingMessage() }] };
  const problems: YamlProblem[] = doc.errors.map((e) => ({ offset: e.pos[0], message: yamlMessage(e.message) }));
  if (problems.length === 0) {
    const deep = deepestNode(doc.contents as Node | null, MAX_YAML_DEPTH);
    if (deep) problems.push({ offset: deep.range?.[0] ?? 0, message: nestingMessage() });
  }
  return { doc, lc, problems: dedupeProblems(problems) };
}

function dedupeProblems(problems: YamlProblem[]): YamlProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.offset}\0${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function nestingMessage(): string {
  return `YAML nesting is too deep (more than ${MAX_YAML_DEPTH} levels of lists and mappings)`;
}

/** The first collection nested deeper than `limit` (iteratively: no recursion to overflow). */
function deepestNode(root: Node | null, limit: number): Node | undefined {
  if (!root) return undefined;
  const stack: { node: Node; depth: number }[] = [{ node: root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isCollection(node)) continue;
    if (depth > limit) return node;
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        if (isCollection(item.key)) stack.push({ node: item.key as Node, depth: depth + 1 });
        if (isCollection(item.value)) stack.push({ node: item.value as Node, depth: depth + 1 });
      } else if (isCollection(item)) stack.push({ node: item as Node, depth: depth + 1 });
    }
  }
  return undefined;
}

export function yamlMessage(m: string): string {
  // yaml's messages end with " at line X, column Y" plus a snippet when prettified; keep the first sentence.
  const first = m.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return `YAML syntax error: ${first}`;
}

/** True when YAML text has nothing but blank lines, comments and document markers. */
export function isBlankYaml(text: string): boolean {
  return text.split('\n').every((l) => /^\s*(#.*)?$/.test(l) || /^(---|\.\.\.)\s*$/.test(l));
}
