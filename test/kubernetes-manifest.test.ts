/**
 * The README's Kubernetes Indexed Job is a valid batch/v1 Job: checked against the
 * Kubernetes API's JSON schemas as the kubernetes-models package ships them (installed from
 * npm; nothing is downloaded at test time). A broken copy is rejected, so the check is live.
 */
import { readFileSync } from 'node:fs';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

function readmeJob(): Record<string, unknown> {
  const blocks = [...readFileSync('README.md', 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const job = blocks.find((b) => /^kind: Job$/m.test(b));
  expect(job, 'a ```yaml block with kind: Job in README.md').toBeDefined();
  return parse(job!) as Record<string, unknown>;
}

describe('the README Kubernetes manifest', () => {
  it('validates as a batch/v1 Job, an Indexed Job of 4 completions running paranom with --parts 4', () => {
    const doc = readmeJob();
    expect(() => new Job(doc).validate()).not.toThrow();
    const spec = doc['spec'] as { completionMode: string; completions: number; template: { spec: { containers: Array<{ args: string[] }> } } };
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.completions).toBe(4);
    expect(spec.template.spec.containers[0]!.args.join(' ')).toMatch(/paranom generate .* --parts 4 /);
  });

  it('rejects a broken copy (a wrong type, a missing required field)', () => {
    const wrongType = readmeJob() as { spec: { completions: unknown } };
    wrongType.spec.completions = 'four';
    expect(() => new Job(wrongType as never).validate()).toThrow(/completions must be integer/);
    const noName = readmeJob() as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
    delete noName.spec.template.spec.containers[0]!['name'];
    expect(() => new Job(noName as never).validate()).toThrow(/required property name/);
  });
});
