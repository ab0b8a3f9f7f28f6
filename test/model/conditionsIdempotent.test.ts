import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../src/model/api/types.js';
import {
  applyConditions,
  CONFIGURATION_CONDITION_SET,
  type ConditionSet,
  type ConditionUpdate,
  conditionsIdempotent,
  PODAUTOSCALER_CONDITION_SET,
  REVISION_CONDITION_SET,
  ROUTE_CONDITION_SET,
  SERVICE_CONDITION_SET,
} from '../../src/model/rules/conditions.js';
import { SKS_CONDITION_SET } from '../../src/model/rules/sks.js';
import { dataEqual } from '../../src/sim/store.js';

// `conditionsIdempotent(updates)` lets a controller skip the status write that follows its own
// (src/sim/controllers/statusMemo.ts, UnchangedStatus.wrote): applying the same updates to the
// conditions they made, at any later time, must give those conditions back, as the store compares
// them. Previous conditions are drawn loosely (unsorted, duplicated types, odd field orders, times
// missing), as a status written by someone else can be.

const SETS: ConditionSet[] = [
  PODAUTOSCALER_CONDITION_SET,
  SKS_CONDITION_SET,
  REVISION_CONDITION_SET,
  ROUTE_CONDITION_SET,
  SERVICE_CONDITION_SET,
  CONFIGURATION_CONDITION_SET,
];
const TYPES = [
  'Ready',
  'Active',
  'ScaleTargetInitialized',
  'SKSReady',
  'ResourcesAvailable',
  'ContainerHealthy',
  'AllTrafficAssigned',
  'Other',
];
const TIMES = ['2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', '2026-01-01T00:00:02Z', '2026-01-01T00:01:00Z'];
const status = fc.constantFrom<Condition['status']>('True', 'False', 'Unknown');
const reason = fc.option(fc.constantFrom('Deploying', 'Queued', 'NoTraffic', 'NotReady'), { nil: undefined });
const message = fc.option(fc.constantFrom('m1', 'm2'), { nil: undefined });

const update: fc.Arbitrary<ConditionUpdate> = fc
  .record({ type: fc.constantFrom(...TYPES), status, reason, message })
  .map(({ type, status, reason, message }) => ({
    type,
    status,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  }));

const stored: fc.Arbitrary<Condition> = fc
  .record({
    type: fc.constantFrom(...TYPES),
    status,
    reason,
    message,
    severity: fc.option(fc.constantFrom<Condition['severity']>('', 'Info', 'Warning'), { nil: undefined }),
    lastTransitionTime: fc.option(fc.constantFrom(...TIMES), { nil: undefined }),
    timeFirst: fc.boolean(),
  })
  .map(({ timeFirst, lastTransitionTime, ...c }) => {
    const fields = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as unknown as Condition;
    if (lastTransitionTime === undefined) return fields;
    return timeFirst ? { lastTransitionTime, ...fields } : { ...fields, lastTransitionTime };
  });

const input = fc.record({
  set: fc.constantFrom(...SETS),
  previous: fc.option(fc.array(stored, { maxLength: 6 }), { nil: undefined }),
  updates: fc.array(fc.option(update, { nil: undefined, freq: 4 }), { maxLength: 5 }),
  now: fc.constantFrom(...TIMES),
  later: fc.constantFrom(...TIMES.slice(1), '2026-01-01T01:00:00Z'),
});

describe('conditions set again from their own result', () => {
  it('give the same conditions back when conditionsIdempotent says so, at any later time', () => {
    let checked = 0;
    fc.assert(
      fc.property(input, ({ set, previous, updates, now, later }) => {
        if (!conditionsIdempotent(updates)) return;
        checked++;
        const made = applyConditions(set, previous, updates, now);
        const again = applyConditions(set, made, updates, later);
        expect(dataEqual(again, made)).toBe(true);
      }),
      { numRuns: 3000, seed: 1213 },
    );
    expect(checked).toBeGreaterThan(1000);
  });

  it('need not when two updates set the same condition (a Revision stamped again)', () => {
    const updates: ConditionUpdate[] = [
      { type: 'ResourcesAvailable', status: 'True' },
      { type: 'ResourcesAvailable', status: 'Unknown', reason: 'Deploying' },
    ];
    expect(conditionsIdempotent(updates)).toBe(false);
    const made = applyConditions(REVISION_CONDITION_SET, [], updates, TIMES[0]!);
    const again = applyConditions(REVISION_CONDITION_SET, made, updates, TIMES[1]!);
    expect(dataEqual(again, made)).toBe(false);
  });

  it('counts missing updates as none', () => {
    expect(conditionsIdempotent([undefined, { type: 'Active', status: 'True' }, undefined])).toBe(true);
    expect(
      conditionsIdempotent([{ type: 'Active', status: 'True' }, undefined, { type: 'Active', status: 'True' }]),
    ).toBe(false);
  });
});
