/** A scenario for report tests: a process, a stochastic and a count variable, a category, four anomaly kinds. */
export const KINDS_SCENARIO = {
  name: 'report-kinds',
  seed: 5,
  timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 300_000 },
  anomalies: {
    frequency: 0.004,
    duration: [20, 200],
    kinds: [
      { kind: 'spike', duration: 1, magnitude: [5, 8] },
      { kind: 'level_shift', shift: [3, 5] },
      { kind: 'flat_line' },
      { kind: 'dropout', rate: 0.5 },
    ],
  },
  variables: {
    load: { type: 'process', components: [{ type: 'sine', period: 3600, amplitude: 5 }, { type: 'noise', sd: 1 }] },
    temp: { normal: { dist: 'normal', mean: 20, sd: 2 } },
    count: { normal: { dist: 'poisson', lambda: 4 } },
    state: { normal: { dist: 'categorical', values: ['idle', 'run'] }, anomalous: { dist: 'categorical', values: ['fault'] } },
  },
};
