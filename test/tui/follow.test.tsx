import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/model/events.js';
import { formatRunTime } from '../../src/runner/transcript.js';
import { eventsFromLines, followLog, LineSplitter } from '../../src/tui/follow.js';
import { loadGrowingLog } from '../../src/tui/load.js';
import { ReplayIndex } from '../../src/tui/model/replay.js';
import { KEYS, renderTui, seedRun, waitFor } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'knsim-follow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reading a growing log', () => {
  it('gives whole lines only, keeping a half-written one for later', () => {
    const s = new LineSplitter();
    expect(s.push('{"a":1}\n{"b"')).toEqual(['{"a":1}']);
    expect(s.push(':2}')).toEqual([]);
    expect(s.push('\n\n{"c":3}\n')).toEqual(['{"b":2}', '{"c":3}']);
  });

  it('parses events, skips a header and names a bad line', () => {
    expect(eventsFromLines(['{"type":"header"}', '{"t":5,"type":"narration","text":"x"}'], 'f')).toEqual([
      { t: 5, type: 'narration', text: 'x' },
    ]);
    expect(() => eventsFromLines(['nope'], 'run.jsonl')).toThrow(/run.jsonl: not a JSON object/);
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
      start.offset,
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
