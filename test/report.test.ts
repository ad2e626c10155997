/** The report's data reduction and commands, without a browser. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { M4 } from '../src/report/m4.js';
import { GrowingHistogram } from '../src/report/histogram.js';
import { planExact } from '../src/report/exact.js';
import { datasetReport } from '../src/report/dataset.js';
import { previewReport } from '../src/report/preview.js';
import { generate } from '../src/run/generate.js';
import { scenarioFrom, tempDir } from './helpers.js';
import { KINDS_SCENARIO } from './report-scenario.js';
import { writeSyntheticModel } from '../src/vae/synthetic.js';
import { parseScenario } from '../src/reader/load.js';

const CLI = 'dist/src/cli/main.js';
const require = createRequire(import.meta.url);
const pw = require('parquet-wasm') as typeof import('parquet-wasm');

function paranom(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function f64(b64: string): Float64Array {
  const b = Buffer.from(b64, 'base64');
  return new Float64Array(b.buffer, b.byteOffset, b.length / 8);
}

/** A small deterministic series with a spike, nulls and a flat stretch. */
function series(n: number): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(i / 37) * 10 + ((i * 7919) % 13) - (i === 4321 ? 500 : 0);
  for (let i = 1000; i < 1040; i++) v[i] = NaN;
  return v;
}

describe('M4 overview', () => {
  it('keeps, per bucket, the first, min, max and last value with their rows, whatever the chunking', () => {
    const n = 10_007;
    const v = series(n);
    const whole = new M4(n, 50);
    whole.add(0, v, n);
    const chunked = new M4(n, 50);
    for (let off = 0; off < n; off += 333) chunked.add(off, v.subarray(off, Math.min(n, off + 333)), Math.min(333, n - off));
    const a = whole.points();
    expect(chunked.points()).toEqual(a);
    // Against a direct computation per bucket.
    for (let b = 0; b < 50; b++) {
      const from = whole.edges[b]!;
      const to = whole.edges[b + 1]!;
      const rows = Array.from({ length: to - from }, (_, i) => from + i).filter((r) => !Number.isNaN(v[r]!));
      const inBucket = [...a.x].map((x, i) => [x, a.y[i]!] as const).filter(([x, y]) => x >= from && x < to && !Number.isNaN(y));
      const ys = inBucket.map(([, y]) => y);
      expect(Math.min(...ys)).toBe(Math.min(...rows.map((r) => v[r]!)));
      expect(Math.max(...ys)).toBe(Math.max(...rows.map((r) => v[r]!)));
      expect(inBucket[0]![0]).toBe(rows[0]);
      expect(inBucket[inBucket.length - 1]![0]).toBe(rows[rows.length - 1]);
    }
    expect(Math.min(...a.y.filter((y) => !Number.isNaN(y)))).toBe(v[4321]);
  });
});

describe('streamed histogram', () => {
  it('gives the same bins whatever the chunking', () => {
    const v = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i) * (i < 100 ? 1 : 50) + i / 100);
    const flags = new Uint8Array(5000);
    const whole = new GrowingHistogram();
    whole.add(v, flags, 5000);
    const chunked = new GrowingHistogram();
    for (let off = 0; off < 5000; off += 100) chunked.add(v.subarray(off, off + 100), flags.subarray(off, off + 100), 100);
    expect(chunked.result()).toEqual(whole.result());
    expect(whole.result().normal.reduce((a, b) => a + b, 0)).toBe(5000);
  });

  it('counts every value once, splits classes, and keeps integers whole per bin', () => {
    const h = new GrowingHistogram(true);
    const flags = new Uint8Array(1000).map((_, i) => (i % 10 === 0 ? 1 : 0));
    // The first chunk is narrow; later ones force the bins to widen both ways.
    const chunks = [Float64Array.from({ length: 1000 }, (_, i) => 10 + (i % 3)), Float64Array.from({ length: 1000 }, (_, i) => i - 400), Float64Array.from({ length: 1000 }, (_, i) => 5000 + i)];
    for (const c of chunks) h.add(c, flags, c.length);
    const r = h.result(40);
    const total = r.normal.reduce((a, b) => a + b, 0) + r.anomalous.reduce((a, b) => a + b, 0);
    expect(total).toBe(3000);
    expect(r.anomalous.reduce((a, b) => a + b, 0)).toBe(300);
    expect(Number.isInteger(r.width)).toBe(true);
    expect(Math.abs(r.lo % 1)).toBe(0.5); // edges at k − 0.5
    // Each display bin's count equals a direct count of the values it spans.
    const all = chunks.flatMap((c) => [...c]);
    r.normal.forEach((cnt, i) => {
      const lo = r.lo + i * r.width;
      const direct = all.filter((x, k) => flags[k % 1000] === 0 && x >= lo && x < lo + r.width).length;
      expect(cnt).toBe(direct);
    });
  });
});

