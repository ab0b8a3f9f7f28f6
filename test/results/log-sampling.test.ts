import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario } from '../../src/runner/simulate.js';
import { EventLog } from '../../src/sim/log.js';

const COLD = 'test/results/fixtures/cold-burst.yaml';

describe('request sampling in the event log', () => {
  it('keeps every event of 1 request in N, by id, and every control event', () => {
    const log = new EventLog({ requestSampling: 3 });
    for (let id = 1; id <= 7; id++) {
      log.event({ t: id, type: 'request', phase: 'arrived', id });
      log.event({ t: id, type: 'request', phase: 'done', id, status: 200 });
      log.event({ t: id, type: 'narration', text: `n${id}` });
    }
    const kept = log.lines.filter((l) => l.type === 'request').map((l) => (l as { id: number }).id);
    expect(kept).toEqual([1, 1, 4, 4, 7, 7]);
    expect(log.lines.filter((l) => l.type === 'narration')).toHaveLength(7);
    expect([1, 2, 3, 4].map((id) => log.recordsRequest(id))).toEqual([true, false, false, true]);
    expect(new EventLog({ requestSampling: 0 }).recordsRequest(1)).toBe(false);
  });

  it('leaves the results and the control events of a run unchanged', async () => {
    const scenario = loadScenario(COLD);
    const all = await runScenario(scenario, COLD, { log: { requestSampling: 1 } });
    const none = await runScenario(scenario, COLD, { log: { requestSampling: 0 } });
    const some = await runScenario(scenario, COLD, { log: { requestSampling: 10 } });
    const control = (text: string) =>
      text
        .split('\n')
        .filter((l) => l !== '' && !l.includes('"type":"request"'))
        .join('\n');
    expect(none.results).toEqual(all.results);
    expect(some.results).toEqual(all.results);
    expect(control(none.log)).toBe(control(all.log));
    expect(control(some.log)).toBe(control(all.log));
    const requests = (text: string) => text.split('\n').filter((l) => l.includes('"type":"request"')).length;
    expect(requests(none.log)).toBe(0);
    expect(requests(some.log)).toBeGreaterThan(0);
    expect(requests(some.log)).toBeLessThan(requests(all.log) / 5);
  });
});
