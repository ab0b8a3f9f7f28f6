/**
 * Command lines read as Go's pflag reads them (kubectl and kn are both cobra programs): `--name
 * value`, `--name=value`, shorthands (`-n ns`, `-nns`, `-n=ns`, bundled booleans `-Aowide`), flags
 * anywhere among the arguments, `--` ending them. Values come back as typed, every occurrence
 * kept in order; each caller words the refusal as its own tool does.
 */
import { didYouMean } from './shell.js';

export interface PflagSpec {
  readonly long: string;
  readonly short?: string;
  readonly takesValue: boolean;
}

export type PflagProblem =
  | { readonly kind: 'unknown'; readonly name: string; readonly hint?: string }
  | { readonly kind: 'unknownShort'; readonly short: string; readonly word: string }
  | { readonly kind: 'needsArgument'; readonly name: string }
  | { readonly kind: 'needsArgumentShort'; readonly short: string }
  | { readonly kind: 'notABool'; readonly name: string; readonly value: string };

/** What pflag refused, with its message (without the tool's `error:`/`Error:` prefix). */
export class PflagError extends Error {
  constructor(readonly problem: PflagProblem) {
    super(pflagMessage(problem));
  }
}

function pflagMessage(p: PflagProblem): string {
  switch (p.kind) {
    case 'unknown':
      return `unknown flag: --${p.name}${p.hint ? ` (did you mean --${p.hint}?)` : ''}`;
    case 'unknownShort':
      return `unknown shorthand flag: '${p.short}' in ${p.word}`;
    case 'needsArgument':
      return `flag needs an argument: --${p.name}`;
    case 'needsArgumentShort':
      return `flag needs an argument: '${p.short}' in -${p.short}`;
    case 'notABool':
      return `invalid argument "${p.value}" for "--${p.name}" flag: strconv.ParseBool: parsing "${p.value}": invalid syntax`;
  }
}

export interface PflagsRead {
  /** Every value of each flag given, by its long name; a boolean reads `true` or `false`. */
  readonly values: Map<string, string[]>;
  readonly positionals: string[];
}

export function readPflags(args: readonly string[], specs: readonly PflagSpec[]): PflagsRead {
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  const add = (spec: PflagSpec, v: string) => {
    const list = values.get(spec.long) ?? [];
    list.push(v);
    values.set(spec.long, list);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const spec = specs.find((s) => s.long === name);
      if (!spec) {
        const hint = didYouMean(
          name,
          specs.map((s) => s.long),
        );
        throw new PflagError({ kind: 'unknown', name, ...(hint ? { hint } : {}) });
      }
      if (spec.takesValue) {
        const v = eq >= 0 ? a.slice(eq + 1) : args[++i];
        if (v === undefined) throw new PflagError({ kind: 'needsArgument', name });
        add(spec, v);
      } else {
        const v = eq >= 0 ? a.slice(eq + 1) : 'true';
        if (v !== 'true' && v !== 'false') throw new PflagError({ kind: 'notABool', name, value: v });
        add(spec, v);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // Shorthands, booleans bundled (-A), the last one may take the rest as its value (-owide).
      let j = 1;
      while (j < a.length) {
        const ch = a[j]!;
        const spec = specs.find((s) => s.short === ch);
        if (!spec) throw new PflagError({ kind: 'unknownShort', short: ch, word: a });
        if (spec.takesValue) {
          let v = a.slice(j + 1);
          if (v.startsWith('=')) v = v.slice(1);
          if (v === '') {
            const next = args[++i];
            if (next === undefined) throw new PflagError({ kind: 'needsArgumentShort', short: ch });
            v = next;
          }
          add(spec, v);
          break;
        }
        add(spec, 'true');
        j++;
      }
      continue;
    }
    positionals.push(a);
  }
  return { values, positionals };
}

/** The last value given for a flag (pflag keeps the last for a single-valued flag). */
export function lastValue(values: Map<string, string[]>, name: string): string | undefined {
  return values.get(name)?.at(-1);
}
