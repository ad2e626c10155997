/**
 * What a variable kind is: the keys it accepts, how it validates into its resolved form,
 * and how it compiles into a generator that fills blocks of rows. Each kind lives in its
 * own module under src/variables/ and is listed in registry.ts.
 */
import type { Checker, Obj } from '../model/checker.js';
import type { Scenario, Variable } from '../model/types.js';
import type { SeedKey } from '../random/counter.js';
import type { AnomalyEvent } from '../anomaly/events.js';
import type { BlockColumn, ColumnData } from '../columns/columns.js';

/** A variable's entry in the scenario, as validation sees it. */
export interface VariableInput {
  name: string;
  /** The variable's stream id (a hash of its name, D1/D4). */
  stream: number;
  /** Path of the entry inside the scenario, for messages. */
  path: string;
  raw: Obj;
  /**
   * Resolves a file named in the scenario (relative to the scenario file) to the absolute
   * path to read now. What the variable records is the name as written (see input-path.ts).
   */
  resolveFile(file: string): string;
  /** The scenario's `allow_non_finite`: ±Infinity and NaN may be stored. */
  allowNonFinite: boolean;
}

/** One block of rows being generated. */
export interface Block {
  rowStart: number;
  count: number;
  /** 1 where row rowStart+i belongs to an anomaly event. */
  anomalous: Uint8Array;
  /** Events overlapping this block. */
  events: readonly AnomalyEvent[];
  /**
   * Columns of variables generated before this one, by name, with their validity when
   * nullable (a dropped value is null); index `offset + i` is row rowStart+i.
   */
  columns: ReadonlyMap<string, BlockColumn>;
  offset: number;
  /** Reusable scratch space of at least `count` doubles. */
  scratch: Float64Array;
  /**
   * Rows of this block that uniqueness resolved to a later attempt, in row order, with
   * their attempts. Only key variables are redrawn; the others keep attempt 0.
   */
  retries?: { rows: readonly number[]; attempts: readonly number[] } | undefined;
}

export interface CompiledVariable {
  readonly variable: Variable;
  /** Writes rows [block.rowStart, block.rowStart + block.count) into out[block.offset + i]. */
  fill(block: Block, out: ColumnData): void;
  /**
   * The value of one row at one attempt, as the column stores it (rounded for integer and
   * float32 columns, 0/1 for bool, the dictionary index for strings). Kinds that can be
   * redrawn (uniqueness keys) provide it; it must agree bit for bit with `fill`.
   */
  valueAt?(row: number, attempt: number, anomalous: boolean): number;
  /**
   * Points this compiled form at another entity of a fleet: `v` is the same variable in the
   * entity's scenario (its definition may differ in per-entity numbers), under the entity's
   * key. Returns false, changing nothing, when the kind cannot (the caller compiles `v`
   * again). A fleet shard compiles its pipeline once and rebinds it for each entity, so
   * that an entity costs its values, not a compilation (generate/pipeline.ts).
   */
  rebind?(v: Variable, scenario: Scenario, key: SeedKey): boolean;
  /**
   * Rows with no value of their own (a source's missing readings kept as gaps): sets
   * out[i] to 1 for each such row rowStart + i of [rowStart, rowStart + count), 0 for the
   * others, and returns whether there is one. `fill` writes a stand-in there for anomaly
   * kinds to work from; the pipeline makes those rows null after the kinds, so no kind
   * fills a gap (generate/pipeline.ts).
   */
  gaps?(rowStart: number, count: number, out: Uint8Array): boolean;
}

export interface CompileContext {
  scenario: Scenario;
  key: SeedKey;
  /** True when this variable is part of the uniqueness key, so retried rows redraw it. */
  retried: boolean;
}

export interface VariableKind<V extends Variable = Variable> {
  /** Keys the kind accepts besides `type` and `description`. */
  keys: readonly string[];
  validate(c: Checker, input: VariableInput): V | undefined;
  /**
   * Loads what compile needs from outside (a user module, a model), once per thread;
   * `prepareScenario` awaits it before any shard is generated. Compile itself is synchronous.
   */
  load?(v: V, s: Scenario): Promise<void>;
  compile(v: V, ctx: CompileContext): CompiledVariable;
  /**
   * The most rows the variable can fill, when it is bounded (an id range). The row count is
   * known only at planning (overrides, grow), so planning checks it, before any file.
   */
  maxRows?(v: V): number;
}
