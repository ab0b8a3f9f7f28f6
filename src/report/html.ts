/**
 * The report as one self-contained HTML file: uPlot (its minified script and style, read from
 * the installed package) and the page's own script are inlined, the data is a JSON block, and a
 * Content-Security-Policy forbids every fetch, so the file opens anywhere without a network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ownFile } from '../io/ownFiles.js';
import type { ReportData } from './data.js';

const require = createRequire(import.meta.url);

function uplotAsset(file: 'uPlot.iife.min.js' | 'uPlot.min.css'): string {
  return readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
}

/** Text for an HTML element's content. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON inside a <script> element: nothing in it may close the element or open a comment. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A script's text inside a <script> element (a literal `</script` in it would end the element). */
function scriptText(code: string): string {
  return code.replace(/<\/script/gi, '<\\/script');
}

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

export function reportHtml(data: ReportData): string {
  const client = readFileSync(ownFile('src/report/client.js'), 'utf8');
  const title = `knsim report: ${data.title}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="knsim ${escapeHtml(data.header.knsim)}">
<title>${escapeHtml(title)}</title>
<style>${uplotAsset('uPlot.min.css')}</style>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(data.title)}</h1>
<p class="meta">${escapeHtml(meta(data))}</p>
</header>
<main id="report">
<noscript>This report draws its charts with JavaScript; the results below are plain text.</noscript>
<section id="results"><h2>Results</h2><pre>${escapeHtml(data.summary)}</pre></section>
<section id="revisions"></section>
<section id="cold-starts"><h2>Cold starts</h2></section>
<section id="story"><h2>Steps and narration</h2></section>
<section id="scenario"><h2>Scenario</h2></section>
</main>
<script type="application/json" id="knsim-data">${scriptJson(data)}</script>
<script>${scriptText(uplotAsset('uPlot.iife.min.js'))}</script>
<script>${scriptText(client)}</script>
</body>
</html>
`;
}

function meta(data: ReportData): string {
  const h = data.header;
  const parts = [
    h.backend === 'sim' ? `simulated (seed ${h.seed})` : 'live cluster',
    `namespace ${h.namespace}`,
    `run time ${data.durationS} s`,
    h.scenarioFile ? `scenario ${h.scenarioFile}` : undefined,
    `knsim ${h.knsim}`,
    h.backend === 'live' ? `started ${h.epoch}` : undefined,
  ];
  return parts.filter((p) => p !== undefined).join(' · ');
}

const STYLE = `
:root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa;
  --desired: #8250df; --ready: #1a7f37; --starting: #bf8700; --terminating: #cf222e;
  --rps: #0969da; --concurrency: #bc4c00; --queue: #6e7781; --panic: #cf222e; --activator: #8250df; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 16px 24px 8px; border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.meta { color: var(--muted); margin: 0; }
main { padding: 0 24px 32px; max-width: 1200px; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; overflow: auto; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
.revision { border-top: 1px solid var(--line); margin-top: 16px; }
.charts { display: grid; grid-template-columns: minmax(0, 1fr) 340px; gap: 12px; align-items: start; }
.why { position: sticky; top: 8px; min-height: 120px; max-height: 640px; white-space: pre-wrap; }
.why .at { color: var(--muted); }
.chart-title { color: var(--muted); font-size: 12px; margin: 8px 0 0; }
.cold { border-collapse: collapse; width: 100%; font-size: 13px; }
.cold td, .cold th { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: middle; }
.bar { display: flex; height: 14px; min-width: 2px; border-radius: 3px; overflow: hidden; }
.bar span { display: block; height: 100%; }
.legend-phases span { display: inline-block; margin-right: 12px; }
.legend-phases i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; vertical-align: -1px; }
.step-failed { color: var(--panic); }
.story { list-style: none; padding: 0; margin: 0; }
.story li { margin: 2px 0; }
.story .t { color: var(--muted); display: inline-block; min-width: 6em; font-variant-numeric: tabular-nums; }
details > summary { cursor: pointer; }
@media (max-width: 900px) { .charts { grid-template-columns: 1fr; } }
`;
