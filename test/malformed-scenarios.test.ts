/**
 * Never a stack trace for a user's mistake: malformed scenario files — wrong types, missing
 * keys, bad durations, unknown kinds, bad ranges, NaN/Infinity, huge numbers, empty files,
 * binary garbage, other encodings, YAML tags, anchors and merge keys, `__proto__`, broken
 * input files — through `paranom validate` and `paranom generate`. Each must exit 2 with
 * a message naming where (the path inside the scenario) and what, show no stack trace, and
 * leave no output directory behind. Then random bytes and random text, fast-check seeded
 * (the seed is printed; FUZZ_SEED=<seed> replays it).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParanomError } from '../src/errors.js';
import { loadScenario } from '../src/reader/load.js';
import { tempDir } from './helpers.js';
import { cli, expectClean, treeHashes } from './reliability-helpers.js';

const T = 'timeline: { start: "2024-01-01T00:00:00Z", step: 1s, rows: 1000 }';
const X = 'variables:\n  x: { normal: { dist: normal, mean: 0, sd: 1 } }';
const text = (...lines: string[]) => lines.join('\n') + '\n';

/** A malformed file (and the input files it names), and a fragment of the one issue expected. */
interface Case {
  name: string;
  file: string | Uint8Array;
  inputs?: Record<string, string | Uint8Array>;
  /** Fragment of the message: the path inside the scenario, then what is wrong. */
  says: string;
}

const GARBAGE = Uint8Array.from({ length: 600 }, (_, i) => (i * 151 + 7) % 256);

