/**
 * One run at a time per output directory. A run takes a lock file holding its pid and
 * host; a second run on the same directory is refused, naming the holder. A lock left by
 * a process that no longer exists on this host (a crash, kill -9) is stale and taken over;
 * a lock from another host is never guessed about: the message says how to remove it.
 *
 * A whole-dataset run holds `.paranom.lock`; one part of a split run holds its own lock,
 * so parts may run side by side in one directory, but never beside a whole-dataset run.
 *
 * Taking over a stale lock is a claim, not a removal: runs that find one stale lock at the
 * same instant each try to create one claim file named after that lock's token, and only
 * the one that creates it removes the lock. Removing it directly would let a slower run
 * remove the lock the faster one had just made in its place, and both would go on.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, linkSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { processAlive } from '../process-alive.js';
import { join } from 'node:path';
import { ParanomError } from '../errors.js';
import { partLabel, type Part } from '../plan/parts.js';

const LOCK_FILE = '.paranom.lock';
export const LOCK_RE = /^\.paranom(-part-\d+-of-\d+)?\.lock$/;
/**
 * Files beside a lock: a claim on a stale one while a run takes it over
 * (`.paranom.lock.takeover-<key>-<n>`), and a lock or claim being written under a name of
 * its run's own before it is linked into place (`….new-<pid>-<random>`).
 */
export const LOCK_AUX_RE = /^\.paranom(-part-\d+-of-\d+)?\.lock(\.takeover-[0-9a-f]+-\d+)?(\.new-\d+-[0-9a-f]+)?$/;
const STAGED_RE = /\.new-(\d+)-[0-9a-f]+$/;

/** How long a run waits for another to finish writing its lock or taking a stale one over. */
const SETTLE_MS = 2000;

/** What a lock file records about its holder. */
export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  /** Unique to one taking of the lock: what a takeover claims, and what `release` checks. */
  token?: string;
}

