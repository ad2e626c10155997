/** Boots the report page from the inlined data. */

/** Columns listed beside the summary's other rows; past this many, counted by type with the list folded. */
const LISTED_COLUMNS = 24;

/**
 * The dataset's columns, name: type. A wide dataset's hundreds of names filled the first
 * screen and pushed the charts below it: they are counted by type, the list a click away.
 */
function columnList(columns: PageData.Summary['columns']): string | Node {
  const list = columns.map((c) => `${c.name}: ${c.type}`).join(', ');
  if (columns.length <= LISTED_COLUMNS) return list;
  const byType = new Map<string, number>();
  for (const c of columns) byType.set(c.type, (byType.get(c.type) ?? 0) + 1);
  const details = el('details', { class: 'columns' });
  details.append(el('summary', {}, `${fmtInt(columns.length)} columns: ${[...byType].map(([t, n]) => `${fmtInt(n)} ${t}`).join(', ')}`), el('div', {}, list));
  return details;
}

function renderSummary(r: PageData.Report, host: HTMLElement): void {
  const s = r.summary;
  const dl = el('table', { class: 'summary' });
  const row = (k: string, v: string | Node) => {
    const tr = el('tr');
    const td = el('td');
    td.append(v);
    tr.append(el('th', {}, k), td);
    dl.append(tr);
  };
  const req = s.requested;
  const requested = s.anomalyMode === 'frequency' ? `fraction ${fmtNum(req['frequency'] as number)}` : s.anomalyMode === 'count' ? `${fmtInt(req['count'] as number)} events` : 'none';
  const dur = req['duration_rows'] as number[] | undefined;
  row('scenario', s.scenario);
  row('seed', String(s.seed));
  row('rows', fmtInt(s.rows) + (r.source === 'preview' ? ' (preview, generated in memory)' : ''));
  if (s.shards !== null) row('shards', `${fmtInt(s.shards)} (${s.format})`);
  row('anomalies requested', requested + (dur ? `, durations ${fmtInt(dur[0]!)}–${fmtInt(dur[1]!)} rows` : ''));
  row(
    'anomalies realised',
    `${fmtInt(s.realised.events)} events, ${fmtInt(s.realised.anomalous_rows)} rows, fraction ${s.realised.fraction.toFixed(5)}` + (s.realised.truncated_events ? `, ${s.realised.truncated_events} cut by the end` : ''),
  );
  row('scenario hash', s.scenarioHash);
  row('engine', `paranom ${s.engineVersion}, data format ${s.formatVersion}`);
  row('columns', columnList(s.columns));
  host.append(dl);
}

function boot(): void {
  const r = JSON.parse(document.getElementById('paranom-data')!.textContent!) as PageData.Report;
  document.title = r.title;
  document.getElementById('title')!.textContent = r.title;
  renderSummary(r, document.getElementById('summary')!);
  const notes = document.getElementById('notes')!;
  for (const n of r.notes) notes.append(el('li', {}, n));

  const legend = document.getElementById('kinds')!;
  for (const [kind, colour] of Object.entries(r.kinds)) {
    const item = el('span', { class: 'kind' });
    item.append(el('span', { class: 'swatch', style: `background:${colour}` }), document.createTextNode(kind));
    legend.append(item);
  }
  if (r.unlisted) {
    const item = el('span', { class: 'kind' });
    item.append(el('span', { class: 'swatch', style: `background:${UNLISTED}` }), document.createTextNode(`events past the ${fmtInt(r.events.length)} listed (by bucket)`));
    legend.append(item);
  }
  const charts = new SeriesCharts(r, document.getElementById('charts')!);
  // Categorical and bool variables alone have no series to draw: say so where the charts
  // would be, instead of an empty section under zoom buttons that move nothing.
  if (r.series.length === 0) {
    for (const part of document.querySelectorAll<HTMLElement>('#series .toolbar, #series .hint')) part.style.display = 'none';
    document.getElementById('charts')!.append(el('p', { class: 'hint', id: 'no-series' }, 'No numeric variable to draw over time: the distributions below show every variable, and the event table lists the events by row and time.'));
  }
  const range = document.getElementById('range')!;
  charts.onView((v) => {
    const what = v.resolution === 'exact' ? 'exact rows' : v.resolution === 'overview' ? `overview (M4 of ≈${fmtInt(r.bucketRows)} rows a bucket)` : 'exact rows where the page has them, overview elsewhere';
    // The rows in view [from, to), named first and last as the event table names rows: the
    // time of `to` itself is past the last row shown (past the dataset's end, unzoomed).
    const first = Math.ceil(v.from);
    const last = Math.max(first, Math.ceil(v.to) - 1);
    range.textContent = `rows ${fmtInt(first)}–${fmtInt(last)} (${fmtInt(last - first + 1)} rows, ${fmtTime(charts.rowTime(first))} → ${fmtTime(charts.rowTime(last))}) · ${what}`;
    range.dataset['from'] = String(v.from);
    range.dataset['to'] = String(v.to);
    range.dataset['resolution'] = v.resolution;
  });
  const zoom = (f: number) => {
    const v = charts.view();
    const mid = (v.from + v.to) / 2;
    const half = ((v.to - v.from) * f) / 2;
    charts.setView(mid - half, mid + half);
  };
  const pan = (f: number) => {
    const v = charts.view();
    const d = (v.to - v.from) * f;
    charts.setView(v.from + d, v.to + d);
  };
  document.getElementById('reset')!.addEventListener('click', () => charts.setView(0, r.time.rows));
  document.getElementById('zoom-in')!.addEventListener('click', () => zoom(0.5));
  document.getElementById('zoom-out')!.addEventListener('click', () => zoom(2));
  document.getElementById('pan-left')!.addEventListener('click', () => pan(-0.5));
  document.getElementById('pan-right')!.addEventListener('click', () => pan(0.5));
  document.addEventListener('keydown', (ev) => {
    if (ev.target instanceof HTMLInputElement) return;
    if (ev.key === 'ArrowLeft') pan(-0.25);
    else if (ev.key === 'ArrowRight') pan(0.25);
    else if (ev.key === '+' || ev.key === '=') zoom(0.5);
    else if (ev.key === '-') zoom(2);
    else if (ev.key === '0') charts.setView(0, r.time.rows);
  });

  const pick = (e: PageData.EventRow) => {
    const pad = Math.max(8, Math.ceil((e.end - e.start) * 0.5));
    charts.setView(e.start - pad, e.end + pad);
    document.getElementById('series')!.scrollIntoView({ behavior: 'auto', block: 'start' });
  };
  renderEvents(r, document.getElementById('event-table')!, pick, (row) => charts.rowTime(row));
  renderDistributions(r, document.getElementById('distributions')!);
  if (r.latent.length > 0) renderLatent(r, document.getElementById('latent')!);
  else document.getElementById('latent-section')!.remove();

  // For scripts and tests driving the page: the view in rows, events shaded per drawn chart,
  // and what chart i draws (drawing it first if it has not come into view yet).
  (window as unknown as { paranomReport: unknown }).paranomReport = {
    view: () => charts.view(),
    setView: (from: number, to: number) => charts.setView(from, to),
    shaded: () => charts.shaded(),
    drawn: (i: number) => charts.drawn(i),
    events: r.events.length,
  };
  document.body.dataset['ready'] = 'true';
}

boot();