describe('exact windows', () => {
  it('keep every row within the budget, else tiles and event neighbourhoods within it', () => {
    expect(planExact({ rows: 1000, columns: ['a', 'b'], events: [], budget: 2000 }).all).toBe(true);
    const events = Array.from({ length: 100 }, (_, i) => ({ start: 10_000 * i + 500, end: 10_000 * i + 600 }));
    const p = planExact({ rows: 1_000_000, columns: ['a', 'b'], events, budget: 60_000 });
    expect(p.all).toBe(false);
    const kept = p.ranges.reduce((a, [from, to]) => a + (to - from), 0);
    expect(kept * 2).toBeLessThanOrEqual(60_000);
    expect(p.eventsCovered).toBeGreaterThan(0);
    expect(p.eventsCovered).toBeLessThan(100);
    for (const e of events.slice(0, p.eventsCovered)) expect(p.ranges.some(([from, to]) => from <= e.start - 100 && to >= e.end + 100)).toBe(true);
    expect(p.ranges[0]![0]).toBe(0);
  });
});

describe('report of a dataset', () => {
  it('streams every shard (on one thread or two): realised figures, events from the segment table, exact rows equal to the files, and the same data as a preview', async () => {
    const dir = join(tempDir(), 'ds');
    const s = scenarioFrom({ ...KINDS_SCENARIO, timeline: { ...KINDS_SCENARIO.timeline, rows: 140_000 } });
    await generate({ ...s, anomalies: { ...s.anomalies, cleanTwin: true } }, { out: dir, workers: 1, shardRows: 65_536 });
    const r = await datasetReport(dir, { limits: { exactValues: 50_000 }, workers: 2 });
    // Two threads reading shards give the page one thread gives.
    expect(await datasetReport(dir, { limits: { exactValues: 50_000 }, workers: 1 })).toEqual(r);
    const seg = tableFromIPC(pw.readParquet(readFileSync(join(dir, 'anomalies.parquet'))).intoIPCStream());
    expect(r.eventCount).toBe(seg.numRows);
    expect(r.events.map((e) => e.start)).toEqual([...seg.getChild('start_row')!].map(Number));
    // Columns the segment table carries beyond the fixed ones (effect measures) come as they are.
    expect(r.eventColumns).toContain('effect_rms');
    const k = r.eventColumns.indexOf('effect_rms');
    expect(r.events.map((e) => e.extra[k])).toEqual([...seg.getChild('effect_rms')!].map((v) => (v === null ? null : Number(v))));
    expect(r.series.map((x) => [x.name, x.twin])).toEqual([
      ['load', 'load_clean'],
      ['temp', 'temp_clean'],
      ['count', 'count_clean'],
    ]);
    expect(r.distributions.map((d) => d.name)).toEqual(['load', 'temp', 'count', 'state']);
    const state = r.distributions.find((d) => d.name === 'state')!;
    const anomalous = r.summary.realised.anomalous_rows;
    expect(state.anomalous.reduce((a, b) => a + b, 0) + state.nulls[1]).toBe(anomalous);
    expect(r.allExact).toBe(false);
    // Exact windows hold the file's own values.
    const shard = tableFromIPC(pw.readParquet(readFileSync(join(dir, 'data/part-00000.parquet'))).intoIPCStream());
    const w = r.exact.find((x) => x.to <= 65_536 && x.from > 0)!;
    const exact = f64(w.values['load']!);
    const file = shard.getChild('load')!;
    for (let i = 0; i < exact.length; i++) expect(exact[i]).toEqual(file.get(w.from + i) ?? NaN);

    // A preview of the same rows reduces the same values.
    const p = await previewReport(s, { rows: 140_000, limits: { exactValues: 50_000 } });
    expect(p.series).toEqual(r.series);
    expect(p.distributions).toEqual(r.distributions);
    expect(p.exact).toEqual(r.exact);
    expect(p.events).toEqual(r.events);
  });
});

