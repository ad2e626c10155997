/**
 * The dense resolver: the sequential meaning computed literally, rows in order as their
 * shards' codes arrive, with a bitmap of taken codes per class (see dense.ts). Retried rows
 * redraw their key at attempts 1, 2, …; a class whose bitmap is full fails (hard) or gives
 * up (soft) at once.
 */
import type { CompiledVariable } from '../variables/kind.js';
import type { Scenario } from '../model/types.js';
import { CodeBitmap, denseEncoding, type DenseEncoding } from './dense.js';
import { compileKey, type ShardFingerprints } from './fingerprint.js';
import { uniquenessFailure, type ClassReport, type Resolution, type UniquenessClass } from './resolve.js';

interface DenseClass {
  cls: UniquenessClass;
  mode: 'soft' | 'hard';
  tries: number;
  enc: DenseEncoding;
  taken: CodeBitmap;
  rows: number;
  retried: number;
  nonUnique: number;
}

export class DenseResolver {
  private readonly classes: Partial<Record<UniquenessClass, DenseClass>> = {};
  private readonly keyVars: CompiledVariable[];
  private readonly rows: number[] = [];
  private readonly attempts: number[] = [];
  private readonly tuple: Float64Array;
  private next = 0;

  constructor(
    private readonly scenario: Scenario,
    private readonly end: number,
  ) {
    const u = scenario.uniqueness!;
    this.keyVars = compileKey(scenario);
    this.tuple = new Float64Array(this.keyVars.length);
    for (const cls of ['normal', 'anomalous'] as const) {
      const rule = u[cls];
      if (rule.mode === 'none') continue;
      const enc = denseEncoding(scenario, cls)!;
      this.classes[cls] = { cls, mode: rule.mode, tries: rule.tries, enc, taken: new CodeBitmap(enc.codes), rows: 0, retried: 0, nonUnique: 0 };
    }
  }

  /** Resolves one shard's rows; shards must come in row order. Returns its retries. */
  add(f: ShardFingerprints): { rows: number[]; attempts: number[] } {
    if (f.rowStart !== this.next) throw new Error(`codes out of order: got row ${f.rowStart}, expected ${this.next}`);
    const from = this.rows.length;
    const normal = this.classes.normal;
    const anomalous = this.classes.anomalous;
    for (let i = 0; i < f.fps.length; i++) {
      const c = f.anomalous[i] ? anomalous : normal;
      if (!c) continue;
      c.rows++;
      if (c.taken.take(f.fps[i]!)) continue;
      this.retry(c, f.rowStart + i);
    }
    this.next += f.fps.length;
    return { rows: this.rows.slice(from), attempts: this.attempts.slice(from) };
  }

  private retry(c: DenseClass, row: number): void {
    if (c.taken.count < c.enc.domain) {
      for (let a = 1; a < c.tries; a++) {
        for (let k = 0; k < this.keyVars.length; k++) this.tuple[k] = this.keyVars[k]!.valueAt!(row, a, c.cls === 'anomalous');
        if (c.taken.take(c.enc.encode(this.tuple))) {
          c.retried++;
          this.rows.push(row);
          this.attempts.push(a);
          return;
        }
      }
    }
    if (c.mode === 'hard') throw uniquenessFailure(this.scenario, c.cls, row, c.tries, c.taken.count, c.enc.domain);
    c.nonUnique++;
    if (c.tries > 1) {
      this.rows.push(row);
      this.attempts.push(c.tries - 1);
    }
  }

  resolve(): Resolution {
    if (this.next !== this.end) throw new Error(`codes cover ${this.next} rows, expected ${this.end}`);
    const report = (cls: UniquenessClass): ClassReport => {
      const c = this.classes[cls];
      if (!c) return { mode: 'none', tries: this.scenario.uniqueness![cls].tries, rows: 0, retried_rows: 0, non_unique_rows: 0, distinct_tuples: 0, domain: null };
      return { mode: c.mode, tries: c.tries, rows: c.rows, retried_rows: c.retried + (c.tries > 1 ? c.nonUnique : 0), non_unique_rows: c.nonUnique, distinct_tuples: c.taken.count, domain: c.enc.domain };
    };
    return { rows: this.rows, attempts: this.attempts, normal: report('normal'), anomalous: report('anomalous') };
  }
}

/** True when every class that asks for uniqueness has a dense key encoding. */
export function isDense(s: Scenario): boolean {
  const u = s.uniqueness;
  if (!u) return false;
  return (['normal', 'anomalous'] as const).every((cls) => u[cls].mode === 'none' || denseEncoding(s, cls) !== null);
}
