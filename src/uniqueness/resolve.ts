/**
 * Uniqueness resolution: which rows take an attempt other than 0.
 *
 * Meaning (sequential, so independent of layout): row i of a class takes the first attempt
 * whose key tuple differs from every accepted tuple of earlier rows of that class; after
 * `tries` attempts, soft keeps the last one and counts it, hard stops.
 *
 * Implementation (exact, sparse): the attempt-0 fingerprints of all rows, computed in
 * parallel, go into a sorted index. A row that repeats an earlier row's attempt-0 tuple
 * certainly retries; the first row holding a tuple keeps attempt 0 unless an earlier
 * retried row took that tuple first ("induced"). Only retried rows are visited, in row
 * order: each probes attempts 1, 2, … against "the first row holding this tuple comes
 * earlier" or "an earlier retry accepted it". Every fingerprint match is confirmed by
 * recomputing the values, so a fingerprint collision never merges two tuples.
 */
import { lowerBound } from '../math/search.js';
import { ParanomError } from '../errors.js';
import type { CompiledVariable } from '../variables/kind.js';
import type { ClassUniqueness, Scenario } from '../model/types.js';
import { domainSize } from './domain.js';
import { FingerprintIndex } from './fp-index.js';
import { compileKey, tupleFingerprint, type ShardFingerprints } from './fingerprint.js';
import { rowTimeMs } from '../model/row-time.js';

export type UniquenessClass = 'normal' | 'anomalous';

export interface ClassReport {
  mode: ClassUniqueness['mode'];
  tries: number;
  rows: number;
  /** Rows that took an attempt other than 0. */
  retried_rows: number;
  /** Soft mode: rows kept after `tries` attempts although their tuple repeats an earlier one. */
  non_unique_rows: number;
  distinct_tuples: number;
  /** Distinct tuples the key can take in this class (null: unbounded). */
  domain: number | null;
}

/** Two sets of rows' figures as one: a fleet's add up its entities' (its key is unique per entity). */
export function addReports(a: ClassReport, b: ClassReport): ClassReport {
  return { ...a, rows: a.rows + b.rows, retried_rows: a.retried_rows + b.retried_rows, non_unique_rows: a.non_unique_rows + b.non_unique_rows, distinct_tuples: a.distinct_tuples + b.distinct_tuples };
}

export interface Resolution {
  /** Rows with attempt > 0, ascending, and their attempts. */
  rows: number[];
  attempts: number[];
  normal: ClassReport;
  anomalous: ClassReport;
}

function sameTuple(a: Float64Array, b: Float64Array): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * The tuples accepted by retries: open addressing on the fingerprint, tuples stored flat.
 * Equal fingerprints with unequal tuples simply occupy further slots.
 */
class TupleSet {
  private keys: Float64Array;
  private tuples: Float64Array;
  private used: Uint8Array;
  private count = 0;

  constructor(private readonly width: number, capacity = 1024) {
    this.keys = new Float64Array(capacity);
    this.tuples = new Float64Array(capacity * width);
    this.used = new Uint8Array(capacity);
  }

  private slot(fp: number, t: Float64Array): { at: number; found: boolean } {
    const mask = this.keys.length - 1;
    let at = fp % this.keys.length;
    while (this.used[at]) {
      if (this.keys[at] === fp) {
        let same = true;
        for (let k = 0; k < this.width; k++) if (this.tuples[at * this.width + k] !== t[k]) same = false;
        if (same) return { at, found: true };
      }
      at = (at + 1) & mask;
    }
    return { at, found: false };
  }

  has(fp: number, t: Float64Array): boolean {
    return this.slot(fp, t).found;
  }

  add(fp: number, t: Float64Array): void {
    if (2 * (this.count + 1) > this.keys.length) this.grow();
    const { at, found } = this.slot(fp, t);
    if (found) return;
    this.used[at] = 1;
    this.keys[at] = fp;
    this.tuples.set(t, at * this.width);
    this.count++;
  }

  private grow(): void {
    const { keys, tuples, used } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.tuples = new Float64Array(tuples.length * 2);
    this.used = new Uint8Array(used.length * 2);
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (used[i]) this.add(keys[i]!, tuples.subarray(i * this.width, (i + 1) * this.width));
  }
}

/** Min-heap of row numbers (induced retries). */
class RowHeap {
  private readonly a: number[] = [];
  get size(): number {
    return this.a.length;
  }
  peek(): number {
    return this.a[0]!;
  }
  push(x: number): void {
    const a = this.a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= x) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = x;
  }
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && a[r]! < a[l]! ? r : l;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

interface ClassState {
  cls: UniquenessClass;
  rule: ClassUniqueness;
  index: FingerprintIndex;
  rows: number;
  domain: number;
}

function timestampOf(s: Scenario, row: number): string {
  return new Date(rowTimeMs(s.timeline, row)).toISOString();
}

/**
 * Resolves uniqueness for rows [0, end) from attempt-0 fingerprints delivered in row order
 * (the shards of [0, end), each once). Throws UNIQUENESS_FAILED for hard mode.
 */
