/**
 * How a generated `type: vae` series compares with its training data, as docs/vae.md
 * reports it and the tests hold it to its targets: the steps at window boundaries against
 * the other rows' steps, and how far normal and anomalous windows are from the nearest
 * training window. One definition, so the published figures and the asserted ones agree.
 */

/** Absolute row-to-row steps between unlabelled rows: at window boundaries (row % hop = 0) and elsewhere. */
export function windowSteps(values: ArrayLike<number>, isAnomaly: ArrayLike<number>, hop: number): { boundary: number[]; other: number[] } {
  const boundary: number[] = [];
  const other: number[] = [];
  for (let i = 1; i < values.length; i++) {
    if (isAnomaly[i] || isAnomaly[i - 1]) continue;
    (i % hop === 0 ? boundary : other).push(Math.abs(values[i]! - values[i - 1]!));
  }
  return { boundary, other };
}

/** RMS distance, in units of `sd`, from the `window` rows of `values` at `start` to the nearest window of `train`. */
function nearestWindowRms(values: ArrayLike<number>, start: number, train: ArrayLike<number>, window: number, sd: number): number {
  let best = Infinity;
  for (let k = 0; k + window <= train.length; k++) {
    let d = 0;
    // Stop a candidate as soon as it cannot beat the best so far.
    for (let j = 0; j < window && d < best; j++) d += ((values[start + j]! - train[k + j]!) / sd) ** 2;
    best = Math.min(best, d);
  }
  return Math.sqrt(best / window);
}

/**
 * Mean nearest-training-window distance of the windows starting at each event, and of as
 * many wholly normal windows taken every 5 windows from the start.
 */
export function windowDistances(values: ArrayLike<number>, isAnomaly: Uint8Array, train: ArrayLike<number>, window: number, sd: number): { normal: number; anomalous: number; events: number } {
  const rows = values.length;
  const anomalous: number[] = [];
  for (let r = 1; r + window < rows; r++) if (isAnomaly[r] && !isAnomaly[r - 1]) anomalous.push(r);
  const normal: number[] = [];
  for (let r = 0; r + window < rows && normal.length < anomalous.length; r += 5 * window) if (!isAnomaly.subarray(r, r + window).includes(1)) normal.push(r);
  const mean = (starts: number[]) => starts.reduce((a, s) => a + nearestWindowRms(values, s, train, window, sd), 0) / starts.length;
  return { normal: mean(normal), anomalous: mean(anomalous), events: anomalous.length };
}
