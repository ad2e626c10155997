/**
 * Files a scenario names (callback modules, source files, VAE models) are recorded as the
 * user wrote them, relative to the scenario file, and identified by their content hash
 * (D5): the same scenario gives the same bytes from any working directory. At run time
 * they resolve against `Scenario.baseDir`, the scenario file's folder, which is never
 * hashed nor written into a dataset.
 */
import { isAbsolute, normalize, resolve, sep } from 'node:path';

/** The absolute path of a file a scenario names. */
export function inputPath(baseDir: string | undefined, file: string): string {
  return isAbsolute(file) ? file : resolve(baseDir ?? process.cwd(), file);
}

/** How a scenario records a file it names: normalised, '/'-separated, relative as written. */
export function recordedPath(file: string): string {
  return isAbsolute(file) ? normalize(file) : normalize(file).split(sep).join('/');
}
