// The report page's script: draws what src/report/data.ts computed, with uPlot (inlined before
// this script). Plain browser JavaScript, no modules, nothing fetched.
(() => {
  const data = JSON.parse(document.getElementById('knsim-data').textContent);
  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  };

  /** Seconds of run time as m:ss (h:mm:ss past an hour). */
  const clock = (s) => {
    const sec = Math.max(0, Math.round(s));
    const h = Math.floor(sec / 3600);
    const m = Math.floor((sec % 3600) / 60);
    const r = String(sec % 60).padStart(2, '0');
    return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`;
  };
  const ms = (v) => {
    if (v === null || v === undefined) return '–';
    if (v < 1000) return `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
    return `${(v / 1000).toFixed(v < 10000 ? 2 : 1)} s`;
  };

  const charts = [];
  const width = (target) => Math.max(320, target.clientWidth);
  const xAxis = () => ({ values: (_u, vals) => vals.map(clock), stroke: css('--muted') });
  const stepped = uPlot.paths.stepped({ align: 1 });

  function chart(target, title, opts, series) {
    target.append(el('p', { class: 'chart-title', text: title }));
    const holder = el('div');
    target.append(holder);
    const u = new uPlot(
      {
        width: width(target),
        height: opts.height || 180,
        // Every chart spans the whole run, so the charts of a revision line up.
        scales: { x: { time: false, range: [0, Math.max(1, data.durationS)] }, ...(opts.scales || {}) },
        axes: [xAxis(), ...(opts.axes || [{ stroke: css('--muted') }])],
        series: [{ label: 'time', value: (_u, v) => (v === null ? '–' : clock(v)) }, ...opts.series],
        cursor: { sync: { key: opts.sync }, drag: { x: true, y: false } },
        legend: { live: true },
        hooks: opts.hooks || {},
      },
      series,
      holder,
    );
    charts.push({ u, target });
    return u;
  }

  function explanationAt(rev, t) {
    let lo = 0;
    let hi = rev.explanations.length - 1;
    let found = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (rev.explanations[mid].t <= t) {
        found = rev.explanations[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  function drawRevision(rev, container) {
    const box = el('div', { class: 'revision' });
    box.append(el('h3', { text: `revision ${rev.revision} (service ${rev.service})` }));
    const grid = el('div', { class: 'charts' });
    const left = el('div');
    const why = el('pre', { class: 'why' });
    const idle = rev.explanations.length
      ? 'Hover over a chart: the autoscaler’s reasoning at that moment appears here.'
      : 'This log has no autoscaler explanations (a live run, or a log written without them).';
    why.textContent = idle;
    grid.append(left, why);
    box.append(grid);
    container.append(box);

    const showWhy = (u) => {
      if (u.cursor.left === undefined || u.cursor.left < 0) return;
      const t = u.posToVal(u.cursor.left, 'x');
      const x = explanationAt(rev, t);
      const scale = rev.scales.filter((s) => s.t <= t).at(-1);
      const head = `at ${clock(t)}${scale ? ` · last scale step ${scale.from} → ${scale.to} at ${clock(scale.t)}` : ''}`;
      why.textContent = x ? `${head}\nautoscaler, since ${clock(x.t)}:\n${x.lines.join('\n')}` : `${head}\n${idle}`;
    };
    const hooks = { setCursor: [showWhy] };
    const sync = `rev-${rev.revision}`;
    const line = (label, color, extra) => ({ label, stroke: css(color), width: 2, paths: stepped, ...extra });

    chart(
      left,
      'pods: desired, ready, starting, terminating',
      {
        sync,
        hooks,
        series: [
          line('desired', '--desired', { dash: [6, 4] }),
          line('ready', '--ready'),
          line('starting', '--starting'),
          line('terminating', '--terminating'),
        ],
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      },
      [rev.t, rev.desired, rev.ready, rev.starting, rev.terminating],
    );
    chart(
      left,
      'load: requests per second, concurrency, activator queue',
      {
        sync,
        hooks,
        series: [
          { label: 'rps', stroke: css('--rps'), width: 1.5 },
          { label: 'concurrency', stroke: css('--concurrency'), width: 1.5 },
          line('activator queue', '--queue'),
        ],
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      },
      [rev.t, rev.rps, rev.concurrency, rev.activatorQueue],
    );
    const strip = (v, level) => v.map((x) => (x ? level : null));
    chart(
      left,
      'panic mode and the activator in the data path',
      {
        sync,
        hooks,
        height: 110,
        series: [
          { label: 'panic', stroke: css('--panic'), width: 10, paths: stepped, spanGaps: false },
          { label: 'activator in path', stroke: css('--activator'), width: 10, paths: stepped, spanGaps: false },
        ],
        scales: { y: { range: [0.3, 2.7] } },
        axes: [
          {
            stroke: css('--muted'),
            splits: () => [1, 2],
            values: (_u, vals) => vals.map((v) => (v === 2 ? 'panic' : v === 1 ? 'activator' : '')),
            size: 70,
          },
        ],
      },
      [rev.t, strip(rev.panic, 2), strip(rev.activator, 1)],
    );
    if (rev.latency.t.length > 0) {
      // A few windows with answers draw as dots (a line needs two neighbours).
      const answered = rev.latency.count.filter((n) => n > 0).length;
      const points = { show: answered < 60, size: 6 };
      chart(
        left,
        'latency of answered requests (p50, p95, p99 per window, ms)',
        {
          sync,
          hooks,
          series: [
            { label: 'p50', stroke: css('--ready'), width: 1.5, value: (_u, v) => ms(v), points },
            { label: 'p95', stroke: css('--starting'), width: 1.5, value: (_u, v) => ms(v), points },
            { label: 'p99', stroke: css('--terminating'), width: 1.5, value: (_u, v) => ms(v), points },
          ],
          scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
          axes: [{ stroke: css('--muted'), values: (_u, vals) => vals.map((v) => ms(v)), size: 70 }],
        },
        [rev.latency.t, rev.latency.p50, rev.latency.p95, rev.latency.p99],
      );
    }
  }

  const PHASES = [
    ['scaleUp', 'request to new pod', '#8c959f'],
    ['schedule', 'scheduling', '#bf8700'],
    ['pull', 'image pull', '#54aeff'],
    ['create', 'pull and create', '#0969da'],
    ['readiness', 'start to Ready', '#1a7f37'],
    ['activator', 'activator probe', '#8250df'],
    ['forward', 'forward and answer', '#bc4c00'],
  ];

  function phasesOf(c) {
    const p = { ...c.phases };
    // The activator's probe is part of "Ready to answer" when the log knows it.
    p.forward = p.toAnswer !== null && p.activator !== null ? Math.max(0, p.toAnswer - p.activator) : p.toAnswer;
    return p;
  }

  function drawColdStarts(section) {
    const all = data.revisions.flatMap((r) => r.coldStarts);
    if (all.length === 0) {
      section.append(el('p', { text: 'No cold start in this run (no revision came back from zero pods).' }));
      return;
    }
    const legend = el('p', { class: 'legend-phases' });
    for (const [, label, color] of PHASES) {
      const swatch = el('i');
      swatch.style.background = color;
      legend.append(el('span', {}, swatch, label));
    }
    section.append(legend);
    const total = (c) => PHASES.reduce((s, [k]) => s + (phasesOf(c)[k] || 0), 0);
    const longest = Math.max(1, ...all.map(total));
    const table = el('table', { class: 'cold' });
    table.append(
      el(
        'tr',
        {},
        el('th', { text: 'revision' }),
        el('th', { text: 'at' }),
        el('th', { text: 'first request waited' }),
        el('th', { text: 'phases' }),
      ),
    );
    for (const c of all.slice(0, 500)) {
      const p = phasesOf(c);
      const bar = el('div', { class: 'bar' });
      bar.style.width = `${(100 * total(c)) / longest}%`;
      const words = [];
      for (const [k, label, color] of PHASES) {
        if (p[k] === null || p[k] === undefined) continue;
        words.push(`${label} ${ms(p[k])}`);
        const seg = el('span', { title: `${label}: ${ms(p[k])}` });
        seg.style.background = color;
        seg.style.width = `${(100 * p[k]) / Math.max(1, total(c))}%`;
        bar.append(seg);
      }
      const cell = el('td', {}, bar);
      cell.title = words.join(', ');
      table.append(
        el(
          'tr',
          {},
          el('td', { text: c.revision }),
          el('td', { text: clock(c.at / 1000) }),
          el('td', { text: ms(c.firstLatencyMs) }),
          cell,
        ),
      );
    }
    section.append(table);
    if (all.length > 500) section.append(el('p', { text: `… and ${all.length - 500} more.` }));
  }

  function drawStory(section) {
    const items = [
      ...data.steps.map((s) => ({ t: s.t, kind: 'step', s })),
      ...data.narration.map((n) => ({ t: n.t, kind: 'note', n })),
    ].sort((a, b) => a.t - b.t);
    if (items.length === 0) {
      section.append(el('p', { text: 'No steps in this log.' }));
      return;
    }
    const list = el('ul', { class: 'story' });
    for (const it of items.slice(0, 2000)) {
      const t = el('span', { class: 't', text: clock(it.t) });
      if (it.kind === 'note') {
        list.append(el('li', {}, t, el('em', { text: it.n.text })));
        continue;
      }
      const summary = el('summary', {}, t, el('code', { text: it.s.command }));
      if (!it.s.ok) summary.append(el('span', { class: 'step-failed', text: ' ✗ failed' }));
      list.append(el('li', {}, it.s.output ? el('details', {}, summary, el('pre', { text: it.s.output })) : summary));
    }
    section.append(list);
    if (data.expectations.length > 0) {
      const ex = el('ul', { class: 'story' });
      for (const e of data.expectations)
        ex.append(el('li', { text: `${e.ok ? '✓' : '✗'} ${e.text}${e.ok ? '' : ` (${e.actual})`}` }));
      section.append(el('h3', { text: 'Expectations' }), ex);
    }
  }

  const revisions = document.getElementById('revisions');
  revisions.append(el('h2', { text: 'Over time, per revision' }));
  if (data.revisions.length === 0) revisions.append(el('p', { text: 'No revision in this log.' }));
  for (const rev of data.revisions) drawRevision(rev, revisions);
  drawColdStarts(document.getElementById('cold-starts'));
  drawStory(document.getElementById('story'));
  const scenario = document.getElementById('scenario');
  if (data.scenario) {
    scenario.append(el('p', { text: data.scenario.file }), el('pre', { text: data.scenario.text }));
  } else scenario.append(el('p', { text: 'The scenario file was not found beside the log.' }));

  window.addEventListener('resize', () => {
    for (const { u, target } of charts) u.setSize({ width: width(target), height: u.height });
  });
  document.body.dataset.charts = String(charts.length);
})();