function lockFile(part: Part | null): string {
  return part ? `.paranom-${partLabel(part)}.lock` : LOCK_FILE;
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string') return { pid: h.pid, host: h.host, command: String(h.command ?? ''), ...(typeof h.token === 'string' ? { token: h.token } : {}) };
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

/** A lock file as found: its holder (undefined while torn) and what tells this lock from any later one. */
interface FoundLock {
  holder: LockHolder | undefined;
  id: string;
}

function findLock(path: string): FoundLock | undefined {
  let st;
  try {
    st = statSync(path);
  } catch {
    return undefined;
  }
  const holder = readHolder(path);
  // A lock of an older paranom carries no token: its inode, time and size tell it apart.
  return { holder, id: holder?.token ?? `${st.ino}:${st.mtimeMs}:${st.size}` };
}

/** Waits `ms` without giving up the thread (taking a lock is synchronous). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes the stale lock `name` found as `found`, if this run (running `command`) wins the
 * claim on it; else the claim's holder, a live run taking it over. Claims are numbered: a claim whose run died in turn
 * is passed for the next number. Only the holder of a claim removes the lock, and only
 * while it is still the one judged stale; a claim goes once the lock is no longer that
 * one, which it never is again (tokens are unique).
 */
function takeOver(out: string, name: string, found: FoundLock, command: string): true | { claimant: LockHolder | undefined } {
  const key = createHash('sha256').update(found.id).digest('hex').slice(0, 16);
  const claim = (k: number) => join(out, `${name}.takeover-${key}-${k}`);
  for (let k = 0; ; k++) {
    if (!createWhole(claim(k), JSON.stringify({ pid: process.pid, host: hostname(), command } satisfies LockHolder) + '\n')) {
      const claimant = readHolder(claim(k));
      if (!isStale(claim(k), claimant)) return { claimant };
      continue;
    }
    try {
      if (findLock(join(out, name))?.id === found.id) rmSync(join(out, name), { force: true });
    } finally {
      for (let j = 0; j <= k; j++) rmSync(claim(j), { force: true });
    }
    return true;
  }
}

/**
 * Clears the way past lock `name` of `out` if nobody holds it: returns once it is gone
 * (or was taken over by this run), throws OUTPUT_LOCKED when a run holds it. A lock being
 * written or being taken over by another run is waited for (briefly), then judged again.
 */
function clearStale(out: string, name: string, command: string, until: number): void {
  const path = join(out, name);
  for (;;) {
    const found = findLock(path);
    if (!found) return;
    // Torn and young: its run is writing it now.
    let holder = found.holder;
    if (holder || isStale(path, undefined)) {
      if (!isStale(path, holder)) refuse(out, name, holder);
      const taken = takeOver(out, name, found, command);
      if (taken === true) return;
      holder = taken.claimant;
    }
    if (Date.now() > until) refuse(out, name, holder);
    pause(5);
  }
}

/**
 * Creates `path` holding `text`, whole; false when it exists. The text is written under a
 * name of this run's own, then hard-linked to `path`, which fails if `path` exists: so a
 * lock or claim is never seen half-written, even when its run is killed while writing it
 * (a torn lock could only be judged by its age, refusing every run meanwhile).
 */
function createWhole(path: string, text: string): boolean {
  const staged = `${path}.new-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    // Inside the try: a write that fails once the file exists (a full disk) leaves it empty, and it is ours to remove.
    writeFileSync(staged, text, { flag: 'wx' });
    linkSync(staged, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    // A file system without hard links: created in place (torn only if killed right then).
    try {
      writeFileSync(path, text, { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    rmSync(staged, { force: true });
  }
}

/**
 * Removes what runs that died left beside lock `name`: claims on older locks (the lock is
 * this run's now, so none is in use) and files being written by processes that are gone.
 */
function removeLeftovers(out: string, name: string): void {
  for (const e of readdirSync(out)) {
    if (!LOCK_AUX_RE.test(e) || e === name || !e.startsWith(`${name}.`)) continue;
    const staged = STAGED_RE.exec(e);
    if (staged && (Number(staged[1]) === process.pid || processAlive(Number(staged[1])))) continue;
    rmSync(join(out, e), { force: true });
  }
}

/** A lock that cannot be taken because `out` cannot be written: the user's to change (exit 2). */
function unwritable(out: string, err: unknown): never {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== 'EROFS' && code !== 'EACCES' && code !== 'EPERM') throw err;
  const why = code === 'EROFS' ? 'is on a read-only file system' : 'is not writable by this user (permission denied)';
  throw new ParanomError('USAGE', `output directory '${out}' ${why}: paranom cannot take its lock or write there; choose another directory`, { out, errno: code });
}

/**
 * Takes the lock of `out` for a run (of one part, or of the whole dataset), or throws
 * OUTPUT_LOCKED. `out` must exist.
 */
export function acquireLock(out: string, part: Part | null, command: string): Lock {
  const name = lockFile(part);
  const path = join(out, name);
  const token = `${process.pid}-${randomBytes(8).toString('hex')}`;
  const until = Date.now() + SETTLE_MS;
  // A part run refuses a whole-dataset run's lock and vice versa; parts coexist.
  const conflicting = () => readdirSync(out).filter((e) => LOCK_RE.test(e) && e !== name && (part === null || e === LOCK_FILE));
  for (;;) {
    for (const other of conflicting()) clearStale(out, other, command, until);
    let created: boolean;
    try {
      created = createWhole(path, JSON.stringify({ pid: process.pid, host: hostname(), command, token } satisfies LockHolder) + '\n');
    } catch (err) {
      unwritable(out, err);
    }
    if (!created) {
      clearStale(out, name, command, until);
      continue;
    }
    const mine = () => readHolder(path)?.token === token;
    // A run of the other kind may have taken its lock between our look and our create. Of
    // two such runs the later to create sees the other's lock here and stops: never both go on.
    const raced = conflicting().find((other) => !isStale(join(out, other), readHolder(join(out, other))));
    if (raced) {
      if (mine()) rmSync(path, { force: true });
      refuse(out, raced, readHolder(join(out, raced)));
    }
    removeLeftovers(out, name);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      // Only our own lock: a stale-lock takeover by another run must not be undone here.
      if (mine()) rmSync(path, { force: true });
      process.removeListener('exit', release);
    };
    process.on('exit', release);
    return { release };
  }
}
