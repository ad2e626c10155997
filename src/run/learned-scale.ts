/**
 * The warning `generate` prints when a `learned` kind's model was trained on data of
 * another scale than the variable it acts on. The encoder sees the variable's clean values
 * as z-scores under the model's training mean and sd: values far from that mean, or spread
 * far wider or narrower, are windows unlike any it learned, and the deformation it decodes
 * is in the model's units (a model of taxi rides per half hour, in the thousands, on a
 * temperature of 20 ± 2). Nothing refuses it — a model may be meant to act on another
 * series — but a run should not do it without a word.
 *
 * The variable's scale is measured on its clean values (the scenario without anomalies)
 * over the first rows of the timeline (entity 0's, for a fleet), at most SAMPLE_ROWS.
 */
import { inputPath } from '../model/input-path.js';
import type { Scenario } from '../model/types.js';
import { vaeCodec } from '../vae/model.js';
import { LearnedEvents } from '../anomaly/kinds/learned.js';
import { cleanRowsOf } from '../generate/rows.js';
import { entityScenario } from '../fleet/entity.js';
import { getInt64 } from '../columns/columns.js';

/** Rows of the variable measured. */
const SAMPLE_ROWS = 10_000;
/** A mean this many training sds from the model's, or a spread this many times wider or narrower, is warned of. */
const MEAN_SDS = 3;
const SPREAD_FACTOR = 5;

const fmt = (x: number) => (Math.abs(x) >= 1e6 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(3) : Number(x.toPrecision(4)).toString());

/** Mean and sample sd of the finite values of `a`; null when none is finite. */
function meanSd(a: ArrayLike<number>): { mean: number; sd: number } | null {
  let n = 0;
  let m = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (!Number.isFinite(x)) continue;
    n++;
    const d = x - m;
    m += d / n;
    s += d * (x - m);
  }
  return n === 0 ? null : { mean: m, sd: Math.sqrt(s / Math.max(1, n - 1)) };
}

/**
 * One warning per variable a `learned` kind acts on whose clean values are far off its
 * model's training scale. A warning never fails a run or a validate: one that cannot be
 * measured says so instead.
 */
export function learnedScaleWarnings(scenario: Scenario): string[] {
  try {
    return scaleWarnings(scenario);
  } catch (err) {
    return [`the scale of the learned kinds' targets against their models could not be measured: ${(err as Error).message}`];
  }
}

function scaleWarnings(scenario: Scenario): string[] {
  const kinds = scenario.anomalies.mode === 'none' ? [] : (scenario.anomalies.kinds ?? []).filter((k) => k.kind === 'learned' && k.learned);
  if (kinds.length === 0) return [];
  const one = scenario.entities ? entityScenario(scenario, 0) : scenario;
  const rows = Math.min(scenario.timeline.rows, SAMPLE_ROWS);
  const columns = cleanRowsOf(one)(0, rows);
  const out: string[] = [];
  for (const spec of kinds) {
    const ref = spec.learned!;
    const { meta } = vaeCodec(inputPath(scenario.baseDir, ref.model), ref.sha256);
    for (const group of LearnedEvents.groups(spec)) {
      group.forEach((name, c) => {
        const col = columns.find((x) => x.name === name);
        if (!col) return;
        const values = col.dtype === 'int64' ? Float64Array.from({ length: rows }, (_, i) => getInt64(col.data as Int32Array, i)) : Float64Array.from(col.data as ArrayLike<number>);
        // Null rows (a nullable column's invalid slots) are no values.
        if (col.valid) for (let i = 0; i < rows; i++) if (!col.valid[i]) values[i] = Number.NaN;
        const got = meanSd(values);
        const mean = meta.normalisation.mean[c]!;
        const sd = meta.normalisation.sd[c]!;
        if (!got || !(sd > 0)) return;
        const away = Math.abs(got.mean - mean) / sd;
        const spread = got.sd / sd;
        if (away <= MEAN_SDS && spread <= SPREAD_FACTOR && spread >= 1 / SPREAD_FACTOR) return;
        const trained = meta.training.data.file === 'none' ? '' : ` on ${meta.training.data.file}`;
        const how = [away > MEAN_SDS ? `its mean is ${fmt(away)} training sds from the model's` : '', spread > SPREAD_FACTOR || spread < 1 / SPREAD_FACTOR ? `its sd is ${fmt(spread)} times the model's` : ''].filter(Boolean).join(', and ');
        out.push(
          `variable '${name}' is far off the scale of the learned kind's model ${ref.model} (channel '${meta.channels[c]}', trained${trained} at mean ${fmt(mean)}, sd ${fmt(sd)}): its clean values${scenario.entities ? ' (entity 0)' : ''} over the first ${rows} rows have mean ${fmt(got.mean)}, sd ${fmt(got.sd)}; ${how}. The encoder reads such windows as nothing it learned and decodes changes in the model's units; train the model on data of this variable's scale, or rescale the variable`,
        );
      });
    }
  }
  return out;
}