export class UniquenessResolver {
  private readonly states: ClassState[] = [];
  private readonly keyVars: CompiledVariable[];
  private readonly dtypes;
  private next = 0;
  /**
   * The runs of anomalous rows, as the fingerprints mark them (the events' own rows; with
   * min_effect, those of the events it keeps), and the anomalous rows before each: class ranks.
   */
  private readonly runStarts: number[] = [];
  private readonly runEnds: number[] = [];
  private eventStarts = new Float64Array(0);
  private eventEnds = new Float64Array(0);
  private anomalousBefore = new Float64Array(1);

  constructor(
    private readonly scenario: Scenario,
    private readonly end: number,
    options: { memoryPairs?: number } = {},
  ) {
    const u = scenario.uniqueness!;
    this.keyVars = compileKey(scenario);
    this.dtypes = this.keyVars.map((c) => c.variable.dtype);
    for (const cls of ['normal', 'anomalous'] as const) {
      const rule = u[cls];
      if (rule.mode === 'none') continue;
      let domain = 1;
      for (const c of this.keyVars) {
        const v = c.variable;
        if (v.type !== 'stochastic') continue;
        domain *= domainSize(cls === 'anomalous' && v.anomalous ? v.anomalous : v.normal, v.dtype);
      }
      this.states.push({ cls, rule, index: new FingerprintIndex({ expected: end, ...(options.memoryPairs ? { memoryPairs: options.memoryPairs } : {}) }), rows: 0, domain });
    }
  }

  /** Adds one shard's fingerprints; shards must come in row order. */
  add(f: ShardFingerprints): void {
    if (f.rowStart !== this.next) throw new Error(`fingerprints out of order: got row ${f.rowStart}, expected ${this.next}`);
    for (const st of this.states) st.rows += st.index.addRows(f.fps, f.anomalous, st.cls === 'anomalous' ? 1 : 0, f.rowStart);
    this.addRuns(f.anomalous, f.rowStart);
    this.next += f.fps.length;
  }

  /** Records the runs of anomalous rows, joining a run that goes on from the previous shard. */
  private addRuns(anomalous: Uint8Array, rowStart: number): void {
    // indexOf skips the normal rows natively: most rows of most datasets.
    for (let i = anomalous.indexOf(1); i >= 0; ) {
      let j = anomalous.indexOf(0, i);
      if (j < 0) j = anomalous.length;
      const last = this.runEnds.length - 1;
      if (last >= 0 && this.runEnds[last] === rowStart + i) this.runEnds[last] = rowStart + j;
      else {
        this.runStarts.push(rowStart + i);
        this.runEnds.push(rowStart + j);
      }
      i = anomalous.indexOf(1, j);
    }
  }

  /** The key tuple of a row at an attempt, written into `out`. */
  private tuple(row: number, attempt: number, cls: UniquenessClass, out: Float64Array): Float64Array {
    const anomalous = cls === 'anomalous';
    for (let k = 0; k < this.keyVars.length; k++) out[k] = this.keyVars[k]!.valueAt!(row, attempt, anomalous);
    return out;
  }

  /** Class rows before `row` (its rank within the class). */
  private rank(st: ClassState, row: number): number {
    // Events before `row`: binary search on starts, then the one that may contain it.
    const lo = lowerBound(this.eventStarts, row);
    let anomalous = this.anomalousBefore[lo]!;
    if (lo > 0 && this.eventEnds[lo - 1]! > row) anomalous -= this.eventEnds[lo - 1]! - row;
    return st.cls === 'anomalous' ? anomalous : row - anomalous;
  }

  resolve(): Resolution {
    if (this.next !== this.end) throw new Error(`fingerprints cover ${this.next} rows, expected ${this.end}`);
    this.eventStarts = Float64Array.from(this.runStarts);
    this.eventEnds = Float64Array.from(this.runEnds);
    this.anomalousBefore = new Float64Array(this.runStarts.length + 1);
    for (let i = 0; i < this.runStarts.length; i++) this.anomalousBefore[i + 1] = this.anomalousBefore[i]! + (this.runEnds[i]! - this.runStarts[i]!);
    // The lists are copied: give their memory back (a billion rows of short events hold millions).
    this.runStarts.length = 0;
    this.runEnds.length = 0;
    const rows: number[] = [];
    const attempts: number[] = [];
    const reports: Partial<Record<UniquenessClass, ClassReport>> = {};
    for (const st of this.states) {
      try {
        reports[st.cls] = this.resolveClass(st, rows, attempts);
      } finally {
        st.index.dispose();
      }
    }
    // Merge the classes' retries into one ascending list.
    const order = rows.map((_, i) => i).sort((a, b) => rows[a]! - rows[b]!);
    const none = (cls: UniquenessClass): ClassReport => ({ mode: 'none', tries: this.scenario.uniqueness![cls].tries, rows: 0, retried_rows: 0, non_unique_rows: 0, distinct_tuples: 0, domain: null });
    return {
      rows: order.map((i) => rows[i]!),
      attempts: order.map((i) => attempts[i]!),
      normal: reports.normal ?? none('normal'),
      anomalous: reports.anomalous ?? none('anomalous'),
    };
  }

