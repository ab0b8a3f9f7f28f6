import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseLogRequests } from '../../src/cli/commands/run.js';
import { csvHeader } from '../../src/results/results.js';

const run = promisify(execFile);
const COLD = 'test/results/fixtures/cold-burst.yaml';

describe('knsim run --json --csv --log', () => {
  it('prints the results as JSON, streams the CSV and a sampled log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'knsim-results-'));
    const csv = join(dir, 'series.csv');
    const log = join(dir, 'run.jsonl');
    const { stdout } = await run(
      'node',
      ['bin/knsim.js', 'run', COLD, '--json', '--csv', csv, '--log', log, '--log-requests', '1-in-100'],
      { timeout: 60_000 },
    );
    const results = JSON.parse(stdout);
    expect(results.requests).toBe(409);
    expect(results.coldStarts).toBe(1);
    expect(results.latency.p99).toBeGreaterThan(0);
    expect(results.services).toHaveLength(1);
    expect(results.services[0]).toMatchObject({ service: 'burst', requests: 409, coldStarts: 1 });
    expect(results.services[0].revisions[0]).toMatchObject({ revision: 'burst-00001', requests: 409 });
    expect(results.services[0].revisions[0].coldStartList[0].phases.schedule).toBeGreaterThan(0);
    const rows = readFileSync(csv, 'utf8').split('\n');
    expect(`${rows[0]}\n`).toBe(csvHeader());
    expect(rows.filter((r) => r.startsWith('240,burst,burst-00001,'))).toHaveLength(1);
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0].type).toBe('header');
    const ids = new Set(lines.filter((l) => l.type === 'request').map((l) => l.id));
    expect([...ids].sort((a, b) => a - b)).toEqual([1, 101, 201, 301, 401]);
    expect(lines.filter((l) => l.type === 'sample')).toHaveLength(240);
  }, 90_000);

  it('parses --log-requests', () => {
    expect(parseLogRequests('all')).toBe(1);
    expect(parseLogRequests('none')).toBe(0);
    expect(parseLogRequests('1-in-50')).toBe(50);
    expect(() => parseLogRequests('half')).toThrow(/all, none or 1-in-N/);
    expect(() => parseLogRequests('1-in-0')).toThrow();
  });
});
