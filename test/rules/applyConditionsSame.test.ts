/**
 * `applyConditions` leaves a condition that an update sets as it was without making it again
 * (`alreadySet`): its result must be what the first version gave, field for field and in the
 * same key order (the store, the logs and kubectl's output see both), on any previous list,
 * ours or not (extra fields, another key order, unsorted, repeated types, frozen).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../src/model/api/types.js';
import {
  applyConditions,
  CONFIGURATION_CONDITION_SET,
  type ConditionSet,
  type ConditionUpdate,
  computeReady,
  getCondition,
  PODAUTOSCALER_CONDITION_SET,
  REVISION_CONDITION_SET,
  SERVICE_CONDITION_SET,
  setCondition,
} from '../../src/model/rules/conditions.js';
import { isoAt } from '../../src/model/rules/time.js';

/** applyConditions as it was before `alreadySet` (every update set again, Ready set again). */
function applyFromScratch(
  set: ConditionSet,
  previous: readonly Condition[] | undefined,
  updates: readonly (ConditionUpdate | undefined)[],
  nowIso: string,
): Condition[] {
  let conditions = [...(previous ?? [])];
  const applied: string[] = [];
  for (const update of updates) {
    if (!update) continue;
    if (update.type === set.happy && set.dependents.length > 0) continue;
    const severity = update.type === set.happy || set.dependents.includes(update.type) ? undefined : 'Info';
    conditions = setCondition(conditions, { ...update, severity }, nowIso);
    applied.push(update.type);
  }
  if (set.dependents.length === 0) {
    if (!getCondition(conditions, set.happy))
      conditions = setCondition(conditions, { type: set.happy, status: 'Unknown' }, nowIso);
    return conditions;
  }
  const untouched = conditions.filter((c) => !applied.includes(c.type));
  const touched = [...new Set(applied)].map((t) => getCondition(conditions, t)!);
  const happy = computeReady([...untouched, ...touched], set.dependents);
  return setCondition(conditions, { type: set.happy, ...happy }, nowIso);
}

const SETS = [REVISION_CONDITION_SET, PODAUTOSCALER_CONDITION_SET, SERVICE_CONDITION_SET, CONFIGURATION_CONDITION_SET];
const TYPES = [
  'Ready',
  'Active',
  'ScaleTargetInitialized',
  'SKSReady',
  'ResourcesAvailable',
  'ContainerHealthy',
  'ConfigurationsReady',
  'RoutesReady',
];

const update: fc.Arbitrary<ConditionUpdate | undefined> = fc.option(
  fc.record(
    {
      type: fc.constantFrom(...TYPES),
      status: fc.constantFrom('True' as const, 'False' as const, 'Unknown' as const),
      reason: fc.constantFrom('', 'Queued', 'NoTraffic', 'Deploying'),
      message: fc.constantFrom('', 'waiting', 'no pods'),
    },
    { requiredKeys: ['type', 'status'] },
  ),
  { freq: 6 },
);

/** A change to a list someone else wrote: a field more, another key order, or two swapped. */
const perturbation = fc.oneof(
  fc.constant('none' as const),
  fc.constant('none' as const),
  fc.constant('extraField' as const),
  fc.constant('keyOrder' as const),
  fc.constant('swap' as const),
  fc.constant('repeat' as const),
  fc.constant('emptyReason' as const),
  fc.constant('noTime' as const),
  fc.constant('freeze' as const),
);

function perturb(list: Condition[], how: string, at: number): Condition[] {
  if (list.length === 0) return list;
  const i = at % list.length;
  const c = list[i]!;
  const out = list.slice();
  switch (how) {
    case 'extraField':
      out[i] = { ...c, observedGeneration: 3 } as Condition;
      break;
    case 'keyOrder': {
      const { type, ...rest } = c;
      out[i] = { ...rest, type } as Condition;
      break;
    }
    case 'swap':
      if (out.length > 1) [out[0], out[out.length - 1]] = [out[out.length - 1]!, out[0]!];
      break;
    case 'repeat':
      out.splice(i, 0, { ...c, status: 'False' });
      break;
    case 'emptyReason':
      out[i] = { ...c, reason: '' };
      break;
    case 'noTime': {
      const { lastTransitionTime: _, ...rest } = c;
      out[i] = rest as Condition;
      break;
    }
    case 'freeze':
      return Object.freeze(out.map((x) => Object.freeze({ ...x }))) as Condition[];
  }
  return out;
}

describe('applyConditions leaves a condition set as it was without making it again', () => {
  it('gives what every update set again gives, key order included (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SETS),
        fc.array(fc.array(update, { maxLength: 5 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(perturbation, fc.nat()), { minLength: 6, maxLength: 6 }),
        (set, rounds, perturbations) => {
          let previous: Condition[] | undefined;
          rounds.forEach((updates, round) => {
            const now = isoAt(1000 * (round % 3));
            const [how, at] = perturbations[round]!;
            const from = previous ? perturb(previous, how, at) : undefined;
            const expected = applyFromScratch(set, from, updates, now);
            const actual = applyConditions(set, from, updates, now);
            expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
            expect(actual).toStrictEqual(expected);
            // A fresh list (the caller's is never handed back), sorted as Knative keeps them.
            expect(actual).not.toBe(from);
            previous = actual;
          });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('leaves each condition of a repeated update the very object it was', () => {
    const first = applyConditions(
      PODAUTOSCALER_CONDITION_SET,
      undefined,
      [
        { type: 'Active', status: 'True' },
        { type: 'ScaleTargetInitialized', status: 'True' },
        { type: 'SKSReady', status: 'True' },
      ],
      isoAt(0),
    );
    const again = applyConditions(
      PODAUTOSCALER_CONDITION_SET,
      first,
      [
        { type: 'Active', status: 'True' },
        { type: 'ScaleTargetInitialized', status: 'True' },
        { type: 'SKSReady', status: 'True' },
      ],
      isoAt(5000),
    );
    expect(again).toEqual(first);
    for (const [i, c] of again.entries()) expect(c).toBe(first[i]);
  });
});
