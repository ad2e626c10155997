/**
 * The files a scenario reads (callback modules, source files, VAE models) and the check
 * that they still hash to what the scenario recorded. A dataset is made from one version
 * of each input: a file that changed under it is refused by name, with both hashes,
 * never silently mixed into new shards.
 */
import type { Scenario, SourceVariable } from '../model/types.js';
import { inputPath } from '../model/input-path.js';
import { modelSha256, readVaeCodec } from '../vae/model.js';
import { checkInputFile, inputChanged } from './input-check.js';
import { sourceOnDisk } from './source-read.js';

/** One input file of a scenario: which variable reads it, as what, and its recorded hash. */
export interface ScenarioInput {
  variable: string;
  what: 'callback module' | 'file the callback module imports' | 'source file' | 'VAE model' | 'learned-kind model';
  /** As the scenario records it (relative to the scenario file). */
  file: string;
  sha256: string;
}

export function scenarioInputs(s: Scenario): ScenarioInput[] {
  const vars = s.variables.flatMap((v): ScenarioInput[] => {
    if (v.type === 'callback') return [{ variable: v.name, what: 'callback module', file: v.module, sha256: v.moduleSha256 }, ...(v.imports ?? []).map((i) => ({ variable: v.name, what: 'file the callback module imports' as const, ...i }))];
    if (v.type === 'source') return [{ variable: v.name, what: 'source file', file: v.file, sha256: v.sha256 }];
    if (v.type === 'vae') return [{ variable: v.name, what: 'VAE model', file: v.model, sha256: v.modelSha256 }];
    return [];
  });
  const kinds = s.anomalies.mode === 'none' ? [] : (s.anomalies.kinds ?? []);
  const learned = kinds.flatMap((k): ScenarioInput[] => (k.learned ? [{ variable: k.variables.join(', '), what: 'learned-kind model', file: k.learned.model, sha256: k.learned.sha256 }] : []));
  return [...vars, ...learned];
}

/** Checks every input of a scenario against its recorded hash (before grow, verify and runs over a dataset). */
export function checkInputs(s: Scenario): void {
  for (const i of scenarioInputs(s)) {
    const abs = inputPath(s.baseDir, i.file);
    if (i.what === 'VAE model' || i.what === 'learned-kind model') {
      let now: string | undefined;
      try {
        now = i.what === 'VAE model' ? modelSha256(abs) : readVaeCodec(abs).codecSha256;
      } catch {
        now = undefined;
      }
      if (now !== i.sha256) throw inputChanged(i.variable, i.what, i.file, abs, i.sha256, now);
    } else if (i.what === 'source file') {
      // Read, hashed and parsed in one pass, and kept for the run that follows (grow, verify).
      sourceOnDisk(s.variables.find((v): v is SourceVariable => v.type === 'source' && v.name === i.variable)!, s.baseDir);
    } else checkInputFile(i.variable, i.what, i.file, abs, i.sha256);
  }
}
