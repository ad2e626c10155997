/**
 * Process variables: a sum of components with structure in time — seasonal shapes,
 * polynomial trends, a Gaussian random walk, AR(p), Gaussian or Student-t noise.
 *
 * Every row's value is a pure function of its index (D1): shapes and trends are formulas
 * of the row; noise is drawn per row; the random walk and AR(p), which have memory, are
 * computed per fixed 65,536-row block (process-walk.ts: a prefix over drawn block sums and
 * a Brownian bridge inside the block; process-ar.ts: a warm-up before the block). So any
 * shard, of any size, computes the same bits for its rows (D2), and growing the timeline
 * never changes a row (D3).
 *
 * Component c draws from its own streams, hashes of "var:<name>#c" (and "/pre", "/blocks",
 * "/super" for the AR pre-history and the walk's block and superblock draws).
 *
 * Anomaly kinds that act on components are applied here, over their event windows:
 * `amplitude` scales and `frequency` speeds up the seasonal components (the phase is
 * continuous where the event starts), `variance` with `factor` scales the noise components.
 * The other kinds act on the summed value (anomaly/kinds/apply.ts).
 */
import { BLOCK_ROWS } from '../format.js';
import { hash32 } from '../random/hash.js';
import type { SeedKey } from '../random/counter.js';
import type { AnomalyPlan, ProcessComponent, ProcessVariable, Timeline } from '../model/types.js';
import type { AnomalyEvent } from '../anomaly/events.js';
import { ParamCache, specOf } from '../anomaly/kinds/params.js';
import { actsOnComponents } from '../anomaly/kinds/catalog.js';
import type { Block, CompiledVariable, VariableKind } from './kind.js';
import { validateProcess } from './process-validate.js';
import { ArBlocks } from './process-ar.js';
import { WalkBlocks } from './process-walk.js';
import { normalNoise, studentTNoise } from './process-noise.js';
import { decorrelateScores, groupScores } from './correlated-scores.js';
import { polynomial, shiftedPhaseAt, spanRows, waveBlock, waveShape } from '../model/shapes.js';

/** Stream of component c of a process (and of its auxiliary draws). */
export function componentStream(name: string, c: number, aux = ''): number {
  return hash32(`var:${name}#${c}${aux}`);
}

/** An event window acting on this process's components, with its drawn factor. */
interface ComponentEvent {
  start: number;
  end: number;
  kind: 'amplitude' | 'frequency' | 'variance';
  factor: number;
}

/** Adds one component's values for rows [from, from + count) into acc. */
type Adder = (from: number, count: number, acc: Float64Array, events: readonly ComponentEvent[]) => void;

function overlap(e: { start: number; end: number }, from: number, count: number): [number, number] {
  return [Math.max(e.start, from) - from, Math.min(e.end, from + count) - from];
}

/** Copies the values of fixed blocks over [from, from + count) into out. */
function copyBlocks(blocks: { block(b: number, rows: number): Float64Array }, from: number, count: number, out: Float64Array): void {
  const end = from + count;
  for (let b = Math.floor(from / BLOCK_ROWS); b * BLOCK_ROWS < end; b++) {
    const a = Math.max(from, b * BLOCK_ROWS);
    const z = Math.min(end, (b + 1) * BLOCK_ROWS);
    // The block's rows up to the last one wanted (an AR computes only those; a walk, all).
    const v = blocks.block(b, z - b * BLOCK_ROWS);
    out.set(v.subarray(a - b * BLOCK_ROWS, z - b * BLOCK_ROWS), a - from);
  }
}

/**
 * The block computers of random-walk and AR components, shared by every compilation of one
 * component in a thread. A compilation is cheap but its first block is not (65,536 rows, and
 * a walk's superblock of 65,536 more): measuring an event's effect compiles the scenario
 * twice per event, and with a computer of its own each time, an AR process under frequent
 * short events ran 30× slower than plain noise. Values depend only on the block, so sharing
 * changes no bit; the few most recent are kept (each holds one to five blocks of doubles).
 */
interface BlockComputer {
  block(b: number): Float64Array;
  /** Gives its arrays to the next computer (a walk's: see process-walk.ts). */
  release?(): void;
}
const sharedBlocks = new Map<string, BlockComputer>();
const SHARED_BLOCKS_KEPT = 8;

function sharedComputer<T extends BlockComputer>(id: string, make: () => T): T {
  let b = sharedBlocks.get(id);
  if (b) sharedBlocks.delete(id);
  else b = make();
  sharedBlocks.set(id, b);
  if (sharedBlocks.size > SHARED_BLOCKS_KEPT) {
    // The oldest is dropped; a compilation still holding it computes again if it asks.
    const [oldest, computer] = sharedBlocks.entries().next().value!;
    sharedBlocks.delete(oldest);
    computer.release?.();
  }
  return b as T;
}

