/**
 * Re-scores NAB's published detector results with paranom's NAB scorer, through the same
 * readers `paranom eval` uses (windows JSON + --key, a predictions CSV, the threshold),
 * and compares every file's Score and TP/TN/FP/FN with NAB's per-file tables.
 *
 *   npm run nab:reproduce                       ../shared/data/nab
 *   npm run nab:reproduce -- path/to/nab        a NAB checkout (results/, labels/)
 *
 * Exit status: 0 when every file's score is within 1e-6 and its counts equal; 1 otherwise.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLabels } from '../src/eval/label-source.js';
import { joinOnTime, readPredictions } from '../src/eval/join.js';
import { NAB_PROFILE_NAMES, NAB_PROFILES, nabScore, type NabProfileName } from '../src/eval/nab.js';

const PROFILE_FILES: Record<NabProfileName, string> = { standard: 'standard', reward_low_FP: 'reward_low_FP_rate', reward_low_FN: 'reward_low_FN_rate' };

const nab = process.argv[2] ?? '../shared/data/nab';
const windowsFile = join(nab, 'labels', 'combined_windows.json');
let failures = 0;
const lines: string[] = [];
const row = (cells: string[]) => lines.push(cells.map((c, i) => (i < 2 ? c.padEnd(17) : c.padStart(13))).join(' '));
row(['detector', 'profile', 'files', 'max |Δ score|', 'counts equal', 'Σ published', 'Σ paranom', 'normalised']);

for (const detector of readdirSync(join(nab, 'results')).sort()) {
  for (const profile of NAB_PROFILE_NAMES) {
    const table = join(nab, 'results', detector, `${detector}_${PROFILE_FILES[profile]}_scores.csv`);
    if (!existsSync(table)) continue;
    const [header, ...body] = readFileSync(table, 'utf8').trim().split('\n').map((l) => l.split(','));
    const col = (r: string[], name: string) => r[header!.indexOf(name)]!;
    let maxDiff = 0;
    let equal = 0;
    let files = 0;
    let published = 0;
    let ours = 0;
    let nullScore = 0;
    let perfect = 0;
    for (const r of body) {
      const key = col(r, 'File');
      if (key === 'Totals' || key === '') continue;
      const [category, file] = key.split('/');
      const labels = readLabels(windowsFile, { key });
      const preds = readPredictions(join(nab, 'results', detector, category!, `${detector}_${file}`), { scoreColumn: 'anomaly_score' });
      const joined = joinOnTime(labels, preds);
      const got = nabScore({ scores: joined.values, windows: joined.labels.windows }, Number(col(r, 'Threshold')), NAB_PROFILES[profile]);
      const diff = Math.abs(got.score - Number(col(r, 'Score')));
      const countsEqual = [got.tp, got.tn, got.fp, got.fn, got.total].join() === ['TP', 'TN', 'FP', 'FN', 'Total_Count'].map((c) => Number(col(r, c))).join();
      if (diff >= 1e-6 || !countsEqual) {
        failures++;
        process.stderr.write(`MISMATCH ${detector} ${profile} ${key}: score ${got.score} vs ${col(r, 'Score')}, counts ${[got.tp, got.tn, got.fp, got.fn].join('/')}\n`);
      }
      maxDiff = Math.max(maxDiff, diff);
      equal += countsEqual ? 1 : 0;
      files++;
      published += Number(col(r, 'Score'));
      ours += got.score;
      nullScore += got.null_score;
      perfect += got.perfect_score;
    }
    const normalised = (100 * (ours - nullScore)) / (perfect - nullScore);
    row([detector, profile, String(files), maxDiff.toExponential(1), `${equal}/${files}`, published.toFixed(6), ours.toFixed(6), normalised.toFixed(2)]);
  }
}
process.stdout.write(lines.join('\n') + '\n');
process.stdout.write(failures === 0 ? 'every file reproduced (score within 1e-6, TP/TN/FP/FN and Total_Count equal)\n' : `${failures} file(s) differ\n`);
process.exit(failures === 0 ? 0 : 1);
