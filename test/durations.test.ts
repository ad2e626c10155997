/**
 * Durations as users write them: the short forms, pandas' and English unit words, and ISO
 * 8601 durations all name the same milliseconds; the scenario schema agrees with the
 * parser on each spelling, and a calendar step is refused with the reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../src/model/units.js';
import { parseScenario } from '../src/reader/load.js';
import { ScenarioError } from '../src/errors.js';

const root = join(import.meta.dirname, '..');
const schema = JSON.parse(readFileSync(join(root, 'schema/scenario.schema.json'), 'utf8')) as { $defs: Record<string, unknown> };
const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true });
const durationOk = ajv.compile({ $defs: schema.$defs, $ref: '#/$defs/duration' });

const SAME: Array<[string, number]> = [
  ['5m', 300_000], ['5min', 300_000], ['5 mins', 300_000], ['5 minutes', 300_000], ['1 minute', 60_000], ['PT5M', 300_000],
  ['250ms', 250], ['250 msec', 250], ['250 milliseconds', 250], ['PT0.25S', 250],
  ['90s', 90_000], ['90 sec', 90_000], ['90 seconds', 90_000], ['PT1M30S', 90_000], ['PT90S', 90_000],
  ['1.5h', 5_400_000], ['1.5 hours', 5_400_000], ['2hrs', 7_200_000], ['PT1H30M', 5_400_000],
  ['1d', 86_400_000], ['1 day', 86_400_000], ['P1D', 86_400_000], ['P1DT12H', 129_600_000],
  ['1w', 604_800_000], ['2 weeks', 1_209_600_000], ['P1W', 604_800_000], ['P1WT1S', 604_801_000],
  // From the decimal digits: 1.1h is 3,960,000 ms exactly.
  ['1.1h', 3_960_000], ['PT1.001S', 1001],
];

const NOT: string[] = ['300', '5', 'min', '5 mo', '1 month', '1y', 'P1M', 'P1Y', 'PT', 'P', 'P1DT', 'PT5', '5M', '2 Hours', 'P1.5D', '-5m', '5 m s'];

describe('durations', () => {
  it.each(SAME)('%s is %d ms, and the schema takes it', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
    expect(durationOk(text), JSON.stringify(durationOk.errors)).toBe(true);
  });

  it.each(NOT)('%s is no duration, for the parser and the schema', (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
    expect(durationOk(text)).toBe(false);
  });

  it('gives the same scenario for every spelling of a step and an event length', () => {
    const doc = (step: string, dur: string) => JSON.stringify({ timeline: { rows: 1000, step }, anomalies: { frequency: 0.01, duration: [dur, dur] }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } } });
    const base = parseScenario(doc('5m', '1h'), join(root, 'a.json'));
    for (const [step, dur] of [['5min', '60 minutes'], ['PT5M', 'PT1H'], ['5 minutes', '1 hour']]) {
      expect(parseScenario(doc(step!, dur!), join(root, 'a.json'))).toEqual(base);
    }
  });

  it('refuses a month or a year as a step, saying why', () => {
    for (const step of ['1mo', '1 month', 'P1M', '1y']) {
      try {
        parseScenario(JSON.stringify({ timeline: { rows: 10, step }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } } }), join(root, 'a.json'));
        expect.unreachable(step);
      } catch (e) {
        expect(e).toBeInstanceOf(ScenarioError);
        expect((e as ScenarioError).issues[0]!.message).toContain('months and years have no fixed length');
      }
    }
  });
});
