/**
 * Whether a process id names a running process on this host: what tells a lock or a
 * staging folder left by a crash (kill -9) from one a running process still uses.
 */

/** True when `pid` runs on this host (EPERM: it runs under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