describe('report of a fleet with outages', () => {
  it("draws an entity's rows as the files hold them, outages included, and lists each outage that hit it (before: outages were left out)", async () => {
    const fleet = {
      name: 'fleet-outages',
      seed: 7,
      timeline: { start: '2024-03-04T00:00:00Z', step: '1m', rows: 3000 },
      entities: { count: 6, key: 'machine', order: 'time_entity' },
      anomalies: { frequency: 0.01, duration: [10, 30], kinds: [{ kind: 'spike', magnitude: [20, 40], variables: ['cpu'] }], outages: { frequency: 0.05, duration: [40, 80], share: 0.5, kind: 'flat_line', variables: ['cpu'] } },
      variables: { cpu: { type: 'process', components: [{ type: 'constant', value: 40 }, { type: 'ar', coefficients: [0.8], sd: 2 }] } },
    };
    const dir = join(tempDir(), 'fleet');
    await generate(scenarioFrom(fleet), { out: dir, workers: 1 });
    const seg = tableFromIPC(pw.readParquet(readFileSync(join(dir, 'anomalies.parquet'))).intoIPCStream());
    const files = tableFromIPC(pw.readParquet(readFileSync(join(dir, 'data', readdirSync(join(dir, 'data'))[0]!))).intoIPCStream());
    let checked = 0;
    for (const entity of ['0', '3']) {
      const r = await datasetReport(dir, { entity });
      // The entity's rows in the files, in time order.
      const key = files.getChild('machine')!;
      const cpu = files.getChild('cpu')!;
      const rows: number[] = [];
      for (let i = 0; i < files.numRows; i++) if (key.get(i) === Number(entity)) rows.push(cpu.get(i) as number);
      expect(r.allExact).toBe(true);
      expect([...f64(r.exact[0]!.values['cpu']!)]).toEqual(rows);
      // Its events: its own and the outages whose `entities` name it, as in the segment table.
      const expected: number[] = [];
      for (let i = 0; i < seg.numRows; i++) {
        const own = seg.getChild('machine')!.get(i);
        const hit = seg.getChild('entities')!.get(i) as string | null;
        if (own === Number(entity) || (own === null && hit!.split(',').includes(entity))) expected.push(Number(seg.getChild('start_row')!.get(i)));
      }
      expect(r.events.map((e) => e.start)).toEqual(expected.sort((a, b) => a - b));
      // Each outage names the entities it hit as the segment table does (before: drawn from the wrong id).
      const hitCol = r.eventColumns.indexOf('entities');
      for (const e of r.events.filter((x) => x.id < 0)) {
        let row = -1;
        for (let i = 0; i < seg.numRows; i++) if (Number(seg.getChild('id')!.get(i)) === e.id) row = i;
        expect(e.extra[hitCol]).toBe(seg.getChild('entities')!.get(row));
        expect(String(e.extra[hitCol]).split(',')).toContain(entity);
      }
      checked += r.events.filter((e) => e.id < 0).length;
    }
    expect(checked).toBeGreaterThan(0); // outages did hit the entities shown
  });
});

describe('preview summary', () => {
  it('counts the labelled rows the dataset labels: changed rows and margins included', async () => {
    const s = scenarioFrom({ ...KINDS_SCENARIO, timeline: { ...KINDS_SCENARIO.timeline, rows: 60_000 }, anomalies: { ...KINDS_SCENARIO.anomalies, label: 'changed', label_margin: [3, 40] } });
    const dir = join(tempDir(), 'ds');
    const { manifest } = await generate(s, { out: dir, workers: 1 });
    const p = await previewReport(s, { rows: 60_000 });
    // Margins make the labelled rows more than the events' own rows.
    const own = p.events.reduce((a, e) => a + e.duration, 0);
    expect(manifest.anomalies.realised.anomalous_rows).toBeGreaterThan(own);
    expect(p.summary.realised.anomalous_rows).toBe(manifest.anomalies.realised.anomalous_rows);
  });
});

