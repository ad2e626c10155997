/**
 * Hybrid rows (H8 in docs/usefulness.md): one detector made of two, (a)'s forecaster
 * (fitted on real normal rows only) and the classifier trained on condition X's generated
 * anomalies, each fitted exactly as in its own row of the table and shared with it.
 *
 * The two scores are on unrelated scales (an absolute forecast error; a probability), so
 * each is first divided by its own threshold (the 99th percentile of its scores on the
 * held-out real tail: 1 is that detector's own normal extreme), then put on a log scale,
 * where a forecast error twice its extreme and a probability twice its extreme count the
 * same, and the two logs are added. The hybrid's threshold follows the rule of every row:
 * the same quantile of its combined scores on the held-out real tail. No generated or test
 * label sets anything here.
 */
import { DETECTOR, normalThreshold, type Detector } from './detector.js';
import type { GeneratedCondition } from './conditions.js';

/** A hybrid row: (a)'s forecaster combined with the classifier of condition `of`. */
export interface HybridCondition {
  id: string;
  title: string;
  of: GeneratedCondition;
}

/** The hybrid row of condition X, named `X+a`. */
export function hybridCondition(of: GeneratedCondition): HybridCondition {
  return { id: `${of.id}+a`, title: `(${of.id}+a) (a)'s forecaster and (${of.id})'s classifier, scores combined`, of };
}

/** Smallest ratio taken into the log: a score of exactly 0 would otherwise veto the other detector. */
const FLOOR = 1e-9;

/** The combined detector; `train` is the real training part, whose held-out tail sets every threshold. */
export function combineDetectors(forecaster: Detector, classifier: Detector, train: Float64Array): Detector {
  const parts = [forecaster, classifier];
  const score = (x: Float64Array, rows: readonly number[]): Float64Array => {
    const out = new Float64Array(rows.length);
    for (const d of parts) {
      const s = d.score(x, rows);
      const t = Math.max(d.threshold, FLOOR);
      for (let i = 0; i < rows.length; i++) out[i] = out[i]! + Math.log(Math.max(s[i]! / t, FLOOR));
    }
    return out;
  };
  // The forecaster scores from row `window` (it reads the row before each window), so the tail is taken from there.
  return { score, threshold: normalThreshold(score, train, DETECTOR.window) };
}