/** A process's scratch arrays, grown to the largest block it fills (a fleet's short timelines need little). */
interface Scratch {
  tmp: Float64Array;
  tmp2: Float64Array;
}

/**
 * The thread's scratch, lent to one fill at a time: a fleet compiles its processes again
 * for every entity, and fresh arrays per entity (16 KB for 1,000 rows) were a fleet
 * shard's largest garbage. Every fill writes the rows it reads first, so stale values
 * never show.
 */
const shared: Scratch = { tmp: new Float64Array(0), tmp2: new Float64Array(0) };
let lent = false;

/** Scratch of at least `count` rows: the thread's, or a fresh one if a fill is already using it. */
function borrowScratch(count: number): Scratch {
  const s = lent ? { tmp: new Float64Array(0), tmp2: new Float64Array(0) } : shared;
  if (s.tmp.length < count) {
    s.tmp = new Float64Array(Math.min(BLOCK_ROWS, Math.max(count, 2 * s.tmp.length)));
    s.tmp2 = new Float64Array(s.tmp.length);
  }
  if (s === shared) lent = true;
  return s;
}

/** What a noise component linked to a correlation group needs: the plan's `decorrelate` events. */
interface LinkContext {
  plan: AnomalyPlan;
  params: ParamCache;
  /** The events of the block being filled. */
  events: readonly AnomalyEvent[];
}

/**
 * The entity a compiled process draws for: its variable and key. The components read
 * them at each fill, so a fleet rebinds a process to another entity by setting them.
 */
interface ProcessRef {
  v: ProcessVariable;
  key: SeedKey;
}

/** Component c of the process `ref.v` (the same kind of component in every entity's definition). */
function componentOf<T extends ProcessComponent['type']>(ref: ProcessRef, c: number): Extract<ProcessComponent, { type: T }> {
  return ref.v.components[c] as Extract<ProcessComponent, { type: T }>;
}

function compileComponent(ref: ProcessRef, c: number, timeline: Timeline, scratch: Scratch, linked: LinkContext): Adder {
  const { v, key } = ref;
  const comp = v.components[c]!;
  const stream = componentStream(v.name, c);
  const addTmp = (count: number, acc: Float64Array) => {
    const tmp = scratch.tmp;
    for (let i = 0; i < count; i++) acc[i]! += tmp[i]!;
  };
  switch (comp.type) {
    case 'constant':
      return (_from, count, acc) => {
        const value = componentOf<'constant'>(ref, c).value;
        for (let i = 0; i < count; i++) acc[i]! += value;
      };
    case 'trend':
      return (from, count, acc) => {
        const { coefficients, unit: span } = componentOf<'trend'>(ref, c);
        const unit = spanRows(span, timeline);
        for (let i = 0; i < count; i++) acc[i]! += polynomial(coefficients, (from + i) / unit);
      };
    case 'sine':
    case 'square':
    case 'sawtooth':
    case 'triangle':
      return (from, count, acc, events) => {
        const { amplitude: a, phase, type: wave, period: span } = componentOf<'sine'>(ref, c);
        const period = spanRows(span, timeline);
        const tmp = scratch.tmp;
        waveBlock(wave, a, period, phase, from, count, tmp);
        for (const e of events) {
          if (e.kind === 'variance') continue;
          const [lo, hi] = overlap(e, from, count);
          for (let i = lo; i < hi; i++) {
            tmp[i] = e.kind === 'amplitude' ? e.factor * tmp[i]! : a * waveShape(wave, shiftedPhaseAt(from + i, e.start, e.factor, period, phase));
          }
        }
        addTmp(count, acc);
      };
    // A walk's and an AR's blocks are those of one key (compiled again for another: see rebind).
    case 'random_walk': {
      const [blocks, sup] = [componentStream(v.name, c, '/blocks'), componentStream(v.name, c, '/super')];
      const walk = sharedComputer(`walk ${key.k0} ${key.k1} ${stream} ${blocks} ${sup} ${comp.sd}`, () => new WalkBlocks(key, stream, blocks, sup, comp.sd));
      return (from, count, acc) => {
        copyBlocks(walk, from, count, scratch.tmp);
        addTmp(count, acc);
      };
    }
    case 'ar': {
      const pre = componentStream(v.name, c, '/pre');
      const ar = sharedComputer(`ar ${key.k0} ${key.k1} ${stream} ${pre} ${comp.coefficients.join(',')} ${comp.sd} ${comp.warmup}`, () => new ArBlocks(key, stream, pre, comp.coefficients, comp.sd, comp.warmup));
      return (from, count, acc) => {
        copyBlocks(ar, from, count, scratch.tmp);
        addTmp(count, acc);
      };
    }
    case 'noise':
      return (from, count, acc, events) => {
        const comp = componentOf<'noise'>(ref, c);
        const key = ref.key;
        const tmp = scratch.tmp;
        const tmp2 = scratch.tmp2;
        if (comp.dist === 'normal' && comp.link) {
          // Its N(0, 1) draws are the process's score in a correlation group.
          groupScores(key, comp.link, from, count, tmp);
          decorrelateScores(key, linked.plan, linked.params, ref.v.name, comp.link, linked.events, from, count, tmp, tmp2);
          for (let i = 0; i < count; i++) tmp[i] = comp.sd * tmp[i]!;
        } else if (comp.dist === 'normal') normalNoise(key, stream, from, count, comp.sd, tmp);
        else studentTNoise(key, stream, from, count, comp.df, comp.scale, tmp, tmp2);
        for (const e of events) {
          if (e.kind !== 'variance') continue;
          const [lo, hi] = overlap(e, from, count);
          for (let i = lo; i < hi; i++) tmp[i] = e.factor * tmp[i]!;
        }
        addTmp(count, acc);
      };
  }
}

