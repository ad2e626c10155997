/**
 * Where `train-vae` writes a model: a directory that is new, empty, or holds an earlier
 * paranom model (which a new training replaces). Anything else — a file, or a directory
 * with files paranom did not write — is refused before training starts, not hours later.
 * The model is written beside its place and renamed into it at the end, so an interrupted
 * or failed training leaves the directory as it was.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ParanomError } from '../errors.js';
import { VAE_FORMAT, VAE_META_FILE } from './model.js';

/** What a model directory holds (model.ts writes these names, files.encoder/decoder). */
const MODEL_ENTRIES = new Set([VAE_META_FILE, 'encoder', 'decoder']);

function isPriorModel(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, VAE_META_FILE), 'utf8')) as { format?: unknown }).format === VAE_FORMAT;
  } catch {
    return false;
  }
}

/** Refuses an `--out` that is a file, or a directory holding anything but an earlier paranom model. */
export function checkModelOut(out: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new ParanomError('USAGE', `--out ${out} is a file; a model is a directory — name a new or empty directory`);
  const entries = readdirSync(out);
  const foreign = entries.filter((e) => !MODEL_ENTRIES.has(e));
  if (entries.length > 0 && (foreign.length > 0 || !isPriorModel(out))) {
    const listed = foreign.length > 0 ? foreign : entries;
    throw new ParanomError('USAGE', `--out ${out} holds files that are not a paranom VAE model (${listed.slice(0, 5).join(', ')}${listed.length > 5 ? ', …' : ''}); paranom replaces only a model it wrote — name a new or empty directory`);
  }
}

/** The sibling directory a model is written into before it takes its place. */
export function stagingDir(out: string): string {
  return join(dirname(out), `.${basename(out)}.paranom-training-${process.pid}`);
}

/** Moves the model written in `staged` to `out`, replacing an empty directory or an earlier model there. */
export function placeModel(staged: string, out: string): void {
  checkModelOut(out);
  const old = existsSync(out) ? `${staged}.old` : undefined;
  if (old) renameSync(out, old);
  renameSync(staged, out);
  if (old) rmSync(old, { recursive: true, force: true });
}
