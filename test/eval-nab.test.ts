/**
 * The NAB scorer against NAB's published per-file results: for two detectors and every
 * file of the four categories in ../shared/data/nab, each profile's Score, TP, TN, FP, FN
 * and Total_Count, recomputed from the labels, the published anomaly scores and the
 * published threshold alone.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NAB_PROFILE_NAMES, NAB_PROFILES, nabScore, nabSweep, type NabProfileName } from '../src/eval/nab.js';
import { parseTimestamp, windowsFromTimes } from '../src/eval/timestamps.js';
import type { RowWindow } from '../src/eval/windows.js';

const NAB = '../shared/data/nab';
const windowsJson = JSON.parse(readFileSync(join(NAB, 'labels/combined_windows.json'), 'utf8')) as Record<string, Array<[string, string]>>;
const labelsJson = JSON.parse(readFileSync(join(NAB, 'labels/combined_labels.json'), 'utf8')) as Record<string, string[]>;
const profilesJson = JSON.parse(readFileSync(join(NAB, 'config/profiles.json'), 'utf8')) as Record<string, { CostMatrix: { tpWeight: number; fpWeight: number; fnWeight: number } }>;
const PROFILE_FILES: Record<NabProfileName, string> = { standard: 'standard', reward_low_FP: 'reward_low_FP_rate', reward_low_FN: 'reward_low_FN_rate' };

function csvRows(path: string): string[][] {
  return readFileSync(path, 'utf8').trim().split('\n').map((l) => l.split(','));
}

/** A series' timestamps and the windows of combined_windows.json as row ranges. */
function seriesWindows(key: string, times: Float64Array): RowWindow[] {
  const limits = (windowsJson[key] ?? []).map(([a, b]) => [parseTimestamp(a), parseTimestamp(b)] as const);
  return windowsFromTimes(times, limits).map((w, k) => {
    if (!w) throw new Error(`${key}: window ${k} covers no row`);
    return w;
  });
}

const results = new Map<string, { times: Float64Array; scores: Float64Array }>();
function detectorResults(detector: string, key: string) {
  const id = `${detector}/${key}`;
  let r = results.get(id);
  if (!r) {
    const [category, file] = key.split('/');
    const rows = csvRows(join(NAB, 'results', detector, category!, `${detector}_${file}`));
    const col = rows[0]!.indexOf('anomaly_score');
    const body = rows.slice(1);
    r = { times: Float64Array.from(body, (x) => parseTimestamp(x[0]!)), scores: Float64Array.from(body, (x) => Number(x[col])) };
    results.set(id, r);
  }
  return r;
}

describe('NAB scorer reproduces the published per-file results', () => {
  it('uses the cost matrices of config/profiles.json', () => {
    for (const [name, file] of Object.entries(PROFILE_FILES)) {
      const m = profilesJson[file]!.CostMatrix;
      expect(NAB_PROFILES[name as NabProfileName]).toEqual({ tpWeight: m.tpWeight, fpWeight: m.fpWeight, fnWeight: m.fnWeight });
    }
  });

  for (const detector of readdirSync(join(NAB, 'results')).sort()) {
    for (const [profile, file] of Object.entries(PROFILE_FILES) as Array<[NabProfileName, string]>) {
      it(`${detector}, ${profile}: every file's Score to 1e-6 and its counts exactly`, () => {
        const table = csvRows(join(NAB, 'results', detector, `${detector}_${file}_scores.csv`));
        const h = table[0]!;
        const at = (r: string[], c: string) => r[h.indexOf(c)]!;
        const published = table.slice(1).filter((r) => at(r, 'File') !== 'Totals' && at(r, 'File') !== '');
        expect(published.length).toBeGreaterThanOrEqual(30);
        for (const row of published) {
          const key = at(row, 'File');
          const { times, scores } = detectorResults(detector, key);
          const r = nabScore({ scores, windows: seriesWindows(key, times) }, Number(at(row, 'Threshold')), NAB_PROFILES[profile]);
          const got = { file: key, score: r.score, tp: r.tp, tn: r.tn, fp: r.fp, fn: r.fn, total: r.total };
          const want = { file: key, score: Number(at(row, 'Score')), tp: Number(at(row, 'TP')), tn: Number(at(row, 'TN')), fp: Number(at(row, 'FP')), fn: Number(at(row, 'FN')), total: Number(at(row, 'Total_Count')) };
          expect({ ...got, score: 0 }).toEqual({ ...want, score: 0 });
          expect(Math.abs(got.score - want.score), `${key}: ${got.score} vs ${want.score}`).toBeLessThan(1e-6);
        }
      });
    }
  }

  it('a detector that never alarms scores the null baseline: −fnWeight per window', () => {
    // NAB normalises against this baseline (its null detector: −116 standard, −232
    // reward_low_FN over the 58-file corpus, one per window of combined_windows.json).
    // Here: every series of the four categories present; no window lies in a
    // probationary period. (Two windows hold two labels each, so labels ≠ windows.)
    const keys = Object.keys(windowsJson).filter((k) => existsSync(join(NAB, 'data', k)));
    expect(keys.length).toBe(35);
    const corpus = keys.map((key) => {
      const rows = csvRows(join(NAB, 'data', key)).slice(1);
      const times = Float64Array.from(rows, (x) => parseTimestamp(x[0]!));
      return { scores: new Float64Array(times.length), windows: seriesWindows(key, times) };
    });
    const windows = keys.reduce((a, k) => a + windowsJson[k]!.length, 0);
    expect(keys.reduce((a, k) => a + labelsJson[k]!.length, 0)).toBe(windows + 2);
    for (const profile of NAB_PROFILE_NAMES) {
      const results = corpus.map((s) => nabScore(s, 0.5, NAB_PROFILES[profile]));
      const total = results.reduce((a, r) => a + r.score, 0);
      expect(total).toBeCloseTo(-NAB_PROFILES[profile].fnWeight * windows, 12);
      expect(results.every((r) => r.normalised === null || r.normalised === 0)).toBe(true);
    }
  });

  it('the sweep finds a threshold at least as good as the published one, on the published files', () => {
    const table = csvRows(join(NAB, 'results', 'numenta', 'numenta_standard_scores.csv'));
    const h = table[0]!;
    const rows = table.slice(1).filter((r) => r[h.indexOf('File')] !== 'Totals');
    const corpus = rows.map((r) => {
      const key = r[h.indexOf('File')]!;
      const { times, scores } = detectorResults('numenta', key);
      return { scores, windows: seriesWindows(key, times) };
    });
    const publishedTotal = rows.reduce((a, r) => a + Number(r[h.indexOf('Score')]), 0);
    const swept = nabSweep(corpus, NAB_PROFILES.standard);
    expect(swept.best.score).toBeGreaterThanOrEqual(publishedTotal - 1e-9);
    // The reported threshold reproduces the reported score.
    const again = corpus.reduce((a, s) => a + nabScore(s, swept.best.threshold).score, 0);
    expect(again).toBeCloseTo(swept.best.score, 9);
  });
});