const CASES: Case[] = [
  // The file itself
  { name: 'binary garbage', file: GARBAGE, says: '(root): the file is not text: a NUL byte' },
  { name: 'invalid UTF-8', file: Uint8Array.from([0xc3, 0x28, 0x20, 0x61, 0x3a, 0x20, 0x31, 0x0a]), says: '(root): the file is not UTF-8 text' },
  { name: 'UTF-16', file: new Uint8Array(Buffer.from(text(T, X), 'utf16le')), says: '(root): the file is UTF-16 text; save it as UTF-8' },
  { name: 'empty', file: '', says: '(root): the file is empty' },
  { name: 'only a comment', file: '  \n# nothing here\n', says: '(root): the file is empty' },
  { name: 'a number', file: '42\n', says: '(root): expected a mapping, got number 42' },
  { name: 'two documents', file: text(T, X, '---', T, X), says: 'not valid YAML/JSON: Source contains multiple documents' },
  { name: 'nested past any parser', file: `${T}\n${X}\na: ${'['.repeat(20000)}${']'.repeat(20000)}\n`, says: '(root): not valid YAML/JSON' },
  { name: 'a duplicate key', file: text(T, X, 'seed: 1', 'seed: 2'), says: 'Map keys must be unique' },
  // YAML beyond plain data
  { name: '!!binary', file: text(T, 'variables:', '  x: { normal: !!binary aGVsbG8= }'), says: 'variables.x.normal: expected a mapping, list, string, number, boolean or null, got binary data' },
  { name: '!!timestamp', file: text(T, 'variables:', '  x: { normal: { dist: normal, mean: !!timestamp 2024-01-01, sd: 1 } }'), says: 'variables.x.normal.mean: expected a mapping, list, string, number, boolean or null, got a date' },
  { name: '!!set', file: text(T, 'variables: !!set { x }'), says: 'variables: expected a mapping, list, string, number, boolean or null, got a set' },
  { name: 'a core tag that does not fit its value', file: text(T, 'variables:', '  x: { normal: { dist: normal, mean: !!int x, sd: 1 } }'), says: 'not valid YAML/JSON: the tag !!int does not fit this value' },
  { name: '!!float on a word', file: text(T, 'variables:', '  x: { normal: { dist: normal, mean: !!float abc, sd: 1 } }'), says: "the tag !!float does not fit the value 'abc'" },
  { name: 'an unknown local tag', file: text(T, 'variables:', '  x: { normal: { dist: normal, mean: !env MEAN, sd: 1 } }'), says: 'the tag !env does not fit this value, or is not one paranom reads' },
  { name: '__proto__ as a variable', file: text(T, 'variables:', '  __proto__: { normal: { dist: normal, mean: 0, sd: 1 } }'), says: "variables.__proto__: '__proto__' cannot be a key or a name" },
  { name: '__proto__ in JSON', file: '{"timeline": {"rows": 10}, "variables": {"x": {"normal": {"dist": "normal", "mean": 0, "sd": 1, "__proto__": {"sd": -1}}}}}', says: "variables.x.normal.__proto__: '__proto__' cannot be a key or a name" },
  { name: 'an alias before its anchor', file: text(T, 'variables:', '  x: { normal: *d }', '  y: { normal: &d { dist: normal, mean: 0, sd: 1 } }'), says: 'not valid YAML/JSON' },
  { name: 'a merge key whose result is wrong', file: text(T, 'base: &b { dist: normal, mean: 0 }', 'variables:', '  x: { normal: { <<: *b, sd: -1 } }'), says: 'base: unknown key' },
  // Wrong types, missing keys
  { name: 'a timeline that is a word', file: text('timeline: yesterday', X), says: "timeline: expected a mapping, got string 'yesterday'" },
  { name: 'no variables', file: text(T), says: 'variables: required' },
  { name: 'a seed in quotes', file: text('seed: "42"', T, X), says: "seed: expected a finite number, got string '42'" },
  // Numbers: NaN, Infinity, huge
  { name: 'rows .inf', file: text('timeline: { start: "2024-01-01T00:00:00Z", step: 1s, rows: .inf }', X), says: 'timeline.rows: expected a finite number, got number Infinity' },
  { name: 'rows 1e400', file: text('timeline: { start: "2024-01-01T00:00:00Z", step: 1s, rows: 1e400 }', X), says: 'timeline.rows: expected a finite number, got number Infinity' },
  { name: 'rows past 2^53', file: text('timeline: { start: "2024-01-01T00:00:00Z", step: 1s, rows: 9007199254740993 }', X), says: 'timeline.rows: must be <= 1000000000000, got 9007199254740992' },
  { name: 'mean .nan', file: text(T, 'variables:', '  x: { normal: { dist: normal, mean: .nan, sd: 1 } }'), says: 'variables.x.normal.mean: expected a finite number, got number NaN' },
  { name: 'sd 1e308', file: text(T, 'variables:', '  x: { normal: { dist: normal, mean: 1e308, sd: 1e308 } }'), says: 'variables.x.normal: this normal distribution can yield values beyond the largest float64' },
  // Before: 'must be an integer, got 1e+30', of a number that is one (past 2^53, where digits are rounded on reading).
  { name: 'seed 1e30', file: text('seed: 1e30', T, X), says: 'seed: must be <= 9007199254740991, got 1e+30' },
  { name: 'an integer bound past 2^53', file: text(T, 'variables:', '  x: { normal: { dist: integer, min: 0, max: 9007199254740993 } }'), says: 'variables.x.normal.max: must be an integer from -(2^53 - 1) to 2^53 - 1, the integers a number holds exactly, got 9007199254740992' },
  { name: 'weights .nan', file: text(T, 'variables:', '  x: { normal: { dist: categorical, values: [a, b], weights: [.nan, 1] } }'), says: 'variables.x.normal.weights[0]: expected a finite number, got number NaN' },
  { name: 'entities 1e12', file: text(T, 'entities: { count: 1e12 }', X), says: 'entities.count: must be <= 2147483647' },
  { name: 'a process whose components add past float64', file: text(T, 'variables:', '  x: { type: process, components: [ { type: sine, period: 100, amplitude: 1e308 }, { type: constant, value: 1e308 } ] }'), says: 'variables.x.components: can reach about ±Infinity (its components added at their bounds), beyond the largest float64' },
  { name: 'an AR process of sd 1e308', file: text(T, 'variables:', '  x: { type: process, components: [ { type: ar, coefficients: [0.5], sd: 1e308 } ] }'), says: 'variables.x.components: can reach about ±Infinity' },
  { name: 'a float32 process past float32', file: text(T, 'variables:', '  x: { type: process, dtype: float32, components: [ { type: sine, period: 100, amplitude: 1e39 } ] }'), says: 'variables.x.components: can reach about ±1.00e+39 (its components added at their bounds), beyond the largest float32' },
  { name: 'a trend that outgrows float64 within the timeline', file: text(T, 'variables:', '  x: { type: process, components: [ { type: trend, slope: 1e306 } ] }'), says: 'variables.x: can reach about ±Infinity over 1000 rows' },
  // Durations, ranges, kinds
  { name: 'a step past the year 275760', file: text('timeline: { start: "2024-01-01T00:00:00Z", step: 9999999999999d, rows: 1000 }', X), says: 'timeline: its last row (999) would fall after 9999-12-31T23:59:59.999Z' },
  // Past year 9999 CSV and NDJSON would write "+010000-01-01T…", which DuckDB reads as text.
  { name: 'a timeline past the year 9999', file: text('timeline: { start: "9999-12-31T23:59:58Z", step: 1s, rows: 3 }', X), says: 'timeline: its last row (2) would fall after 9999-12-31T23:59:59.999Z, the last instant ISO 8601 timestamps can write' },
  { name: 'a duration in exponent form', file: text(T, 'anomalies: { frequency: 0.01, duration: [5, "1e3s"] }', X), says: `anomalies.duration[1]: expected a row count or a duration such as "30s", got string '1e3s'` },
  { name: 'a reversed range', file: text(T, 'variables:', '  x: { normal: { dist: uniform, min: 5, max: 1 } }'), says: 'variables.x.normal.max: must be > min (5), got 1' },
  { name: 'an unknown kind', file: text(T, 'anomalies: { frequency: 0.01, duration: [5, 10], kinds: [ { kind: spikey } ] }', X), says: "anomalies.kinds[0].kind: unknown anomaly kind string 'spikey' (did you mean 'spike'?)" },
  { name: 'frequency .nan', file: text(T, 'anomalies: { frequency: .nan, duration: [5, 10] }', X), says: 'anomalies.frequency: expected a finite number, got number NaN' },
  // Input files
  { name: 'entity names from a binary file', file: text(T, 'entities: { source: ./names.bin }', X), inputs: { 'names.bin': Uint8Array.from([0x61, 0x0a, 0xff, 0xfe, 0x0a]) }, says: 'entities.source: ./names.bin is not UTF-8 text' },
  { name: 'an entity name with a control character', file: text(T, 'entities: { names: ["a\\x01b", c] }', X), says: 'entities.names: entry 0: the name holds the character U+0001' },
  { name: 'a source CSV with a header only', file: text(T, 'variables:', '  x: { type: source, file: ./s.csv }'), inputs: { 's.csv': 'a\n' }, says: 'variables.x.file: ./s.csv: the file has a header but no rows' },
  { name: 'a source Parquet file of garbage', file: text(T, 'variables:', '  x: { type: source, file: ./s.parquet }'), inputs: { 's.parquet': 'PAR1garbagePAR1' }, says: 'variables.x.file: ./s.parquet: not a readable Parquet file' },
  { name: 'a VAE model of garbage', file: text(T, 'variables:', '  x: { type: vae, model: ./m }'), inputs: { 'm/vae.json': 'garbage' }, says: 'variables.x.model:' },
  { name: 'a callback module that does not parse', file: text(T, 'variables:', '  x: { type: callback, module: ./cb.mjs, normal: normal }'), inputs: { 'cb.mjs': 'export function normal( {\n' }, says: "scenario.yaml:3:32 variables.x.module: cannot load callback module cb.mjs" },
  // Before: "variable 'x': callback module cb.mjs does not export 'leek' (…)", with no line: the module is imported after the file was read.
  { name: 'a callback module without the named export', file: text(T, 'variables:', '  x: { type: callback, module: ./cb.mjs, normal: normal, anomalous: leek }'), inputs: { 'cb.mjs': 'export function normal() { return 1; }\nexport function leak() { return 2; }\nexport const level = 3;\n' }, says: "scenario.yaml:3:69 variables.x.anomalous: callback module cb.mjs does not export 'leek' (its functions: leak, normal)" },
];

