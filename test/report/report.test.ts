/** `knsim report`: the page's data from a log, and a file that needs nothing from outside. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultReportFile } from '../../src/cli/commands/report.js';
import { reportOfLogFile } from '../../src/report/index.js';
import { knsim } from '../cli/helpers.js';
import { reportFixture } from './fixture.js';

describe('the report of a run', async () => {
  const { dir, log } = await reportFixture();
  const { data, html } = reportOfLogFile(log);

  it('has one series per revision, a point per second, and the cold start with its phases', () => {
    expect(data.revisions.map((r) => r.revision)).toEqual(['burst-00001']);
    const [rev] = data.revisions;
    expect(rev!.t.length).toBe(240);
    expect(rev!.t.length).toBe(rev!.ready.length);
    expect(Math.max(...rev!.rps)).toBeGreaterThan(10); // 20 rps for 20 s
    expect(rev!.activator.some((a) => a === 1)).toBe(true);
    expect(rev!.coldStarts).toHaveLength(1);
    expect(rev!.coldStarts[0]!.phases.create).toBeGreaterThan(0);
    expect(data.results.coldStarts).toBe(1);
  });

  it('gives latency percentiles over time only where requests were answered', () => {
    const l = data.revisions[0]!.latency;
    const answered = l.count.reduce((a, b) => a + b, 0);
    expect(answered).toBe(data.results.answered);
    for (let i = 0; i < l.t.length; i++) {
      if (l.count[i] === 0) expect(l.p50[i]).toBeNull();
      else expect(l.p50[i]!).toBeLessThanOrEqual(l.p99[i]!);
    }
  });

  it('keeps the autoscaler explanations where they change, to show on hover', () => {
    const ex = data.revisions[0]!.explanations;
    expect(ex.length).toBeGreaterThan(1);
    expect(ex.every((x) => x.lines.length > 0)).toBe(true);
    for (let i = 1; i < ex.length; i++) expect(ex[i]!.t).toBeGreaterThan(ex[i - 1]!.t);
  });

  it('quotes the scenario and the steps', () => {
    expect(data.scenario?.text).toContain('name: cold-burst');
    expect(data.steps.map((s) => s.command)).toContain('kubectl apply -f svc.yaml');
  });

  it('is one file that loads nothing: no src or href to anything, a policy that forbids fetching', () => {
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    expect(html).not.toMatch(/<(script|img|iframe)[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/@import|url\(\s*['"]?https?:/i);
    // The data block cannot end its script element early, whatever the log holds.
    const json = /<script type="application\/json" id="knsim-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(JSON.parse(json).title).toBe(data.title);
  });

  it('is written by knsim report, next to the log by default', () => {
    expect(defaultReportFile('/x/run.jsonl')).toBe('/x/run.html');
    expect(defaultReportFile('/x/run')).toBe('/x/run.html');
    const r = knsim(['report', log]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/wrote .*run\.html/);
    expect(existsSync(join(dir, 'run.html'))).toBe(true);
    expect(readFileSync(join(dir, 'run.html'), 'utf8')).toContain('<!DOCTYPE html>');
  });

  it('names the file and the line of a bad log, and the flag of an unwritable output', () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, 'not json\n');
    const r = knsim(['report', bad, '-o', join(dir, 'x.html')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('bad.jsonl:1');
    const w = knsim(['report', log, '-o', join(dir, 'no/such/dir/x.html')]);
    expect(w.status).toBe(2);
    expect(w.stderr).toMatch(/--out .*no\/such\/dir\/x\.html: cannot open/);
  });
});
