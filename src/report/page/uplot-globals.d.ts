/** The slice of uPlot's API the report page uses (uPlot is inlined as a global script). */
declare class uPlot {
  constructor(opts: UPlotOptions, data: UPlotData, target: HTMLElement);
  static tzDate(date: Date, tzName: string): Date;
  static rangeNum(min: number, max: number, mult: number, extra: boolean): [number, number];
  readonly root: HTMLElement;
  readonly over: HTMLElement;
  readonly ctx: CanvasRenderingContext2D;
  readonly data: UPlotData;
  readonly bbox: { left: number; top: number; width: number; height: number };
  readonly scales: Record<string, { min?: number; max?: number }>;
  readonly cursor: { left?: number; idx?: number | null };
  readonly select: { left: number; width: number };
  setData(data: UPlotData, resetScales?: boolean): void;
  setScale(key: string, range: { min: number; max: number }): void;
  setSize(size: { width: number; height: number }): void;
  valToPos(val: number, scale: string, canvasPixels?: boolean): number;
  posToVal(pos: number, scale: string): number;
  redraw(rebuildPaths?: boolean, recalcAxes?: boolean): void;
  /** Runs `fn` and draws once, at its end (not in a later microtask). */
  batch(fn: () => void): void;
}
type UPlotData = Array<ArrayLike<number | null | undefined>>;
interface UPlotOptions {
  width: number;
  height: number;
  title?: string;
  /** The Date (in its zone's wall-clock fields) of a time in seconds. */
  tzDate?: (ts: number) => Date;
  scales?: Record<string, { time?: boolean; auto?: boolean; range?: unknown }>;
  series: Array<Record<string, unknown>>;
  axes?: Array<Record<string, unknown>>;
  cursor?: Record<string, unknown>;
  legend?: Record<string, unknown>;
  hooks?: Record<string, Array<(u: uPlot, ...args: never[]) => void>>;
  plugins?: unknown[];
}
