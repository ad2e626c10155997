/**
 * The long fuzz campaign (not part of `npm test`): hundreds of random valid scenarios
 * (test/valid-scenarios.ts, with what only the binary runs: .cts callback modules and vae
 * variables of a two-channel model that train-vae trains at the start), each run through
 * the CLI binary as a user would and read back by other readers (test/read-back.ts). Run it with
 *
 *   npm run build && FUZZ_CASES=300 FUZZ_SEED=1 npx vitest run -c test/campaign.config.ts
 *   FUZZ_NAB=1 FUZZ_BROWSER=1 npx vitest run -c test/campaign.config.ts
 *
 * Per case: Parquet with 1 and 2 workers (every file's bytes equal); DuckDB's checks of the
 * dataset; `verify`; the drawn format (CSV, Arrow) against the Parquet rows; another shard
 * size (the same rows); a smaller run grown to the full size (the same rows, when the
 * manifest says growth-stable); a fleet with fewer entities grown to the full count (a
 * count, or names appended to its names file: the same rows); the three splits (train + test = the whole timeline's
 * rows, train_clean without labels, train and test each merged into one file; the scenario's own `splits:` section gives the same
 * rows); a CSV stream and its `--labels-to` file against the dataset; NDJSON and Arrow
 * streams from a later row or instant (`--start-at`) against the dataset's rows from there;
 * `merge` into one file (the same rows) and `eval` of a column of it against the dataset's
 * labels (its row and label counts); `--part 1/2` and `2/2` joined by `merge-manifests`
 * (the files of one run); `report`, opened in Chromium with FUZZ_BROWSER=1 (test/browser.ts's
 * checks of the page). FUZZ_NAB=1 runs a case per NAB series instead (valid-scenarios.ts's
 * nabCases: real data the other tests never read). Every finding is collected (the run does not stop at the first) and written to
 * FUZZ_REPORT (default /tmp/paranom-fuzz-campaign.json) with the case's scenario, so each
 * can be replayed by hand.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { nabCases, validCase, writeInputs, writeNabInputs, type ValidCase } from './valid-scenarios.js';
import { checkParquetDataset, compareArrowStreamToParquet, compareArrowToParquet, compareCsvFilesToParquet, compareCsvToParquet, compareNdjsonToParquet, duckdb, filesDigest, readManifestFile, rowDigest } from './read-back.js';
import { CLI, cliProcess, treeHashes } from './reliability-helpers.js';
import { checkReportPage, ensureChromium, launch } from './browser.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

const CASES = Number(process.env['FUZZ_CASES'] ?? 20);
const SEED = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const REPORT = process.env['FUZZ_REPORT'] ?? '/tmp/paranom-fuzz-campaign.json';
const KEEP = process.env['FUZZ_KEEP'] === '1';
const MAX_ROWS = Number(process.env['FUZZ_MAX_ROWS'] ?? 140_001);
const NAB = process.env['FUZZ_NAB'] === '1';

/** Shard sizes a run may take besides the drawn one: one row, odd ones, a block ± 1. */
const SHARD_SIZES = [1, 7, 1000, 65_535, 65_536, 65_537, 131_072];

interface Finding {
  index: number;
  step: string;
  problem: string;
  doc: Record<string, unknown>;
  args?: string[];
}

function run(args: string[]): { code: number | null; out: string; err: string } {
  return cliProcess(args, { cpuSeconds: 300, timeout: 900_000 });
}

function genArgs(c: ValidCase, file: string, out: string, o: { format?: string; workers?: number; shardRows?: number | undefined; extra?: string[] } = {}): string[] {
  const format = o.format ?? 'parquet';
  const shardRows = 'shardRows' in o ? o.shardRows : c.shardRows;
  return ['generate', file, '--out', out, '--format', format, '--workers', String(o.workers ?? c.workers), ...(format === 'parquet' ? ['--compression', c.compression] : []), ...(shardRows ? ['--shard-rows', String(shardRows)] : []), ...(c.withClean ? ['--with-clean'] : []), ...(o.extra ?? [])];
}