describe('malformed scenarios: exit 2, where and what, no stack trace, nothing written', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const dir = tempDir('paranom-malformed-');
      for (const [rel, body] of Object.entries(c.inputs ?? {})) {
        mkdirSync(join(dir, rel, '..'), { recursive: true });
        writeFileSync(join(dir, rel), body);
      }
      const file = join(dir, 'scenario.yaml');
      writeFileSync(file, c.file);
      const fresh = join(dir, 'out');
      const empty = join(dir, 'empty');
      mkdirSync(empty);
      for (const args of [['validate', file], ['generate', file, '--out', fresh], ['generate', file, '--out', empty]]) {
        const r = await cli(...args);
        expect(r.code, `${args[0]}: ${r.err}`).toBe(2);
        expect(r.err, args[0]).toContain(c.says);
        expectClean(r);
      }
      expect(existsSync(fresh)).toBe(false);
      expect(readdirSync(empty)).toEqual([]);
    });
  }

  it('a trend that fits the timeline but not --rows or grow is refused before anything is written', async () => {
    const dir = tempDir('paranom-malformed-');
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, text(T, 'variables:', '  x: { type: process, components: [ { type: trend, slope: 1e303 } ] }'));
    expect((await cli('validate', file)).code).toBe(0);
    const out = join(dir, 'out');
    const refused = await cli('generate', file, '--out', out, '--rows', '1000000');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("variable 'x' can reach about ±Infinity over 1000000 rows");
    expect(existsSync(out)).toBe(false);
    expect((await cli('generate', file, '--out', out)).code).toBe(0);
    const before = treeHashes(out);
    const grown = await cli('grow', out, '--rows', '1000000');
    expect(grown.code).toBe(2);
    expect(grown.err).toContain('over 1000000 rows');
    expectClean(grown);
    expect(treeHashes(out)).toEqual(before);
  });

  it('!!float is read as YAML 1.2 reads it: an integer, an exponent, .inf (then refused as not finite)', () => {
    const dir = tempDir('paranom-malformed-');
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, text(T, 'variables:', '  x: { normal: { dist: normal, mean: !!float 1, sd: !!float 2.5e-1 } }', '  y: { normal: { dist: uniform, min: !!float -3, max: !!float +4 } }'));
    const s = loadScenario(file);
    expect(s.variables.map((v) => ('normal' in v ? v.normal : undefined))).toEqual([
      expect.objectContaining({ dist: 'normal', mean: 1, sd: 0.25 }),
      expect.objectContaining({ dist: 'uniform', min: -3, max: 4 }),
    ]);
    writeFileSync(file, text(T, 'variables:', '  x: { normal: { dist: normal, mean: !!float -.inf, sd: 1 } }'));
    expect(() => loadScenario(file)).toThrow(/variables\.x\.normal\.mean: expected a finite number, got number -Infinity/);
  });

  it('YAML anchors, aliases and merge keys that make a valid scenario are read as written', async () => {
    const dir = tempDir('paranom-malformed-');
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, text(T, 'variables:', '  x: { normal: &n { dist: normal, mean: 0, sd: 1 } }', '  y: { normal: *n }', '  z: { normal: { <<: *n, sd: 2 } }'));
    const s = loadScenario(file);
    expect(s.variables.map((v) => [v.name, 'normal' in v ? v.normal : undefined])).toEqual([
      ['x', expect.objectContaining({ dist: 'normal', mean: 0, sd: 1 })],
      ['y', expect.objectContaining({ dist: 'normal', mean: 0, sd: 1 })],
      ['z', expect.objectContaining({ dist: 'normal', mean: 0, sd: 2 })],
    ]);
  });
});

