/**
 * The warning `validate` and `generate` print when a mapped source's epoch numbers look
 * read in too small a unit. Epoch seconds read as milliseconds (or milliseconds as
 * microseconds) are still valid instants, in January 1970, so nothing refuses them; but the
 * file then spans a thousandth of its real length, and the timeline replays it cycled or
 * sampled far past its own rate — data that looks plausible and is not the user's series.
 *
 * Too large a unit needs no warning: it puts the times past year 9999, which is refused.
 * Times that are meant to start at 0 (seconds since an experiment began) stay in 1970
 * under the next larger unit too, and are not warned of.
 */
import type { Scenario, SourceVariable } from '../model/types.js';
import { sourceData } from '../variables/source-read.js';
import { EPOCH_UNITS, type EpochUnit } from '../input/epoch.js';

const YEAR_MS = 365.25 * 86_400_000;
/** Instants a series recorded by a machine plausibly starts and ends within. */
const PLAUSIBLE: [number, number] = [Date.UTC(1990, 0, 1), Date.UTC(2100, 0, 1)];

/** The span of a duration in milliseconds, in its largest whole-ish unit ("2 min", "33.3 h"). */
function spell(ms: number): string {
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]];
  for (const [name, size] of units) if (ms >= size) return `${Number((ms / size).toPrecision(3))} ${name}`;
  return `${Number(ms.toPrecision(3))} ms`;
}

/** One warning per mapped source whose epoch times fall in 1970 and, a unit larger, in 1990–2100. */
export function epochUnitWarnings(scenario: Scenario): string[] {
  const out: string[] = [];
  for (const v of scenario.variables) {
    if (v.type !== 'source' || v.timestamps.mode !== 'map' || !v.timestamps.unit) continue;
    const larger = EPOCH_UNITS[EPOCH_UNITS.indexOf(v.timestamps.unit) - 1];
    if (!larger) continue;
    const warning = check(v, v.timestamps.unit, larger, scenario);
    if (warning) out.push(warning);
  }
  return out;
}

function check(v: SourceVariable, unit: EpochUnit, larger: EpochUnit, scenario: Scenario): string | null {
  const times = sourceData(v, scenario.baseDir).times;
  if (!times || times.length < 2) return null;
  const first = times[0]!;
  const last = times[times.length - 1]!;
  if (first < 0 || last >= YEAR_MS) return null;
  if (first * 1000 < PLAUSIBLE[0] || last * 1000 >= PLAUSIBLE[1]) return null;
  const column = v.timestamps.mode === 'map' ? v.timestamps.column : 'timestamp';
  const at = (ms: number) => new Date(ms).toISOString();
  return (
    `variables.${v.name}: the times in column '${column}' of ${v.file}, read in ${unit}, fall in 1970 (${at(first)} to ${at(last)}): ` +
    `its ${times.length.toLocaleString('en-US')} rows span ${spell(last - first)}, replayed along a timeline step of ${spell(scenario.timeline.stepMs)}. ` +
    `Read in ${larger} they would run from ${at(first * 1000)} to ${at(last * 1000)}: if that is when they were recorded, write timestamps: { map: ${column}, unit: ${larger} }`
  );
}