describe('report of Arrow and CSV datasets', () => {
  it('reads the same values as from Parquet', async () => {
    const s = scenarioFrom({ ...KINDS_SCENARIO, timeline: { ...KINDS_SCENARIO.timeline, rows: 70_000 } });
    const pages = [];
    for (const format of ['parquet', 'arrow', 'csv'] as const) {
      const dir = join(tempDir(), format);
      await generate(s, { out: dir, workers: 1, format, shardRows: 65_536 });
      const r = await datasetReport(dir);
      pages.push({ series: r.series, distributions: r.distributions, exact: r.exact, events: r.events });
    }
    expect(pages[1]).toEqual(pages[0]);
    expect(pages[2]).toEqual(pages[0]);
    // Categories holding line breaks inside their quotes: a CSV report read "x\r\ny" as "x\ny",
    // an unknown category, and counted 1 row in 4 as missing.
    const breaks = scenarioFrom({ seed: 2, timeline: { rows: 400 }, variables: { s: { normal: { dist: 'categorical', values: ['x\r\ny', 'a\rb', 'c\nd', 'q"\r\n"'] } } } });
    const cats = [];
    for (const format of ['parquet', 'csv'] as const) {
      const dir = join(tempDir(), format);
      await generate(breaks, { out: dir, workers: 1, format });
      cats.push((await datasetReport(dir)).distributions);
    }
    expect(JSON.stringify(cats[0])).not.toMatch(/missing":[1-9]/);
    expect(cats[1]).toEqual(cats[0]);
    // Before: --entity on a one-series dataset was ignored and the page written (exit 0).
    const one = join(tempDir(), 'one');
    await generate(scenarioFrom({ ...KINDS_SCENARIO, timeline: { ...KINDS_SCENARIO.timeline, rows: 100 } }), { out: one, workers: 1 });
    await expect(datasetReport(one, { entity: 'web-1' })).rejects.toMatchObject({ code: 'USAGE', message: expect.stringMatching(/--entity web-1: .*one holds one series \(its scenario has no entities\)/) });
  });
});

describe('latent panels', () => {
  it('redraw the codes of vae windows inside their bands, and show each learned event moved out to its recorded radius', async () => {
    const work = tempDir();
    writeSyntheticModel(join(work, 'm'), { window: 16, latent: 4, hidden: [8], seed: 3 });
    const doc = {
      name: 'latent-report',
      seed: 2,
      timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 20_000 },
      anomalies: { frequency: 0.02, duration: [16, 40], kinds: [{ kind: 'level_shift', shift: 3, variables: ['y'] }, { kind: 'learned', model: 'm', variables: ['x'] }] },
      variables: {
        z: { type: 'vae', model: 'm' },
        x: { type: 'process', components: [{ type: 'sine', period: 96, amplitude: 2 }, { type: 'noise', sd: 0.2 }] },
        y: { normal: { dist: 'normal', mean: 0, sd: 1 } },
      },
    };
    const s = parseScenario(JSON.stringify(doc), join(work, 'scenario.json'));
    const r = await previewReport(s);
    const [vae, learned] = r.latent;
    expect(r.latent).toHaveLength(2);
    const radii = (b64: string) => {
      const a = f64(b64);
      return Array.from({ length: a.length / 2 }, (_, i) => Math.hypot(a[2 * i]!, a[2 * i + 1]!));
    };
    const normal = radii(vae!.normal);
    const anomalous = radii(vae!.anomalous);
    expect(normal.length).toBe(Math.ceil(20_000 / 16) > 1500 ? 1500 : Math.ceil(20_000 / 16));
    expect(anomalous.length).toBe(r.eventCount);
    for (const x of normal) expect(x).toBeLessThanOrEqual(vae!.inner![1] * (1 + 1e-9));
    for (const x of anomalous) {
      expect(x).toBeGreaterThanOrEqual(vae!.outlier[0] * (1 - 1e-9));
      expect(x).toBeLessThanOrEqual(vae!.outlier[1] * (1 + 1e-9));
    }
    const learnedEvents = r.events.filter((e) => e.kind === 'learned');
    expect(learnedEvents.length).toBeGreaterThan(0);
    const moves = f64(learned!.moves!);
    expect(moves.length).toBe(2 * learnedEvents.length);
    learnedEvents.forEach((e, i) => {
      const p = JSON.parse(e.params!);
      expect([moves[2 * i], moves[2 * i + 1]]).toEqual([p.radius_from, p.radius_to]);
      expect(p.radius_to).toBeGreaterThanOrEqual(learned!.outlier[0] * (1 - 1e-6));
    });
  });
});

