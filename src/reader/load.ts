/**
 * Reading a scenario file: YAML or JSON (JSON is YAML, so one parser serves both), then
 * validation. Every problem is reported with its path inside the file and, where the
 * parser knows it, its line and column.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { ParanomError, ScenarioError, type ScenarioIssue } from '../errors.js';
import { validateScenario } from './validate.js';
import { pointedRowCountProblem } from './splits.js';
import { plainDataIssues, scenarioText } from './plain-data.js';
import { isUnresolvedTag, scenarioTags, unresolvedTagMessage } from './yaml-tags.js';
import { rowLimitProblems } from '../variables/row-limits.js';
import type { Scenario } from '../model/types.js';
import { timelineEndProblem } from '../model/units.js';

/** Turns "variables.temp.weights[2]" into ["variables", "temp", "weights", 2]. */
function splitPath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const part of path.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

function locate(doc: Document, lc: LineCounter, issue: ScenarioIssue): ScenarioIssue {
  const path = issue.path ? splitPath(issue.path) : [];
  // Walk up until a node exists (a missing key is reported at its parent).
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lc.linePos(node.range[0]);
      return { ...issue, line: pos.line, column: pos.col };
    }
  }
  return issue;
}

/** Split lengths written as `1.0`: the text decides, and only the parsed document still has it. */
function pointedSplitIssues(doc: Document): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  for (const key of ['train', 'test']) {
    const node = doc.getIn(['splits', key], true);
    if (!isScalar(node) || typeof node.source !== 'string') continue;
    const problem = pointedRowCountProblem(node.source, node.value);
    if (problem) issues.push({ path: `splits.${key}`, message: problem });
  }
  return issues;
}

/** Deeper than any scenario needs, and far from the parser's limits. */
const MAX_FLOW_DEPTH = 256;

/**
 * Brackets and braces nested past MAX_FLOW_DEPTH (outside quoted text), as a message. The
 * parser recurses once per level, and thousands of levels exhaust the native stack in a
 * way V8 cannot report as an error: the process would die instead of exiting 2.
 */
function flowDepthProblem(text: string): string | undefined {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') {
      if (++depth > MAX_FLOW_DEPTH) return `not valid YAML/JSON: lists and mappings nested more than ${MAX_FLOW_DEPTH} levels deep (a scenario needs a few)`;
    } else if (ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
  }
  return undefined;
}

function parseYaml(text: string): { doc: Document; lc: LineCounter } {
  const lc = new LineCounter();
  // merge: YAML's `<<: *anchor` merge keys, which configuration files commonly use.
  const doc = parseDocument(text, {
    lineCounter: lc,
    prettyErrors: false,
    uniqueKeys: true,
    merge: true,
    customTags: (tags) => [...tags, ...scenarioTags],
  });
  return { doc, lc };
}

/** Parses scenario text; `file` names it in messages. Throws ScenarioError on any problem. */
export function parseScenario(text: string, file = '<scenario>', baseDir = file.startsWith('<') ? process.cwd() : dirname(file)): Scenario {
  const deep = flowDepthProblem(text);
  if (deep) throw new ScenarioError(file, [{ path: '', message: deep }]);
  const { doc, lc } = parseYaml(text);
  // A tag that does not fit its value (`!!int x`) leaves the value a string with only a
  // warning; a scenario must not be read other than as written, so it is an error here.
  const problems = [...doc.errors, ...doc.warnings.filter((w) => isUnresolvedTag(w.message))];
  if (problems.length > 0) {
    throw new ScenarioError(
      file,
      problems.map((e) => {
        // With prettyErrors off the parser leaves linePos unset; derive it from the offset.
        const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
        const what = isUnresolvedTag(e.message) ? unresolvedTagMessage(e.message) : e.message.split('\n')[0];
        return { path: '', message: `not valid YAML/JSON: ${what}`, line: pos.line, column: pos.col };
      }),
    );
  }
  // An empty file (or one holding only comments) has no contents; say so plainly.
  if (doc.contents === null) {
    throw new ScenarioError(file, [{ path: '', message: "the file is empty; expected a mapping with at least 'timeline' and 'variables'" }]);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // Alias problems (an alias before its anchor, an alias bomb) surface only here, as a
    // plain Error; they are user mistakes and must not escape as an internal error.
    throw new ScenarioError(file, [{ path: '', message: `not valid YAML/JSON: ${(err as Error).message}` }]);
  }
  const odd = [...plainDataIssues(data), ...pointedSplitIssues(doc)];
  if (odd.length > 0) throw new ScenarioError(file, odd.map((i) => locate(doc, lc, i)));
  const result = validateScenario(data, { baseDir });
  if (!result.ok) throw new ScenarioError(file, result.issues.map((i) => locate(doc, lc, i)));
  return result.scenario;
}

