/**
 * Which columns a report draws and how: numeric columns as series (each variable with its
 * clean twin, when the dataset has one), string and boolean columns as category counts.
 * Read from the manifest's column list, so a report needs nothing but the dataset.
 */
import type { Manifest } from '../dataset/manifest.js';
import { CLEAN_SUFFIX } from '../anomaly/kinds/clean-twin.js';

const NUMERIC = new Set(['float64', 'float32', 'int32', 'int64']);

export interface ReportLayout {
  /** Numeric variables, in file order, with their twin's column name or null. */
  series: Array<{ name: string; dtype: string; twin: string | null }>;
  /** String and boolean variables with their categories, in file order. */
  categorical: Array<{ name: string; categories: string[] }>;
  /** Every numeric column read (series and twins). */
  numericColumns: string[];
}

/** The report layout of a dataset with this manifest. */
export function reportLayout(m: Pick<Manifest, 'columns' | 'scenario'>): ReportLayout {
  const types = new Map(m.columns.map((c) => [c.name, String(c.type).replace(/\?$/, '')]));
  const variables = m.scenario.variables;
  const series: ReportLayout['series'] = [];
  const categorical: ReportLayout['categorical'] = [];
  for (const v of variables) {
    const t = types.get(v.name);
    if (t === undefined) continue;
    if (NUMERIC.has(t)) {
      const twin = types.has(v.name + CLEAN_SUFFIX) ? v.name + CLEAN_SUFFIX : null;
      series.push({ name: v.name, dtype: t, twin });
    } else if (t === 'bool') categorical.push({ name: v.name, categories: ['false', 'true'] });
    else if (t === 'string') categorical.push({ name: v.name, categories: v.categories ?? [] });
  }
  const numericColumns = series.flatMap((s) => (s.twin ? [s.name, s.twin] : [s.name]));
  return { series, categorical, numericColumns };
}