describe('paranom report / preview commands', () => {
  it('refuse what is not a dataset, and never replace a file paranom did not write (exit 2, no stack)', () => {
    const t = tempDir();
    const notDs = paranom('report', t, '--out', join(t, 'r.html'));
    expect(notDs.code).toBe(2);
    expect(notDs.err).toContain('not a complete paranom dataset (no manifest.json');
    expect(notDs.err).not.toMatch(/^\s+at /m);

    const mine = join(t, 'notes.html');
    writeFileSync(mine, '<p>my notes</p>');
    const r = paranom('preview', 'scenarios/valve-sensors.yaml', '--rows', '5000', '--out', mine);
    expect(r.code).toBe(2);
    expect(r.err).toContain('the file exists and paranom did not write it');
    expect(readFileSync(mine, 'utf8')).toBe('<p>my notes</p>');

    const none = paranom('preview', 'scenarios/valve-sensors.yaml');
    expect(none.code).toBe(2);
    expect(none.err).toContain('--out FILE.html');

    const bad = paranom('preview', 'scenarios/valve-sensors.yaml', '--duration', 'soon', '--out', join(t, 'd.html'));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--duration takes a duration such as 90m, 36h or 2d, got 'soon'");

    // More rows than a preview holds in memory: refused before generating, nothing written.
    const huge = paranom('preview', 'scenarios/valve-sensors.yaml', '--rows', '1000000000', '--out', join(t, 'h.html'));
    expect(huge.code).toBe(2);
    expect(huge.err).toContain('--rows 1,000,000,000 is more than a preview generates in memory (at most 10,000,000 rows)');
    const long = paranom('preview', 'scenarios/valve-sensors.yaml', '--duration', '400d', '--out', join(t, 'h.html'));
    expect(long.code).toBe(2);
    expect(long.err).toContain('--duration 400d (34,560,000 rows) is more than a preview generates in memory');
    expect(existsSync(join(t, 'h.html'))).toBe(false);

    // A time range instead of a row count: 2 hours at the scenario's 1 s step.
    const out = join(t, 'p.html');
    const ok = paranom('preview', 'scenarios/valve-sensors.yaml', '--duration', '2h', '--out', out);
    expect(ok.code, ok.err).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('"rows":7200');
    expect(ok.out).toMatch(/wrote .*p\.html/);
    // A page it wrote may be written again.
    expect(paranom('preview', 'scenarios/valve-sensors.yaml', '--rows', '6000', '--out', out).code).toBe(0);
    const html = readFileSync(out, 'utf8');
    // Nothing is loaded from elsewhere: no script or style by reference.
    expect(/<script[^>]+src=|<link[^>]+href=/.test(html)).toBe(false);
    expect(readdirSync(t).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const noChrome = spawnSync(process.execPath, [CLI, 'preview', 'scenarios/valve-sensors.yaml', '--rows', '5000', '--png', join(t, 'x.png')], { encoding: 'utf8', env: { ...process.env, PARANOM_CHROMIUM: join(t, 'no-such-chromium') } });
    expect(noChrome.status).toBe(2);
    expect(noChrome.stderr).toContain('--png needs a Chromium and none was found');
  });

  it('refuse --png without a Chromium before any work: no page written, nothing generated or read', () => {
    const t = tempDir();
    const ds = join(t, 'ds');
    expect(paranom('generate', 'scenarios/valve-sensors.yaml', '--rows', '3000', '--out', ds, '--workers', '1').code).toBe(0);
    const env = { ...process.env, PARANOM_CHROMIUM: join(t, 'no-such-chromium') };
    for (const args of [
      ['preview', 'scenarios/valve-sensors.yaml', '--rows', '5000'],
      ['report', ds],
    ]) {
      const page = join(t, `${args[0]}.html`);
      const r = spawnSync(process.execPath, [CLI, ...args, '--out', page, '--png', join(t, `${args[0]}.png`)], { encoding: 'utf8', env });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain('--png needs a Chromium and none was found');
      expect(r.stdout).not.toContain('wrote');
      expect(existsSync(page)).toBe(false);
      expect(existsSync(join(t, `${args[0]}.png`))).toBe(false);
    }
  });

  it('refuse a page or image inside the dataset, one file for both, a name of another kind of file, and a --workers that is not a count (before: the page was written into the dataset and grow then refused it as foreign; the image replaced the page; --workers 0 and abc ran)', () => {
    const t = tempDir();
    const ds = join(t, 'ds');
    expect(paranom('generate', 'scenarios/valve-sensors.yaml', '--rows', '3000', '--out', ds, '--workers', '1').code).toBe(0);
    const before = readdirSync(ds, { recursive: true }).sort();
    for (const [args, message] of [
      [['--out', join(ds, 'r.html')], /--out .*ds\/r\.html is inside the dataset .*ds; .* write the report elsewhere/],
      [['--png', join(ds, 'data', 'r.png')], /--png .*ds\/data\/r\.png is inside the dataset/],
      [['--out', join(t, 'same'), '--png', join(t, '.', 'same')], /--out and --png both name .*same; the image would replace the page/],
      [['--out', join(t, 'r.html'), '--workers', '0'], /--workers must be an integer from 1 to 1,024, got '0'/],
      [['--out', join(t, 'r.html'), '--workers', 'abc'], /--workers must be an integer from 1 to 1,024, got 'abc'/],
      // Before: the page was written as r.png (or r.csv), the image as r.html.
      [['--out', join(t, 'r.png')], /--out .*r\.png names a \.png file, but --out writes the HTML page; name it \.html \(--png FILE\.png writes an image\)/],
      [['--out', join(t, 'r.csv')], /--out .*r\.csv names a \.csv file, but --out writes the HTML page; name it \.html$/m],
      [['--png', join(t, 'r.html')], /--png .*r\.html names a \.html file, but --png writes a PNG image; name it \.png/],
      [['--out', join(t, 'r.html'), '--entity', 'web-1'], /--entity web-1: .*ds holds one series \(its scenario has no entities\)/],
    ] as const) {
      const r = paranom('report', ds, ...args);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/^\s+at /m);
    }
    expect(readdirSync(ds, { recursive: true }).sort()).toEqual(before);
    expect(readdirSync(t).sort()).toEqual(['ds']);
    // Nor in another dataset, by report or preview (before: written there, and grow then refused that dataset).
    const other = join(tempDir(), 'other');
    expect(paranom('generate', 'scenarios/valve-sensors.yaml', '--rows', '3000', '--out', other, '--workers', '1').code).toBe(0);
    const others = readdirSync(other, { recursive: true }).sort();
    for (const args of [
      ['report', ds, '--out', join(other, 'r.html')],
      ['report', ds, '--png', join(other, 'data', 'r.png')],
      ['preview', 'scenarios/valve-sensors.yaml', '--rows', '1000', '--out', join(other, 'p.html')],
    ]) {
      const r = paranom(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/--(out|png) .*other.* is inside the dataset .*other; .* write the report elsewhere/);
      expect(r.err).not.toMatch(/^\s+at /m);
    }
    expect(readdirSync(other, { recursive: true }).sort()).toEqual(others);
    expect(paranom('grow', other, '--rows', '4000', '--workers', '1').code).toBe(0);
    expect(paranom('grow', ds, '--rows', '4000', '--workers', '1').code).toBe(0);
  });
});