/** True when every component of `next` is of the kind of `v`'s, and none holds blocks of one key (a walk, an AR). */
function rebindable(v: ProcessVariable, next: ProcessVariable): boolean {
  if (next.components.length !== v.components.length) return false;
  return v.components.every((comp, c) => {
    const other = next.components[c]!;
    if (comp.type === 'random_walk' || comp.type === 'ar' || other.type !== comp.type) return false;
    return comp.type !== 'noise' || (other.type === 'noise' && other.dist === comp.dist && (other.dist === 'normal' && comp.dist === 'normal' ? !!other.link === !!comp.link : true));
  });
}

/** The events of a block whose kind acts on this process's components. */
function componentEvents(plan: AnomalyPlan, v: ProcessVariable, events: readonly AnomalyEvent[], params: ParamCache): ComponentEvent[] {
  const out: ComponentEvent[] = [];
  for (const e of events) {
    const spec = specOf(plan, e);
    if (!spec || !spec.variables.includes(v.name)) continue;
    const acts = actsOnComponents(spec.kind, spec.params);
    if (!acts.seasonal && !acts.noise) continue;
    const factor = params.get(e)['factor'] as number;
    out.push({ start: e.start, end: e.end, kind: spec.kind as ComponentEvent['kind'], factor });
  }
  return out;
}

/** Compiles a process: its components, and the kinds that act on them over event windows. */
function compileProcess(v: ProcessVariable, key: SeedKey, plan: AnomalyPlan, timeline: Timeline): CompiledVariable {
  // The components read the arrays of the scratch lent to the fill under way.
  const scratch: Scratch = { tmp: shared.tmp, tmp2: shared.tmp2 };
  const ref: ProcessRef = { v, key };
  const linked: LinkContext = { plan, params: new ParamCache(plan, key), events: [] };
  const adders = v.components.map((_, c) => compileComponent(ref, c, timeline, scratch, linked));
  return {
    variable: v,
    fill(block: Block, out) {
      const { rowStart, count, offset } = block;
      const lentNow = borrowScratch(count);
      // Compared here, before the copy loop, not in `finally`: V8 compiles that loop on the
      // stack (OSR) during the first long fill, before the comparison after it has ever run,
      // and the cached code then deoptimized at that comparison at the end of every fill.
      const owns = lentNow === shared;
      scratch.tmp = lentNow.tmp;
      scratch.tmp2 = lentNow.tmp2;
      try {
        linked.events = block.events;
        const acc = block.scratch.subarray(0, count).fill(0);
        const events = componentEvents(linked.plan, ref.v, block.events, linked.params);
        for (const add of adders) add(rowStart, count, acc, events);
        for (let i = 0; i < count; i++) out[offset + i] = acc[i]!;
      } finally {
        if (owns) lent = false;
      }
    },
    rebind(next, scenario, nextKey) {
      if (next.type !== 'process' || next.name !== v.name || !rebindable(ref.v, next) || scenario.timeline.stepMs !== timeline.stepMs) return false;
      ref.v = next;
      ref.key = nextKey;
      linked.plan = scenario.anomalies;
      linked.params = new ParamCache(scenario.anomalies, nextKey);
      return true;
    },
  };
}

/** `type: process`. */
export const processKind: VariableKind<ProcessVariable> = {
  keys: ['dtype', 'components'],
  validate: validateProcess,
  compile(v, { key, scenario }) {
    return compileProcess(v, key, scenario.anomalies, scenario.timeline);
  },
};
