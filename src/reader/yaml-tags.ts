/**
 * YAML's explicit core-schema tags as YAML 1.2 defines them. The `yaml` parser resolves
 * `!!float` only for values already written as floats (`1.5`, `1e3`, `.nan`), so `!!float 1`
 * — a float in YAML 1.2's core schema — came back as the string '1' and was refused as
 * "not a number". The tag here accepts every core-schema float form. A tag that still does
 * not fit its value (`!!int x`, `!!float abc`) is a mistake in the file and is reported with
 * its line and column, never read as a string.
 */
import type { ScalarTag } from 'yaml';

const DECIMAL = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INFINITY = /^([-+]?)\.(inf|Inf|INF)$/;
const NAN = /^\.(nan|NaN|NAN)$/;

/**
 * `!!float` over YAML 1.2's core-schema float forms. Not a default tag: plain scalars keep
 * their usual resolution (`1` stays an integer); only an explicit `!!float` reaches it.
 */
const coreFloat: ScalarTag = {
  tag: 'tag:yaml.org,2002:float',
  resolve(value, onError) {
    if (DECIMAL.test(value)) return Number(value);
    const inf = INFINITY.exec(value);
    if (inf) return inf[1] === '-' ? -Infinity : Infinity;
    if (NAN.test(value)) return NaN;
    onError(`the tag !!float does not fit the value '${value}' (expected a number such as 1, 1.5, 1e3, .inf or .nan)`);
    return value;
  },
};

/** The custom tags every scenario is parsed with. */
export const scenarioTags: ScalarTag[] = [coreFloat];

/** A parser warning that a value's explicit tag did not resolve: an error for a scenario. */
export function isUnresolvedTag(message: string): boolean {
  return message.startsWith('Unresolved tag');
}

/** The parser's unresolved-tag warning said as a scenario problem, the tag as written. */
export function unresolvedTagMessage(message: string): string {
  const tag = /^Unresolved tag: (\S+)/.exec(message)?.[1] ?? 'its tag';
  const short = tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
  return `the tag ${short} does not fit this value, or is not one paranom reads`;
}
