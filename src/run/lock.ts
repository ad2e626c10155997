/**
 * One run at a time per output directory. A run takes a lock file holding its pid and
 * host; a second run on the same directory is refused, naming the holder. A lock left by
 * a process that no longer exists on this host (a crash, kill -9) is stale and taken over;
 * a lock from another host is never guessed about: the message says how to remove it.
 *
 * A whole-dataset run holds `.paranom.lock`; one part of a split run holds its own lock,
 * so parts may run side by side in one directory, but never beside a whole-dataset run.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { processAlive } from '../process-alive.js';
import { join } from 'node:path';
import { ParanomError } from '../errors.js';
import { partLabel, type Part } from '../plan/parts.js';

const LOCK_FILE = '.paranom.lock';
export const LOCK_RE = /^\.paranom(-part-\d+-of-\d+)?\.lock$/;

/** What a lock file records about its holder. */
export interface LockHolder {
  pid: number;
  host: string;
  command: string;
}

function lockFile(part: Part | null): string {
  return part ? `.paranom-${partLabel(part)}.lock` : LOCK_FILE;
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string') return { pid: h.pid, host: h.host, command: String(h.command ?? '') };
  } catch {
    // Torn or empty: judged by age below.
  }
  return undefined;
}

/** A lock nobody holds any more: its process is gone from this host, or it was torn while being written long ago. */
function isStale(path: string, holder: LockHolder | undefined): boolean {
  if (!holder) {
    try {
      return Date.now() - statSync(path).mtimeMs > 10_000;
    } catch {
      return true;
    }
  }
  return holder.host === hostname() && holder.pid !== process.pid && !processAlive(holder.pid);
}

function refuse(out: string, name: string, holder: LockHolder | undefined): never {
  const who = holder ? `process ${holder.pid} on host ${holder.host}${holder.command ? ` (${holder.command})` : ''}` : 'a process that is still writing its lock';
  const hint = holder && holder.host !== hostname() ? `; if that run is over, remove ${join(out, name)}` : '; wait for it to finish or stop it';
  throw new ParanomError('OUTPUT_LOCKED', `output directory '${out}' is in use by ${who}${hint}`, { out, lock: name, ...(holder ? { pid: holder.pid, host: holder.host } : {}) });
}

/**
 * Who holds the whole-dataset lock of `out` now (a run writing the dataset), if anyone;
 * for readers that take no lock, such as `verify`.
 */
export function lockHolder(out: string): LockHolder | undefined {
  const path = join(out, LOCK_FILE);
  if (!existsSync(path)) return undefined;
  const holder = readHolder(path);
  return isStale(path, holder) ? undefined : (holder ?? { pid: 0, host: '', command: '' });
}

/** A held lock; `release` removes it (idempotent). */
export interface Lock {
  release(): void;
}

/**
 * Takes the lock of `out` for a run (of one part, or of the whole dataset), or throws
 * OUTPUT_LOCKED. `out` must exist.
 */
export function acquireLock(out: string, part: Part | null, command: string): Lock {
  const name = lockFile(part);
  const path = join(out, name);
  // A part run refuses a whole-dataset run's lock and vice versa; parts coexist.
  const conflicting = () => readdirSync(out).filter((e) => LOCK_RE.test(e) && e !== name && (part === null || e === LOCK_FILE));
  for (let attempt = 0; attempt < 3; attempt++) {
    for (const other of conflicting()) {
      const p = join(out, other);
      const h = readHolder(p);
      if (isStale(p, h)) rmSync(p, { force: true });
      else refuse(out, other, h);
    }
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const h = readHolder(path);
      if (!isStale(path, h)) refuse(out, name, h);
      rmSync(path, { force: true });
      continue;
    }
    try {
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), command } satisfies LockHolder) + '\n');
    } finally {
      closeSync(fd);
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      // Only our own lock: a stale-lock takeover by another run must not be undone here.
      const h = readHolder(path);
      if (h && h.pid === process.pid && h.host === hostname()) rmSync(path, { force: true });
      process.removeListener('exit', release);
    };
    process.on('exit', release);
    return { release };
  }
  refuse(out, name, existsSync(path) ? readHolder(path) : undefined);
}
