/**
 * The `load:` section: a list of phases, each checked by the injected validator (the simulator's
 * load schema, src/sim/load/spec.ts) and kept as written, with its position.
 */
import type { ParseContext } from './context.js';
import { isPlainObject, type PathSeg } from './fields.js';
import { describeValue } from './issues.js';
import type { LoadPhase } from './types.js';

export function parseLoad(ctx: ParseContext, raw: unknown[]): LoadPhase[] {
  const out: LoadPhase[] = [];
  raw.forEach((spec, index) => {
    const path: PathSeg[] = ['load', index];
    if (!isPlainObject(spec)) {
      ctx.add(
        ctx.main,
        path,
        `a load phase must be a mapping such as { at: 2m, for: 30s, poisson: { rps: 50 } }, got ${describeValue(spec)}`,
      );
      return;
    }
    const issues = ctx.options.validateLoad?.(spec, [...path]) ?? [];
    if (issues.length > 0) {
      ctx.addIssues(ctx.main, path, spec, issues);
      return;
    }
    out.push({ index, spec, location: ctx.loc(path) });
  });
  return out;
}
