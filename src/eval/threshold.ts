/** Choosing a threshold from scores: the one that maximises point Fβ. */
import { fScore } from './point.js';

/**
 * The threshold (alarm = score ≥ threshold) with the highest point Fβ among the distinct
 * scores; ties keep the highest threshold (fewest alarms). Without labelled rows every
 * threshold scores alike, and the answer is a threshold above every score (no alarms).
 */
export function bestFbetaThreshold(labels: ArrayLike<number | boolean>, scores: ArrayLike<number>, beta: number): number {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[b]! - scores[a]!);
  let pos = 0;
  for (let i = 0; i < n; i++) if (labels[i]) pos++;
  const above = n > 0 ? scores[order[0]!]! + Math.max(1, Math.abs(scores[order[0]!]!)) : 1;
  if (pos === 0) return above;
  let best = { threshold: above, f: -1 };
  let tp = 0;
  let alarms = 0;
  for (let k = 0; k < n; ) {
    const s = scores[order[k]!]!;
    for (; k < n && scores[order[k]!] === s; k++) {
      alarms++;
      if (labels[order[k]!]) tp++;
    }
    const f = fScore(tp / alarms, tp / pos, beta) ?? 0;
    if (f > best.f) best = { threshold: s, f };
  }
  return best.threshold;
}
