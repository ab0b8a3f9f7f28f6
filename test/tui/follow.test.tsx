import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEventLog } from '../../src/io/logReader.js';
import type { LogEvent } from '../../src/model/events.js';
import { formatRunTime } from '../../src/runner/transcript.js';
import { followLog } from '../../src/tui/follow.js';
import { loadGrowingLog } from '../../src/tui/load.js';
import { ReplayIndex } from '../../src/tui/model/replay.js';
import { KEYS, renderTui, seedRun, waitFor } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'knsim-follow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reading a growing log', () => {
  it('gives whole lines only, keeping a half-written one for later, and reads on from there', () => {
    const file = join(dir, 'half.jsonl');
    const header =
      '{"type":"header","format":1,"knsim":"0.1.0","backend":"live","scenario":"s","seed":1,"namespace":"default","epoch":"2024-01-01T00:00:00.000Z"}';
    writeFileSync(file, `${header}\n{"t":1,"type":"narration","text":"a"}\n{"t":2,"type":"narr`);
    const first = readEventLog(file, { growing: true });
    expect(first.events).toEqual([{ t: 1, type: 'narration', text: 'a' }]);
    expect(first.lastLine).toBe(2);
    appendFileSync(file, 'ation","text":"b"}\n\n{"t":3,"type":"narration","text":"c"}\n');
    const next = readEventLog(file, { growing: true, from: { byte: first.endByte, line: first.lastLine } });
    expect(next.events.map((e) => e.t)).toEqual([2, 3]);
    expect(next.lastLine).toBe(5);
  });

  it('names the line of a bad event appended to a followed log', () => {
    const file = join(dir, 'bad.jsonl');
    const header =
      '{"type":"header","format":1,"knsim":"0.1.0","backend":"live","scenario":"s","seed":1,"namespace":"default","epoch":"2024-01-01T00:00:00.000Z"}';
    writeFileSync(file, `${header}\n{"t":1,"type":"narration","text":"a"}\n`);
    const first = readEventLog(file, { growing: true });
    appendFileSync(file, '{"t":2,"type":"kpa.tick","revision":"r"}\n');
    expect(() => readEventLog(file, { growing: true, from: { byte: first.endByte, line: first.lastLine } })).toThrow(
      `${file}:3: kpa.tick event without "decision" (an object)`,
    );
  });

  it('follows a file as it is written, from the end of its last whole line', async () => {
    const { text } = await seedRun();
    const lines = text.split('\n').filter((l) => l !== '');
    const file = join(dir, 'grow.jsonl');
    writeFileSync(file, `${lines.slice(0, 50).join('\n')}\n${lines[50]!.slice(0, 10)}`);
    const start = loadGrowingLog(file);
    expect(start.events).toHaveLength(49);
    const index = new ReplayIndex(start.header, start.events);
    const errors: Error[] = [];
    const stop = followLog(
      file,
      start.from,
      (events) => index.append(events),
      (e) => errors.push(e),
      20,
    );
    try {
      appendFileSync(file, `${lines[50]!.slice(10)}\n${lines.slice(51).join('\n')}\n`);
      await waitFor(() => index.length === lines.length - 1, 'the rest of the log');
      expect(errors).toEqual([]);
      expect(index.endT).toBe((JSON.parse(lines.at(-1)!) as LogEvent).t);
    } finally {
      stop();
    }
  });
});

describe('the screen on a growing log', () => {
  it('stays on the live edge as events arrive, and where you are when you look back', async () => {
    const { header, events } = await seedRun();
    const index = new ReplayIndex(header, events.slice(0, 100));
    let grew: ((previousLength: number) => void) | undefined;
    const push = (more: LogEvent[]): void => {
      const before = index.length;
      index.append(more);
      grew?.(before);
    };
    const r = renderTui({
      index,
      initial: { pos: index.length, t: index.endT },
      subscribe: (onGrew) => {
        grew = onGrew;
        return () => {
          grew = undefined;
        };
      },
    });
    try {
      await waitFor(() => grew !== undefined, 'the subscription');
      expect(r.frame()).toContain('● live');
      push(events.slice(100, 150) as LogEvent[]);
      const edge = formatRunTime(events[149]!.t);
      await waitFor(() => r.frame().includes(`${edge}/${edge}`), 'the new live edge');
      await r.press(KEYS.home, 'knsim seed-walkthrough 00:00.000/');
      push(events.slice(150) as LogEvent[]);
      const end = formatRunTime(events.at(-1)!.t);
      await waitFor(() => r.frame().includes(`00:00.000/${end}`), 'the longer run, cursor kept');
    } finally {
      r.unmount();
    }
  });
});
