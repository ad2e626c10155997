/**
 * A scenario with many short events — some 75,000 in 500,000 rows, more than a data page of
 * the segment table — for the tests that the segment table is written a piece at a time.
 */
export function denseEvents(name: string) {
  return {
    name,
    seed: 5,
    timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 500_000 },
    anomalies: {
      frequency: 0.25,
      duration: [1, 3],
      kinds: [
        { kind: 'spike', weight: 2, duration: 1, magnitude: [4, 8] },
        { kind: 'level_shift', duration: [2, 4], shift: [2, 5] },
      ],
    },
    variables: { signal: { normal: { dist: 'normal', mean: 0, sd: 1 } } },
  };
}
