/**
 * Optional packages: TensorFlow.js (training VAEs) and TypeScript (TypeScript callback
 * modules) are optional peer dependencies, so users who do neither never install them.
 * A feature that needs one loads it here and, when it is missing, stops with the
 * package to install and what needs it (MISSING_DEPENDENCY, exit 2), not a stack trace.
 */
import { ParanomError } from './errors.js';

/** True when `name` resolves from paranom's installation. */
export function hasPackage(name: string): boolean {
  try {
    import.meta.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** The error for a missing optional package: what to install and what needs it. */
export function missingPackage(name: string, neededFor: string): ParanomError {
  return new ParanomError('MISSING_DEPENDENCY', `${neededFor} needs the optional package '${name}', which is not installed; install it with 'npm install ${name}'`, { package: name });
}

/**
 * Imports an optional package, or throws `missingPackage`. The specifier is a variable so
 * that neither tsc nor a bundler turns it into a hard dependency.
 */
export async function importOptional<T>(name: string, neededFor: string): Promise<T> {
  if (!hasPackage(name)) throw missingPackage(name, neededFor);
  const specifier = name;
  return (await import(specifier)) as T;
}