const SEED = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
console.log(`malformed-scenarios seed ${SEED} (replay: FUZZ_SEED=${SEED} npx vitest run test/malformed-scenarios.test.ts)`);

describe('random bytes and random text as a scenario file', () => {
  it('every one is refused as a scenario error naming the file, never an internal error', () => {
    const dir = tempDir('paranom-malformed-');
    const file = join(dir, 'scenario.yaml');
    // Bytes; printable text; and text shaped like YAML (keys, colons, brackets, tags, anchors).
    const yamlish = fc.array(fc.constantFrom('timeline', 'variables', 'x', ':', ' ', '\n', '  ', '-', '[', ']', '{', '}', ',', '&a', '*a', '<<', '!!binary', '!!set', '!!timestamp', '.nan', '.inf', '1e400', '"', "'", '#', '__proto__', '---', '?'), { maxLength: 60 }).map((a) => a.join(''));
    const content = fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 200 }).map((s) => new Uint8Array(Buffer.from(s))), yamlish.map((s) => new Uint8Array(Buffer.from(s))));
    fc.assert(
      fc.property(content, (bytes) => {
        writeFileSync(file, bytes);
        try {
          loadScenario(file);
        } catch (err) {
          if (!(err instanceof ParanomError)) throw new Error(`not a ParanomError (would print "internal error"): ${(err as Error)?.stack ?? String(err)}`);
          expect(err.exitCode).toBe(2);
          expect(err.message).toContain(file);
          expect(err.message).not.toMatch(/\n\s+at /);
          return;
        }
        throw new Error('random content was accepted as a scenario');
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });
});
