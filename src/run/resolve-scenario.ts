/**
 * A run's scenario: the file loaded (or the object given), with `--with-clean` and the
 * `--rows` / `--seed` overrides applied. One function for `generate` and the head start
 * (head-start.ts), so both resolve a command line to the same scenario.
 */
import { withCleanTwin } from '../anomaly/kinds/clean-twin.js';
import type { Scenario } from '../model/types.js';
import { loadScenario, withOverrides } from '../reader/load.js';

/** The options that change a run's scenario. */
export interface ScenarioOptions {
  rows?: number | undefined;
  seed?: number | undefined;
  /** Also write `<name>_clean` beside each anomaly-affected variable. */
  withClean?: boolean | undefined;
}

/** Resolves a scenario (object or file path) with option overrides applied. */
export function resolveScenario(scenario: Scenario | string, options: ScenarioOptions): Scenario {
  const loaded = typeof scenario === 'string' ? loadScenario(scenario) : scenario;
  return withOverrides(options.withClean ? withCleanTwin(loaded) : loaded, { rows: options.rows, seed: options.seed });
}