it(`fuzz campaign: ${NAB ? 'every NAB series' : `${CASES} valid scenarios`} (seed ${SEED})`, async () => {
  const box = mkdtempSync(join(tmpdir(), 'paranom-campaign-'));
  const inputs = join(box, 'inputs');
  mkdirSync(inputs);
  await writeInputs(inputs, { binary: true });
  // FUZZ_NAB=1: a case per NAB series instead of drawn ones.
  if (NAB) writeNabInputs(inputs);
  const cases = NAB ? nabCases() : fc.sample(validCase(MAX_ROWS, { binary: true }), { seed: SEED, numRuns: CASES });
  const extra = fc.sample(fc.record({ shard: fc.constantFrom(...SHARD_SIZES), growFrom: fc.double({ min: 0.05, max: 0.95, noNaN: true }) }), { seed: SEED + 1, numRuns: cases.length });
  const findings: Finding[] = [];
  const counts: Record<string, number> = {};
  const t0 = Date.now();
  const chromium = process.env['FUZZ_BROWSER'] === '1' ? ensureChromium() : undefined;
  const browser = chromium && 'path' in chromium ? await launch(chromium.path) : undefined;
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    const dir = join(box, `c${i}`);
    cpSync(inputs, dir, { recursive: true });
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(c.doc, null, 1));
    const found = (step: string, problem: string, args?: string[]) => findings.push({ index: i, step, problem, doc: c.doc, ...(args ? { args } : {}) });
    const gen = (step: string, args: string[]): boolean => {
      counts[step] = (counts[step] ?? 0) + 1;
      const r = run(args);
      if (r.code !== 0 || /internal error|^\s+at /m.test(r.err)) {
        found(step, `exit ${r.code}: ${r.err.slice(0, 1500)}`, args);
        return false;
      }
      return true;
    };
    const check = async (step: string, problems: Promise<string[]> | string[]) => {
      counts[step] = (counts[step] ?? 0) + 1;
      try {
        for (const p of await problems) found(step, p);
      } catch (err) {
        found(step, `the check threw: ${(err as Error).stack ?? String(err)}`);
      }
    };
    const p1 = join(dir, 'p1');
    if (!gen('generate parquet W=1', genArgs(c, file, p1, { workers: 1 }))) continue;
    const p2 = join(dir, 'p2');
    if (gen('generate parquet W=2', genArgs(c, file, p2, { workers: 2 }))) {
      counts['bytes W=1 = W=2'] = (counts['bytes W=1 = W=2'] ?? 0) + 1;
      const a = treeHashes(p1);
      const b = treeHashes(p2);
      const differ = Object.keys({ ...a, ...b }).filter((k) => a[k] !== b[k]);
      if (differ.length > 0) found('bytes W=1 = W=2', `files differ: ${differ.join(', ')}`);
    }
    await check('DuckDB read-back', checkParquetDataset(p1));
    const v = run(['verify', p1]);
    counts['verify'] = (counts['verify'] ?? 0) + 1;
    if (v.code !== 0) found('verify', `exit ${v.code}: ${(v.out + v.err).slice(0, 1500)}`);
    const m = readManifestFile(p1);
    const whole = await rowDigest(p1);

    if (c.format !== 'parquet') {
      const f = join(dir, c.format);
      if (gen(`generate ${c.format}`, genArgs(c, file, f, { format: c.format }))) {
        await check(`${c.format} = parquet`, c.format === 'csv' ? compareCsvToParquet(f, p1) : compareArrowToParquet(f, p1));
        const vf = run(['verify', f]);
        counts[`verify ${c.format}`] = (counts[`verify ${c.format}`] ?? 0) + 1;
        if (vf.code !== 0) found(`verify ${c.format}`, `exit ${vf.code}: ${(vf.out + vf.err).slice(0, 1500)}`);
      }
    }

    // Another shard size: the same rows.
    const s = join(dir, 'shards');
    const shard = extra[i]!.shard;
    if (gen(`generate --shard-rows ${shard}`, genArgs(c, file, s, { workers: 2, shardRows: shard }))) {
      await check('another shard size, same rows', rowDigest(s).then((d) => (d.rows === whole.rows && d.sum === whole.sum ? [] : [`--shard-rows ${shard}: ${d.rows} rows, digest ${d.sum}; the first run ${whole.rows}, ${whole.sum}`])));
      await check('DuckDB read-back (shard size)', checkParquetDataset(s));
    }

    // Grown from fewer rows: the same rows as one run at the full size.
    const rows = c.rows;
    if (m.growth_stable && rows >= 2) {
      const from = Math.max(1, Math.min(rows - 1, Math.round(rows * extra[i]!.growFrom)));
      const g = join(dir, 'grown');
      if (gen('generate smaller', genArgs(c, file, g, { extra: ['--rows', String(from)] })) && gen('grow', ['grow', g, '--rows', String(rows), '--workers', String(c.workers)])) {
        await check('grown = one run', rowDigest(g).then((d) => (d.rows === whole.rows && d.sum === whole.sum ? [] : [`grown from ${from} to ${rows} rows: ${d.rows} rows, digest ${d.sum}; one run ${whole.rows}, ${whole.sum}`])));
        await check('DuckDB read-back (grown)', checkParquetDataset(g));
        const vg = run(['verify', g]);
        counts['verify grown'] = (counts['verify grown'] ?? 0) + 1;
        if (vg.code !== 0) found('verify grown', `exit ${vg.code}: ${(vg.out + vg.err).slice(0, 1500)}`);
      }
      // In the drawn format too: the rows of one run in that format (a grown fleet's rows may
      // sit in other files than a fresh run's, so rows are compared, not files).
      const f = join(dir, c.format);
      const gf = join(dir, `grown-${c.format}`);
      if (c.format !== 'parquet' && existsSync(join(f, 'manifest.json')) && gen(`generate smaller ${c.format}`, genArgs(c, file, gf, { format: c.format, extra: ['--rows', String(from)] })) && gen(`grow ${c.format}`, ['grow', gf, '--rows', String(rows), '--workers', String(c.workers)])) {
        if (c.format === 'arrow') await check('grown arrow = one run', compareArrowToParquet(gf, p1));
        else await check('grown csv = one run', Promise.all([rowDigest(f), rowDigest(gf)]).then(([a, b]) => (a.rows === b.rows && a.sum === b.sum ? [] : [`grown CSV: ${b.rows} rows, digest ${b.sum}; one run ${a.rows}, ${a.sum}`])));
      }
    }

    // A fleet grown in entities (a count, or names appended to its names file): the rows of one run.
    const ent = c.doc['entities'] as { count?: number; source?: string } | undefined;
    const entities = ent?.count ?? (ent?.source ? Number(/hosts-(\d+)/.exec(ent.source)![1]) : 0);
    if (ent && m.growth_stable && entities >= 2) {
      const fewer = Math.max(1, Math.min(entities - 1, Math.floor(entities * extra[i]!.growFrom)));
      const names = (n: number) => Array.from({ length: n }, (_, e) => `host-${e}\n`).join('');
      if (ent.source) writeFileSync(join(dir, 'hosts-grown.txt'), names(fewer));
      const fileE = join(dir, 'scenario-entities.json');
      writeFileSync(fileE, JSON.stringify({ ...c.doc, entities: { ...ent, ...(ent.count ? { count: fewer } : { source: 'hosts-grown.txt' }) } }, null, 1));
      const ge = join(dir, 'grown-entities');
      if (gen('generate fewer entities', genArgs(c, fileE, ge))) {
        if (ent.source) writeFileSync(join(dir, 'hosts-grown.txt'), names(entities));
        if (gen('grow --entities', ['grow', ge, '--entities', String(entities), '--workers', String(c.workers)])) {
          await check('grown in entities = one run', rowDigest(ge).then((d) => (d.rows === whole.rows && d.sum === whole.sum ? [] : [`grown from ${fewer} to ${entities} entities: ${d.rows} rows, digest ${d.sum}; one run ${whole.rows}, ${whole.sum}`])));
          await check('DuckDB read-back (grown in entities)', checkParquetDataset(ge));
          const vg = run(['verify', ge]);
          counts['verify grown in entities'] = (counts['verify grown in entities'] ?? 0) + 1;
          if (vg.code !== 0) found('verify grown in entities', `exit ${vg.code}: ${(vg.out + vg.err).slice(0, 1500)}`);
        }
      }
    }

    // Splits: train + test are the whole timeline's rows; train_clean has no labels.
    if (c.splits !== undefined) {
      const sp = join(dir, 'splits');
      if (gen('generate --splits', genArgs(c, file, sp, { extra: ['--splits', String(c.splits)] }))) {
        for (const name of ['train_clean', 'train', 'test']) await check(`DuckDB read-back (${name})`, checkParquetDataset(join(sp, name)));
        const tr = await rowDigest(join(sp, 'train'));
        const te = await rowDigest(join(sp, 'test'));
        await check('train + test = one run', tr.rows + te.rows === whole.rows && tr.sum + te.sum === whole.sum ? [] : [`train ${tr.rows} + test ${te.rows} rows; one run ${whole.rows}; digests ${tr.sum + te.sum} against ${whole.sum}`]);
        // Each split is a dataset merge takes whole (a test split's rows start past row 0; a fleet's per entity).
        for (const name of ['train', 'test']) {
          const mergedSplit = join(dir, `merged-${name}.parquet`);
          if (gen(`merge ${name} split`, ['merge', join(sp, name), '--to', mergedSplit])) {
            const d = await rowDigest(join(sp, name));
            await check(`merged ${name} split = split`, filesDigest([mergedSplit]).then((x) => (x.rows === d.rows && x.sum === d.sum ? [] : [`merged ${name} split: ${x.rows} rows, digest ${x.sum}; the split ${d.rows}, ${d.sum}`])));
          }
        }
        const clean = readManifestFile(join(sp, 'train_clean'));
        await check('train_clean unlabelled', (clean.anomalies?.realised.anomalous_rows ?? 0) === 0 ? [] : [`train_clean has ${clean.anomalies?.realised.anomalous_rows} labelled rows`]);
        // The same splits from the scenario's own `splits:` section: the same rows in each.
        if (c.splitsDoc) {
          const file2 = join(dir, 'scenario-splits.json');
          writeFileSync(file2, JSON.stringify(c.splitsDoc, null, 1));
          const sp2 = join(dir, 'splits-doc');
          if (gen('generate (splits: in the scenario)', genArgs(c, file2, sp2))) {
            for (const name of ['train_clean', 'train', 'test']) {
              const a = await rowDigest(join(sp, name));
              const b = await rowDigest(join(sp2, name));
              await check(`splits: ${name} = --splits ${name}`, a.rows === b.rows && a.sum === b.sum ? [] : [`${name}: ${b.rows} rows, digest ${b.sum}; with --splits ${a.rows}, ${a.sum}`]);
            }
          }
        }
      }
    }

    // A CSV stream: the dataset's rows; its labels file the dataset's segment table, byte for byte.
    if (!c.doc['entities']) {
      counts['stream'] = (counts['stream'] ?? 0) + 1;
      const labels = join(dir, 'stream-labels.parquet');
      const streamed = join(dir, 'stream.csv');
      const fd = openSync(streamed, 'w');
      const st = spawnSync(process.execPath, [CLI, 'generate', file, '--stdout', '--format', 'csv', '--workers', String(c.workers), ...(c.withClean ? ['--with-clean'] : []), '--labels-to', labels], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: 900_000 });
      closeSync(fd);
      if (st.status !== 0) found('stream', `exit ${st.status}: ${st.stderr.slice(0, 1500)}`);
      else {
        await check('stream = dataset', compareCsvFilesToParquet('stream', [streamed], m.shards.map((x) => join(p1, x.file))));
        // The labels file is written with the default compression: the bytes of a dataset's that was too.
        if (m.anomalies) {
          const reference = c.format !== 'parquet' ? join(dir, c.format, 'anomalies.parquet') : c.compression === 'snappy' ? join(p1, 'anomalies.parquet') : undefined;
          if (reference && existsSync(reference) && !readFileSync(labels).equals(readFileSync(reference))) found('stream labels', `--labels-to file differs from ${reference}`);
        }
      }
    }
    // Streams in the other encodings from a later row: NDJSON from a row index, Arrow from an
    // instant between two rows (the first row at or after it); each the dataset's rows from there.
    if (!c.doc['entities'] && m.rows > 0) {
      const { startMs, stepMs } = m.scenario.timeline;
      const k = Math.min(m.rows - 1, Math.floor(m.rows * extra[i]!.growFrom));
      const at = k === 0 ? startMs : startMs + k * stepMs - Math.floor(stepMs / 2);
      const shards = m.shards.map((x) => join(p1, x.file));
      for (const [format, startAt] of [['ndjson', String(k)], ['arrow', new Date(at).toISOString()]] as const) {
        counts[`stream ${format}`] = (counts[`stream ${format}`] ?? 0) + 1;
        const streamed = join(dir, `stream.${format}`);
        const fd = openSync(streamed, 'w');
        const labels = join(dir, `stream-${format}-labels.parquet`);
        const args = [CLI, 'generate', file, '--stdout', '--format', format, '--start-at', startAt, '--workers', String(c.workers), ...(c.withClean ? ['--with-clean'] : []), '--labels-to', labels];
        const st = spawnSync(process.execPath, args, { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: 900_000 });
        closeSync(fd);
        if (st.status !== 0) found(`stream ${format}`, `exit ${st.status}: ${st.stderr.slice(0, 1500)}`, args.slice(1));
        else if (format === 'ndjson' && m.anomalies) {
          // Every anomaly_id a streamed row carries has its segment row (but a margin's of an event starting past the timeline's end, as in a dataset).
          await check('--start-at labels name every streamed event', duckdb().then((db) => db.all(`SELECT DISTINCT anomaly_id FROM read_json('${streamed}', format = 'newline_delimited') WHERE anomaly_id IS NOT NULL AND anomaly_id < ${m.rows} AND anomaly_id NOT IN (SELECT id FROM read_parquet('${labels}'))`)).then((r) => (r.length === 0 ? [] : [`--start-at ${startAt}: anomaly_id ${r.map((x) => String(x['anomaly_id'])).join(', ')} carried by streamed rows, not in the --labels-to file`])));
        }
        // Row k on: with jitter row k may fall up to the jitter before its grid time, row k − 1 never that late.
        const fromMs = startMs + k * stepMs - (m.scenario.timeline.jitter?.ms ?? 0);
        if (st.status === 0) await check(`stream ${format} --start-at = dataset from there`, format === 'ndjson' ? compareNdjsonToParquet(streamed, shards, fromMs) : compareArrowStreamToParquet(streamed, p1, fromMs));
      }
    }

    // One file: merge gives the dataset's rows; eval scores a column of it against the dataset's labels.
    const merged = join(dir, 'merged.parquet');
    if (gen('merge', ['merge', p1, '--to', merged])) {
      await check('merged = dataset', filesDigest([merged]).then((d) => (d.rows === whole.rows && d.sum === whole.sum ? [] : [`merged file: ${d.rows} rows, digest ${d.sum}; the dataset ${whole.rows}, ${whole.sum}`])));
      // A score column of finite values (a column allowed past float64 holds none to rank).
      const score = m.columns.find((col) => /^(float|int)/.test(col.type) && !col.type.endsWith('?') && col.name !== 'anomaly_id' && col.name !== 'nf');
      if (!c.doc['entities'] && score) {
        counts['eval'] = (counts['eval'] ?? 0) + 1;
        const e = run(['eval', merged, '--labels', p1, '--score-column', score.name, '--json']);
        if (e.code !== 0) found('eval', `exit ${e.code}: ${e.err.slice(0, 1500)}`, ['eval', merged, '--labels', p1, '--score-column', score.name, '--json']);
        else {
          const j = JSON.parse(e.out) as { rows: number; labelled_rows: number };
          const labelled = m.anomalies?.realised.anomalous_rows ?? 0;
          await check('eval counts', j.rows === m.rows && j.labelled_rows === labelled ? [] : [`eval scored ${j.rows} rows, ${j.labelled_rows} labelled; the manifest says ${m.rows}, ${labelled}`]);
        }
      }
    }

    // A run in two parts, joined: the files of one run.
    const parted = join(dir, 'parted');
    if (gen('generate --part 1/2', genArgs(c, file, parted, { extra: ['--part', '1/2'] })) && gen('generate --part 2/2', genArgs(c, file, parted, { extra: ['--part', '2/2'] })) && gen('merge-manifests', ['merge-manifests', parted])) {
      counts['parts = one run'] = (counts['parts = one run'] ?? 0) + 1;
      const a = treeHashes(p1);
      const b = treeHashes(parted);
      const differ = Object.keys({ ...a, ...b }).filter((x) => a[x] !== b[x]);
      if (differ.length > 0) found('parts = one run', `files differ: ${differ.join(', ')}`);
    }

    // The report page: written, and (FUZZ_BROWSER=1) opened in Chromium as a reader would.
    const html = join(dir, 'report.html');
    if (gen('report', ['report', p1, '--out', html]) && browser && !c.doc['entities']) {
      await check('report in Chromium', checkReportPage(browser, html, { events: m.anomalies?.realised.events ?? 0, screenshot: join(dir, 'report.png') }).then(() => []));
    }

    if (!KEEP && !findings.some((f) => f.index === i)) rmSync(dir, { recursive: true, force: true });
    writeFileSync(REPORT, JSON.stringify({ seed: SEED, cases: i + 1, seconds: Math.round((Date.now() - t0) / 1000), counts, findings }, null, 1));
    console.log(`case ${i + 1}/${cases.length}: ${findings.length} findings so far (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
  await browser?.close();
  expect(findings.map((f) => `case ${f.index} ${f.step}: ${f.problem.slice(0, 300)}`)).toEqual([]);
}, 24 * 3_600_000);