  private resolveClass(st: ClassState, outRows: number[], outAttempts: number[]): ClassReport {
    const { cls, rule, index } = st;
    index.finish();
    const width = this.keyVars.length;
    // Rows repeating an earlier attempt-0 tuple; fingerprints shared by unequal tuples.
    const repeats: number[] = [];
    const collided = new Map<number, Array<{ tuple: Float64Array; first: number }>>();
    for (const group of index.groups()) {
      const firsts: Array<{ tuple: Float64Array; first: number }> = [];
      let fp = 0;
      for (const row of group) {
        const t = this.tuple(row, 0, cls, new Float64Array(width));
        fp = tupleFingerprint(t, this.dtypes);
        if (firsts.some((x) => sameTuple(x.tuple, t))) repeats.push(row);
        else firsts.push({ tuple: t, first: row });
      }
      if (firsts.length > 1) collided.set(fp, firsts);
    }
    const repeatRows = Float64Array.from(repeats).sort();

    const probe = new Float64Array(width);
    const held = new Float64Array(width);
    /** The first row whose attempt-0 tuple equals t, or -1 (fingerprint matches confirmed by recomputing). */
    const firstHolder = (t: Float64Array, fp: number): number => {
      const list = collided.size > 0 ? collided.get(fp) : undefined;
      if (list) return list.find((x) => sameTuple(x.tuple, t))?.first ?? -1;
      const row = index.firstRow(fp);
      return row >= 0 && sameTuple(this.tuple(row, 0, cls, held), t) ? row : -1;
    };
    const accepted = new TupleSet(width);

    const induced = new RowHeap();
    let r = 0;
    let visited = 0;
    let retried = 0;
    let nonUnique = 0;
    let lastRow = -1;
    for (;;) {
      let j: number;
      if (r < repeatRows.length && (induced.size === 0 || repeatRows[r]! <= induced.peek())) j = repeatRows[r++]!;
      else if (induced.size > 0) j = induced.pop();
      else break;
      if (j === lastRow) continue;
      lastRow = j;
      const distinct = Number.isFinite(st.domain) ? this.rank(st, j) - visited + retried : 0;
      visited++;
      let chosen = -1;
      if (distinct < st.domain) {
        for (let a = 1; a < rule.tries; a++) {
          const t = this.tuple(j, a, cls, probe);
          const fp = tupleFingerprint(t, this.dtypes);
          if (accepted.has(fp, t)) continue;
          const holder = firstHolder(t, fp);
          if (holder >= 0 && holder < j) continue;
          chosen = a;
          accepted.add(fp, t);
          if (holder > j) induced.push(holder);
          break;
        }
      }
      if (chosen < 0) {
        if (rule.mode === 'hard') throw this.failure(st, j, Number.isFinite(st.domain) ? distinct : this.rank(st, j) - (visited - 1) + retried);
        nonUnique++;
        if (rule.tries > 1) {
          outRows.push(j);
          outAttempts.push(rule.tries - 1);
        }
        continue;
      }
      retried++;
      outRows.push(j);
      outAttempts.push(chosen);
    }
    return {
      mode: rule.mode,
      tries: rule.tries,
      rows: st.rows,
      retried_rows: retried + (rule.tries > 1 ? nonUnique : 0),
      non_unique_rows: nonUnique,
      distinct_tuples: st.rows - nonUnique,
      domain: Number.isFinite(st.domain) ? st.domain : null,
    };
  }

  private failure(st: ClassState, row: number, distinct: number): ParanomError {
    return uniquenessFailure(this.scenario, st.cls, row, st.rule.tries, distinct, st.domain);
  }

}

/** The hard-mode failure: class, row, timestamp, key, tries and what was seen (exit code 3). */
export function uniquenessFailure(s: Scenario, cls: UniquenessClass, row: number, tries: number, distinct: number, domain: number): ParanomError {
  const key = s.uniqueness!.key;
  const exhausted = distinct >= domain;
  const ts = timestampOf(s, row);
  return new ParanomError(
    'UNIQUENESS_FAILED',
    `hard uniqueness failed at ${cls} row ${row} (${ts}): ` +
      (exhausted
        ? `the key (${key.join(', ')}) can take only ${domain} distinct value${domain === 1 ? '' : 's'} for ${cls} rows, and earlier ${cls} rows took all of them`
        : `no attempt in ${tries} tries gave a (${key.join(', ')}) tuple unlike those of earlier ${cls} rows; ${distinct} distinct tuples were seen`) +
      ` (seed ${s.seed}); widen the key's domain, raise tries, or use mode: soft`,
    { class: cls, row, timestamp: ts, key, tries, distinct, seed: s.seed },
  );
}
