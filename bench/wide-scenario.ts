/**
 * A wide dataset, as sensor fleets have: `n` numeric variables taking each dtype in turn (a
 * float64 process, float32, int32 and int64 draws) and four anomaly kinds. Used by
 * `bench/report-wide.ts` and `test/report-wide.test.ts`.
 */
export function wideScenario(n: number, rows: number): object {
  const variables: Record<string, object> = {};
  for (let i = 0; i < n; i++) {
    variables[`s${String(i).padStart(3, '0')}`] = [
      { type: 'process', components: [{ type: 'sine', period: 3600 + i * 10, amplitude: 5 + (i % 7) }, { type: 'noise', sd: 1 }] },
      { dtype: 'float32', normal: { dist: 'normal', mean: i, sd: 2 } },
      { dtype: 'int32', normal: { dist: 'integer', min: -5, max: 5 + i } },
      { normal: { dist: 'poisson', lambda: 4 } },
    ][i % 4]!;
  }
  return {
    name: `wide-${n}`,
    seed: 7,
    timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows },
    anomalies: { frequency: 0.02, duration: [20, 200], kinds: [{ kind: 'spike', duration: 1, magnitude: [5, 8] }, { kind: 'level_shift', shift: [3, 5] }, { kind: 'flat_line' }, { kind: 'dropout', rate: 0.5 }] },
    variables,
  };
}
