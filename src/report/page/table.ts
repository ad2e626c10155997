/** The event table: sortable by any column; a click on a row zooms the charts to its event. */

type Cell = number | string | boolean | null;

function renderEvents(report: PageData.Report, host: HTMLElement, onPick: (e: PageData.EventRow) => void, rowTime: (r: number) => number): void {
  const cols: Array<{ name: string; get: (e: PageData.EventRow) => Cell; show?: (v: Cell, e: PageData.EventRow) => string }> = [
    { name: 'id', get: (e) => e.id },
    { name: 'kind', get: (e) => e.kind },
    { name: 'start', get: (e) => e.start, show: (_v, e) => fmtTime(rowTime(e.start)) },
    { name: 'start row', get: (e) => e.start, show: (v) => fmtInt(v as number) },
    { name: 'rows', get: (e) => e.end - e.start, show: (v) => fmtInt(v as number) },
    { name: 'duration', get: (e) => e.duration, show: (v) => fmtInt(v as number) },
    { name: 'truncated', get: (e) => e.truncated, show: (v) => (v ? 'yes' : '') },
    { name: 'variables', get: (e) => e.variables },
    { name: 'params', get: (e) => e.params ?? '' },
    ...report.eventColumns.map((name, i) => ({ name, get: (e: PageData.EventRow) => e.extra[i] ?? null, show: (v: Cell) => (typeof v === 'number' ? fmtNum(v) : v === null ? '' : String(v)) })),
  ];
  const limit = 2000;
  const table = el('table', { class: 'events', id: 'events' });
  const head = el('tr');
  const body = el('tbody');
  let sortBy = 2;
  let asc = true;
  const order = report.events.slice();
  const draw = () => {
    const c = cols[sortBy]!;
    order.sort((a, b) => {
      const x = c.get(a);
      const y = c.get(b);
      const r = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return (asc ? r : -r) || a.start - b.start;
    });
    body.replaceChildren(
      ...order.slice(0, limit).map((e) => {
        const tr = el('tr', { 'data-event': String(e.id), 'data-start': String(e.start), 'data-end': String(e.end) });
        for (const col of cols) {
          const v = col.get(e);
          const td = el('td', {}, col.show ? col.show(v, e) : v === null ? '' : String(v));
          if (col.name === 'kind') td.prepend(el('span', { class: 'swatch', style: `background:${report.kinds[e.kind] ?? '#d62728'}` }));
          tr.append(td);
        }
        tr.addEventListener('click', () => {
          for (const s of body.querySelectorAll('tr.picked')) s.classList.remove('picked');
          tr.classList.add('picked');
          onPick(e);
        });
        return tr;
      }),
    );
    head.querySelectorAll('th').forEach((th, i) => (th.dataset['sort'] = i === sortBy ? (asc ? 'asc' : 'desc') : ''));
  };
  cols.forEach((c, i) => {
    const th = el('th', { title: 'sort' }, c.name);
    th.addEventListener('click', () => {
      asc = sortBy === i ? !asc : true;
      sortBy = i;
      draw();
    });
    head.append(th);
  });
  table.append(el('thead'), body);
  table.tHead!.append(head);
  const shown = Math.min(limit, report.events.length);
  host.append(el('p', { class: 'hint' }, `${fmtInt(report.eventCount)} event(s)` + (shown < report.eventCount ? `; the first ${fmtInt(shown)} (in the current order) are listed` : '') + '. Click a row to zoom to its event; click a heading to sort.'));
  const wrap = el('div', { class: 'table-wrap' });
  wrap.append(table);
  host.append(wrap);
  draw();
}
