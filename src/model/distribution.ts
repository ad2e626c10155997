/** The distributions a scenario may declare, as validation resolves them (distribution/ samples them). */

export type Distribution =
  | { dist: 'uniform'; min: number; max: number }
  | { dist: 'normal'; mean: number; sd: number }
  | { dist: 'lognormal'; mu: number; sigma: number }
  | { dist: 'exponential'; rate: number }
  | { dist: 'poisson'; lambda: number }
  | { dist: 'bernoulli'; p: number }
  | { dist: 'integer'; min: number; max: number }
  | { dist: 'categorical'; values: Array<string | number | boolean>; weights: number[] }
  | { dist: 'constant'; value: string | number | boolean };

export type DistName = Distribution['dist'];
export const DIST_NAMES: readonly DistName[] = [
  'uniform',
  'normal',
  'lognormal',
  'exponential',
  'poisson',
  'bernoulli',
  'integer',
  'categorical',
  'constant',
];
