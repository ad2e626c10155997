/** The terminal table of `paranom eval`. */
import type { EvalResult } from './evaluate.js';
import type { EntityScores } from './fleet-evaluate.js';
import { NAB_PROFILE_NAMES } from './nab.js';

const num = (v: number | null, digits = 3) => (v === null ? '—' : v.toFixed(digits));
const int = (v: number) => v.toLocaleString('en-US');

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd());
}

/** A readable summary of one result; `heading` lines (sources) go first; `probation` replaces the NAB probation line's text. */
export function formatEvalResult(r: EvalResult, heading: string[] = [], probation?: string): string {
  const mode = r.threshold_mode === 'best' ? `best point F${r.point.beta === 1 ? '1' : `β (β = ${r.point.beta})`}` : r.threshold_mode === 'alarms' ? '0/1 alarms' : 'given';
  const e = r.event;
  const lines = [
    ...heading,
    `rows ${int(r.rows)} · labelled rows ${int(r.labelled_rows)} · windows ${int(r.windows)} · threshold ${r.threshold} (${mode})`,
    '',
    ...table([
      ['metric', 'precision', 'recall', 'F1', ''],
      ['point', num(r.point.precision), num(r.point.recall), num(r.point.f1), r.point.beta !== 1 ? `F${r.point.beta} ${num(r.point.fbeta)}` : `tp ${int(r.point.tp)} fp ${int(r.point.fp)} fn ${int(r.point.fn)}`],
      [
        `event (±${e.tolerance} rows${e.gap ? `, gap ${e.gap}` : ''})`,
        num(e.precision),
        num(e.recall),
        '',
        `found ${e.found}/${e.windows} windows; ${e.true_runs}/${e.alarm_runs} alarm runs true`,
      ],
      [`range (α ${r.range.alpha}, ${r.range.bias}, ${r.range.cardinality})`, num(r.range.precision), num(r.range.recall), num(r.range.f1), ''],
    ]),
    '',
    ...table([
      ['NAB profile', 'normalised', 'raw', 'threshold', 'tp', 'fp', 'fn', ''],
      ...NAB_PROFILE_NAMES.map((p) => {
        const x = r.nab.raw[p];
        return [p, num(x.normalised, 2), num(x.score, 3), String(x.threshold), int(x.tp), int(x.fp), int(x.fn), ''];
      }),
    ]),
    `(NAB: ${probation ?? `first ${int(r.nab.probation_rows)} rows`} probationary, not scored)`,
    '',
    `ROC-AUC ${num(r.roc_auc)} · average precision ${num(r.average_precision)}`,
  ];
  return lines.join('\n') + '\n';
}

/** Each entity's point and event figures, one line an entity. */
export function formatPerEntity(rows: readonly EntityScores[], key: string): string {
  return table([
    [key, 'rows', 'labelled', 'precision', 'recall', 'F1', 'tp', 'fp', 'fn', 'windows found', 'runs true'],
    ...rows.map((e) => [e.entity, int(e.rows), int(e.labelled_rows), num(e.point.precision), num(e.point.recall), num(e.point.f1), int(e.point.tp), int(e.point.fp), int(e.point.fn), `${int(e.event.found)}/${int(e.event.windows)}`, `${int(e.event.true_runs)}/${int(e.event.alarm_runs)}`]),
  ]).join('\n') + '\n';
}
