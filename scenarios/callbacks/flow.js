// Callbacks of scenarios/callback-flow.yaml. Each export receives the row's context:
// { row, timestamp, random, values, event, variable, seed }. Keep them pure: use
// ctx.random (never Math.random) and keep no state between calls.

/** Flow through the valve: proportional to √pressure when open, a trickle when closed. */
export function flow(ctx) {
  const { pressure, valve } = ctx.values;
  if (valve === 'closed') return Math.abs(ctx.random.normal(0, 0.05));
  return 4.2 * Math.sqrt(pressure) + ctx.random.normal(0, 0.3);
}

/** A leak: flow keeps rising through the event, whatever the valve says. */
export function leak(ctx) {
  const base = 4.2 * Math.sqrt(ctx.values.pressure);
  return base + 0.05 * ctx.event.offset + ctx.random.normal(0, 0.3);
}

/** Alarm: set when the flow is implausible for the valve state. */
export function alarm(ctx) {
  const { flow, valve, pressure } = ctx.values;
  const expected = valve === 'closed' ? 0 : 4.2 * Math.sqrt(pressure);
  return Math.abs(flow - expected) > 1.5;
}
