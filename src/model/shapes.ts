/**
 * Periodic shapes and trends of process components: pure functions of the row index.
 * Every shape crosses zero rising at phase 0 and has amplitude 1.
 */
import type { Span, Timeline } from './types.js';

export type WaveName = 'sine' | 'square' | 'sawtooth' | 'triangle';

/** The shape's value at fraction f ∈ [0, 1) of its period. */
export function waveShape(wave: WaveName, f: number): number {
  switch (wave) {
    case 'sine':
      return Math.sin(2 * Math.PI * f);
    case 'square':
      return f < 0.5 ? 1 : -1;
    case 'sawtooth':
      return f < 0.5 ? 2 * f : 2 * f - 2;
    case 'triangle':
      return f < 0.25 ? 4 * f : f < 0.75 ? 2 - 4 * f : 4 * f - 4;
  }
}

/**
 * `a · waveShape(wave, phaseAt(row, period, phase))` for rows [from, from + count), into
 * out[0..count): the same arithmetic as those functions, with the shape chosen once per
 * block and no call per row, whose double result code not yet optimized, or not inlined,
 * allocates on the heap (a fleet compiles its processes again for every entity).
 */
export function waveBlock(wave: WaveName, a: number, period: number, phase: number, from: number, count: number, out: Float64Array): void {
  switch (wave) {
    case 'sine':
      for (let i = 0; i < count; i++) {
        const g = ((from + i) % period) / period + phase;
        const f = g - Math.floor(g);
        out[i] = a * Math.sin(2 * Math.PI * f);
      }
      return;
    case 'square':
      for (let i = 0; i < count; i++) {
        const g = ((from + i) % period) / period + phase;
        out[i] = a * (g - Math.floor(g) < 0.5 ? 1 : -1);
      }
      return;
    case 'sawtooth':
      for (let i = 0; i < count; i++) {
        const g = ((from + i) % period) / period + phase;
        const f = g - Math.floor(g);
        out[i] = a * (f < 0.5 ? 2 * f : 2 * f - 2);
      }
      return;
    case 'triangle':
      for (let i = 0; i < count; i++) {
        const g = ((from + i) % period) / period + phase;
        const f = g - Math.floor(g);
        out[i] = a * (f < 0.25 ? 4 * f : f < 0.75 ? 2 - 4 * f : 4 * f - 4);
      }
      return;
  }
}

/** Fraction of the period at row i (exact remainder, so far rows lose no phase precision). */
export function phaseAt(row: number, period: number, phase: number): number {
  const f = (row % period) / period + phase;
  return f - Math.floor(f);
}

/**
 * Fraction of the period at row i inside an event starting at `start` during which the
 * frequency is multiplied by `factor`: continuous with the normal phase at the start.
 */
export function shiftedPhaseAt(row: number, start: number, factor: number, period: number, phase: number): number {
  const f = (start % period) / period + (((row - start) * factor) % period) / period + phase;
  return f - Math.floor(f);
}

/** A span in rows at the timeline's step (durations may give fractional rows). */
export function spanRows(span: Span, timeline: Pick<Timeline, 'stepMs'>): number {
  return 'rows' in span ? span.rows : span.ms / timeline.stepMs;
}

/** Σ c[k]·t^k by Horner's rule. */
export function polynomial(c: readonly number[], t: number): number {
  let s = 0;
  for (let k = c.length - 1; k >= 0; k--) s = s * t + c[k]!;
  return s;
}
