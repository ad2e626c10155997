/** Parsing of the human units a scenario uses: durations ("500ms", "1s", "5m") and instants. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds in a duration string such as "250ms", "1s", "1.5h"; undefined if malformed. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  return Number.isFinite(ms) ? ms : undefined;
}

/** Epoch milliseconds of an ISO 8601 instant; a string without a zone is taken as UTC. */
export function parseInstantMs(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text.trim())) {
    return undefined;
  }
  let t = text.trim().replace(' ', 'T');
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(t)) t += t.includes('T') ? 'Z' : 'T00:00:00Z';
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}