/** Reads and validates a scenario file. */
export function loadScenario(file: string): Scenario {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ParanomError('SCENARIO_READ', `${file}: cannot read scenario (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(code)})`, { file });
  }
  const text = scenarioText(bytes);
  if ('problem' in text) throw new ScenarioError(file, [{ path: '', message: text.problem }]);
  return parseScenario(text.text, file);
}

function isIssue(x: unknown): x is ScenarioIssue {
  return typeof x === 'object' && x !== null && typeof (x as ScenarioIssue).path === 'string' && typeof (x as ScenarioIssue).message === 'string';
}

/**
 * A problem met after the scenario was read (a callback module's exports, checked when a
 * worker imports it) names its scenario field in `details.issue`; as a ScenarioError of
 * `file` it is reported at that field's line, as the problems validation finds are.
 * Anything else is returned as it is.
 */
export function atScenarioLine(file: string, err: unknown): unknown {
  if (!(err instanceof ParanomError) || err instanceof ScenarioError || !isIssue(err.details['issue'])) return err;
  let issue: ScenarioIssue = err.details['issue'];
  try {
    const text = scenarioText(readFileSync(file));
    if (!('problem' in text) && flowDepthProblem(text.text) === undefined) {
      const { doc, lc } = parseYaml(text.text);
      issue = locate(doc, lc, issue);
    }
  } catch {
    // The file could not be read again: its field's path still says where.
  }
  const located = new ScenarioError(file, [issue]);
  located.details['stack'] = err.details['stack'] ?? err.stack;
  return located;
}

/** Applies command-line overrides to a resolved scenario, re-checking what they touch. */
export function withOverrides(s: Scenario, o: { rows?: number | undefined; seed?: number | undefined }): Scenario {
  if (o.rows !== undefined && !(Number.isSafeInteger(o.rows) && o.rows >= 1 && o.rows <= 1e12)) {
    throw new ParanomError('USAGE', `--rows must be an integer from 1 to 1e12, got ${o.rows}`);
  }
  if (o.seed !== undefined && !(Number.isSafeInteger(o.seed) && o.seed >= 0)) {
    throw new ParanomError('USAGE', `--seed must be a non-negative integer below 2^53, got ${o.seed}`);
  }
  const next: Scenario = {
    ...s,
    seed: o.seed ?? s.seed,
    timeline: { ...s.timeline, rows: o.rows ?? s.timeline.rows, ...(s.timeline.jitter && o.seed !== undefined ? { jitter: { ms: s.timeline.jitter.ms, seed: o.seed } } : {}) },
  };
  if (o.rows !== undefined) {
    const t = next.timeline;
    const late = timelineEndProblem(t.startMs, t.stepMs, (t.offset ?? 0) + t.rows, t.jitter?.ms);
    if (late !== undefined) throw new ParanomError('USAGE', `--rows ${o.rows}: ${late}`, { rows: o.rows });
    const limit = rowLimitProblems(next, next.timeline.rows)[0];
    if (limit) throw new ParanomError('USAGE', `variable '${limit.variable}' ${limit.message}`, { variable: limit.variable, rows: o.rows });
    // Re-validate what depends on the row count (count mode must still fit).
    const a = next.anomalies;
    if (a.mode === 'count' && a.count * (a.duration[0] + 1) - 1 > next.timeline.rows) {
      throw new ParanomError('USAGE', `--rows ${o.rows}: ${a.count} anomaly events of at least ${a.duration[0]} rows do not fit`);
    }
  }
  return next;
}
